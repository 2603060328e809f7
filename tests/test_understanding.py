"""Topic understanding on the frozen question and story sets, and on the development sets.

Question-style messages count as right when the bot answers the right topic. Story-style
messages also count as right when the right topic is one of the two the bot offers as buttons
(the issue's rule). Frozen sets print counts per topic, never their texts.
"""
from __future__ import annotations

import pytest

from bot.knowledge import TOPIC_IDS
from tests.eval_sets import dev_topic_sets, frozen_questions, frozen_stories
from tests.evaluation import by_source, parse_all, topic_scores, topic_table
from tests.report import report

pytestmark = pytest.mark.slow

# Measured on the frozen sets on 2026-11-24 (late night), after two rounds of labelled topic messages joined
# the training data (nlu/examples/topics/), the crisis net got its second stage and a fourth and fifth round of
# crisis examples (README "Understanding"): questions top-1 0.903 (176/195), strict 0.836 (163/195); stories
# helped 0.924 (158/171), strict 0.871 (149/171). One row worse fails. Targets: 0.90 and 0.85.
# ("Strict": a new topic never counts for the eight-topic label; otherwise it counts for the topic it was
# split from, tests/evaluation.py.) Night: stories 0.936 and 0.883. Morning: 0.810, 0.754, 0.942, 0.930.
MIN_QUESTION_ACCURACY = 0.90
MIN_STORY_HELPED = 0.92
MIN_QUESTION_ACCURACY_STRICT = 0.833
MIN_STORY_HELPED_STRICT = 0.87


def test_frozen_question_set(servers):
    rows = frozen_questions()
    parsed = parse_all(servers, [r.text for r in rows])
    scores, strict = topic_scores(rows, parsed, split_topics=True), topic_scores(rows, parsed)
    report(topic_table("Frozen question-style set (tests/data/frozen/topics_questions.csv), target top-1 0.90; "
                       "a new topic counts for the topic it was split from", scores) + "\n" + by_source(rows, parsed, True)
           + f"\n  strict (only the eight labelled topics count): top-1 {strict['accuracy']:.3f}")
    assert {r.topic for r in rows} <= set(TOPIC_IDS) | {"out_of_scope"}
    assert scores["accuracy"] >= MIN_QUESTION_ACCURACY
    assert strict["accuracy"] >= MIN_QUESTION_ACCURACY_STRICT


def test_frozen_story_set(servers):
    rows = frozen_stories()
    parsed = parse_all(servers, [r.text for r in rows])
    scores, strict = topic_scores(rows, parsed, split_topics=True), topic_scores(rows, parsed)
    report(topic_table("Frozen story-style set (tests/data/frozen/topics_stories.csv), target helped 0.85; "
                       "a new topic counts for the topic it was split from", scores) + "\n" + by_source(rows, parsed, True)
           + f"\n  strict (only the eight labelled topics count): helped {strict['helped']:.3f}")
    assert scores["helped"] >= MIN_STORY_HELPED
    assert strict["helped"] >= MIN_STORY_HELPED_STRICT
    # A story the bot is unsure of is offered topics, not "say it another way", when one is plausible.
    unsure = [p for p in parsed if p["intent"]["name"] == "nlu_fallback"]
    assert sum(1 for p in unsure if p.get("suggested")) >= 0.8 * len(unsure)


def test_development_topic_sets(servers):
    for name, rows in dev_topic_sets().items():
        parsed = parse_all(servers, [r.text for r in rows])
        scores = topic_scores(rows, parsed, split_topics=True)
        report(topic_table(f"Development topic set tests/data/dev/{name}", scores))
        misses = [f"{r.topic} -> {p['intent']['name']} {p.get('suggested')}: {r.text[:80]!r}"
                  for r, p in zip(rows, parsed) if p["intent"]["name"] != r.topic]
        print(f"{name} misses:", *misses[:40], sep="\n  ")
        assert scores["helped"] >= 0.6
