"""What every channel's input passes before it reaches Rasa: clean text, honest buttons, fair limits."""
from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Optional

from aiolimiter import AsyncLimiter

logger = logging.getLogger(__name__)

# Control characters (but not tab and newline) say nothing and can upset logs and parsers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
GATEWAY_COMMANDS = ("/forget", "/forget_yes", "/forget_no")


def clean_text(raw: object) -> str:
    """Any input as safe text: bytes decoded leniently, lone surrogates and control characters gone."""
    if isinstance(raw, (bytes, bytearray)):
        text = bytes(raw).decode("utf-8", errors="replace")
    else:
        text = "" if raw is None else str(raw)
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return _CONTROL.sub(" ", text).strip()


@dataclass(frozen=True)
class Screened:
    shown: str            # what the young person sent, as they saw it
    for_rasa: str         # what Rasa gets
    command: Optional[str] = None   # a gateway command (forget), handled without Rasa
    truncated: bool = False


class OfferedButtons:
    """The buttons each conversation was last offered: only those payloads reach Rasa as intents.

    Anything else that looks like a payload (`/restart`, `/inform_district{"district":"narnia"}`)
    is read as plain words, so a forged payload can't drive the dialogue. Bounded in memory.
    """

    def __init__(self, capacity: int = 20000, save: Optional[Callable[[str, Dict[str, str]], None]] = None) -> None:
        self._offered: "OrderedDict[str, Dict[str, str]]" = OrderedDict()
        self._capacity = capacity
        # Also kept in the store (in a worker thread), so a button shown before a restart still works after it.
        self._save = save

    def offer(self, conversation_id: str, buttons: Iterable[Dict[str, str]]) -> None:
        payloads = {b["payload"]: b.get("title", "") for b in buttons if b.get("payload")}
        if not payloads:
            return
        self._remember(conversation_id, payloads)
        if self._save is not None:
            asyncio.get_running_loop().run_in_executor(None, self._save_latest, conversation_id)

    def _remember(self, conversation_id: str, payloads: Dict[str, str]) -> None:
        self._offered[conversation_id] = payloads
        self._offered.move_to_end(conversation_id)
        while len(self._offered) > self._capacity:
            self._offered.popitem(last=False)

    def _save_latest(self, conversation_id: str) -> None:
        try:
            self._save(conversation_id, dict(self._offered.get(conversation_id, {})))  # the latest, if offers raced
        except Exception:
            logger.exception("could not keep the offered buttons of conversation %s", conversation_id)

    def payloads(self, conversation_id: str) -> list:
        return list(self._offered.get(conversation_id, {}))

    def knows(self, conversation_id: str) -> bool:
        return conversation_id in self._offered

    def restore(self, conversation_id: str, payloads: Dict[str, str]) -> None:
        """Buttons read back from the store after a restart (memory wins if it has newer ones)."""
        if payloads and conversation_id not in self._offered:
            self._remember(conversation_id, payloads)

    def was_offered(self, conversation_id: str, payload: str) -> bool:
        return payload in self._offered.get(conversation_id, {})

    def forget(self, conversation_id: str) -> None:
        self._offered.pop(conversation_id, None)


def screen(text: object, payload: object, *, conversation_id: str, offered: OfferedButtons,
           max_chars: int) -> Screened:
    shown = clean_text(text)
    button = clean_text(payload) if payload else ""
    if button in GATEWAY_COMMANDS or shown.lower() in ("/forget", "forget me"):
        return Screened(shown or button, "", command=button if button in GATEWAY_COMMANDS else "/forget")
    if button and offered.was_offered(conversation_id, button):
        return Screened(shown or button, button)
    # Not a button we offered: the words the young person saw are what counts.
    words = shown or button
    if words.startswith("/"):
        words = words.lstrip("/").replace("_", " ")
    truncated = len(words) > max_chars
    return Screened(shown[:max_chars] if shown else words[:max_chars], words[:max_chars], truncated=truncated)


class RateLimits:
    """A leaky bucket per conversation (aiolimiter), e.g. 20 messages a minute."""

    def __init__(self, per_minute: int, capacity: int = 20000) -> None:
        self._per_minute = per_minute
        self._limiters: "OrderedDict[str, AsyncLimiter]" = OrderedDict()
        self._capacity = capacity

    async def allow(self, conversation_id: str) -> bool:
        limiter = self._limiters.get(conversation_id)
        if limiter is None:
            limiter = self._limiters[conversation_id] = AsyncLimiter(self._per_minute, 60)
            while len(self._limiters) > self._capacity:
                self._limiters.popitem(last=False)
        self._limiters.move_to_end(conversation_id)
        if not limiter.has_capacity():
            return False
        await limiter.acquire()  # there is capacity, so this does not wait
        return True
