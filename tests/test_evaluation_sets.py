"""The evaluation sets are what they claim: frozen sets unchanged, big enough, sourced, and not
leaked into anything the bot learns or is tuned from."""
from __future__ import annotations

from collections import Counter

from tests.eval_sets import (CRISIS_FROZEN, FROZEN, LANGUAGES_FROZEN, QUESTIONS_FROZEN, STORIES_FROZEN, all_test_texts,
                             frozen_crisis,
                             frozen_questions, frozen_stories, manifest, sha256)
from tests.leakage import find_leaks, training_sources, tuning_sources
from tests.report import report


def test_frozen_sets_are_unchanged():
    pinned = manifest()["sets"]
    assert set(pinned) == {CRISIS_FROZEN, QUESTIONS_FROZEN, STORIES_FROZEN, LANGUAGES_FROZEN}
    for name, entry in pinned.items():
        assert sha256(FROZEN / name) == entry["sha256"], f"{name} changed: a frozen set is replaced, never edited"


def test_frozen_sets_are_big_enough_and_sourced():
    crisis = frozen_crisis()
    levels = Counter(r.level or "none" for r in crisis)
    assert levels["emergency"] >= 75 and levels["urgent"] >= 50 and levels["none"] >= 200
    assert sum(1 for r in crisis if r.level is None and len(r.text.split()) >= 60) >= 50
    for rows in (crisis, frozen_questions(), frozen_stories()):
        assert all(r.source.startswith(("http", "written")) for r in rows)
        assert sum(r.source.startswith("http") for r in rows) >= len(rows) / 4
    assert len(frozen_questions()) >= 150 and len(frozen_stories()) >= 150


def test_no_test_row_leaks_from_training_or_tuning():
    """Fuzzy: ratio >= 90 or containment, after normalising; every frozen set fails the build."""
    sources = training_sources()
    tuning = tuning_sources()
    lines, failures = ["\nLeakage (rapidfuzz ratio >= 90, or containment of 5+ words)"], []
    for name, texts in all_test_texts().items():
        leaks = find_leaks(sources, texts)
        if name.startswith("frozen/"):
            leaks += find_leaks(tuning, texts)
            failures += [f"{name}: {leak.how} with {leak.source}: {leak.source_text[:80]!r}" for leak in leaks]
        lines.append(f"  {name:<32} {len(texts):>4} rows, {len(leaks):>3} close to training"
                     f"{' or development data' if name.startswith('frozen/') else ' (development set: allowed)'}")
    report("\n".join(lines))
    assert not failures, failures[:10]


def test_the_leakage_check_catches_near_copies():
    sources = [("nlu/data/topics.yml", "What is a health passport?"),
               ("nlu/crisis_patterns.yml", "i have everything lined up for tonight")]
    assert find_leaks(sources, ["what is a health passport"])
    assert find_leaks(sources, ["whats a health pasport"])
    assert find_leaks(sources, ["ok so i have everything lined up for tonight, bye"])
    assert not find_leaks(sources, ["where do i get a bus pass"])
