"""When the bot is unsure: offer the likeliest topics, or to rephrase, or to contact the personal adviser;
and keep, for editors, what it answered as out of scope without being sure."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase
from bot.knowledge.answers import suggestion_reply
from actions.base import SafeAction, send
from actions.feedback import UNSURE_BELOW, keep_gap

ACTION_FALLBACK = "action_fallback"
ACTION_NOTE_OUT_OF_SCOPE = "action_note_out_of_scope"
OUT_OF_SCOPE = "out_of_scope"


class ActionFallback(SafeAction):
    def name(self) -> Text:
        return ACTION_FALLBACK

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        # `suggested` and `story` come from the NLU pipeline (nlu/components/story_fallback.py).
        suggested = [t for t in message.get("suggested") or [] if isinstance(t, str)]
        keep_gap(knowledge, kind="fallback", text=message.get("text") or "", topic=None)
        return send(dispatcher, suggestion_reply(knowledge, suggested, bool(message.get("story"))))


class ActionNoteOutOfScope(SafeAction):
    """Runs after the out-of-scope reply (a domain response, so it is sent even when this server is
    down). Out of scope is where unknown words drift, so a weak one may be a question the knowledge
    files should answer: it is kept as an "unsure" gap, like a weak topic answer."""

    def name(self) -> Text:
        return ACTION_NOTE_OUT_OF_SCOPE

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        text = message.get("text") or ""
        if intent.get("name") == OUT_OF_SCOPE and not text.startswith("/") and float(intent.get("confidence") or 0) < UNSURE_BELOW:
            keep_gap(knowledge, kind="unsure", text=text, topic=OUT_OF_SCOPE)
        return []
