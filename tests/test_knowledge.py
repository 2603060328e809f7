"""The knowledge files: complete, sourced, and wrong files explained to editors by file and line."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path


from bot.knowledge import DISTRICT_IDS, TOPIC_IDS, KnowledgeStore, load_knowledge
from tests.conftest import KNOWLEDGE, problems_of

PHONE = re.compile(r"\b0\d{3}[ ]?\d{3}[ ]?\d{3,4}\b|\b0\d{2,4} \d{3,4} \d{3,4}\b")


def test_every_topic_is_there_with_sources_and_examples():
    knowledge = load_knowledge(KNOWLEDGE)
    assert set(knowledge.topics) == set(TOPIC_IDS)
    for topic in knowledge.topics.values():
        assert topic.answer and topic.more and topic.next_step
        assert all(source.url.startswith("https://") or source.url.startswith("http://") for source in topic.sources)
        assert len(topic.examples) >= 10, topic.id


def test_council_tax_and_housing_have_an_answer_for_every_district():
    knowledge = load_knowledge(KNOWLEDGE)
    for topic_id in ("council_tax", "housing"):
        topic = knowledge.topic(topic_id)
        assert set(topic.by_district) == set(DISTRICT_IDS)
    assert "Colchester" in knowledge.topic("council_tax").by_district["colchester"].answer


def test_districts_and_crisis_contacts_load():
    knowledge = load_knowledge(KNOWLEDGE)
    assert set(knowledge.districts) == set(DISTRICT_IDS)
    assert "clacton" in knowledge.district("tendring").aliases
    numbers = {contact.id: contact.number for contact in knowledge.crisis_contacts}
    assert numbers["emergency_services"] == "999"
    assert {c.id for c in knowledge.contacts_for("emergency")} >= {"emergency_services", "samaritans"}


def test_phone_numbers_in_answers_are_backed_by_a_source_in_the_same_file():
    """A number in an answer must appear in a file that cites sources (a weak guard against invented numbers)."""
    for path in (KNOWLEDGE / "topics").glob("*.yml"):
        text = path.read_text()
        if PHONE.search(text):
            assert "url:" in text, path


def test_a_missing_answer_names_file_line_and_fix(knowledge_copy: Path):
    path = knowledge_copy / "topics" / "staying_put.yml"
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("answer:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" "))
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    message = problems_of(knowledge_copy)
    assert "staying_put.yml" in message
    assert "has no 'answer'" in message
    assert "How to fix: add a line 'answer: ...'" in message


def test_a_misspelt_key_gets_a_did_you_mean(knowledge_copy: Path):
    path = knowledge_copy / "topics" / "budgeting.yml"
    text = path.read_text().replace("\nnext_step:", "\nnext_stpe:", 1)
    path.write_text(text)
    line = text.splitlines().index(next(row for row in text.splitlines() if row.startswith("next_stpe:"))) + 1
    message = problems_of(knowledge_copy)
    assert f"budgeting.yml, line {line}: 'next_stpe' is not a key I know" in message
    assert "did you mean 'next_step'?" in message


def test_a_yaml_syntax_error_names_the_line(knowledge_copy: Path):
    path = knowledge_copy / "topics" / "council_tax.yml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[index] = "title: Council tax: what you pay"
    path.write_text("\n".join(lines) + "\n")
    message = problems_of(knowledge_copy)
    assert f"council_tax.yml, line {index + 1}" in message
    assert "Put the whole text in quotes" in message


def test_a_number_without_quotes_and_a_bad_url_are_explained(knowledge_copy: Path):
    path = knowledge_copy / "crisis.yml"
    text = path.read_text().replace('number: "999"', "number: 999", 1)
    path.write_text(text)
    topic = knowledge_copy / "topics" / "health_wellbeing.yml"
    topic.write_text(re.sub(r"url: https?://", "url: www.", topic.read_text(), count=1))
    message = problems_of(knowledge_copy)
    assert "crisis.yml" in message and "put the value in quotes" in message
    assert "health_wellbeing.yml" in message and "should be a web address" in message


def test_a_district_variant_missing_is_reported(knowledge_copy: Path):
    path = knowledge_copy / "topics" / "council_tax.yml"
    text = path.read_text()
    text = re.sub(r"\n  maldon:\n(?:    .*\n|\n)+", "\n", text, count=1)
    path.write_text(text)
    assert "'by_district' has no answer for 'maldon'" in problems_of(knowledge_copy)


def test_the_store_reloads_an_edit_and_keeps_the_last_good_version(knowledge_copy: Path):
    store = KnowledgeStore(knowledge_copy)
    before = store.current().topic("staying_put").answer
    path = knowledge_copy / "topics" / "staying_put.yml"
    original = path.read_text()
    path.write_text(original.replace("title:", "title: Edited -", 1))
    time.sleep(0.01)
    assert store.current().topic("staying_put").title.startswith("Edited -")
    path.write_text(original.replace("answer:", "answr:", 1))
    knowledge = store.current()  # broken edit: still answers from the last good files
    assert knowledge.topic("staying_put").answer == before
    assert store.last_error is not None and "answr" in str(store.last_error)


def test_every_answer_is_easy_to_read_and_a_hard_one_is_named_with_file_and_line(tmp_path):
    from bot.knowledge.readability import MIN_READING_EASE, hard_texts, reading_ease

    assert hard_texts(KNOWLEDGE) == []
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    path = copy / "topics" / "budgeting.yml"
    hard = ("Notwithstanding the aforementioned considerations, eligibility determinations necessitate "
            "comprehensive documentation of circumstances.")
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("next_step:"))
    end = next(i for i in range(index + 1, len(lines)) if lines[i] and not lines[i].startswith(" "))
    path.write_text("\n".join(lines[:index] + [f"next_step: {hard}"] + lines[end:]) + "\n")
    [found] = hard_texts(copy)
    assert (found.file, found.line, found.where) == ("topics/budgeting.yml", index + 1, "'next_step'")
    assert found.score < MIN_READING_EASE and "How to fix" in str(found)
    assert reading_ease("You can ask your PA. They will help you.") > 80


def test_helpline_numbers_in_answers_come_from_crisis_yml(tmp_path):
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    crisis = copy / "crisis.yml"
    crisis.write_text(crisis.read_text().replace('"116 123"', '"116 999"'))
    assert "Samaritans free on 116 999" in load_knowledge(copy).topics["health_wellbeing"].more
    topic = copy / "topics" / "health_wellbeing.yml"
    text = topic.read_text()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "{number:samaritans}" in row)
    topic.write_text(text.replace("{number:samaritans}", "116 999").replace("{number:shout}", "{number:shoot}"))
    message = problems_of(copy)
    assert f"health_wellbeing.yml, line {line}: 116 999 (the number for Samaritans) is typed out." in message
    assert "write {number:samaritans} instead" in message
    assert "'{number:shoot}' names no contact in crisis.yml." in message


def test_a_source_without_a_checked_date_is_named_with_its_line(knowledge_copy: Path):
    path = knowledge_copy / "topics" / "turning_21.yml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("checked:"))
    del lines[index]
    path.write_text("\n".join(lines) + "\n")
    message = problems_of(knowledge_copy)
    assert "turning_21.yml, line" in message and "'checked' is missing or not a date." in message
    assert "like checked: 2026-11-24" in message


def test_sources_warn_at_six_months_and_fail_check_knowledge_at_twelve(knowledge_copy: Path):
    import datetime as dt
    import os
    import subprocess
    import sys

    from bot.knowledge.freshness import stale_sources

    path = knowledge_copy / "crisis.yml"
    text = path.read_text()
    first = next(line for line in text.splitlines() if line.strip().startswith("checked:"))
    line = text.splitlines().index(first) + 1
    today = dt.date.today()
    path.write_text(text.replace(first, first.split(":")[0] + f": {today - dt.timedelta(days=200)}", 1))
    warned = stale_sources(knowledge_copy)
    assert [(s.file, s.line, s.too_old) for s in warned] == [("crisis.yml", line, False)]
    env = {**os.environ, "LIFEPORTAL_KNOWLEDGE_DIR": str(knowledge_copy)}
    command = [sys.executable, "-m", "bot.cli", "check-knowledge"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and f"Warning: crisis.yml, line {line}:" in result.stdout

    path.write_text(text.replace(first, first.split(":")[0] + f": {today - dt.timedelta(days=400)}", 1))
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"Problem: crisis.yml, line {line}:" in result.stderr and "13 months ago" in result.stderr


def test_every_answer_shows_when_its_source_was_checked(knowledge_copy: Path):
    from bot.knowledge.answers import first_answer

    knowledge = load_knowledge(knowledge_copy)
    for topic_id in knowledge.topics:
        answer = first_answer(knowledge, topic_id)
        assert answer.as_slots()["source_checked"].startswith("Checked: ")
        assert answer.source.checked is not None


def test_languages_yml_is_checked_and_an_unknown_language_is_named(knowledge_copy: Path):
    knowledge = load_knowledge(knowledge_copy)
    assert knowledge.languages["fa"].question.source.url.startswith("https://")
    path = knowledge_copy / "languages.yml"
    text = path.read_text()
    line = text.splitlines().index("  fa:") + 1
    path.write_text(text.replace("  fa:\n", "  farsi:\n", 1))
    message = problems_of(knowledge_copy)
    assert "languages.yml" in message and "'farsi' is not a language code the bot knows" in message
    assert f"line {line}" in message or "languages.yml, line" in message
