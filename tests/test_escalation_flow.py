"""Asking for a person, through the real stack: the form, the crisis button, link codes, status,
the adviser inbox (scoping, CSRF, throttling), the adviser's reply live, the bot quiet, hand back."""
from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
from sqlalchemy import select

from bot.knowledge import load_knowledge
from bot.knowledge.crisis_replies import EMERGENCY_OPENING
from bot.knowledge.office_hours import needs_duty_team
from bot.store import Database
from bot.store.models import (Adviser, Conversation, Escalation, EscalationDraft, OutboxMessage, RelayedMessage, SafeguardingEvent,
                              TranscriptView)
from tests.advisers import InboxClient, link_code, make_advisers
from tests.conftest import KNOWLEDGE
from tests.gateway_client import Visitor, conversation_id, latest_escalation, visit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def people(servers):
    return make_advisers(servers)


def outbox_for(settings, escalation_id: int):
    with Database(settings.database_url).session() as session:
        return list(session.execute(select(OutboxMessage).where(OutboxMessage.escalation_id == escalation_id)).scalars())


def mode_of(settings, token: str) -> str:
    with Database(settings.database_url).session() as session:
        return session.get(Conversation, conversation_id(settings, token)).mode


def payloads(reply) -> list:
    return [b["payload"] for b in reply["buttons"]]


async def fill_form(me: Visitor, *, start: str = "can a real person help me?") -> str:
    """The whole form with buttons and typing, checking each question; returns the confirmation."""
    first = (await me.say(start))[-1]
    assert "What is it about?" in first["text"] and "/esc_topic:housing" in payloads(first)
    assert "Something else" in [b["title"] for b in first["buttons"]]
    details = (await me.say("Housing", "/esc_topic:housing"))[-1]
    assert "tell your PA a bit more" in details["text"]
    urgency = (await me.say("my boiler is broken and the flat is freezing"))[-1]
    assert [b["title"] for b in urgency["buttons"]][:3] == ["Today", "This week", "Whenever"]
    nonsense = (await me.say("blorp"))[-1]
    assert nonsense["text"].startswith("Sorry, please pick one")
    contact = (await me.say("Today", "/esc_urgency:today"))[-1]
    assert "get in touch" in contact["text"]
    phone = (await me.say("Text me", "/esc_contact:text"))[-1]
    assert "phone number" in phone["text"]
    again = (await me.say("555 1234"))[-1]
    assert "doesn't look like a UK phone number" in again["text"]
    consent = (await me.say("07400 123456"))[-1]
    assert "Can your PA read" in consent["text"]
    return (await me.say("Yes, share it", "/esc_consent:yes"))[-1]["text"]


def test_a_linked_young_person_asks_for_their_pa_and_the_pa_takes_over_then_hands_back(servers, people):
    knowledge = load_knowledge(KNOWLEDGE)

    async def body():
        async with Visitor(servers) as me:
            code = link_code(servers, people["pa_a"].email)
            assert "linked to Sam North" in await me.text(f"/link {code}")
            assert "didn't work" in await me.text(code)  # a code works once
            confirmation = await fill_form(me)
            reference = re.search(r"LP-[A-Z0-9]{5}", confirmation).group(0)
            assert "your PA, Sam North" in confirmation
            assert "07400 123456" in confirmation  # what they sent, read back
            escalation = latest_escalation(servers, me.token)
            assert (escalation.reference, escalation.urgency, escalation.topic, escalation.phone, escalation.consent) == (
                reference, "today", "housing", "+447400123456", True)
            assert escalation.details == "my boiler is broken and the flat is freezing"
            assert mode_of(servers, me.token) == "waiting_for_adviser"
            # Notifications: the PA; the duty team too only when the office is closed now.
            recipients = {m.recipient for m in outbox_for(servers, escalation.id)}
            hours = knowledge.office_hours.hours_for("standard")
            duty_too = needs_duty_team(hours, "today", dt.datetime.now(dt.timezone.utc))
            assert people["pa_a"].email in recipients and (people["duty"].email in recipients) == duty_too
            assert all("freezing" not in m.body and "07400" not in m.body for m in outbox_for(servers, escalation.id))
            status = await me.text("any news on my request?")
            assert f"Your request {reference} is waiting for someone to pick it up" in status

            # The PA signs in and sees it; a PA in another team can't, even by its address.
            sam, bea = InboxClient(servers), InboxClient(servers)
            assert sam.login(people["pa_a"].email).status_code == 200
            assert reference in sam.get("/inbox/").text
            assert bea.login(people["pa_b"].email).status_code == 200
            assert reference not in bea.get("/inbox/").text
            assert bea.get(f"/inbox/requests/{escalation.id}").status_code == 404
            assert bea.act(escalation.id, "claim").status_code == 404
            # A form posted without the CSRF token is refused and changes nothing.
            assert sam.act(escalation.id, "claim", csrf=None).status_code == 403
            assert latest_escalation(servers, me.token).status == "open"

            page = sam.get(f"/inbox/requests/{escalation.id}").text
            assert "my boiler is broken" in page and "+447400123456" in page
            assert sam.act(escalation.id, "claim").status_code == 200
            picked_up = await me.next_event()
            assert picked_up["type"] == "reply" and "Sam North" in picked_up["text"] and "picked up" in picked_up["text"]
            assert mode_of(servers, me.token) == "adviser"

            sam.act(escalation.id, "reply", text="Hi, it's Sam. I'll text you at 3 today.")
            reply = await me.next_event()
            assert (reply["type"], reply["sender"], reply["text"]) == ("reply", "adviser",
                                                                       "Hi, it's Sam. I'll text you at 3 today.")
            # The bot is quiet while Sam holds the conversation: the message goes to Sam.
            events = await me.turn("thanks! can you also help with council tax?")
            assert [e["type"] for e in events] == ["done"]
            assert "can you also help with council tax" in sam.get(f"/inbox/requests/{escalation.id}").text
            # A crisis still gets the crisis reply at once, and Sam sees it flagged.
            crisis = await me.say("i want to kill myself")
            assert crisis[0]["text"].startswith(EMERGENCY_OPENING)
            assert "CRISIS (emergency)" in sam.get(f"/inbox/requests/{escalation.id}").text

            # The conversation with the bot, shared with consent: each view is audited.
            transcript = sam.get(f"/inbox/requests/{escalation.id}/transcript").text
            assert "can a real person help me?" in transcript
            with Database(servers.database_url).session() as session:
                views = session.execute(select(TranscriptView).where(TranscriptView.escalation_id == escalation.id)).all()
            assert len(views) == 1

            sam.act(escalation.id, "hand-back")
            handed_back = await me.next_event()
            assert "handed you back to the bot" in handed_back["text"]
            answer = await me.text("what is staying put?")
            assert "Source:" in answer
            sam.act(escalation.id, "resolve")
            assert "marked your request" in (await me.next_event())["text"]
            assert "is marked as sorted" in await me.text("has my pa seen my request yet?")
    visit(body())


def test_an_unlinked_young_persons_request_goes_to_the_duty_queue(servers, people):
    async def body():
        async with Visitor(servers) as me:
            first = (await me.say("Talk to my PA", "/ask_for_pa"))[-1]
            # "/ask_for_pa" is only honoured when offered: typed, it's read as words and still understood.
            assert "What is it about?" in first["text"]
            await me.say("I need a letter for college saying I'm a care leaver")
            await me.say("This week", "/esc_urgency:this_week")
            await me.say("Here in this chat", "/esc_contact:chat")
            confirmation = await me.text("No, just this form", "/esc_consent:no")
        assert "the leaving care duty team" in confirmation
        escalation = latest_escalation(servers, me.token)
        assert (escalation.adviser_id, escalation.topic, escalation.consent) == (None, "something_else", False)
        duty, pa = InboxClient(servers), InboxClient(servers)
        duty.login(people["duty"].email)
        assert escalation.reference in duty.get("/inbox/").text
        # Without consent the PA sees only the form, and there's nothing to audit.
        assert "did not agree" in duty.get(f"/inbox/requests/{escalation.id}/transcript").text
        pa.login(people["pa_a"].email)
        assert pa.get(f"/inbox/requests/{escalation.id}").status_code == 404
    visit(body())


def test_the_crisis_button_opens_the_most_urgent_request_at_once_and_alerts_the_duty_team(servers, people, mailbox):
    async def body():
        async with Visitor(servers) as me:
            crisis = await me.say("i want to end my life")
            assert "/tell_someone_now" in payloads(crisis[0])
            told = await me.text("Yes, tell someone now", "/tell_someone_now")
            again = await me.text("Yes, tell someone now", "/tell_someone_now")  # a second press: the same request
        reference = re.search(r"LP-[A-Z0-9]{5}", told).group(0)
        assert "duty team" in told and "999" in told and reference in again
        escalation = latest_escalation(servers, me.token)
        assert (escalation.reference, escalation.urgency, escalation.duty_alerted) == (reference, "crisis", True)
        with Database(servers.database_url).session() as session:
            count = len(session.execute(select(Escalation.id).where(
                Escalation.conversation_id == conversation_id(servers, me.token))).all())
            event = session.execute(select(SafeguardingEvent).where(
                SafeguardingEvent.conversation == conversation_id(servers, me.token))).scalars().first()
            duty_ids = {a.email for a in session.execute(select(Adviser)).scalars() if a.email == people["duty"].email}
        assert count == 1
        assert event is not None and event.escalation_id == escalation.id  # the log points at the request
        assert duty_ids <= {m.recipient for m in outbox_for(servers, escalation.id)}
        assert all(m.subject.startswith("[CRISIS]") for m in outbox_for(servers, escalation.id))
        # The email itself, caught by the local SMTP listener: a summary and a link, not their words.
        for _ in range(100):
            caught = [r for r in mailbox.to(people["duty"].email) if reference in r.subject]
            if caught:
                break
            await asyncio.sleep(0.2)
        assert len(caught) == 1 and caught[0].subject.startswith("[CRISIS]")
        body_text = caught[0].message.get_payload(decode=True).decode()
        assert servers.inbox_url in body_text and "end my life" not in body_text
    visit(body())


def test_bad_input_in_the_form_and_requests_in_a_loop_get_calm_replies(servers, people):
    async def body():
        async with Visitor(servers) as me:
            for _ in range(servers.escalations_per_hour):
                await me.say("i want to speak to my pa")
                await me.say("\x00<b>??</b>")          # their own words, whatever they are: kept as details
                await me.say("whenever")
                await me.say("here is fine")
                assert "Your reference is LP-" in await me.text("yes")
            limited = await me.text("i want to speak to my pa")
            assert "haven't sent another" in limited and "999" in limited
        async with Visitor(servers) as other:
            # A form button nobody offered is read as the words on it: no form starts.
            await other.say("Housing", "/esc_topic:housing")
            with Database(servers.database_url).session() as session:
                assert session.get(EscalationDraft, conversation_id(servers, other.token)) is None
            # Cancel works at any step.
            await other.say("i want to speak to my pa")
            await other.say("Money", "/esc_topic:money")
            assert "haven't sent anything" in await other.text("cancel")
            assert latest_escalation(servers, other.token) is None
    visit(body())


def test_a_request_nobody_picks_up_is_told_honestly(servers, people):
    async def body():
        async with Visitor(servers) as me:
            await me.say("can i speak to my pa")
            await me.say("money worries")
            await me.say("whenever")
            await me.say("chat")
            await me.say("no")
            escalation = latest_escalation(servers, me.token)
            with Database(servers.database_url).session() as session:  # as if it had waited too long
                row = session.get(Escalation, escalation.id)
                row.created_at = row.created_at - dt.timedelta(minutes=servers.claim_timeout_minutes + 1)
            told = await me.next_event(timeout=40)
        assert "nobody has picked up your request" in told["text"] and escalation.reference in told["text"]
        assert "out-of-hours" in told["text"]
    visit(body())


def test_relayed_messages_are_erased_with_the_conversation(servers, people):
    async def body():
        async with Visitor(servers) as me:
            code = link_code(servers, people["pa_b"].email)
            await me.say(f"link {code}")
            await fill_form(me, start="i need to talk to my pa now")
            escalation = latest_escalation(servers, me.token)
            bea = InboxClient(servers)
            bea.login(people["pa_b"].email)
            bea.act(escalation.id, "reply", text="Hello from Bea")
            await me.next_event()
            await me.turn("a message for Bea")
            await me.say("/forget")
            await me.say("Yes, delete it", "/forget_yes")
        with Database(servers.database_url).session() as session:
            assert session.execute(select(RelayedMessage).where(
                RelayedMessage.conversation_id == conversation_id(servers, me.token))).first() is None
            kept = session.get(Escalation, escalation.id)
            assert (kept.conversation_id, kept.details, kept.phone) == (None, None, None)
    visit(body())


def test_ten_wrong_passwords_are_throttled_even_before_the_right_one(servers):
    person = make_advisers(servers)["pa_b"]   # an account of its own: it stays locked for 15 minutes
    adviser = InboxClient(servers)
    codes = [adviser.login(person.email, "not the password at all").status_code for _ in range(10)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert adviser.login(person.email).status_code == 429
    assert "Too many wrong attempts" in adviser.login(person.email).text
    assert "Requests" not in adviser.get("/inbox/").text   # not signed in
    # A sign-in form posted from elsewhere (no CSRF token from our page) is refused.
    stranger = InboxClient(servers)
    response = stranger.http.post(stranger.base + "/inbox/login", data={"email": person.email, "password": "x"},
                                  timeout=30)
    assert response.status_code == 403
