"""'Did this help?' taps, and keeping what the bot couldn't answer (redacted) for editors.

Every gap is written by the action server, which sees the message Rasa understood; nothing that
names the conversation is kept (see bot/gaps.py).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import gaps
from bot.knowledge import KnowledgeBase
from bot.redaction import Redactor
from bot.settings import load_settings
from actions.base import SafeAction
from actions.store import database

logger = logging.getLogger(__name__)

ACTION_RECORD_FEEDBACK = "action_record_feedback"
HELPED, NOT_HELPED = "answer_helped", "answer_not_helped"
UNSURE_BELOW = 0.6  # an answer given with less intent confidence than this is kept as "unsure"

_redactors: Dict[int, Redactor] = {}


def _redactor(knowledge: KnowledgeBase) -> Redactor:
    # One per version of the knowledge files (an edit makes a new KnowledgeBase).
    if id(knowledge) not in _redactors:
        _redactors.clear()
        _redactors[id(knowledge)] = Redactor(gaps.knowledge_words(knowledge))
    return _redactors[id(knowledge)]


def keep_gap(knowledge: KnowledgeBase, *, kind: str, text: str, topic: Optional[str]) -> None:
    """Record one gap; a database problem is logged, never shown to the young person."""
    try:
        with database().session() as session:
            gaps.record(session, _redactor(knowledge), kind=kind, text=text, topic=topic,
                        retention_days=load_settings().gaps_retention_days)
    except Exception:
        logger.exception("could not keep a %s gap", kind)


def question_answered(tracker: Tracker) -> Optional[str]:
    """The young person's last typed message before this one (what the answer was for)."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        text = event.get("text") or ""
        if text and not text.startswith("/"):
            return text
    return None


class ActionRecordFeedback(SafeAction):
    def name(self) -> Text:
        return ACTION_RECORD_FEEDBACK

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: KnowledgeBase) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == NOT_HELPED:
            topic = tracker.get_slot("last_topic")
            keep_gap(knowledge, kind="not_helped", text=question_answered(tracker) or "", topic=topic)
            dispatcher.utter_message(response="utter_feedback_not_helped")
        else:
            dispatcher.utter_message(response="utter_feedback_helped")
        return []
