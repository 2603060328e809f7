"""After the crisis reply (a domain response, so it goes out even if this server is down):
note the event in the safeguarding log.

The sender id is already the gateway's pseudonym (Rasa is private behind the gateway), so it is
recorded as it is: the same id as the conversation in our store and in `lifeportal forget`.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import load_settings
from bot.store.safeguarding import record_event
from actions.store import database

logger = logging.getLogger(__name__)

ACTION_CRISIS_FOLLOWUP = "action_crisis_followup"


def describe_match(crisis: Dict[str, Any]) -> str:
    """Which layers fired, e.g. 'rules=emergency:suicide; similarity=0.81; classifier=emergency:0.93'."""
    parts = []
    if crisis.get("rules"):
        parts.append("rules=" + ",".join(crisis["rules"]))
    level = crisis.get("level")
    similarity = (crisis.get("similarity") or {}).get(level)
    if similarity is not None:
        parts.append(f"similarity={similarity}")
    if crisis.get("classifier"):
        parts.append(f"classifier={crisis['classifier']}")
    return "; ".join(parts) or "intent"


class ActionCrisisFollowup(Action):
    def name(self) -> Text:
        return ACTION_CRISIS_FOLLOWUP

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        crisis = message.get("crisis") or {}
        intent = (message.get("intent") or {}).get("name") or ""
        level: Optional[str] = crisis.get("level") or intent.removeprefix("crisis_") or "unknown"
        settings = load_settings()
        try:
            await asyncio.to_thread(
                self._record, level=level, channel=tracker.get_latest_input_channel() or "unknown",
                conversation=tracker.sender_id[:32], matched=describe_match(crisis),
                text=message.get("text") if settings.log_message_text else None,
            )
        except Exception:
            # The young person already has the crisis reply; a logging failure must not add to it.
            logger.error("could not write the safeguarding log", exc_info=True)
        logger.info("crisis reply sent: level=%s", level)
        return []

    @staticmethod
    def _record(*, level: str, channel: str, conversation: str, matched: str, text: Optional[str]) -> None:
        with database().session() as session:
            record_event(session, level=level, channel=channel, conversation=conversation, matched=matched,
                         message_text=text)
