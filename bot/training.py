"""Train the Rasa model only when its inputs changed.

The model's inputs are the config, domain, hand-written NLU data, the labelled example files
in nlu/examples/, the example questions in the knowledge files and the custom components' code. Answer text is not an input: editors'
changes to answers are live without retraining.
"""
from __future__ import annotations

import hashlib
import shutil
import logging
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List, Optional

import yaml

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.settings import PROJECT_ROOT, Settings, load_settings
from nlu.labelled_examples import CRISIS_EXAMPLES, EXAMPLES, TOPIC_EXAMPLES, read_folder

logger = logging.getLogger(__name__)

CONFIG = PROJECT_ROOT / "config.yml"
DOMAIN = PROJECT_ROOT / "nlu" / "domain.yml"
NLU_DATA = PROJECT_ROOT / "nlu" / "data"
COMPONENTS = PROJECT_ROOT / "nlu" / "components"
CRISIS_FILES = PROJECT_ROOT / "nlu" / "crisis_patterns.yml"
CRISIS_REFERENCE = PROJECT_ROOT / "nlu" / "crisis_reference.yml"
# What the custom components read besides Rasa's training data.
COMPONENT_INPUTS = (COMPONENTS, CRISIS_EXAMPLES, CRISIS_FILES, CRISIS_REFERENCE, PROJECT_ROOT / "nlu" / "labelled_examples.py")
OUT_OF_SCOPE = "out_of_scope"
MODEL_PREFIX = "lifeportal-"


def rasa_env() -> dict:
    """Environment for every Rasa process: nothing may call out (the same as the bot's children)."""
    from bot.processes import child_env

    return child_env(load_settings())


def generated_data_path(settings: Settings) -> Path:
    return settings.var_dir / "generated" / "nlu" / "knowledge_examples.yml"


def training_domain(settings: Settings) -> Path:
    """The domain Rasa trains with: nlu/domain.yml plus crisis replies made from the knowledge files."""
    from bot.knowledge.crisis_replies import crisis_domain

    directory = settings.var_dir / "generated" / "domain"
    directory.mkdir(parents=True, exist_ok=True)
    _write_if_changed(directory / "domain.yml", DOMAIN.read_text(encoding="utf-8"))
    crisis = crisis_domain(load_knowledge(settings.knowledge_dir))
    _write_if_changed(directory / "crisis_responses.yml",
                      "# Generated from knowledge/crisis.yml and districts.yml by bot.training: do not edit.\n"
                      + yaml.safe_dump(crisis, sort_keys=False, allow_unicode=True, width=1000))
    return directory


def _write_if_changed(path: Path, text: str) -> None:
    # Unchanged files keep their timestamps, so nothing downstream sees a change that isn't one.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_knowledge_examples(knowledge: KnowledgeBase, path: Path) -> Path:
    """Each topic's example questions become training examples for the intent of the same name."""
    nlu = [
        {"intent": topic.id, "examples": "".join(f"- {example}\n" for example in topic.examples)}
        for topic in knowledge.topics.values()
    ]
    text = "# Generated from knowledge/topics/*.yml by bot.training: do not edit.\n" + yaml.safe_dump(
        {"version": "3.1", "nlu": nlu}, sort_keys=False, allow_unicode=True, width=1000
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_if_changed(path, text)
    return path


def write_topic_examples(knowledge: KnowledgeBase, path: Path) -> Path:
    """The labelled topic messages in nlu/examples/topics/ as Rasa training data for their intents."""
    known = set(knowledge.topics) | {OUT_OF_SCOPE}
    by_label: dict = {}
    for text, label in read_folder(TOPIC_EXAMPLES):
        if label not in known:
            raise ValueError(f"nlu/examples/topics: unknown label {label!r} (known: {', '.join(sorted(known))})")
        # One line per example: Rasa's list syntax has no room for a line break inside one.
        by_label.setdefault(label, []).append(" ".join(text.split()))
    nlu = [{"intent": label, "examples": "".join(f"- {text}\n" for text in texts)} for label, texts in by_label.items()]
    text = "# Generated from nlu/examples/topics/*.csv by bot.training: do not edit.\n" + yaml.safe_dump(
        {"version": "3.1", "nlu": nlu}, sort_keys=False, allow_unicode=True, width=1000
    )
    _write_if_changed(path, text)
    return path


def _files(paths: Iterable[Path]) -> List[Path]:
    result: List[Path] = []
    for path in paths:
        result.extend(sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
                      if path.is_dir() else [path])
    return result


def fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    inputs = [CONFIG, NLU_DATA, EXAMPLES, COMPONENTS, PROJECT_ROOT / "bot" / "understanding.py", CRISIS_FILES, CRISIS_REFERENCE, generated_data_path(settings).parent,
              settings.var_dir / "generated" / "domain"]
    for path in _files(inputs):
        digest.update(str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{MODEL_PREFIX}{fingerprint(settings)}.tar.gz"


def latest_model(settings: Settings) -> Optional[Path]:
    models = sorted(settings.models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def prepare(settings: Settings) -> Path:
    """Everything training needs that is made, not committed: the spaCy pipeline and generated data.

    Returns the generated training domain's directory.
    """
    from nlu.components.blank_spacy import save_blank_pipeline

    save_blank_pipeline()
    knowledge = load_knowledge(settings.knowledge_dir)
    write_knowledge_examples(knowledge, generated_data_path(settings))
    write_topic_examples(knowledge, generated_data_path(settings).parent / "topic_examples.yml")
    return training_domain(settings)


def model_is_current(settings: Settings) -> bool:
    """Whether a model trained on today's files exists. It keeps a copy of the crisis replies (the
    fallback when the gateway can't read the knowledge files), so an edit there makes it stale."""
    prepare(settings)
    return model_path(settings).exists()


def training_cache(settings: Settings) -> Path:
    """Rasa's training cache knows a component's data and settings, not its code or the files it reads
    by itself (the crisis detector reads its labelled examples, patterns and reference messages): one
    cache per version of them, so a changed component or file is trained again, not restored from the cache."""
    digest = hashlib.sha256()
    for path in _files(COMPONENT_INPUTS):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes())
    root = settings.var_dir / ".rasa" / "cache"
    cache = root / f"code-{digest.hexdigest()[:12]}"
    for stale in root.glob("code-*"):
        if stale != cache:
            shutil.rmtree(stale, ignore_errors=True)
    return cache


def train_if_needed(settings: Settings, *, force: bool = False) -> Path:
    domain = prepare(settings)
    target = model_path(settings)
    if target.exists() and not force:
        logger.info("model is up to date: %s", target)
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train", "--config", str(CONFIG), "--domain", str(domain),
        "--data", str(NLU_DATA), str(generated_data_path(settings).parent),
        "--out", str(settings.models_dir), "--fixed-model-name", target.name[: -len(".tar.gz")],
    ]
    logger.info("training: %s", " ".join(command))
    subprocess.run(command, check=True, env={**rasa_env(), "RASA_CACHE_DIRECTORY": str(training_cache(settings))},
                   cwd=str(settings.var_dir))
    for old in settings.models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != target:
            old.unlink()
    return target
