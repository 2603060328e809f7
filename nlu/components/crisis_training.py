"""Training the crisis classifier and the second stage over it, and the first stage's findings
for a batch of messages (the same code at training time and for each live message)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
from sklearn.model_selection import StratifiedKFold

from nlu.components.crisis_classifier import ORDINARY, CrisisClassifier, message_embedding
from nlu.components.crisis_rules import CrisisRules, RuleHit
from nlu.components.crisis_stacker import CrisisStacker, LayerFindings, features
from nlu.components.crisis_similarity import sentences
from nlu.components.sentence_encoder import encode

STACKER_FOLDS = 5


def rule_flags(rules: Optional[CrisisRules], text: str, hits: Optional[List[RuleHit]] = None) -> List[float]:
    """What the rules say, as the classifier's features: a present emergency hit, a present urgent hit,
    and the past-and-safe wording."""
    if rules is None:
        return [0.0, 0.0, 0.0]
    hits = rules.match(text) if hits is None else hits
    present = bool(hits) and not rules.all_in_the_past(text, hits)
    return [float(present and any(h.level == level for h in hits)) for level in ("emergency", "urgent")] + \
        [float(rules.past_and_safe(text))]


@dataclass
class Prepared:
    """Everything about a batch of messages that does not depend on the trained classifier."""
    texts: List[str]
    parts: List[List[str]]              # each message's sentences
    vectors: List[np.ndarray]           # their embeddings
    embeddings: np.ndarray              # the classifier's embedding features per message
    flags: np.ndarray                   # rule_flags per message
    sentence_flags: List[np.ndarray]    # rule_flags per sentence
    in_the_past: List[bool]             # every rule hit in a past sentence
    any_hit: List[bool]

    def subset(self, index: Sequence[int]) -> "Prepared":
        pick = list(index)
        return Prepared([self.texts[i] for i in pick], [self.parts[i] for i in pick], [self.vectors[i] for i in pick],
                        self.embeddings[pick], self.flags[pick], [self.sentence_flags[i] for i in pick],
                        [self.in_the_past[i] for i in pick], [self.any_hit[i] for i in pick])


def prepare(texts: List[str], rules: Optional[CrisisRules], whole: Optional[np.ndarray] = None,
            parts: Optional[List[List[str]]] = None, vectors: Optional[List[np.ndarray]] = None,
            hits: Optional[List[List[RuleHit]]] = None) -> Prepared:
    """Embed and rule-check messages (or reuse the embeddings the pipeline already made)."""
    if parts is None or vectors is None:
        parts = [sentences(text) for text in texts]
        flat = encode([s for sentence_list in parts for s in sentence_list])
        vectors, start = [], 0
        for sentence_list in parts:
            vectors.append(flat[start:start + len(sentence_list)])
            start += len(sentence_list)
    if whole is None:
        whole = encode(texts)
    embeddings = np.asarray([message_embedding(w, v) for w, v in zip(whole, vectors)])
    if hits is None:
        hits = [rules.match(text) if rules is not None else [] for text in texts]
    flags = np.asarray([rule_flags(rules, t, h) for t, h in zip(texts, hits)], dtype=float)
    sentence_flags = [flags[i:i + 1] if len(p) == 1 else np.asarray([rule_flags(rules, s) for s in p], dtype=float)
                      for i, p in enumerate(parts)]
    in_the_past = [bool(h) and rules is not None and rules.all_in_the_past(t, h) for t, h in zip(texts, hits)]
    return Prepared(list(texts), parts, vectors, embeddings, flags, sentence_flags, in_the_past, [bool(h) for h in hits])


def findings(classifier: CrisisClassifier, batch: Prepared) -> List[LayerFindings]:
    """The first stage's findings: the classifier on each whole message and on each of its sentences."""
    whole = classifier.crisis_probabilities(batch.texts, batch.embeddings, batch.flags)
    flat_texts = [s for p in batch.parts for s in p]
    flat_vectors = np.vstack(batch.vectors)
    per_sentence = classifier.crisis_only(flat_texts, np.hstack([flat_vectors, flat_vectors]),
                                          np.vstack(batch.sentence_flags))
    result, start = [], 0
    for i, text in enumerate(batch.texts):
        count = len(batch.parts[i])
        result.append(LayerFindings(text, float(whole[i, 0]), float(whole[i, 1]), float(whole[i, 2]),
                                    float(whole[i, 3]), batch.parts[i],
                                    per_sentence[start:start + count], batch.flags[i], batch.in_the_past[i],
                                    batch.any_hit[i]))
        start += count
    return result


def train(batch: Prepared, labels: List[str], C: float) -> Tuple[CrisisClassifier, CrisisStacker]:
    """The classifier on every example; the second stage on the classifier's out-of-fold findings."""
    classifier = CrisisClassifier.fit(batch.texts, labels, batch.embeddings, batch.flags, C=C)
    rows: List[List[float]] = [[] for _ in labels]
    folds = StratifiedKFold(STACKER_FOLDS, shuffle=True, random_state=0)
    for learn, held_out in folds.split(batch.texts, labels):
        part = batch.subset(learn)
        fold_classifier = CrisisClassifier.fit(part.texts, [labels[i] for i in learn], part.embeddings, part.flags, C=C)
        for i, found in zip(held_out, findings(fold_classifier, batch.subset(held_out))):
            rows[i] = features(found)
    return classifier, CrisisStacker.fit(rows, [label != ORDINARY for label in labels])
