"""A local stand-in for Telegram's Bot API (what python-telegram-bot talks to), run by the tests.

It queues updates for getUpdates, records every call, and can be told to fail a method with a
429 (retry_after) or a 5xx, as the real API does under load.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from typing import Any, Dict, List, Optional

from aiohttp import web

BOT = {"id": 4242, "is_bot": True, "first_name": "Life Portal", "username": "lifeportal_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


class TelegramStandIn:
    def __init__(self, port: int) -> None:
        self.port = port
        self.calls: List[Dict[str, Any]] = []
        self.refused: List[Dict[str, Any]] = []
        self.webhook = None   # set to a callable(update) to play Telegram calling a webhook instead
        self.failures: Dict[str, List[Dict[str, Any]]] = {}
        self._updates: List[Dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._new_update: Optional[asyncio.Event] = None
        self._thread: Optional[threading.Thread] = None
        self._runner: Optional[web.AppRunner] = None

    # -- what tests use ---------------------------------------------------------------------------

    def push(self, update: Dict[str, Any]) -> Dict[str, Any]:
        """Queue an update for getUpdates (polling), or hand it to `self.webhook` (webhook mode)."""
        with self._lock:
            update = {"update_id": next(self._ids), **update}
            if self.webhook is None:
                self._updates.append(update)
        if self.webhook is not None:
            self.webhook(update)
        else:
            self._loop.call_soon_threadsafe(self._new_update.set)
        return update

    def message(self, chat_id: int, text: Optional[str] = None, *, chat_type: str = "private", **extra) -> Dict:
        body = {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": chat_type, **({"title": "A group"} if chat_type != "private" else {})},
                "from": {"id": chat_id if chat_type == "private" else 99, "is_bot": False, "first_name": "Test"}}
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        body.update(extra)
        return self.push({"message": body})

    def press(self, chat_id: int, sent: Dict[str, Any], title: str) -> Dict:
        """Press the button with this title on a message the bot sent."""
        buttons = [b for row in json.loads(sent["reply_markup"])["inline_keyboard"] for b in row]
        button = next(b for b in buttons if b["text"] == title)
        message = {"message_id": sent["message_id"], "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                   "from": BOT, "text": sent["text"], "reply_markup": json.loads(sent["reply_markup"])}
        return self.push({"callback_query": {"id": str(next(self._ids)), "chat_instance": "1", "data": button["callback_data"],
                                             "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
                                             "message": message}})

    def fail_every(self, method: str, every: int, status: int, **body) -> None:
        """From now on, refuse every `every`-th call of `method` (for the benchmark); 0 stops it."""
        self._every = (method, every, status, body)

    def fail(self, method: str, status: int, **body) -> None:
        self.failures.setdefault(method, []).append({"status": status, **body})

    def sent(self, chat_id: int, method: str = "sendMessage") -> List[Dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["method"] == method and str(c.get("chat_id")) == str(chat_id)]

    def wait_for(self, chat_id: int, count: int, method: str = "sendMessage", timeout: float = 60) -> List[Dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(chat_id, method)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{method} to {chat_id}: {len(self.sent(chat_id, method))} calls, wanted {count}")

    # -- the server ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = {}
            for key, value in (await request.post()).items():
                try:
                    data[key] = json.loads(value) if key not in ("text", "callback_query_id", "secret_token") else value
                except (TypeError, ValueError):
                    data[key] = value
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._updates_after(data)})
        call = {"method": method, **{k: (json.dumps(v) if k == "reply_markup" and not isinstance(v, str) else v)
                                     for k, v in data.items()}}
        with self._lock:
            failure = self.failures[method].pop(0) if self.failures.get(method) else None
            every = getattr(self, "_every", None)
            if failure is None and every and every[0] == method and every[1]:
                self._counter = getattr(self, "_counter", 0) + 1
                if self._counter % every[1] == 0:
                    failure = {"status": every[2], **every[3]}
            # A refused call was not delivered: it is recorded apart from what reached the chat.
            (self.refused if failure else self.calls).append(call)
        if failure:
            status = failure.pop("status")
            return web.json_response({"ok": False, "error_code": status, **failure}, status=status)
        return web.json_response({"ok": True, "result": self._result(method, data)})

    def _result(self, method: str, data: Dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "editMessageReplyMarkup"):
            with self._lock:
                self.calls[-1]["message_id"] = next(self._message_ids) if method == "sendMessage" else data.get("message_id")
                message_id = self.calls[-1]["message_id"]
            return {"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": int(data["chat_id"]), "type": "private"}, "from": BOT, "text": data.get("text", "")}
        return True

    async def _updates_after(self, data: Dict[str, Any]) -> List[Dict[str, Any]]:
        offset = int(data.get("offset") or 0)
        deadline = time.monotonic() + min(float(data.get("timeout") or 0), 5.0)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(0.05, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    def start(self) -> "TelegramStandIn":
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._new_update = asyncio.Event()
            app = web.Application()
            app.router.add_post("/bot{token}/{method}", self._handle)
            self._runner = web.AppRunner(app)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            await self._runner.cleanup()
            # A long poll may still be waiting: end it, so nothing is left pending when the loop stops.
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
