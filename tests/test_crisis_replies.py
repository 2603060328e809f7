"""The crisis reply: immediate, above any open question, with the right numbers, and logged."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.crisis_replies import crisis_text
from bot.store import Database
from bot.store.safeguarding import load_or_create_key, pseudonym, recent_events
from bot.training import rasa_env
from tests.conftest import KNOWLEDGE
from tests.gateway_client import Visitor, visit
from tests.rasa_client import Conversation

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(KNOWLEDGE)


def test_emergency_reply_has_every_emergency_number_from_the_knowledge_files(knowledge):
    text = crisis_text(knowledge, "emergency")
    for contact in knowledge.contacts_for("emergency"):
        assert contact.number.replace(" ", "") in text.replace(" ", ""), contact.id
    assert "999" in text and "116 123" in text and "85258" in text


def test_the_error_reply_names_the_emergency_number_from_the_knowledge_files(knowledge):
    from bot.knowledge.crisis_replies import something_went_wrong_text

    emergency = knowledge.contacts_for("emergency")[0]
    assert emergency.how in something_went_wrong_text(knowledge)


def test_urgent_reply_gives_the_district_homelessness_line_when_known(knowledge):
    district = next(d for d in knowledge.districts.values() if d.homelessness.phone)
    assert district.homelessness.phone in crisis_text(knowledge, "urgent", district.id)
    assert "999" in crisis_text(knowledge, "urgent")


def test_emergency_overrides_the_open_district_question(servers, knowledge):
    chat = Conversation(servers)
    asked = chat.text("do i have to pay council tax")
    assert "Which area are you in?" in asked
    reply = chat.say("i want to kms")
    assert reply[0]["text"] == crisis_text(knowledge, "emergency")
    assert [b["title"] for b in reply[0]["buttons"]] == ["Yes, tell someone now", "Not right now"]


def test_urgent_reply_uses_the_district_already_known(servers, knowledge):
    district = next(d for d in knowledge.districts.values() if d.homelessness.phone)
    chat = Conversation(servers)
    chat.say(f'/inform_district{{"district":"{district.id}"}}')
    reply = chat.text("my mum kicked me out and ive got nowhere to sleep tonight")
    assert reply.startswith(crisis_text(knowledge, "urgent", district.id))


def test_the_safeguarding_log_has_the_event_without_the_message(servers):
    async def body():
        async with Visitor(servers) as me:
            await me.say("i keep thinking everyone would be better off without me")
            return me.token
    token = visit(body())
    conversation = pseudonym(load_or_create_key(servers.secret_key_file), f"web:{token}")
    with Database(servers.database_url).session() as session:
        events = [e for e in recent_events(session, limit=500) if e.conversation == conversation]
    assert len(events) == 1
    event = events[0]
    assert event.level == "emergency" and event.channel == "web"
    assert event.message_text is None and token not in event.conversation
    assert event.matched


# The crisis reply with the action server down or hung: tests/test_gateway_resilience.py.


def test_ask_json_reports_crisis_and_level(trained_model, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("i want to kms\nnowhere to sleep tonight\nthis rent is killing me lol\n")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "--file", str(questions)],
                            capture_output=True, text=True, env=rasa_env(), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["crisis"], r["crisis_level"]) for r in rows] == [(True, "emergency"), (True, "urgent"), (False, None)]
    assert "999" in rows[0]["text"]


def test_a_number_an_editor_changes_is_in_the_crisis_replies_within_seconds_without_retraining(servers):
    """The trained model still holds the old copy; the gateway sends the reply built from the files now."""
    import asyncio
    import time

    crisis_file = servers.knowledge_dir / "crisis.yml"
    districts_file = servers.knowledge_dir / "districts.yml"
    original_crisis, original_districts = crisis_file.read_text(), districts_file.read_text()
    district = next(d for d in load_knowledge(servers.knowledge_dir).districts.values() if d.homelessness.phone)

    async def replies():
        async with Visitor(servers) as visitor:
            emergency = await visitor.say("i want to kms")
            urgent = await visitor.say(f"i got kicked out in {district.name} and have nowhere to sleep tonight")
            return emergency[0]["text"], urgent[0]["text"]

    try:
        emergency, urgent = asyncio.run(replies())
        assert "116 123" in emergency and district.homelessness.phone in urgent
        crisis_file.write_text(original_crisis.replace("116 123", "116 999").replace("0345 606 1212", "0345 000 0000"))
        districts_file.write_text(original_districts.replace(district.homelessness.phone, "01000 000000", 1))
        changed = time.monotonic()
        emergency, urgent = asyncio.run(replies())
        assert time.monotonic() - changed < 60
        assert "116 999" in emergency and "116 123" not in emergency
        assert "116 999" in urgent and "01000 000000" in urgent and "0345 000 0000" in urgent
        assert district.homelessness.phone not in urgent
        # The PA answer (`lifeportal ask`, the same replies without the servers) reads the files too.
        env = dict(rasa_env(), LIFEPORTAL_KNOWLEDGE_DIR=str(servers.knowledge_dir))
        asked = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "i want to talk to my pa"],
                               capture_output=True, text=True, env=env, timeout=600)
        pa_answer = json.loads(asked.stdout.strip().splitlines()[-1])["text"]
        assert "0345 000 0000" in pa_answer and "0345 606 1212" not in pa_answer
    finally:
        crisis_file.write_text(original_crisis)
        districts_file.write_text(original_districts)
