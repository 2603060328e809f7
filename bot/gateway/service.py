"""The conversation service: who is talking, what mode their conversation is in, and who answers."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any, Dict, List, Protocol

from bot.gateway.desk import Desk
from bot.gateway.inputs import OfferedButtons, RateLimits, screen
from bot.gateway.notices import FORGET_YES, Notices
from bot.gateway.rasa_client import RasaClient
from bot.gateway.turns import Job, TurnRunner, log_turn
from bot.gateway.updates import Updates
from bot.settings import Settings
from bot.store import Database
from bot.store.conversations import forget_conversation, load_offered, receive_message, save_offered
from bot.store.safeguarding import pseudonym

logger = logging.getLogger(__name__)


class Channel(Protocol):
    name: str

    async def deliver(self, conversation_id: str, event: Dict[str, Any]) -> None:
        """Send an event to the young person now, or keep a reply until they are back."""

    async def flush(self, conversation_id: str) -> None:
        """Send the replies kept in the store for this conversation, if the young person is there."""


class ConversationService:
    def __init__(self, *, settings: Settings, database: Database, key: bytes, rasa: RasaClient,
                 notices: Notices) -> None:
        self.settings = settings
        self.notices = notices
        self._database = database
        self._key = key
        self._channels: Dict[str, Channel] = {}
        self._offered = OfferedButtons(save=lambda cid, payloads: self._in_store(
            save_offered, conversation_id=cid, payloads=payloads))
        self._limits = RateLimits(settings.rate_per_minute)
        self.turns = TurnRunner(settings=settings, database=database, rasa=rasa, notices=notices,
                                offered=self._offered, deliver=self.deliver)
        self.desk = Desk(settings=settings, database=database, rasa=rasa, notices=notices, offered=self._offered,
                         flush=self.flush, updates=Updates())
        self.turns.desk = self.desk

    def add_channel(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def conversation_id(self, channel: str, external_id: str) -> str:
        """The pseudonym Rasa and the store see: HMAC of channel + external id, never the id itself."""
        return pseudonym(self._key, f"{channel}:{external_id}")

    async def deliver(self, channel: str, conversation_id: str, event: Dict[str, Any]) -> None:
        target = self._channels.get(channel)
        if target is None:
            logger.error("no channel %s to deliver to", channel)
            return
        await target.deliver(conversation_id, event)

    def offer(self, conversation_id: str, buttons) -> None:
        """Let a channel's own command (Telegram's /adviser) press a button the bot understands."""
        self._offered.offer(conversation_id, buttons)

    async def offered_payloads(self, conversation_id: str) -> List[str]:
        """The payloads this conversation was last offered (read from the store after a restart)."""
        if not self._offered.knows(conversation_id):
            self._offered.restore(conversation_id, await asyncio.to_thread(
                self._in_store, load_offered, conversation_id=conversation_id))
        return self._offered.payloads(conversation_id)

    async def flush(self, channel: str, conversation_id: str) -> None:
        target = self._channels.get(channel)
        if target is not None:
            await target.flush(conversation_id)

    async def receive(self, *, channel: str, external_id: str, text: Any, payload: Any = None) -> None:
        """Handle one message from a young person. Never raises: a failure still gets a kind reply."""
        conversation_id = self.conversation_id(channel, external_id)
        started = time.monotonic()
        try:
            await self._receive(channel, conversation_id, text, payload, started)
        except Exception:
            logger.exception("could not handle a message for conversation %s", conversation_id)
            await self._say(channel, conversation_id, self.notices.trouble(), done=True)
            log_turn(conversation_id=conversation_id, channel=channel, intent=None, started=started, outcome="error")

    async def _receive(self, channel: str, conversation_id: str, text: Any, payload: Any, started: float) -> None:
        if payload and not self._offered.knows(conversation_id):
            # A button pressed on a page shown before the gateway restarted.
            self._offered.restore(conversation_id, await asyncio.to_thread(
                self._in_store, load_offered, conversation_id=conversation_id))
        screened = screen(text, payload, conversation_id=conversation_id, offered=self._offered,
                          max_chars=self.settings.max_message_chars)
        if screened.command:
            await self._command(channel, conversation_id, screened.command, started)
            return
        if not screened.for_rasa.strip():
            await self._say(channel, conversation_id, self.notices.empty(), done=True)
            log_turn(conversation_id=conversation_id, channel=channel, intent=None, started=started, outcome="empty")
            return
        if not await self._limits.allow(conversation_id):
            await self._say(channel, conversation_id, self.notices.rate_limited(), done=True)
            log_turn(conversation_id=conversation_id, channel=channel, intent=None, started=started,
                     outcome="rate_limited")
            return
        if screened.truncated:
            # Still read (the first part may say someone is in danger), and say so.
            await self._say(channel, conversation_id, self.notices.too_long(self.settings.max_message_chars))
        arrival = await asyncio.to_thread(
            self._in_store, receive_message, conversation_id=conversation_id, channel=channel,
            shown=screened.shown, for_rasa=screened.for_rasa,
            session_ttl=dt.timedelta(hours=self.settings.session_hours))
        self.turns.submit(Job(conversation_id, channel, arrival.kept_id, screened.shown, screened.for_rasa,
                              start_session=arrival.session_expired, started=started))

    async def _command(self, channel: str, conversation_id: str, command: str, started: float) -> None:
        if command == FORGET_YES and self._offered.was_offered(conversation_id, FORGET_YES):
            await self.forget(conversation_id)
            # "forgotten" first: the page clears its screen, then shows that it's done.
            await self.deliver(channel, conversation_id, {"type": "forgotten"})
            await self._say(channel, conversation_id, self.notices.forgotten(), done=True)
            outcome = "forgotten"
        elif command == "/forget_no":
            await self._say(channel, conversation_id, self.notices.kept(), done=True)
            outcome = "kept"
        else:  # "/forget", or a confirmation nobody was asked for: ask first
            question = self.notices.forget_question()
            self._offered.offer(conversation_id, question["buttons"])
            await self._say(channel, conversation_id, question, done=True)
            outcome = "forget_asked"
        log_turn(conversation_id=conversation_id, channel=channel, intent=command.lstrip("/"), started=started,
                 outcome=outcome)

    async def forget(self, conversation_id: str) -> bool:
        self._offered.forget(conversation_id)
        return await asyncio.to_thread(self._in_store, forget_conversation, conversation_id=conversation_id)

    async def _say(self, channel: str, conversation_id: str, reply: Dict[str, Any], done: bool = False) -> None:
        await self.deliver(channel, conversation_id, {"type": "reply", **reply})
        if done:
            await self.deliver(channel, conversation_id, {"type": "done"})

    def _in_store(self, function, **kwargs):
        with self._database.session() as session:
            return function(session, **kwargs)

    def start(self) -> List[asyncio.Task]:
        return [asyncio.create_task(self.turns.retry_forever()), asyncio.create_task(self.desk.watch_unclaimed())]
