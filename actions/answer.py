"""Answer a topic question from the knowledge files, asking for the district when the answer depends on it."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import TOPIC_IDS, KnowledgeBase
from bot.knowledge.answers import more_reply, topic_reply
from actions.base import SafeAction, send
from actions.feedback import UNSURE_BELOW, keep_gap

ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_TELL_ME_MORE = "action_tell_me_more"


class ActionAnswerTopic(SafeAction):
    def name(self) -> Text:
        return ACTION_ANSWER_TOPIC

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        intent = tracker.latest_message.get("intent") or {}
        # A topic question names its topic; a bare district answers the question left open.
        topic_id = intent.get("name") if intent.get("name") in TOPIC_IDS else tracker.get_slot("pending_topic")
        text = tracker.latest_message.get("text") or ""
        if intent.get("name") in TOPIC_IDS and not text.startswith("/") and float(intent.get("confidence") or 0) < UNSURE_BELOW:
            keep_gap(knowledge, kind="unsure", text=text, topic=topic_id)
        return send(dispatcher, topic_reply(knowledge, topic_id, tracker.get_slot("district")))


class ActionTellMeMore(SafeAction):
    def name(self) -> Text:
        return ACTION_TELL_ME_MORE

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        return send(dispatcher, more_reply(knowledge, tracker.get_slot("last_topic"), tracker.get_slot("district")))
