"""Measurements printed at the end of every test run (accuracy, recall, false positives)."""
from typing import List

LINES: List[str] = []


def report(text: str) -> None:
    print(text)
    LINES.extend(text.splitlines())
