"""A young person writing in another language, through the real stack: the reply in their language
(then English), the interpreter request marked with the language, and danger in another language
(the crisis reply, the safeguarding log, and the team told at once)."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.gateway.languages import OFFER_PARTS, their_lines
from bot.knowledge import load_knowledge
from bot.knowledge.crisis_replies import EMERGENCY_OPENING, OFFER
from bot.store import Database
from bot.store.models import Conversation, Escalation, SafeguardingEvent
from tests.advisers import InboxClient, make_advisers
from tests.conftest import KNOWLEDGE
from tests.gateway_client import Visitor, conversation_id, latest_escalation, visit

pytestmark = pytest.mark.slow

FARSI_QUESTION = "سلام، من تازه از مراقبت بیرون آمده‌ام و جایی برای زندگی ندارم. کجا می‌توانم کمک بگیرم؟"
FARSI_DANGER = "من میخواهم خودکشی کنم"   # "I want to commit suicide": خودکشی is in the crisis rules


@pytest.fixture(scope="module")
def people(servers):
    return make_advisers(servers)


async def mail_about(mailbox, email: str, reference: str):
    for _ in range(100):
        caught = [r for r in mailbox.to(email) if reference in r.subject]
        if caught:
            return caught[0].message.get_payload(decode=True).decode()
        await asyncio.sleep(0.2)
    return ""


def test_a_message_in_farsi_is_answered_in_farsi_and_the_interpreter_request_says_farsi(servers, people, mailbox):
    knowledge = load_knowledge(KNOWLEDGE)
    farsi = knowledge.languages["fa"]

    async def body():
        async with Visitor(servers) as me:
            [offer] = await me.say(FARSI_QUESTION)
            # Farsi first: drafts awaiting review (reads English, the PA can get an interpreter, 999,
            # Samaritans) around the published question; then the same in English.
            expected = their_lines(knowledge, farsi, OFFER_PARTS, drafts=True)
            assert farsi.question.text in expected
            assert len(expected) >= 4 and farsi.reads_english.text in expected
            assert offer["text"].startswith("\n".join(expected) + "\nIt looks like you wrote in Farsi.")
            assert "{" not in offer["text"]   # every {number} was filled from crisis.yml
            assert knowledge.contact("samaritans").number in offer["text"].split("It looks like")[0]
            assert [b["title"] for b in offer["buttons"]] == [f"{farsi.button.text} / Ask for an interpreter"]
            with Database(servers.database_url).session() as session:
                assert session.get(Conversation, conversation_id(servers, me.token)).language == "fa"
            confirmation = await me.text(offer["buttons"][0]["title"], "/ask_interpreter")
            # A short English word afterwards doesn't make the conversation English again.
            await me.say("ok")
        # The confirmation opens with the Farsi "I have asked your PA's team for an interpreter".
        assert confirmation.startswith(farsi.request_sent.text + "\n")
        assert "the leaving care duty team" in confirmation
        escalation = latest_escalation(servers, me.token)
        assert (escalation.language, escalation.topic, escalation.urgency) == ("fa", "interpreter", "today")
        with Database(servers.database_url).session() as session:
            assert session.get(Conversation, conversation_id(servers, me.token)).language == "fa"
        duty = InboxClient(servers)
        duty.login(people["duty"].email)
        page = duty.get(f"/inbox/requests/{escalation.id}").text
        assert "Farsi" in page and "An interpreter" in page
        assert "Language: Farsi" in await mail_about(mailbox, people["duty"].email, escalation.reference)
    visit(body())


def test_danger_in_farsi_gets_the_crisis_reply_the_log_and_the_team_told_at_once(servers, people, mailbox):
    knowledge = load_knowledge(KNOWLEDGE)

    async def body():
        async with Visitor(servers) as me:
            replies = await me.say(FARSI_DANGER)
        crisis, told = replies[0]["text"], replies[-1]["text"]
        # No draft translation in a reply to danger: only published or translator-checked words, then English.
        farsi = knowledge.languages["fa"]
        drafts = [t.text for _, t in farsi.parts() if not t.vouched_for]
        assert not any(draft in crisis for draft in drafts)
        assert EMERGENCY_OPENING in crisis and "999" in crisis and OFFER not in crisis
        assert "It looks like you wrote" not in crisis
        # They may not be able to read "Would you like me to tell someone?": the team is told at once.
        assert "I’ve told the leaving care duty team now" in told and "999" in told
        escalation = latest_escalation(servers, me.token)
        assert (escalation.urgency, escalation.language) == ("crisis", "fa")
        with Database(servers.database_url).session() as session:
            event = session.execute(select(SafeguardingEvent).where(
                SafeguardingEvent.conversation == conversation_id(servers, me.token))).scalars().first()
            assert session.get(Conversation, conversation_id(servers, me.token)).language == "fa"
        assert event is not None and event.level == "emergency" and "another language (fa)" in event.matched
        assert "Language: Farsi" in await mail_about(mailbox, people["duty"].email, escalation.reference)
    visit(body())


def test_on_telegram_too_a_farsi_message_gets_the_farsi_reply_and_its_button_works(servers, people, telegram_api):
    import json
    import random

    farsi = load_knowledge(KNOWLEDGE).languages["fa"]
    chat = random.randint(10_000_000, 99_999_999)
    telegram_api.message(chat, FARSI_QUESTION)
    offer = telegram_api.wait_for(chat, 1)[0]
    assert offer["text"].startswith(farsi.reads_english.text) and "It looks like you wrote in Farsi" in offer["text"]
    titles = [b["text"] for row in json.loads(offer["reply_markup"])["inline_keyboard"] for b in row]
    assert titles == [f"{farsi.button.text} / Ask for an interpreter"]
    telegram_api.press(chat, offer, titles[0])
    told = telegram_api.wait_for(chat, 2)[1]["text"]
    assert told.startswith(farsi.request_sent.text) and "Your reference is" in told
    with Database(servers.database_url).session() as session:
        escalation = session.execute(select(Escalation).where(Escalation.topic == "interpreter")
                                     .order_by(Escalation.id.desc())).scalars().first()
    assert escalation.language == "fa" and escalation.reference in told
