"""Nothing lost, nothing twice: requests for a person through SIGKILLs of the action server and the
gateway between steps, and an SMTP server taken down and brought back."""
from __future__ import annotations

import re
import signal
import time

import pytest
from sqlalchemy import select

from bot.store import Database
from bot.store.models import Escalation, OutboxMessage
from bot.store.safeguarding import load_or_create_key, pseudonym
from tests.advisers import link_code, make_advisers
from tests.gateway_client import Visitor, visit

pytestmark = pytest.mark.slow


def kill(stack, name: str) -> None:
    """SIGKILL: no clean shutdown, no chance to finish anything."""
    child = stack.children[name]
    child.signal(signal.SIGKILL)
    child.process.wait(timeout=30)


def start_again(stack, name: str) -> None:
    stack.children[name].start()
    stack.wait_until_ready([name])


def escalations_of(settings, token: str):
    conversation = pseudonym(load_or_create_key(settings.secret_key_file), f"web:{token}")
    with Database(settings.database_url).session() as session:
        return list(session.execute(select(Escalation).where(Escalation.conversation_id == conversation)).scalars())


def wait_for(check, timeout: float = 60.0, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def test_requests_are_delivered_exactly_once_through_kills_and_an_smtp_outage(stack, mailbox):
    settings = stack.settings
    people = make_advisers(settings)
    mailbox.stop()   # the council's mail server is down

    async def body():
        # 1. A linked young person starts the form; the action server is killed mid-way.
        async with Visitor(settings) as me:
            await me.say(f"/link {link_code(settings, people['pa_a'].email)}")
            first = (await me.say("i need to talk to my pa now"))[-1]
            assert "What is it about?" in first["text"]
            kill(stack, "actions")
            await me.say("Money", "/esc_topic:money")       # the form lives in the gateway and the store
            await me.say("I can't pay my gas bill")
            token = me.token
        # 2. The gateway is killed between steps; the young person comes back to the same form.
        kill(stack, "gateway")
        start_again(stack, "gateway")
        async with Visitor(settings, token) as me:
            assert "get in touch" in (await me.say("today"))[-1]["text"]
            await me.say("Here in this chat", "/esc_contact:chat")
            confirmation = await me.text("yes")
        reference = re.search(r"LP-[A-Z0-9]{5}", confirmation).group(0)
        start_again(stack, "actions")

        # 3. A crisis: the gateway is killed just after the request is committed; pressing again
        #    afterwards (the young person wasn't sure it went) finds the same request.
        async with Visitor(settings) as other:
            crisis = await other.say("i want to end it all tonight")
            assert "/tell_someone_now" in [b["payload"] for b in crisis[0]["buttons"]]
            await other.send("Yes, tell someone now", "/tell_someone_now")
            wait_for(lambda: escalations_of(settings, other.token), timeout=20)
            other_token = other.token
            kill(stack, "gateway")
        start_again(stack, "gateway")
        async with Visitor(settings, other_token) as other:
            kept_texts = " ".join(e.get("text", "") for e in other.kept)
            crisis_reference = escalations_of(settings, other_token)[0].reference
            again = await other.text("Yes, tell someone now", "/tell_someone_now")
            assert crisis_reference in again or crisis_reference in kept_texts
        return reference, token, other_token

    reference, token, other_token = visit(body())
    ordinary, crisis = escalations_of(settings, token), escalations_of(settings, other_token)
    assert [e.reference for e in ordinary] == [reference] and len(crisis) == 1

    # The notifications waited in the outbox; with the mail server back they go, each exactly once.
    with Database(settings.database_url).session() as session:
        waiting = list(session.execute(select(OutboxMessage).where(
            OutboxMessage.escalation_id.in_([ordinary[0].id, crisis[0].id]),
            OutboxMessage.kind == "email")).scalars())   # (an adviser with Telegram linked got theirs there)
    assert waiting and all(m.sent_at is None and m.attempts >= 1 and m.last_error for m in waiting)
    mailbox.start()
    expected = {(m.recipient, m.subject) for m in waiting}

    def delivered():
        got = [(r.recipients[0], r.subject) for r in mailbox.received if reference in r.subject
               or crisis[0].reference in r.subject]
        return got if set(got) == expected else None
    wait_for(delivered, timeout=150)   # back-off after the failures: 5 s, 10 s, 20 s, ...
    time.sleep(6)   # any second copy would come with the next send round
    got = [(r.recipients[0], r.subject) for r in mailbox.received
           if reference in r.subject or crisis[0].reference in r.subject]
    assert sorted(got) == sorted(expected), "each notification exactly once"
    assert any(people["duty"].email == recipient for recipient, _ in got)   # the crisis reached the duty team
