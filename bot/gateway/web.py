"""The web chat's live connection: a plain WebSocket served by the gateway itself."""
from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from typing import Any, Dict, Optional, Set

from aiohttp import WSMsgType, web

from bot.gateway.service import ConversationService
from bot.settings import Settings
from bot.store import Database
from bot.store.conversations import keep_reply, take_replies

logger = logging.getLogger(__name__)

# An opaque random token a page keeps so a reload continues its conversation. Nothing personal.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_FRAME = 256 * 1024
UNREADABLE = {"type": "reply", "text": "Sorry, I couldn't read that. Please type your message again.", "buttons": []}


def new_token() -> str:
    return secrets.token_urlsafe(32)


class WebChannel:
    name = "web"

    def __init__(self, *, settings: Settings, service: ConversationService, database: Database) -> None:
        self._settings = settings
        self._service = service
        self._database = database
        self._sockets: Dict[str, Set[web.WebSocketResponse]] = {}
        self._flushing: Dict[str, asyncio.Lock] = {}

    async def deliver(self, conversation_id: str, event: Dict[str, Any]) -> None:
        sent = False
        for socket in list(self._sockets.get(conversation_id, ())):
            try:
                await socket.send_json(event)
                sent = True
            except (ConnectionError, RuntimeError):
                self._unregister(conversation_id, socket)
        if not sent and event.get("type") == "reply":
            # The page is away (closed, reloading, offline): keep the reply for its return.
            body = {key: value for key, value in event.items() if key != "type"}
            await asyncio.to_thread(self._in_store, keep_reply, conversation_id=conversation_id, body=body)

    async def flush(self, conversation_id: str) -> None:
        """Send replies the store keeps for this conversation (taken only if a page is there to get them)."""
        if not self._sockets.get(conversation_id):
            return
        lock = self._flushing.setdefault(conversation_id, asyncio.Lock())
        try:
            async with lock:
                for body in await asyncio.to_thread(self._in_store, take_replies, conversation_id=conversation_id):
                    await self.deliver(conversation_id, {"type": "reply", **body})
        finally:
            if not lock.locked():
                self._flushing.pop(conversation_id, None)

    def _in_store(self, function, **kwargs):
        with self._database.session() as session:
            return function(session, **kwargs)

    def _register(self, conversation_id: str, socket: web.WebSocketResponse) -> None:
        self._sockets.setdefault(conversation_id, set()).add(socket)

    def _unregister(self, conversation_id: Optional[str], socket: web.WebSocketResponse) -> None:
        sockets = self._sockets.get(conversation_id or "")
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                self._sockets.pop(conversation_id, None)

    @staticmethod
    async def _unreadable(socket: web.WebSocketResponse) -> None:
        await socket.send_json(UNREADABLE)
        await socket.send_json({"type": "done"})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self._settings.allowed_origins:
            # A page from another site must not open a conversation in this visitor's name.
            raise web.HTTPForbidden(text="This origin may not connect.")
        socket = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME)
        await socket.prepare(request)
        token: Optional[str] = None
        conversation_id: Optional[str] = None
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    data = _parse(frame.data)
                elif frame.type == WSMsgType.BINARY:
                    # Raw bytes: read them as (possibly broken) text rather than drop them.
                    data = {"type": "message", "text": frame.data}
                else:
                    break
                if data is None:
                    await self._unreadable(socket)
                    continue
                if data.get("type") == "hello" or token is None:
                    self._unregister(conversation_id, socket)
                    wanted = data.get("token") if data.get("type") == "hello" else None
                    token = wanted if isinstance(wanted, str) and TOKEN.match(wanted) else new_token()
                    conversation_id = self._service.conversation_id(self.name, token)
                    self._register(conversation_id, socket)
                    await socket.send_json({"type": "welcome", "token": token})
                    await self.flush(conversation_id)
                    if data.get("type") == "hello":
                        continue
                if data.get("type") == "message":
                    await self._service.receive(channel=self.name, external_id=token, text=data.get("text"),
                                                payload=data.get("payload"))
                else:
                    await self._unreadable(socket)
        finally:
            self._unregister(conversation_id, socket)
        return socket


def _parse(raw: str) -> Optional[Dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
