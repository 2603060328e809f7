"""When the bot did not understand: offer to rephrase or to contact the personal adviser."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase
from actions.base import SafeAction

ACTION_FALLBACK = "action_fallback"


class ActionFallback(SafeAction):
    def name(self) -> Text:
        return ACTION_FALLBACK

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_fallback")
        return []
