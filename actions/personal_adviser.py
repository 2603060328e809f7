"""When the young person asks for their personal adviser (PA), or asks about a request they sent.

Rasa only recognises the wish; the gateway acts on it (the form, the store, the notifications,
who speaks next), so these actions hand the turn over with a custom message the gateway reads.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase
from actions.base import SafeAction

ACTION_CONTACT_PA = "action_contact_pa"
ACTION_REQUEST_STATUS = "action_request_status"
# The custom message the gateway acts on: {"lifeportal": "escalate"} or {"lifeportal": "status"}.
HANDOVER_KEY = "lifeportal"


class ActionContactPA(SafeAction):
    def name(self) -> Text:
        return ACTION_CONTACT_PA

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(json_message={HANDOVER_KEY: "escalate"})
        return []


class ActionRequestStatus(SafeAction):
    def name(self) -> Text:
        return ACTION_REQUEST_STATUS

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(json_message={HANDOVER_KEY: "status"})
        return []
