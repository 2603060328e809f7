"""The similarity layer of crisis detection: is any sentence close to a known crisis message?

Long messages are split into sentences so that danger in the middle of a story is not
averaged away. The references are the messages in nlu/crisis_reference.yml plus the crisis
intents' training examples; their embeddings are computed at training time and kept in the model.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import yaml

from nlu.components.crisis_rules import LEVELS
from nlu.components.sentence_encoder import encode

REFERENCE_FILE = Path(__file__).resolve().parents[1] / "crisis_reference.yml"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|\s+(?:but|and then|and now)\s+")
MAX_SENTENCES = 12


def sentences(text: str) -> List[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    return parts[:MAX_SENTENCES] or [text]


def reference_texts(path: Path = REFERENCE_FILE) -> Dict[str, List[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {level: [str(text) for text in data.get(level) or []] for level in LEVELS}


class CrisisSimilarity:
    def __init__(self, references: Dict[str, np.ndarray]) -> None:
        self.references = references

    @classmethod
    def from_texts(cls, texts: Dict[str, List[str]]) -> "CrisisSimilarity":
        return cls({level: encode(texts.get(level) or []) for level in LEVELS})

    @classmethod
    def from_file(cls, path: Path = REFERENCE_FILE) -> "CrisisSimilarity":
        return cls.from_texts(reference_texts(path))

    def scores(self, text: str, whole: Optional[np.ndarray] = None) -> Dict[str, Tuple[float, str]]:
        """level -> (best cosine similarity, the sentence that scored it)."""
        parts, vectors = sentence_vectors(text, whole)
        return self.scores_of(parts, vectors, text)

    def scores_of(self, parts: List[str], vectors: np.ndarray, text: str) -> Dict[str, Tuple[float, str]]:
        result = {}
        for level, reference in self.references.items():
            if reference.size == 0:
                continue
            similarity = vectors @ reference.T
            row, _ = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
            result[level] = (float(similarity.max()), parts[row] if len(parts) > row else text)
        return result


def sentence_vectors(text: str, whole: Optional[np.ndarray] = None) -> Tuple[List[str], np.ndarray]:
    """The message's sentences and their embeddings (a one-sentence message reuses its whole embedding)."""
    parts = sentences(text)
    vectors = encode(parts) if len(parts) > 1 or whole is None else whole.reshape(1, -1)
    return parts, vectors
