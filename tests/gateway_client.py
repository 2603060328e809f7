"""A web chat visitor over the gateway's live connection, as the page talks to it."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Optional

import aiohttp

from bot.settings import Settings


class Visitor:
    """`async with Visitor(settings) as me: replies = await me.say("hi")`."""

    def __init__(self, settings: Settings, token: Optional[str] = None) -> None:
        self.settings = settings
        self.token = token
        self._session: Optional[aiohttp.ClientSession] = None
        self.socket: Optional[aiohttp.ClientWebSocketResponse] = None
        self.kept: List[Dict[str, Any]] = []   # replies waiting for us when we connected

    @property
    def origin(self) -> str:
        return self.settings.web_url.rstrip("/")

    async def __aenter__(self) -> "Visitor":
        self._session = aiohttp.ClientSession()
        self.socket = await self._session.ws_connect(f"{self.origin}/ws", headers={"Origin": self.origin})
        await self.socket.send_json({"type": "hello", "token": self.token})
        welcome = await self.next_event()
        assert welcome["type"] == "welcome", welcome
        self.token = welcome["token"]
        # Replies kept while we were away arrive straight after the welcome.
        while True:
            try:
                event = await self.next_event(timeout=0.5)
            except asyncio.TimeoutError:
                break
            self.kept.append(event)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()
        await self._session.close()

    async def next_event(self, timeout: float = 60) -> Dict[str, Any]:
        message = await self.socket.receive(timeout=timeout)
        if message.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"the gateway closed the connection: {message.type} {message.data}")
        return json.loads(message.data)

    async def send(self, text: Any, payload: Optional[str] = None) -> None:
        body = {"type": "message", "text": text}
        if payload is not None:
            body["payload"] = payload
        await self.socket.send_json(body)

    async def turn(self, text: Any, payload: Optional[str] = None, timeout: float = 60) -> List[Dict[str, Any]]:
        """Send a message; every event until the turn's "done"."""
        await self.send(text, payload)
        return await self.events_until_done(timeout)

    async def events_until_done(self, timeout: float = 60) -> List[Dict[str, Any]]:
        events = []
        while True:
            event = await self.next_event(timeout)
            events.append(event)
            if event["type"] == "done":
                return events

    async def say(self, text: Any, payload: Optional[str] = None, timeout: float = 60) -> List[Dict[str, Any]]:
        """Only the replies of one turn."""
        return [e for e in await self.turn(text, payload, timeout) if e["type"] == "reply"]

    async def text(self, text: Any, payload: Optional[str] = None) -> str:
        return "\n".join(r["text"] for r in await self.say(text, payload))


def visit(coroutine):
    """Run one async test body to the end."""
    return asyncio.run(coroutine)


def conversation_id(settings: Settings, token: str) -> str:
    """The pseudonym the gateway gives a web chat visitor."""
    from bot.store.safeguarding import load_or_create_key, pseudonym

    return pseudonym(load_or_create_key(settings.secret_key_file), f"web:{token}")


def latest_escalation(settings: Settings, token: str):
    """The newest request for a person from this web chat visitor."""
    from sqlalchemy import select

    from bot.store import Database
    from bot.store.models import Escalation

    with Database(settings.database_url).session() as session:
        return session.execute(select(Escalation).where(Escalation.conversation_id == conversation_id(settings, token))
                               .order_by(Escalation.id.desc())).scalars().first()
