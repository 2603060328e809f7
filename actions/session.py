"""A new session (the gateway starts one after a few quiet hours): keep the district, drop the open question."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import DISTRICT_IDS

# Slots that still hold in a new session. A pending question or "tell me more" topic from
# yesterday must not be answered today.
CARRIED_OVER = ("district",)


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        for slot in CARRIED_OVER:
            value = tracker.get_slot(slot)
            if value is not None and (slot != "district" or value in DISTRICT_IDS):
                events.append(SlotSet(slot, value))
        events.append(ActionExecuted("action_listen"))
        return events
