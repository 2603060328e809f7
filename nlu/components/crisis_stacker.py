"""The crisis net's final say: a second-stage classifier over what the layers found.

Before, two hand-tuned overrides decided: an English rule's hit was set aside when the classifier
gave the crisis less than 0.2, and a classifier guess was set aside when the message had
past-and-safe wording. This learns that decision from examples instead. Its features are the
crisis classifier's probabilities for the whole message and for each sentence, each sentence's
tense (a crisis sentence told in the past weighs less than one told in the present: "I used to
think it would get better. Not anymore." keeps its flag, "I took an overdose at 15, I'm at
college now" loses it), the rules' verdicts, and two narrower views of the classifier (words
only, embedding only), so an odd message only the embedding finds dark ("tell me a riddle")
can be told from a real one. It is trained on out-of-fold scores, so the
first stage never scores its own training examples (stacked generalisation).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

# Markers of telling something as past, and as now. Rough on purpose (no tagger: spaCy has no
# English model here); the second stage learns how much to trust them.
PAST = re.compile(r"\b(was|were|had|did|used to|went|took|became|got|ended up|tried|felt|thought|said|told|left|came|"
                  r"moved|started|stopped|spent|ago|back then|when i was|at (?:1[0-9]|2[0-4])|\w{3,}ed)\b")
PRESENT = re.compile(r"\b(am|i'm|im|is|are|keep|keeps|want|feel|feels|can't|cant|can not|don't|dont|do not|now|today|"
                     r"tonight|right now|anymore|any more|still|lately|this week|at the moment|going to|gonna|will|"
                     r"i'll|need|needs|have to)\b")

FEATURES = (
    "classifier: crisis", "classifier: emergency",
    "sentences: highest crisis", "sentences: last sentence's crisis", "sentences: mean crisis", "sentences: log count",
    "sentences: highest crisis told not in the past", "sentences: highest crisis told in the past",
    "sentences: highest crisis told in the present",
    "message: past tense", "message: present tense",
    "rules: present emergency", "rules: present urgent", "rules: past and safe wording",
    "rules: every hit in a past sentence", "rules: any hit",
    "words-only view: crisis", "embedding-only view: crisis", "the two views' lower crisis",
)


def tense(text: str) -> Tuple[float, float]:
    """How much of a text is told in the past, and in the present (each 0..1)."""
    lowered = text.lower()
    past, present = len(PAST.findall(lowered)), len(PRESENT.findall(lowered))
    return past / (past + present + 1), present / (past + present + 1)


@dataclass
class LayerFindings:
    """What the first stage found in one message."""
    text: str
    crisis: float             # the classifier's emergency + urgent for the whole message
    emergency: float
    lexical: float            # emergency + urgent from the words-only view
    semantic: float           # and from the embedding-only view
    sentences: List[str]
    sentence_crisis: Sequence[float]
    rule_flags: Sequence[float]   # present emergency hit, present urgent hit, past-and-safe wording
    rules_all_in_the_past: bool
    any_rule_hit: bool


def features(found: LayerFindings) -> List[float]:
    scores = np.asarray(found.sentence_crisis, dtype=float)
    tenses = np.asarray([tense(s) for s in found.sentences], dtype=float).reshape(-1, 2)
    past, present = tense(found.text)
    return [found.crisis, found.emergency,
            float(scores.max()), float(scores[-1]), float(scores.mean()), float(np.log1p(len(scores))),
            float((scores * (1 - tenses[:, 0])).max()), float((scores * tenses[:, 0]).max()),
            float((scores * tenses[:, 1]).max()),
            past, present, *[float(f) for f in found.rule_flags],
            float(found.rules_all_in_the_past), float(found.any_rule_hit),
            found.lexical, found.semantic, min(found.lexical, found.semantic)]


class CrisisStacker:
    """P(crisis) from the first stage's findings: a scaled logistic regression."""

    def __init__(self, model: Pipeline) -> None:
        self.model = model

    @classmethod
    def fit(cls, rows: Sequence[Sequence[float]], is_crisis: Sequence[bool]) -> "CrisisStacker":
        y = np.asarray(is_crisis, dtype=int)
        # Balanced: ordinary messages outnumber crises, and a missed crisis costs more.
        weights = np.where(y == 1, (y == 0).sum() / max(1, y.sum()), 1.0)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
        model.fit(np.asarray(rows, dtype=float), y, logisticregression__sample_weight=weights)
        return cls(model)

    def probability(self, row: Sequence[float]) -> float:
        return float(self.model.predict_proba(np.asarray([row], dtype=float))[0, 1])

    def weights(self) -> Dict[str, float]:
        """Each feature's weight (on the scaled feature), for people reading the model."""
        return dict(zip(FEATURES, (float(w) for w in self.model[-1].coef_[0])))

    def state(self) -> Dict[str, object]:
        return {"model": self.model}

    @classmethod
    def from_state(cls, state: Dict[str, object]) -> "CrisisStacker":
        return cls(state["model"])  # type: ignore[arg-type]
