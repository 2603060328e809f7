"""Finds the Essex district a message names, by rules: aliases from knowledge/districts.yml.

Rules beat statistics here: there are only thirteen places, young people spell them many
ways, and editors can add a spelling without retraining (the aliases are re-read on change).
"""
from __future__ import annotations

import difflib
import logging
from typing import Any, Dict, List, Optional, Text, Tuple, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bot.knowledge import KnowledgeBase, KnowledgeStore
from bot.settings import load_settings
from nlu.components.blank_spacy import SpacyNLP

logger = logging.getLogger(__name__)

ENTITY = "district"
# A typo must be close to a known spelling, and short words are too easy to confuse.
FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 0.88


class DistrictMatcher:
    """Exact alias phrases first (spaCy PhraseMatcher), then close misspellings of single words."""

    def __init__(self, knowledge: KnowledgeBase, vocab: Any) -> None:
        self.knowledge = knowledge
        self._matcher = PhraseMatcher(vocab, attr="LOWER")
        self._single_words: Dict[str, str] = {}
        tokenizer = None
        for district in knowledge.districts.values():
            spellings = {district.id.replace("_", " "), district.name.lower(), *district.aliases}
            for spelling in spellings:
                if tokenizer is None:
                    import spacy

                    tokenizer = spacy.blank("en").tokenizer
                self._matcher.add(district.id, [tokenizer(spelling)])
                if " " not in spelling and len(spelling) >= FUZZY_MIN_LENGTH:
                    self._single_words[spelling] = district.id

    def find(self, doc: Doc) -> List[Tuple[str, int, int, str]]:
        """(district id, start char, end char, matched text), longest match first, no overlaps."""
        found: List[Tuple[str, int, int, str]] = []
        taken = set()
        spans = sorted(self._matcher(doc), key=lambda m: (m[2] - m[1]), reverse=True)
        for match_id, start, end in spans:
            if any(i in taken for i in range(start, end)):
                continue
            taken.update(range(start, end))
            span = doc[start:end]
            found.append((doc.vocab.strings[match_id], span.start_char, span.end_char, span.text))
        for token in doc:
            if token.i in taken or len(token.text) < FUZZY_MIN_LENGTH or not token.is_alpha:
                continue
            close = difflib.get_close_matches(token.lower_, self._single_words, n=1, cutoff=FUZZY_CUTOFF)
            # Typos keep the first letter far more often than not; "ending" is not "tendring".
            if close and close[0][0] == token.lower_[0]:
                found.append((self._single_words[close[0]], token.idx, token.idx + len(token.text), token.text))
        return sorted(found, key=lambda f: f[1])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DistrictEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any], store: KnowledgeStore) -> None:
        self._config = config
        self._store = store
        self._matcher: Optional[DistrictMatcher] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DistrictEntityExtractor":
        return cls(config, KnowledgeStore(load_settings().knowledge_dir))

    def _matcher_for(self, doc: Doc) -> DistrictMatcher:
        knowledge = self._store.current()
        if self._matcher is None or self._matcher.knowledge is not knowledge:
            self._matcher = DistrictMatcher(knowledge, doc.vocab)
        return self._matcher

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            entities = [
                {
                    "entity": ENTITY, "value": district_id, "start": start, "end": end,
                    "confidence": 1.0, "text": message.get(TEXT)[start:end],
                }
                for district_id, start, end, _ in self._matcher_for(doc).find(doc)
            ]
            if entities:
                # Keep only the last place named: "i moved from basildon to harlow" means harlow.
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities[-1:]), add_to_output=True)
        return messages
