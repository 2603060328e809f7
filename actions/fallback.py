"""When the bot is unsure: offer the likeliest topics, or to rephrase, or to contact the personal adviser."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase
from bot.knowledge.answers import suggestion_reply
from actions.base import SafeAction, send
from actions.feedback import keep_gap

ACTION_FALLBACK = "action_fallback"


class ActionFallback(SafeAction):
    def name(self) -> Text:
        return ACTION_FALLBACK

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        # `suggested` and `story` come from the NLU pipeline (nlu/components/story_fallback.py).
        suggested = [t for t in message.get("suggested") or [] if isinstance(t, str)]
        keep_gap(knowledge, kind="fallback", text=message.get("text") or "", topic=None)
        return send(dispatcher, suggestion_reply(knowledge, suggested, bool(message.get("story"))))
