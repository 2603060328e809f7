"""A base for our actions: an exception never escapes as silence."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase
from bot.knowledge.answers import Reply
from bot.knowledge.crisis_replies import something_went_wrong_text
from actions.knowledge import knowledge_store

logger = logging.getLogger(__name__)


class SafeAction(Action, ABC):
    """Subclasses write `act`; if it fails, the young person still gets a kind reply with next steps."""

    @abstractmethod
    def name(self) -> Text:
        """The action's name, as the domain lists it."""

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        """Do the action's job; raise freely, run() turns failures into a kind reply."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            return await self.act(dispatcher, tracker, knowledge_store().current())
        except Exception:
            logger.error("action %s failed for conversation %s", self.name(), tracker.sender_id, exc_info=True)
            dispatcher.messages.clear()
            try:
                # Built from the knowledge files as they are now, so the number is the current one...
                dispatcher.utter_message(text=something_went_wrong_text(knowledge_store().current()))
            except Exception:
                # ...or the copy made at training time, if even the knowledge can't be read.
                dispatcher.utter_message(response="utter_something_went_wrong")
            return []


def send(dispatcher: CollectingDispatcher, reply: Reply) -> List[Dict[Text, Any]]:
    """Utter a Reply and return its slot changes."""
    dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **reply.variables)
    return [SlotSet(name, value) for name, value in reply.slots.items()]
