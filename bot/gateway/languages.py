"""A message in another language: say kindly that the bot reads English, and offer an interpreter.

The language is worked out in the gateway (bot/language.py) and remembered on the conversation,
so a request for a person carries it and the adviser can book an interpreter. The reply opens
with what knowledge/languages.yml has in that language, then says the same in English with the
emergency numbers from knowledge/crisis.yml. Words there are published translations, checked by
a translator, or drafts awaiting a translator's review: drafts appear only in ordinary replies
(and only while the operator allows them), never in a reply to danger.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence

from bot.knowledge.crisis_replies import crisis_text
from bot.knowledge.model import KnowledgeBase, LanguageTexts, Translation
from bot.knowledge.schema import PLACEHOLDER
from bot.language import LANGUAGE_NAMES, Detection, LanguageDetector, knowledge_english_words, language_name

ASK_INTERPRETER = "/ask_interpreter"
INTERPRETER_BUTTON = {"title": "Ask for an interpreter", "payload": ASK_INTERPRETER}
# In their language, in this order; a published "emergency" sentence stands in for the "danger" one.
OFFER_PARTS = ("reads_english", "question", "adviser_interpreter", "emergency", "danger", "samaritans",
               "interpreter_on_calls")
CRISIS_PARTS = ("emergency", "danger", "samaritans", "interpreter_on_calls")


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


def filled(knowledge: KnowledgeBase, text: str) -> str:
    """{samaritans} -> 116 123: every number comes from crisis.yml as it is now."""
    return PLACEHOLDER.sub(lambda m: knowledge.contact(m.group(1)).number, text)


def interpreter_contacts(knowledge: KnowledgeBase) -> List[str]:
    """Numbers on which a cited page says a caller can ask for an interpreter (crisis.yml)."""
    return [c.number for c in knowledge.crisis_contacts if c.interpreter is not None]


def _usable(knowledge: KnowledgeBase, part: str, words: Optional[Translation], drafts: bool) -> bool:
    if words is None or not (words.vouched_for or drafts):
        return False
    if part == "interpreter_on_calls":
        # Only where crisis.yml cites a page saying so for every number the sentence names.
        names = PLACEHOLDER.findall(words.text)
        return all(knowledge.contact(name).interpreter is not None for name in names)
    return True


def their_lines(knowledge: KnowledgeBase, texts: Optional[LanguageTexts], parts: Sequence[str], drafts: bool) -> List[str]:
    if texts is None:
        return []
    chosen = [part for part in parts if _usable(knowledge, part, getattr(texts, part), drafts)]
    if "emergency" in chosen and "danger" in chosen:
        chosen.remove("danger")  # the published sentence says it already
    lines = [filled(knowledge, getattr(texts, part).text) for part in chosen]
    if "interpreter_on_calls" in chosen:
        # "Say the name of your language in English": so give them that name.
        lines[chosen.index("interpreter_on_calls")] += f" ({language_name(texts.code).replace('(', '').replace(')', '')})"
    return lines


def interpreter_line(knowledge: KnowledgeBase) -> List[str]:
    numbers = interpreter_contacts(knowledge)
    if not numbers:
        return []
    return [f"When you call {' or '.join(numbers)}, you can ask for an interpreter: say the name of your language "
            "in English."]


def other_language_reply(detection: Detection, knowledge: KnowledgeBase, emergency_lines: List[str],
                         texts: Optional[LanguageTexts] = None, drafts: bool = True) -> Dict[str, Any]:
    name = detection.name if detection.code in LANGUAGE_NAMES else "another language"
    text = "\n".join([
        *their_lines(knowledge, texts, OFFER_PARTS, drafts),
        f"It looks like you wrote in {name}. I'm sorry: I can only read English.",
        "Your personal adviser (PA) can arrange an interpreter for you. Tap “Ask for an interpreter” and "
        "I'll send them a request that says which language you speak.",
        *emergency_lines,
        *interpreter_line(knowledge),
    ])
    button = INTERPRETER_BUTTON
    words = texts.button if texts is not None else None
    if words is not None and (words.vouched_for or drafts):
        button = {**INTERPRETER_BUTTON, "title": f"{words.text} / {INTERPRETER_BUTTON['title']}"}
    return {"text": text, "buttons": [button]}


def other_language_crisis_lines(knowledge: KnowledgeBase, texts: Optional[LanguageTexts]) -> List[str]:
    """Their language's words for danger: only published or translator-checked ones."""
    return their_lines(knowledge, texts, CRISIS_PARTS, drafts=False)


def other_language_crisis_text(knowledge: KnowledgeBase, texts: Optional[LanguageTexts], level: str,
                               district: Optional[str]) -> str:
    """Their words (if any are vouched for), the English crisis reply without the offer to tell
    someone (the desk tells the team at once), and that 999 and 111 callers can ask for an interpreter."""
    return "\n".join([*other_language_crisis_lines(knowledge, texts),
                      crisis_text(knowledge, level, district, offer=False), *interpreter_line(knowledge)])


def confirmation_lead(knowledge: KnowledgeBase, texts: Optional[LanguageTexts], crisis: bool, drafts: bool) -> List[str]:
    """Their language's words opening the confirmation of a request: "I have told your PA's team"."""
    part = "crisis_alerted" if crisis else "request_sent"
    return their_lines(knowledge, texts, [part], drafts and not crisis)


def interpreter_details(code: Optional[str]) -> str:
    return f"Asked for an interpreter: wrote in {language_name(code)}."


def crisis_details(code: Optional[str]) -> str:
    return (f"Wrote in {language_name(code)}, in words that may mean danger; told automatically, because "
            "they may not be able to read the English offer of help.")
