"""Talk to the private Rasa server over its REST channel (streamed) and its token-protected API."""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

import aiohttp

logger = logging.getLogger(__name__)

HANDOVER_KEY = "lifeportal"   # actions/personal_adviser.py: a wish the gateway acts on
OnReply = Callable[[Dict[str, Any]], Awaitable[None]]


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


def reply_body(message: Dict[str, Any]) -> Dict[str, Any]:
    """Keep only what a channel shows (text and quick-reply buttons), and a hand-over to the gateway."""
    buttons: List[Dict[str, str]] = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or message.get("quick_replies") or [] if b.get("payload")
    ]
    body: Dict[str, Any] = {"text": str(message.get("text") or ""), "buttons": buttons}
    custom = message.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get(HANDOVER_KEY), str):
        body["handover"] = custom[HANDOVER_KEY]
    return body


class RasaClient:
    def __init__(self, *, rasa_url: str, actions_health_url: str, token: str,
                 session: aiohttp.ClientSession) -> None:
        self._rasa_url = rasa_url
        self._actions_health_url = actions_health_url
        self._token = token
        self._session = session

    async def turn(self, sender: str, message: str, channel: str, on_reply: OnReply) -> int:
        """Send one message; each bot message is passed to `on_reply` as soon as Rasa makes it.

        Streaming matters: a crisis reply (a domain response) reaches the young person even
        while a custom action after it hangs. Returns how many bot messages there were.
        """
        url = f"{self._rasa_url}/webhooks/rest/webhook?stream=true"
        body = {"sender": sender, "message": message, "input_channel": channel}
        count = 0
        try:
            async with self._session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=None)) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                async for line in response.content:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        message_json = json.loads(line)
                    except json.JSONDecodeError:
                        logger.warning("Rasa sent a line that is not JSON")
                        continue
                    count += 1
                    await on_reply(reply_body(message_json))
        except (aiohttp.ClientError, ConnectionError, OSError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        return count

    async def crisis_level(self, text: str) -> Optional[str]:
        """Ask the NLU pipeline alone (no dialogue, no lock, no action server) whether a message is a crisis.

        Returns "emergency", "urgent" or None. Raises RasaUnavailable if Rasa can't be asked.
        """
        url = f"{self._rasa_url}/model/parse"
        try:
            async with self._session.post(url, params={"token": self._token}, json={"text": text},
                                          timeout=aiohttp.ClientTimeout(total=5)) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                parsed = await response.json()
        except (aiohttp.ClientError, ConnectionError, OSError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        intent = ((parsed.get("intent") or {}).get("name")) or ""
        return intent.removeprefix("crisis_") if intent.startswith("crisis_") else None

    async def healthy(self) -> bool:
        """Both Rasa and the action server answer."""
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with self._session.get(f"{self._rasa_url}/", timeout=timeout) as rasa:
                if rasa.status != 200:
                    return False
            async with self._session.get(self._actions_health_url, timeout=timeout) as actions:
                return actions.status == 200
        except (aiohttp.ClientError, ConnectionError, OSError, TimeoutError):
            return False
