"""Take personal details out of a message before it is kept for editors.

Phone numbers are found by `phonenumbers` (Google's libphonenumber), e-mail addresses and UK
postcodes by pattern. Names have no model to find them offline, so two cautious rules stand in:
a word after "my name is", "I'm called", "call me", "this is" and the like, and any capitalised
word inside a sentence that is neither an everyday English word (textstat's Dale-Chall list) nor
a word from the knowledge files (place names, "Staying Put"). It redacts too much rather than too little.
"""
from __future__ import annotations

import re
from typing import Iterable, Set

import phonenumbers

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# The UK postcode shape, with or without the space (CM1 1QH, cm11qh, SS14 2AB).
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
LONG_DIGITS = re.compile(r"\d[\d\s-]{6,}\d")  # what phonenumbers does not take for a number: still not kept
NAME_CUE = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|im called|call me|this is|i am|i'm|im|"
    r"my (?:pa|adviser|advisor|worker|social worker|mum|dad|sister|brother|boyfriend|girlfriend|partner|friend)(?: is)?)"
    r"\s+([a-z][a-z'-]+)",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n\s*)$")

EMAIL_MARK, PHONE_MARK, POSTCODE_MARK, NAME_MARK = "[email]", "[phone]", "[postcode]", "[name]"


class Redactor:
    def __init__(self, known_words: Iterable[str] = ()) -> None:
        # Words the knowledge files use are not names, however they are capitalised.
        self._known: Set[str] = {w.lower() for w in known_words}

    def redact(self, text: str) -> str:
        text = EMAIL.sub(EMAIL_MARK, text)
        text = self._phones(text)
        text = POSTCODE.sub(POSTCODE_MARK, text)
        text = LONG_DIGITS.sub(PHONE_MARK, text)
        text = NAME_CUE.sub(self._cued_name, text)
        return self._capitalised_names(text)

    @staticmethod
    def _phones(text: str) -> str:
        matches = list(phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE))
        for match in reversed(matches):
            text = text[:match.start] + PHONE_MARK + text[match.end:]
        return text

    def _is_ordinary(self, word: str) -> bool:
        import textstat

        lower = word.lower().strip("'")
        # In the Dale-Chall list of everyday words (threshold 0: however short the word).
        return lower in self._known or not textstat.is_difficult_word(lower, 0)

    def _cued_name(self, match: re.Match) -> str:
        cue, word = match.group(1), match.group(2)  # a surname is capitalised: the next rule takes it
        lower_cue = cue.lower()
        if lower_cue.startswith(("my name", "i am called", "i'm called", "im called")):
            return f"{cue} {NAME_MARK}"
        # "call me tomorrow", "my mum is ill"; and "im homeless": after "I'm" only a capital marks a name.
        if self._is_ordinary(word) or (word[0].islower() and lower_cue in ("i am", "i'm", "im", "this is")):
            return match.group(0)
        return f"{cue} {NAME_MARK}"

    def _capitalised_names(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            word = match.group(0)
            starts_sentence = SENTENCE_START.search(text[:match.start()]) is not None
            if word[0].isupper() and not starts_sentence and word != "I" and not self._is_ordinary(word):
                return NAME_MARK
            return word

        return WORD.sub(replace, text)
