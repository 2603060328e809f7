"""The labelled example files in nlu/examples/: CSV with text, label, category and source.

topics/ trains the intent model (bot/training.py writes it as Rasa data); crisis/ trains the
crisis classifier (nlu/components/crisis_classifier.py). One reader for both, and for the
leakage test, so the files are read the same way everywhere.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import List, Tuple

EXAMPLES = Path(__file__).resolve().parent / "examples"
TOPIC_EXAMPLES = EXAMPLES / "topics"
CRISIS_EXAMPLES = EXAMPLES / "crisis"


def read_file(path: Path) -> List[Tuple[str, str]]:
    """(text, label) for every row with a text."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["text"], (row.get("label") or "").strip()) for row in csv.DictReader(handle) if row.get("text")]


def read_folder(folder: Path) -> List[Tuple[str, str]]:
    return [row for path in sorted(folder.glob("*.csv")) for row in read_file(path)]
