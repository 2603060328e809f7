"""Loads the project's blank English spaCy pipeline from any working directory.

No spaCy model can be downloaded here, so `make` saves `spacy.blank("en")` under
`var/spacy/`. Rasa's own SpacyNLP resolves a relative path against the current
directory; this subclass resolves a bare name against the project's spaCy folder.
It keeps the class name `SpacyNLP` on purpose: Rasa wires SpacyTokenizer to its
model provider by that name.
"""
from __future__ import annotations

from pathlib import Path
from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils import spacy_utils

from bot.settings import load_settings

BLANK_PIPELINE_NAME = "en_blank"


def blank_pipeline_path(name: str = BLANK_PIPELINE_NAME) -> Path:
    return load_settings().spacy_dir / name


def save_blank_pipeline(name: str = BLANK_PIPELINE_NAME) -> Path:
    """Writes spacy.blank('en') to disk (run once at set-up; quick and offline)."""
    import spacy

    path = blank_pipeline_path(name)
    if not (path / "meta.json").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        spacy.blank("en").to_disk(path)
    return path


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    @staticmethod
    def load_model(spacy_model_name: Text) -> spacy_utils.SpacyModel:
        path = Path(spacy_model_name)
        if not path.is_absolute():
            path = blank_pipeline_path(spacy_model_name)
        if not (path / "meta.json").exists():
            raise InvalidModelError(
                f"The blank spaCy pipeline is missing at {path}. Run `make setup` to create it."
            )
        model = spacy_utils.SpacyNLP.load_model(str(path))
        # Fingerprint by name, not by machine-specific path, so models move between machines.
        return spacy_utils.SpacyModel(model=model.model, model_name=spacy_model_name)
