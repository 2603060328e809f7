"""The held-out NLU test sets: never used in training."""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import List, Tuple

import yaml

DATA = Path(__file__).parent / "data"
OWN_SET = DATA / "nlu_heldout_own.yml"
REAL_SET = DATA / "nlu_heldout_real.csv"

_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")


def plain(example: str) -> str:
    """Strip Rasa entity annotations: '[clacton]{...}' -> 'clacton'."""
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example)


def own_set() -> List[Tuple[str, str]]:
    rows = []
    for block in yaml.safe_load(OWN_SET.read_text())["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                rows.append((plain(line[2:].strip()), block["intent"]))
    return rows


def real_set() -> List[Tuple[str, str, str]]:
    with REAL_SET.open(newline="", encoding="utf-8") as handle:
        return [(row["text"], row["intent"], row["source_url"]) for row in csv.DictReader(handle)]
