"""The labelled crisis test set (tests/data/crisis_messages.csv): never used to train or to write rules."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import List, NamedTuple, Optional

from tests.report import report

CRISIS_SET = Path(__file__).parent / "data" / "crisis_messages.csv"
# Written later by someone who saw neither the rules nor the first set: it shows how
# detection generalises to wording nobody tuned for.
BLIND_SET = Path(__file__).parent / "data" / "crisis_messages_blind.csv"


class Row(NamedTuple):
    text: str
    level: Optional[str]  # emergency | urgent | None
    note: str


def crisis_rows(path: Path = CRISIS_SET) -> List[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [Row(r["text"], None if r["level"] == "none" else r["level"], r.get("note") or "")
                for r in csv.DictReader(handle)]


def summarise(name: str, rows: List[Row], predicted: List[Optional[str]]) -> dict:
    """Recall per level (caught as any crisis, and at the right level) and false positives per level."""
    ordinary = [p for r, p in zip(rows, predicted) if r.level is None]
    result = {"name": name}
    lines = [f"\n{name}"]
    for level in ("emergency", "urgent"):
        labelled = [p for r, p in zip(rows, predicted) if r.level == level]
        caught = sum(1 for p in labelled if p is not None) / len(labelled)
        right = sum(1 for p in labelled if p == level) / len(labelled)
        false_positive = sum(1 for p in ordinary if p == level) / len(ordinary)
        result[level] = {"recall": caught, "right_level": right, "false_positive_rate": false_positive}
        lines.append(f"  {level:<9} recall {caught:6.1%} (right level {right:6.1%}) on {len(labelled)}; "
                     f"false positives {false_positive:5.1%} of {len(ordinary)} ordinary")
    result["false_positive_rate"] = sum(1 for p in ordinary if p is not None) / len(ordinary)
    lines.append(f"  any level false positive rate {result['false_positive_rate']:.1%}")
    report("\n".join(lines))
    return result
