"""Layer 3 of crisis detection: a classifier of its own, trained only to tell emergency, urgent
and ordinary messages apart.

Before, layer 3 read the intent model's crisis intents, which compete with twenty topics and
learn nothing from the many ordinary messages that merely sound dark. This one sees, for each
message, the words and word pairs (TF-IDF), character n-grams (typos, text-speak), the sentence
embedding of the whole message and each dimension's largest value over its sentences (so one
dark sentence in a long story is not averaged away), and whether a rule matched in the present.
The idea follows published crisis-line classifiers: keywords plus a logistic regression (npj
Digital Medicine 2023, "CMD-1"). Its examples are every intent example (crisis intents as their
level, all others ordinary) and the labelled files in nlu/examples/crisis/: crisis messages, and
hard ordinary ones that belong to no single topic.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.components.crisis_rules import LEVELS
from nlu.labelled_examples import CRISIS_EXAMPLES, read_folder

ORDINARY = "none"
RULE_FLAG_WEIGHT = 2.0


def labelled_examples(folder: Path = CRISIS_EXAMPLES) -> List[Tuple[str, str]]:
    """(text, level) from every CSV in the folder, label emergency | urgent | none."""
    return [(text, label) for text, label in read_folder(folder) if label in (*LEVELS, ORDINARY)]


class CrisisClassifier:
    """Probabilities of emergency, urgent and none for a message."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer, model: LogisticRegression,
                 lexical: Optional[LogisticRegression] = None, semantic: Optional[LogisticRegression] = None) -> None:
        self.word = word
        self.char = char
        self.model = model
        # Two narrower views for the second stage: words and rules only, and the embedding only. The
        # embedding alone can be sure of odd things ("tell me a riddle" sits near crisis messages);
        # the second stage learns how far to trust each when they disagree.
        self.lexical = lexical
        self.semantic = semantic

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], embeddings: np.ndarray, flags: np.ndarray,
            C: float = 4.0) -> "CrisisClassifier":
        word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                               max_features=60000).fit(texts)
        # Balanced: ordinary examples outnumber crisis ones many times, and a missed crisis costs more.
        def regression(strength: float) -> LogisticRegression:
            return LogisticRegression(C=strength, max_iter=5000, class_weight="balanced", random_state=42)

        classifier = cls(word, char, regression(C), regression(C), regression(1.0))
        classifier.model.fit(classifier._features(texts, embeddings, flags), list(labels))
        classifier.lexical.fit(classifier._lexical_features(texts, flags), list(labels))
        classifier.semantic.fit(embeddings, list(labels))
        return classifier

    def _lexical_features(self, texts: Sequence[str], flags: np.ndarray) -> csr_matrix:
        return hstack([self.word.transform(texts), self.char.transform(texts),
                       csr_matrix(flags * RULE_FLAG_WEIGHT)]).tocsr()

    def _features(self, texts: Sequence[str], embeddings: np.ndarray, flags: np.ndarray) -> csr_matrix:
        return hstack([self.word.transform(texts), self.char.transform(texts), csr_matrix(embeddings),
                       csr_matrix(flags * RULE_FLAG_WEIGHT)]).tocsr()

    def scores(self, text: str, embedding: np.ndarray, flags: Sequence[float]) -> Dict[str, float]:
        probabilities = self.model.predict_proba(
            self._features([text], embedding.reshape(1, -1), np.asarray([flags], dtype=float)))[0]
        return {str(label): float(p) for label, p in zip(self.model.classes_, probabilities)}

    def crisis_probabilities(self, texts: Sequence[str], embeddings: np.ndarray, flags: np.ndarray) -> np.ndarray:
        """For each text: (emergency + urgent, emergency) from the whole classifier, then emergency +
        urgent from the words-only and the embedding-only views."""
        flags = np.asarray(flags, dtype=float)
        probabilities = self.model.predict_proba(self._features(texts, embeddings, flags))
        classes = list(self.model.classes_)
        emergency = probabilities[:, classes.index("emergency")]
        crisis = 1.0 - probabilities[:, classes.index(ORDINARY)]
        lexical = _crisis(self.lexical, self._lexical_features(texts, flags)) if self.lexical is not None else crisis
        semantic = _crisis(self.semantic, embeddings) if self.semantic is not None else crisis
        return np.c_[crisis, emergency, lexical, semantic]

    def crisis_only(self, texts: Sequence[str], embeddings: np.ndarray, flags: np.ndarray) -> np.ndarray:
        """Emergency + urgent from the whole classifier alone: all a message's sentences need."""
        return _crisis(self.model, self._features(texts, embeddings, np.asarray(flags, dtype=float)))

    def state(self) -> Dict[str, object]:
        return {"word": self.word, "char": self.char, "model": self.model, "lexical": self.lexical,
                "semantic": self.semantic}

    @classmethod
    def from_state(cls, state: Dict[str, object]) -> "CrisisClassifier":
        return cls(state["word"], state["char"], state["model"], state.get("lexical"),  # type: ignore[arg-type]
                   state.get("semantic"))  # type: ignore[arg-type]


def _crisis(model: LogisticRegression, features) -> np.ndarray:
    """Emergency + urgent from one of the classifier's views."""
    return 1.0 - model.predict_proba(features)[:, list(model.classes_).index(ORDINARY)]


def message_embedding(whole: Optional[np.ndarray], sentence_vectors: np.ndarray) -> np.ndarray:
    """The whole message's embedding beside each dimension's maximum over its sentences."""
    if whole is None:
        whole = sentence_vectors.mean(axis=0)
    return np.concatenate([np.asarray(whole).reshape(-1), sentence_vectors.max(axis=0)])
