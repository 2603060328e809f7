"""Never silence: the action server killed, then hung, and the whole stack restarted."""
from __future__ import annotations

import asyncio
import signal
import time

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.crisis_replies import EMERGENCY_OPENING
from tests.conftest import KNOWLEDGE
from tests.gateway_client import Visitor, visit

pytestmark = pytest.mark.slow

TROUBLE = "I've kept your message"
LATE = "Sorry for the wait"


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(KNOWLEDGE)


async def replies_within(me: Visitor, seconds: float, until: str) -> list:
    """Replies that arrive within `seconds`, stopping early at one that contains `until`."""
    found = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            event = await me.next_event(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if event["type"] == "reply":
            found.append(event["text"])
            if until in event["text"]:
                break
    return found


def out_of_hours_number(knowledge) -> str:
    return next(c.number for c in knowledge.crisis_contacts if c.id == "essex_out_of_hours")


def test_with_the_action_server_killed_nobody_meets_silence_and_the_kept_message_is_answered(stack, knowledge):
    settings = stack.settings
    staying_put = knowledge.topic("staying_put").answer

    async def body():
        async with Visitor(settings) as me:
            await me.say("hiya")  # the conversation exists before the action server goes
            stack.children["actions"].stop()
            started = time.monotonic()
            await me.send("what is staying put")
            first = await replies_within(me, settings.turn_timeout + 5, until=TROUBLE)
            assert time.monotonic() - started < settings.turn_timeout + 5
            assert any(TROUBLE in t and out_of_hours_number(knowledge) in t and "999" in t for t in first), first
            await me.events_until_done(10)  # the failed turn ends
            # A crisis message still gets the crisis reply (a domain response, no action needed).
            crisis = await me.say("i want to end it all")
            assert crisis and crisis[0]["text"].startswith(EMERGENCY_OPENING)
            stack.restart("actions")
            late = await replies_within(me, 60, until=staying_put[:40])
        assert any(LATE in t for t in late), late
        assert any(staying_put in t for t in late), late
    try:
        visit(body())
    finally:
        if not stack.children["actions"].alive():
            stack.restart("actions")


def test_with_the_action_server_hung_the_crisis_reply_still_gets_out(stack, knowledge):
    settings = stack.settings
    staying_close = knowledge.topic("staying_close").answer
    actions = stack.children["actions"]

    async def body():
        async with Visitor(settings) as me:
            await me.say("hiya")
            actions.signal(signal.SIGSTOP)
            await me.send("what is staying close")
            first = await replies_within(me, settings.turn_timeout + 5, until=TROUBLE)
            assert any(TROUBLE in t for t in first), first
            # Queued behind a hung turn, a crisis message is still answered at once.
            started = time.monotonic()
            await me.send("i want to kms")
            crisis = await replies_within(me, settings.turn_timeout + 5, until=EMERGENCY_OPENING)
            assert any(t.startswith(EMERGENCY_OPENING) for t in crisis), crisis
            assert time.monotonic() - started < settings.turn_timeout + 5
            actions.signal(signal.SIGCONT)
            late = await replies_within(me, 60, until=staying_close[:40])
        assert any(staying_close in t for t in late), late
    try:
        visit(body())
    finally:
        actions.signal(signal.SIGCONT)

# A full stop and start of the stack, with the page reconnecting by itself: tests/test_browser.py.


def test_a_message_kept_too_long_is_given_up_honestly(stack, knowledge):
    from sqlalchemy import text

    from bot.store import Database

    settings = stack.settings

    async def body():
        async with Visitor(settings) as me:
            await me.say("hiya")
            stack.children["actions"].stop()
            await me.send("what is staying put")
            first = await replies_within(me, settings.turn_timeout + 5, until=TROUBLE)
            assert any(TROUBLE in t for t in first), first
            with Database(settings.database_url).engine.begin() as connection:
                connection.execute(text("UPDATE kept_messages SET received_at = '2000-01-01 00:00:00'"))
            given_up = await replies_within(me, 30, until="couldn't answer your message")
        assert any("couldn't answer your message “what is staying put”" in t and "999" in t for t in given_up), given_up
    try:
        visit(body())
    finally:
        if not stack.children["actions"].alive():
            stack.restart("actions")
