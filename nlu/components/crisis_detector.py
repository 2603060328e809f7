"""Crisis detection on every message, in three layers, so one layer's miss is another's catch.

1. rules: spaCy phrase patterns over normalised words (crisis_rules.py)
2. similarity: sentence embeddings close to known crisis messages (crisis_similarity.py)
3. classifier: the intent model's own crisis_emergency / crisis_urgent intents

The most severe level any layer finds wins, and overrides the intent, so the crisis rule
in the dialogue answers first whatever the conversation was doing. The message gets a
`crisis` property saying which layers fired (no message text), for the safeguarding log.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.crisis_rules import LEVELS, CrisisRules, most_severe
from nlu.components.crisis_similarity import CrisisSimilarity, reference_texts, sentences

logger = logging.getLogger(__name__)

CRISIS = "crisis"
MAX_REFERENCE_WORDS = 25


def crisis_intent(level: str) -> str:
    return f"crisis_{level}"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CrisisDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "use_rules": True,
            "use_similarity": True,
            "use_classifier": True,
            # Cosine similarity to a reference crisis message that counts as a match.
            # Chosen on the development sets (tests/data/dev/), leaning to recall: a missed crisis costs more.
            "similarity_threshold": {"emergency": 0.65, "urgent": 0.68},
            # Classifier confidence in a crisis intent that counts as a match on its own...
            "classifier_alone_threshold": 0.6,
            # ...and, lower, when the similarity layer's best score is at least corroborating_similarity.
            "classifier_threshold": 0.4,
            "corroborating_similarity": 0.45,
            # When a weak crisis guess is set aside, the next intent needs this confidence, or it falls back.
            "fallback_threshold": 0.2,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 similarity: Optional[CrisisSimilarity] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # The patterns file is read when the server starts: safeguarding leads can add a rule without retraining.
        self.rules = CrisisRules.from_file() if self.config["use_rules"] else None
        self.similarity = similarity

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisDetector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Embed the reference messages and the crisis intents' examples; keep them in the model."""
        texts = reference_texts()
        for example in training_data.intent_examples:
            text = example.get(TEXT) or ""
            # Only one-sentence examples: a long crisis story also holds ordinary sentences
            # (about council tax, rent...) that would make ordinary questions look like crises.
            if len(sentences(text)) > 1 or len(text.split()) > MAX_REFERENCE_WORDS:
                continue
            for level in LEVELS:
                if example.get(INTENT) == crisis_intent(level):
                    texts[level].append(text)
        self.similarity = CrisisSimilarity.from_texts(texts)
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / "crisis_references.npz", **self.similarity.references)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "CrisisDetector":
        with model_storage.read_from(resource) as directory:
            with np.load(directory / "crisis_references.npz") as stored:
                references = {level: stored[level] for level in stored.files}
        return cls(config, model_storage, resource, CrisisSimilarity(references))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def assess(self, message: Message) -> Dict[str, Any]:
        """What each layer found; `level` is the most severe of them."""
        text = message.get(TEXT) or ""
        found: Dict[str, Any] = {"level": None, "rules": [], "similarity": None, "classifier": None}
        if not any(ch.isalnum() for ch in text):
            return found
        levels: List[str] = []
        statistical: List[str] = []  # levels from similarity and the classifier
        if self.rules is not None:
            hits = self.rules.match(text)
            found["rules"] = sorted({f"{h.level}:{h.rule}" for h in hits})
            if self.rules.all_in_the_past(text, hits):
                # "I used to cut when I was 14; I'm fine now": the rule's words are in a past sentence.
                found["rules_in_the_past"] = True
                logger.info("crisis rules set aside as past and safe: %s", found["rules"])
            else:
                levels += [h.level for h in hits]
        if self.similarity is not None and self.config["use_similarity"]:
            dense = message.get_dense_features(TEXT)[1]
            scores = self.similarity.scores(text, dense.features[0] if dense is not None else None)
            best = {level: round(score, 3) for level, (score, _) in scores.items()}
            found["similarity"] = best
            thresholds = self.config["similarity_threshold"]
            statistical += [level for level, score in best.items() if score >= thresholds[level]]
        if self.config["use_classifier"]:
            ranking = {e["name"]: e["confidence"] for e in message.get("intent_ranking") or []}
            found["classifier_scores"] = {level: round(float(ranking.get(crisis_intent(level), 0.0)), 3)
                                          for level in LEVELS}
            likeness = max((found["similarity"] or {}).values(), default=0.0)
            for level, score in found["classifier_scores"].items():
                # A middling guess counts only when the similarity layer sees some likeness too:
                # two weak signals that agree, not one noisy one.
                if score >= self.config["classifier_alone_threshold"] or (
                        score >= self.config["classifier_threshold"]
                        and likeness >= self.config["corroborating_similarity"]):
                    found["classifier"] = f"{level}:{score:.2f}"
                    statistical.append(level)
                elif score >= self.config["classifier_threshold"]:
                    logger.info("crisis guess set aside: classifier %s at %.2f, similarity only %.2f", level, score, likeness)
        # "I used to self-harm but I've been fine for years": the words are close to a crisis,
        # the situation is not. Only a rule (present danger) can flag such a message.
        if statistical and not levels and self.rules is not None and self.rules.past_and_safe(text):
            found["past_and_safe"] = True
            # Logged with the scores (never the text), so a safeguarding lead can see what was set aside.
            logger.info("crisis guess set aside as past and safe: levels %s, similarity %s, classifier %s",
                        sorted(set(statistical)), found["similarity"], found["classifier"])
            statistical = []
        found["level"] = most_severe(levels + statistical)
        return found

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.assess(message)
            message.set(CRISIS, found, add_to_output=True)
            level = found["level"]
            if level is None:
                self._demote_unconfirmed_crisis_intent(message)
                continue
            intent = {"name": crisis_intent(level), "confidence": 1.0}
            ranking = [intent] + [e for e in (message.get("intent_ranking") or []) if e["name"] != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def _demote_unconfirmed_crisis_intent(self, message: Message) -> None:
        """The detector alone decides on crisis: a weak crisis guess by the classifier (below its
        threshold, with no rule or similarity behind it) gives way to the best other intent."""
        intent = message.get(INTENT) or {}
        if not str(intent.get("name") or "").startswith("crisis_"):
            return
        logger.info("weak crisis guess set aside: %s at %.2f (threshold %.2f), no rule or similarity behind it",
                    intent.get("name"), float(intent.get("confidence") or 0), self.config["classifier_threshold"])
        others = [e for e in message.get("intent_ranking") or [] if not e["name"].startswith("crisis_")]
        best = others[0] if others and others[0]["confidence"] >= self.config["fallback_threshold"] else None
        message.set(INTENT, best or {"name": "nlu_fallback", "confidence": 1.0 - float(intent.get("confidence") or 0)},
                    add_to_output=True)
