"""Fuzzy leakage between what the bot learns or is tuned from and what it is tested on.

A test row leaks when, after normalising (lower case, curly quotes, punctuation and spacing),
it is within rapidfuzz ratio 90 of a training text, or one contains the other and the shorter
has at least five words: "What is a health passport?" and "what is a health passport" leak,
and so does a crisis pattern written from a test row's sentence.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Tuple

import yaml
from rapidfuzz import fuzz, process

from nlu.labelled_examples import read_file
from tests.eval_sets import dev_crisis_sets, dev_topic_sets, plain

ROOT = Path(__file__).resolve().parents[1]
RATIO = 90
MIN_CONTAINED_WORDS = 5


class Leak(NamedTuple):
    test_text: str
    source: str
    source_text: str
    how: str


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(text.replace("'", "").split())


def _yaml_examples(path: Path) -> Iterable[str]:
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                yield plain(line.strip()[2:])


def _pattern_text(pattern: str) -> str:
    """'want to die|dead' -> 'want to die': a pattern's first reading, without wildcards or optional words."""
    words = [w.split("|")[0] for w in pattern.split() if w != "*" and not w.startswith("?")]
    return " ".join(words)


def training_sources() -> List[Tuple[str, str]]:
    """(source, text) for every training example (nlu/data, nlu/examples), crisis pattern and phrase,
    reference message and knowledge example question."""
    texts: List[Tuple[str, str]] = []
    for path in sorted((ROOT / "nlu" / "data").glob("*.yml")):
        texts += [(f"nlu/data/{path.name}", t) for t in _yaml_examples(path)]
    for path in sorted((ROOT / "nlu" / "examples").rglob("*.csv")):
        texts += [(str(path.relative_to(ROOT)), text) for text, _ in read_file(path)]
    for path in sorted((ROOT / "knowledge" / "topics").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts += [(f"knowledge/topics/{path.name}", str(t)) for t in data.get("examples") or []]
    reference = yaml.safe_load((ROOT / "nlu" / "crisis_reference.yml").read_text(encoding="utf-8")) or {}
    texts += [("nlu/crisis_reference.yml", str(t)) for level in reference.values() for t in level or []]
    patterns = yaml.safe_load((ROOT / "nlu" / "crisis_patterns.yml").read_text(encoding="utf-8")) or {}
    for level in ("emergency", "urgent"):
        for rule in patterns.get(level) or []:
            texts += [("nlu/crisis_patterns.yml", _pattern_text(p)) for p in rule["patterns"]]
    for key in ("harmless", "harmless_if_over"):
        texts += [("nlu/crisis_patterns.yml", _pattern_text(p)) for p in patterns.get(key) or []]
    for phrases in (patterns.get("past_and_safe") or {}).values():
        texts += [("nlu/crisis_patterns.yml", str(p)) for p in phrases]
    return texts


def tuning_sources() -> List[Tuple[str, str]]:
    """The development sets: looked at and tuned on, so the frozen sets must not repeat them either."""
    texts: List[Tuple[str, str]] = []
    for name, rows in dev_crisis_sets().items():
        texts += [(f"tests/data/dev/{name}", r.text) for r in rows]
    for name, rows in dev_topic_sets().items():
        texts += [(f"tests/data/dev/{name}", r.text) for r in rows]
    return texts


def find_leaks(sources: List[Tuple[str, str]], tests: List[str]) -> List[Leak]:
    known = [(source, normalise(text)) for source, text in sources]
    known = [(s, t) for s, t in known if t]
    choices = [t for _, t in known]
    long_known = [(s, t) for s, t in known if len(t.split()) >= MIN_CONTAINED_WORDS]
    leaks: List[Leak] = []
    for original in tests:
        text = normalise(original)
        if not text:
            continue
        best = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=RATIO)
        if best is not None:
            leaks.append(Leak(original, known[best[2]][0], best[0], f"ratio {best[1]:.0f}"))
            continue
        padded = f" {text} "
        for source, other in long_known:
            if f" {other} " in padded:
                leaks.append(Leak(original, source, other, "training text inside the test row"))
                break
        else:
            if len(text.split()) >= MIN_CONTAINED_WORDS:
                inside = next(((s, t) for s, t in known if padded in f" {t} "), None)
                if inside:
                    leaks.append(Leak(original, inside[0], inside[1], "test row inside a training text"))
    return leaks


def leaks_by_set(sets: Dict[str, List[str]], sources: List[Tuple[str, str]]) -> Dict[str, List[Leak]]:
    return {name: find_leaks(sources, texts) for name, texts in sets.items()}
