"""A message in another language: say kindly that the bot reads English, and offer an interpreter.

The language is worked out in the gateway (bot/language.py) and remembered on the conversation,
so a request for a person carries it and the adviser can book an interpreter. The reply opens
with whatever knowledge/languages.yml has in that language (only words copied from a published
translation), then says the same in English with the emergency numbers from knowledge/crisis.yml.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Optional

from bot.knowledge.model import LanguageTexts
from bot.language import LANGUAGE_NAMES, Detection, LanguageDetector, knowledge_english_words, language_name

ASK_INTERPRETER = "/ask_interpreter"
INTERPRETER_BUTTON = {"title": "Ask for an interpreter", "payload": ASK_INTERPRETER}


class Languages:
    """One detector for the gateway, made on first use with the knowledge files' words, and the
    language last stored for each recent conversation (so an English message costs no write)."""

    def __init__(self, knowledge, capacity: int = 20000) -> None:
        self._knowledge = knowledge   # a callable returning the current KnowledgeBase
        self._detector: Optional[LanguageDetector] = None
        self._stored: "OrderedDict[str, str]" = OrderedDict()
        self._capacity = capacity

    def needs_storing(self, conversation_id: str, code: str) -> bool:
        return self._stored.get(conversation_id) != code

    def stored(self, conversation_id: str, code: str) -> None:
        self._stored[conversation_id] = code
        self._stored.move_to_end(conversation_id)
        while len(self._stored) > self._capacity:
            self._stored.popitem(last=False)

    def detect(self, text: str) -> Detection:
        if self._detector is None:
            self._detector = LanguageDetector(knowledge_english_words(self._knowledge()))
        return self._detector.detect(text)


def other_language_reply(detection: Detection, emergency_lines: List[str],
                         texts: Optional[LanguageTexts] = None) -> Dict[str, Any]:
    name = detection.name if detection.code in LANGUAGE_NAMES else "another language"
    theirs = [t.text for t in (texts.question, texts.emergency) if t is not None] if texts else []
    text = "\n".join([
        *theirs,
        f"It looks like you wrote in {name}. I'm sorry: I can only read English.",
        "Your personal adviser (PA) can arrange an interpreter for you. Tap “Ask for an interpreter” and "
        "I'll send them a request that says which language you speak.",
        *emergency_lines,
    ])
    button = INTERPRETER_BUTTON
    if texts is not None and texts.button is not None:
        button = {**INTERPRETER_BUTTON, "title": f"{texts.button.text} / {INTERPRETER_BUTTON['title']}"}
    return {"text": text, "buttons": [button]}


def interpreter_details(code: Optional[str]) -> str:
    return f"Asked for an interpreter: wrote in {language_name(code)}."
