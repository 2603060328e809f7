"""Crisis detection, layer by layer and all together, on the frozen set and the development sets.

The frozen set (tests/data/frozen/crisis.csv) is reported as counts only. Its floors sit just
under the figures measured when it was frozen (README "Understanding"), so a regression fails;
the issue's targets (emergency recall 1.00, urgent 0.98, at most 3% of ordinary messages
flagged) are printed beside them, not assumed.
"""
from __future__ import annotations

import pytest

from nlu.components.crisis_rules import CrisisRules
from nlu.labelled_examples import CRISIS_EXAMPLES
from tests.eval_sets import crisis_set, dev_crisis_sets, frozen_crisis
from tests.evaluation import crisis_figures, crisis_table, layer_levels, miss_counts, parse_all
from tests.report import report

pytestmark = pytest.mark.slow

# Measured on the frozen set on 2026-11-24 (late night), after a fourth and a fifth round of labelled
# examples (README "Understanding"): emergency recall 92.6% (75/81), urgent 98.2% (54/55), false positives
# 7.0% (16/227). One row worse on any of them fails. (Night, before the two rounds: 93.8%, 98.2%, 8.8%.
# Evening, before the second stage: 91.4%, 98.2%, 13.2%. Morning, with the intent model's crisis intents
# as layer 3: 80.2%, 74.5%, 11.0%.)
FROZEN_FLOORS = {"emergency_recall": 0.92, "urgent_recall": 0.98}
FROZEN_MAX_FALSE_POSITIVE_RATE = 0.071
TARGETS = "targets: emergency recall 100%, urgent recall 98%, false positives at most 3%"


def test_frozen_crisis_set(servers):
    rows = frozen_crisis()
    parsed = parse_all(servers, [r.text for r in rows])
    layers = layer_levels(rows, parsed)
    table, figures = crisis_table("Frozen crisis set (tests/data/frozen/crisis.csv)", rows, layers)
    report(table + f"\n  {TARGETS}\n" + miss_counts(rows, layers["all layers"]))
    # Written rows come from helpers like those who wrote the development sets; real wording may differ.
    for kind, keep in (("real public wording", True), ("written by the helpers", False)):
        picked = [i for i, r in enumerate(rows) if r.source.startswith("http") == keep]
        sub = [rows[i] for i in picked]
        f = crisis_figures(sub, [layers["all layers"][i] for i in picked])
        report(f"  all layers, {kind} only ({len(sub)} rows): emergency {f['emergency_recall']:.1%}, "
               f"urgent {f['urgent_recall']:.1%}, false positives {f['false_positive_rate']:.1%}")
    combined = figures["all layers"]
    for key, floor in FROZEN_FLOORS.items():
        assert combined[key] >= floor, (key, combined[key])
    assert combined["false_positive_rate"] <= FROZEN_MAX_FALSE_POSITIVE_RATE
    # The intent follows the detector, so the crisis rule answers whatever else was going on.
    for p in parsed:
        level = (p.get("crisis") or {}).get("level")
        if level:
            assert p["intent"]["name"] == f"crisis_{level}"


def test_development_crisis_sets(servers):
    """Looked at and tuned on: misses are printed with their text for whoever tunes next."""
    for name, rows in dev_crisis_sets().items():
        parsed = parse_all(servers, [r.text for r in rows])
        layers = layer_levels(rows, parsed)
        table, figures = crisis_table(f"Development crisis set tests/data/dev/{name}", rows, layers)
        report(table)
        combined = layers["all layers"]
        missed = [f"{r.level}/{r.category}: {r.text[:80]!r}" for r, p in zip(rows, combined) if r.level and p is None]
        print(f"{name} misses:", *missed[:40], sep="\n  ")
        assert figures["all layers"]["emergency_recall"] >= 0.5


def test_rules_layer_on_its_own_is_doing_real_work():
    """On the first labelled set, now training data for the crisis classifier (nlu/examples/crisis/)."""
    rules = CrisisRules.from_file()
    rows = crisis_set(CRISIS_EXAMPLES / "crisis_labelled_earlier_dev_set.csv")
    caught = [bool(rules.match(r.text)) for r in rows if r.level == "emergency"]
    flagged = [bool(rules.match(r.text)) for r in rows if r.level is None]
    assert sum(caught) / len(caught) >= 0.7
    assert sum(flagged) / len(flagged) <= 0.05


@pytest.mark.parametrize("text", [
    "I used to think it would get better. Not anymore.",
    "i used to self harm when i was 14 but lately its started again",
])
def test_past_and_safe_guard_keeps_a_present_danger(text):
    assert not CrisisRules.from_file().past_and_safe(text)


def test_a_phrase_about_the_past_is_harmless_only_while_it_is_over():
    rules = CrisisRules.from_file()
    assert not rules.match("i used to self harm when i was 14, im fine now and at college")
    assert [h.level for h in rules.match("i used to self harm when i was 14 but lately its started again")] == ["emergency"]


def test_past_and_safe_guard_sets_aside_an_old_danger():
    rules = CrisisRules.from_file()
    text = "when i was 15 i tried to end my life. im 22 now and doing well, can i train as a nurse"
    assert rules.past_and_safe(text)
    assert rules.all_in_the_past(text, rules.match(text))
    present = "when i was 15 i was in care. now i want to end my life"
    assert not rules.all_in_the_past(present, rules.match(present))


# Danger in other languages: the sourced words and phrases (nlu/crisis_patterns.yml), in sentences
# written for this test; and no alarm on the development set's ordinary messages in those languages.
@pytest.mark.parametrize("text", [
    "من میخواهم خودکشی کنم",                      # Farsi: I want to commit suicide
    "دیگر نمی‌خواهم زندگی کنم، به زندگی خود خاتمه میدهم",  # Farsi: ... I will end my life
    "لدي رغبة بالانتحار",                          # Arabic: I have a wish to kill myself
    "تراودني أفكار انتحارية كل ليلة",               # Arabic: suicidal thoughts come to me every night
    "زه غواړم ځان وژل وکړم",                       # Pashto
    "Kam mendime për vetevrasje",                  # Albanian, typed without ë
    "em muốn tự tử",                               # Vietnamese
    "em hay tự hại khi buồn",                      # Vietnamese: I self-harm when I'm sad
    "em đang gặp nguy hiểm",                       # Vietnamese: I am in danger
    "من ميخواهم خودكشي كنم",                       # Farsi typed on an Arabic keyboard (ك, ي)
    "به خود‌کشی فکر می‌کنم",                        # Farsi with a zero-width non-joiner inside the word
    "أفكار الإنتحار",                               # Arabic, alef with hamza
])
def test_danger_in_another_language_is_caught_by_the_rules(text):
    assert CrisisRules.from_file().match(text)


def test_ordinary_messages_in_other_languages_raise_no_alarm():
    from tests.eval_sets import dev_languages

    rules = CrisisRules.from_file()
    alarms = [row.language for row in dev_languages() if row.language != "en" and rules.match(row.text)]
    assert alarms == []


# The second stage may set aside an English rule's hit, never a rule for another language
# (the classifier reads English only); without a second stage, hits all in past sentences are set aside.
def test_the_second_stage_overrules_only_english_rules():
    from nlu.components.crisis_detector import decide
    from nlu.components.crisis_rules import RuleHit

    english = [RuleHit("emergency", "overdose", "overdose")]
    farsi = [RuleHit("emergency", "suicide_other_languages", "خودکشی")]
    scores = {"emergency": 0.1, "urgent": 0.3}
    assert decide(english, False, 0.1, 0.4, scores) == ([], True)
    assert decide(english, False, 0.9, 0.4, scores) == (["emergency"], False)
    assert decide(farsi, False, 0.1, 0.4, scores) == (["emergency"], False)
    assert decide(english + farsi, False, 0.1, 0.4, scores) == (["emergency"], True)
    assert decide(english, True, None, 0.4, scores) == ([], False)
    assert decide(english, False, None, 0.4, scores) == (["emergency"], False)
    # A rule's hit in a message that says the danger is now is never set aside.
    assert decide(english, False, 0.1, 0.4, scores, said_now=True) == (["emergency"], False)
    assert decide(english, True, 0.1, 0.4, scores, said_now=True) == ([], False)


def test_a_crisis_no_present_rule_names_gets_the_classifiers_likelier_level():
    from nlu.components.crisis_detector import decide

    assert decide([], False, 0.8, 0.4, {"emergency": 0.1, "urgent": 0.5}) == (["urgent"], False)
    assert decide([], False, 0.8, 0.4, {"emergency": 0.6, "urgent": 0.1}) == (["emergency"], False)
    assert decide([], False, 0.3, 0.4, {"emergency": 0.6, "urgent": 0.1}) == ([], False)


def test_tense_tells_past_from_present():
    from nlu.components.crisis_stacker import tense

    past, present = tense("I took an overdose when I was 15 and ended up in hospital")
    assert past > present
    past, present = tense("I can't do this anymore, I want it to stop tonight")
    assert present > past


def test_only_latin_script_goes_to_the_statistical_layers():
    from nlu.components.crisis_detector import in_latin_script

    assert in_latin_script("I can't do this anymore")
    assert in_latin_script("em muốn tự tử")          # Vietnamese: Latin letters with marks
    assert not in_latin_script("سلام، من تازه از مراقبت بیرون آمده‌ام")
    assert not in_latin_script("12345 !!!")


def test_classifier_level_needs_the_threshold_and_picks_the_likelier_level():
    from nlu.components.crisis_detector import classifier_level

    assert classifier_level({"emergency": 0.3, "urgent": 0.2, "none": 0.5}, 0.45) == "emergency"
    assert classifier_level({"emergency": 0.1, "urgent": 0.4, "none": 0.5}, 0.45) == "urgent"
    assert classifier_level({"emergency": 0.2, "urgent": 0.2, "none": 0.6}, 0.45) is None


def test_labelled_example_files_are_well_formed():
    """Every row in nlu/examples/ has a known label and says where it comes from."""
    import csv

    from bot.knowledge import TOPIC_IDS
    from nlu.components.crisis_classifier import labelled_examples

    examples = CRISIS_EXAMPLES.parent
    known = {"crisis": {"emergency", "urgent", "none"}, "topics": set(TOPIC_IDS) | {"out_of_scope"}}
    for kind, labels in known.items():
        files = sorted((examples / kind).glob("*.csv"))
        assert files
        for path in files:
            with path.open(newline="", encoding="utf-8") as handle:
                for line, row in enumerate(csv.DictReader(handle), start=2):
                    assert row["text"].strip(), f"{path.name}:{line}: empty text"
                    assert row["label"] in labels, f"{path.name}:{line}: unknown label {row['label']!r}"
                    assert row["source"].startswith(("http", "written")), f"{path.name}:{line}: no source"
    levels = [level for _, level in labelled_examples()]
    assert levels.count("emergency") >= 300 and levels.count("urgent") >= 250 and levels.count("none") >= 300
