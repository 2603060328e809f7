"""Intent classifier: logistic regression over sentence embeddings and character n-grams.

Why not Rasa's own LogisticRegressionClassifier: it stacks raw counts beside unit-length
embeddings (so counts drown the embeddings) and fails on an empty message, whose sparse
features are missing. Here each block is L2-normalised and weighted, and a missing block
is zeros of the width seen in training.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "dense_weight": 1.0, "sparse_weight": 1.0, "max_iter": 2000, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 clf: Optional[LogisticRegression] = None, widths: Tuple[int, int] = (0, 0)) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.clf = clf
        self.widths = widths  # (sparse width, dense width) seen in training

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceIntentClassifier":
        return cls(config, model_storage, resource)

    def _features(self, message: Message) -> csr_matrix:
        sparse = message.get_sparse_features(TEXT)[1]
        dense = message.get_dense_features(TEXT)[1]
        sparse_width, dense_width = self.widths
        blocks = []
        if sparse_width:
            block = csr_matrix(sparse.features) if sparse is not None else csr_matrix((1, sparse_width))
            blocks.append(normalize(block) * self.config["sparse_weight"])
        if dense_width:
            block = csr_matrix(dense.features) if dense is not None else csr_matrix((1, dense_width))
            blocks.append(normalize(block) * self.config["dense_weight"])
        return hstack(blocks).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        first = examples[0]
        sparse, dense = first.get_sparse_features(TEXT)[1], first.get_dense_features(TEXT)[1]
        self.widths = (sparse.features.shape[-1] if sparse is not None else 0,
                       dense.features.shape[-1] if dense is not None else 0)
        X = vstack([self._features(e) for e in examples])
        y = [e.get(INTENT) for e in examples]
        self.clf = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"],
                                      class_weight="balanced", random_state=42)
        self.clf.fit(X, y)
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.clf is None:
            return messages
        for message in messages:
            if not any(ch.isalnum() for ch in message.get(TEXT) or ""):
                # Nothing to read (empty, spaces, symbols, control bytes): let the fallback answer kindly.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
                continue
            probabilities = self.clf.predict_proba(self._features(message))[0]
            ranking = sorted(
                ({"name": str(name), "confidence": float(p)} for name, p in zip(self.clf.classes_, probabilities)),
                key=lambda entry: -entry["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump({"clf": self.clf, "widths": list(self.widths)}, directory / "classifier.skops")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SentenceIntentClassifier":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "classifier.skops"
                # The file is one this project's training wrote into its own model archive.
                state = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except (ValueError, FileNotFoundError):
            logger.warning("no trained intent classifier in the model; every message will fall back")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, clf=state["clf"], widths=tuple(state["widths"]))
