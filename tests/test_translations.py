"""knowledge/languages.yml: where each translation comes from, numbers only from crisis.yml,
drafts never in a reply to danger, and what `check-knowledge` tells editors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


from bot.gateway.languages import OFFER_PARTS, other_language_crisis_lines, other_language_reply, their_lines
from bot.knowledge import load_knowledge
from bot.knowledge.translation_report import translation_report
from bot.language import Detection
from tests.conftest import KNOWLEDGE, problems_of

DRAFT = """    reads_english:
      text: "{text}"
      english: "{english}"
      drafted_by: the developers
      drafted: 2026-11-24
"""


def with_albanian_draft(directory: Path, text: str, english: str) -> Path:
    """Albanian with one draft sentence (replacing whatever Albanian the file has)."""
    path = directory / "languages.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if "  sq:\n" in lines:
        start = lines.index("  sq:\n")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  ") and not lines[i].startswith("    ")),
                   len(lines))
        del lines[start:end]
    path.write_text("".join(lines).rstrip("\n") + "\n  sq:\n" + DRAFT.format(text=text, english=english),
                    encoding="utf-8")
    return path


def test_every_translation_says_where_it_comes_from_and_has_no_stray_braces():
    knowledge = load_knowledge(KNOWLEDGE)
    assert {"fa", "ar", "so", "ti"} <= set(knowledge.languages)
    for texts in knowledge.languages.values():
        for part, words in texts.parts():
            assert words.origin in ("published", "reviewed", "draft"), (texts.code, part)
            if words.origin == "published":
                assert words.source.url.startswith(("https://", "http://")) and words.source.checked
            if words.origin == "draft":
                assert words.drafted_by and words.drafted


def test_a_draft_with_a_number_written_in_is_refused_with_its_line(knowledge_copy: Path):
    path = with_albanian_draft(knowledge_copy, "Telefononi 116 123.", "Call 116 123.")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = len(lines) - lines[::-1].index("    reads_english:")   # Albanian's, the last in the file
    message = problems_of(knowledge_copy)
    assert "has a number written in it" in message and "{samaritans}" in message
    assert f"languages.yml, line {line}" in message


def test_a_name_in_braces_must_be_a_crisis_contact(knowledge_copy: Path):
    with_albanian_draft(knowledge_copy, "Telefononi {samaritan}.", "Call {samaritan}.")
    message = problems_of(knowledge_copy)
    assert "{samaritan} is not a contact in crisis.yml" in message and "{samaritans}" in message


def test_a_translation_with_no_origin_is_refused(knowledge_copy: Path):
    path = knowledge_copy / "languages.yml"
    with_albanian_draft(knowledge_copy, "Mirëdita.", "Hello.")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      drafted_by: the developers\n      drafted: 2026-11-24\n", ""), encoding="utf-8")
    assert "should say where its words come from" in problems_of(knowledge_copy)


def test_numbers_come_from_crisis_yml_as_it_is_now(knowledge_copy: Path):
    with_albanian_draft(knowledge_copy, "Telefononi {samaritans}.", "Call {samaritans}.")
    crisis = knowledge_copy / "crisis.yml"
    crisis.write_text(crisis.read_text(encoding="utf-8").replace('number: "116 123"', 'number: "116 124"'),
                      encoding="utf-8")
    knowledge = load_knowledge(knowledge_copy)
    assert their_lines(knowledge, knowledge.languages["sq"], OFFER_PARTS, drafts=True) == ["Telefononi 116 124."]


def test_drafts_are_shown_only_while_allowed_and_never_in_a_reply_to_danger(knowledge_copy: Path):
    with_albanian_draft(knowledge_copy, "Jam një ndihmës kompjuteri.", "I am a computer helper.")
    knowledge = load_knowledge(knowledge_copy)
    albanian = knowledge.languages["sq"]
    emergency = ["• Emergency services: Call 999"]
    shown = other_language_reply(Detection("sq", "test"), knowledge, emergency, albanian, drafts=True)["text"]
    hidden = other_language_reply(Detection("sq", "test"), knowledge, emergency, albanian, drafts=False)["text"]
    assert shown.startswith("Jam një ndihmës kompjuteri.\nIt looks like you wrote in Albanian.")
    assert hidden.startswith("It looks like you wrote in Albanian.")
    assert "Jam një" not in "\n".join(other_language_crisis_lines(knowledge, albanian))


def test_a_published_sentence_is_used_in_a_reply_to_danger():
    knowledge = load_knowledge(KNOWLEDGE)
    somali = knowledge.languages["so"]
    assert somali.emergency.origin == "published"
    assert somali.emergency.text in other_language_crisis_lines(knowledge, somali)


def test_check_knowledge_names_the_translations_awaiting_review(knowledge_copy: Path):
    with_albanian_draft(knowledge_copy, "Jam një ndihmës kompjuteri.", "I am a computer helper.")
    report = "\n".join(translation_report(load_knowledge(knowledge_copy)))
    assert "Albanian: 0 published, 0 checked by a translator, 1 awaiting review." in report
    assert "Albanian, sq: reads_english" in report
    result = subprocess.run([sys.executable, "-m", "bot.cli", "check-knowledge"], capture_output=True, text=True,
                            env={"LIFEPORTAL_KNOWLEDGE_DIR": str(knowledge_copy), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert "Awaiting a translator's review" in result.stdout and "Albanian, sq: reads_english" in result.stdout


def test_a_misspelt_part_is_named_with_the_right_one(knowledge_copy: Path):
    path = knowledge_copy / "languages.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    reads_english:", "    read_english:", 1), encoding="utf-8")
    assert "did you mean 'reads_english'?" in problems_of(knowledge_copy)
