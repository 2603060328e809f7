"""Language detection on the frozen language set (counts only) and the development set (with misses).

Dari and Farsi are one written language with regional words, so a Persian figure that accepts
either is printed beside the strict one.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, List, Sequence

import pytest
from rapidfuzz import fuzz, process

from bot.knowledge import load_knowledge
from bot.language import LANGUAGE_NAMES, LanguageDetector, knowledge_english_words
from tests.conftest import KNOWLEDGE
from tests.eval_sets import LanguageRow, dev_languages, frozen_languages
from tests.leakage import normalise
from tests.report import report

PERSIAN = {"fa", "prs"}
# Measured on the frozen set (README "Other languages"): first 0.791 (136/172); on 2026-11-24, after
# tuning on the development set only (now 484 rows), other languages right 0.831 (143/172), 0.890 with
# Farsi and Dari as one (153/172), English taken for another language 0/62. One row worse fails.
# Aims: 0.95 and at most 1%.
MIN_FOREIGN_ACCURACY = 0.828
MIN_FOREIGN_ACCURACY_PERSIAN_AS_ONE = 0.887
MAX_ENGLISH_TAKEN_FOR_FOREIGN = 0.01


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    """As the bot makes it: words from the knowledge files count as English."""
    return LanguageDetector(knowledge_english_words(load_knowledge(KNOWLEDGE)))


def right(row: LanguageRow, code: str, persian_as_one: bool) -> bool:
    return code == row.language or (persian_as_one and {code, row.language} <= PERSIAN)


def figures(rows: Sequence[LanguageRow], codes: Sequence[str]) -> Dict[str, float]:
    foreign = [(r, c) for r, c in zip(rows, codes) if r.language != "en"]
    english = [c for r, c in zip(rows, codes) if r.language == "en"]
    return {
        "foreign_accuracy": sum(right(r, c, False) for r, c in foreign) / len(foreign),
        "foreign_accuracy_persian_as_one": sum(right(r, c, True) for r, c in foreign) / len(foreign),
        "english_taken_for_foreign": sum(c != "en" for c in english) / len(english),
        "foreign_taken_for_english": sum(c == "en" for _, c in foreign) / len(foreign),
    }


def table(name: str, rows: Sequence[LanguageRow], codes: Sequence[str]) -> str:
    per: Dict[str, Counter] = defaultdict(Counter)
    for row, code in zip(rows, codes):
        per[row.language]["rows"] += 1
        per[row.language]["right"] += right(row, code, False)
        per[row.language]["persian"] += right(row, code, True)
        per[row.language][f"kind:{row.kind}"] += right(row, code, False)
        per[row.language][f"rows:{row.kind}"] += 1
    f = figures(rows, codes)
    lines = [f"\n{name}: {len(rows)} rows; other languages right {f['foreign_accuracy']:.3f} "
             f"({f['foreign_accuracy_persian_as_one']:.3f} with Farsi and Dari as one), taken for English "
             f"{f['foreign_taken_for_english']:.3f}; English taken for another language {f['english_taken_for_foreign']:.3f} "
             "(aims: 0.95 and 0.01)",
             f"  {'language':<20}{'rows':>5}{'right':>7}{'short':>8}{'long':>8}"]
    for code in sorted(per, key=lambda c: (c != "en", c)):
        c = per[code]
        short = f"{c['kind:short'] / c['rows:short']:.2f}" if c["rows:short"] else "-"
        long = f"{c['kind:long'] / c['rows:long']:.2f}" if c["rows:long"] else "-"
        lines.append(f"  {LANGUAGE_NAMES.get(code, code):<20}{c['rows']:>5}{c['right'] / c['rows']:>7.2f}{short:>8}{long:>8}")
    wrong = Counter(f"{row.language}->{code}" for row, code in zip(rows, codes) if not right(row, code, False))
    lines.append("  wrong, as label->detected: " + ", ".join(f"{k} {v}" for k, v in sorted(wrong.items())))
    return "\n".join(lines)


def detect_all(detector: LanguageDetector, rows: Sequence[LanguageRow]) -> List[str]:
    return [detector.detect(row.text).code for row in rows]


def test_frozen_language_set(detector):
    rows = frozen_languages()
    assert len(rows) >= 150 and len({r.language for r in rows} - {"en"}) >= 10
    codes = detect_all(detector, rows)
    report(table("Frozen language set (tests/data/frozen/languages.csv)", rows, codes))
    f = figures(rows, codes)
    assert f["foreign_accuracy"] >= MIN_FOREIGN_ACCURACY
    assert f["foreign_accuracy_persian_as_one"] >= MIN_FOREIGN_ACCURACY_PERSIAN_AS_ONE
    assert f["english_taken_for_foreign"] <= MAX_ENGLISH_TAKEN_FOR_FOREIGN


def test_development_language_set(detector):
    rows = dev_languages()
    codes = detect_all(detector, rows)
    report(table("Development language set (tests/data/dev/languages.csv)", rows, codes))
    misses = [f"{r.language} -> {c}: {r.text[:70]!r}" for r, c in zip(rows, codes) if not right(r, c, False)]
    print("development misses:", *misses, sep="\n  ")
    assert figures(rows, codes)["foreign_accuracy"] >= 0.5


def test_no_development_row_is_close_to_a_frozen_row():
    frozen = [normalise(r.text) for r in frozen_languages()]
    close = [r.text for r in dev_languages()
             if process.extractOne(normalise(r.text), frozen, scorer=fuzz.ratio, score_cutoff=90)]
    assert close == []


def test_broken_and_empty_input_is_english_not_a_crash(detector):
    for text in ("", "   ", "\ud800 hi تست تست", "\x00\x01", "12345", "😭😭😭", "<b>hi</b>"):
        assert detector.detect(text).code in LANGUAGE_NAMES or detector.detect(text).code == "other"
    assert detector.detect("\ud800").code == "en"
