"""The evaluation sets: development sets to look at and tune on, and frozen test sets.

A frozen set (tests/data/frozen/) was gathered or written by a helper who saw only the topic
list and the level definitions, never the training data. Nobody changes training data, rules,
reference messages or thresholds while looking at a frozen set's misses: tests print its
misses only as counts by category. tests/data/frozen/MANIFEST.yml pins each file's hash, so a
changed frozen set fails the build instead of quietly becoming a development set.
"""
from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import yaml

DATA = Path(__file__).parent / "data"
DEV = DATA / "dev"
FROZEN = DATA / "frozen"
MANIFEST = FROZEN / "MANIFEST.yml"

CRISIS_DEV_SETS = ("crisis_dev.csv", "crisis_dev2.csv", "crisis_dev3.csv")
TOPIC_DEV_SETS = ("topics_own.yml", "topics_real.csv", "topics_dev.csv", "topics_dev2.csv")
CRISIS_FROZEN = "crisis.csv"
QUESTIONS_FROZEN = "topics_questions.csv"
STORIES_FROZEN = "topics_stories.csv"

_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")


class CrisisRow(NamedTuple):
    text: str
    level: Optional[str]  # emergency | urgent | None
    category: str
    source: str


class TopicRow(NamedTuple):
    text: str
    topic: str
    style: str  # question | story | "" (not labelled)
    source: str


def plain(example: str) -> str:
    """Strip Rasa entity annotations: '[clacton]{...}' -> 'clacton'."""
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example)


def _csv(path: Path) -> List[Dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def crisis_set(path: Path) -> List[CrisisRow]:
    return [CrisisRow(r["text"], None if (r.get("level") or r.get("label")) == "none" else (r.get("level") or r.get("label")),
                      r.get("category") or r.get("note") or "", r.get("source") or "") for r in _csv(path)]


def topic_set(path: Path) -> List[TopicRow]:
    if path.suffix == ".yml":
        rows = []
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    rows.append(TopicRow(plain(line.strip()[2:].strip()), block["intent"], "", "written"))
        return rows
    default_style = {QUESTIONS_FROZEN: "question", STORIES_FROZEN: "story"}.get(path.name, "")
    return [TopicRow(r["text"], r.get("topic") or r["intent"], r.get("style") or default_style,
                     r.get("source") or r.get("source_url") or "") for r in _csv(path)]


def dev_crisis_sets() -> Dict[str, List[CrisisRow]]:
    return {name: crisis_set(DEV / name) for name in CRISIS_DEV_SETS if (DEV / name).exists()}


def dev_topic_sets() -> Dict[str, List[TopicRow]]:
    return {name: topic_set(DEV / name) for name in TOPIC_DEV_SETS if (DEV / name).exists()}


def frozen_crisis() -> List[CrisisRow]:
    return crisis_set(FROZEN / CRISIS_FROZEN)


def frozen_questions() -> List[TopicRow]:
    return topic_set(FROZEN / QUESTIONS_FROZEN)


def frozen_stories() -> List[TopicRow]:
    return topic_set(FROZEN / STORIES_FROZEN)


LANGUAGES_FROZEN = "languages.csv"


class LanguageRow(NamedTuple):
    text: str
    language: str
    kind: str       # short | long | lookalike (an English message a detector might take for another language)
    source: str


def language_set(path: Path) -> List[LanguageRow]:
    return [LanguageRow(r["text"], r["language"].strip(), r["kind"].strip(), r.get("source") or "") for r in _csv(path)]


def frozen_languages() -> List[LanguageRow]:
    return language_set(FROZEN / LANGUAGES_FROZEN)


def dev_languages() -> List[LanguageRow]:
    return language_set(DEV / "languages.csv")


def manifest() -> Dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_test_texts() -> Dict[str, List[str]]:
    """Every evaluation set's texts by set name ('frozen/…' or 'dev/…')."""
    sets: Dict[str, List[str]] = {}
    for name, rows in dev_crisis_sets().items():
        sets[f"dev/{name}"] = [r.text for r in rows]
    for name, rows in dev_topic_sets().items():
        sets[f"dev/{name}"] = [r.text for r in rows]
    sets[f"frozen/{CRISIS_FROZEN}"] = [r.text for r in frozen_crisis()]
    sets[f"frozen/{QUESTIONS_FROZEN}"] = [r.text for r in frozen_questions()]
    sets[f"frozen/{STORIES_FROZEN}"] = [r.text for r in frozen_stories()]
    return sets
