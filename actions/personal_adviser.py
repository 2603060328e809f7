"""When the young person asks for their personal adviser (PA)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase
from bot.knowledge.answers import contact_pa_reply
from actions.base import SafeAction, send

ACTION_CONTACT_PA = "action_contact_pa"


class ActionContactPA(SafeAction):
    def name(self) -> Text:
        return ACTION_CONTACT_PA

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        return send(dispatcher, contact_pa_reply(knowledge))
