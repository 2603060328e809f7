"""A message in another language: say kindly that the bot reads English, and offer an interpreter.

The language is worked out in the gateway (bot/language.py) and remembered on the conversation,
so a request for a person carries it and the adviser can book an interpreter. The reply is in
English for now, with the emergency numbers from knowledge/crisis.yml; replies in the young
person's language wait for sourced translations (issue 12).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.language import LANGUAGE_NAMES, Detection, LanguageDetector, knowledge_english_words, language_name

ASK_INTERPRETER = "/ask_interpreter"
INTERPRETER_BUTTON = {"title": "Ask for an interpreter", "payload": ASK_INTERPRETER}


class Languages:
    """One detector for the gateway, made on first use with the knowledge files' words."""

    def __init__(self, knowledge) -> None:
        self._knowledge = knowledge   # a callable returning the current KnowledgeBase
        self._detector: Optional[LanguageDetector] = None

    def detect(self, text: str) -> Detection:
        if self._detector is None:
            self._detector = LanguageDetector(knowledge_english_words(self._knowledge()))
        return self._detector.detect(text)


def other_language_reply(detection: Detection, emergency_lines: List[str]) -> Dict[str, Any]:
    name = detection.name if detection.code in LANGUAGE_NAMES else "another language"
    text = "\n".join([
        f"It looks like you wrote in {name}. I'm sorry: I can only read English.",
        "Your personal adviser (PA) can arrange an interpreter for you. Tap “Ask for an interpreter” and "
        "I'll send them a request that says which language you speak.",
        *emergency_lines,
    ])
    return {"text": text, "buttons": [INTERPRETER_BUTTON]}


def interpreter_details(code: Optional[str]) -> str:
    return f"Asked for an interpreter: wrote in {language_name(code)}."
