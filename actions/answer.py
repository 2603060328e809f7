"""Answer a topic question from the knowledge files, asking for the district when the answer depends on it."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import TOPIC_IDS, KnowledgeBase
from bot.knowledge.answers import more_reply, topic_reply
from actions.base import SafeAction, send

ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_TELL_ME_MORE = "action_tell_me_more"


class ActionAnswerTopic(SafeAction):
    def name(self) -> Text:
        return ACTION_ANSWER_TOPIC

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # A topic question names its topic; a bare district answers the question left open.
        topic_id = intent if intent in TOPIC_IDS else tracker.get_slot("pending_topic")
        return send(dispatcher, topic_reply(knowledge, topic_id, tracker.get_slot("district")))


class ActionTellMeMore(SafeAction):
    def name(self) -> Text:
        return ACTION_TELL_ME_MORE

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        return send(dispatcher, more_reply(knowledge, tracker.get_slot("last_topic"), tracker.get_slot("district")))
