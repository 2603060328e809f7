"""Rasa's FallbackClassifier, told apart for stories, and with the likely topics of an uncertain message.

A young person often opens with a story, not a question ("My rent went up again and I've got
£20 left till payday"). A story is held to a higher confidence before the bot answers one topic;
below it, and for any message below the plain threshold, the message gets `suggested`: the two
most likely topics, so the fallback action can offer them as buttons instead of "I'm not sure
I understood". Runs after the crisis detector and never touches a crisis intent.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.model import TOPIC_IDS
from bot.understanding import is_story, suggested_topics

SUGGESTED = "suggested"
STORY = "story"
NLU_FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class StoryAwareFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            # A story's top topic needs this confidence to be answered directly.
            "story_threshold": 0.5,
            # The likeliest topic needs this much for the topics to be offered at all.
            "suggestion_floor": 0.1,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__({**self.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = str(intent.get("name") or "")
            story = is_story(message.get(TEXT) or "")
            message.set(STORY, story, add_to_output=True)
            message.set(SUGGESTED, [], add_to_output=True)
            if name.startswith("crisis_"):
                continue
            ranking = [e for e in message.get("intent_ranking") or [] if e.get("name") != NLU_FALLBACK]
            uncertain_story = (story and name in TOPIC_IDS
                               and float(intent.get("confidence") or 0.0) < self.component_config["story_threshold"])
            if name == NLU_FALLBACK or not name or uncertain_story or self._should_fallback(message):
                fallback = {"name": NLU_FALLBACK, "confidence": self.component_config["threshold"]}
                message.set(INTENT, fallback, add_to_output=True)
                message.set("intent_ranking", [fallback] + ranking, add_to_output=True)
                message.set(SUGGESTED, suggested_topics(ranking, TOPIC_IDS,
                                                        floor=self.component_config["suggestion_floor"]),
                            add_to_output=True)
        return messages
