"""Which language is a young person writing in?

The script decides first: Ethiopic letters mean Tigrinya or Amharic, told apart by the letter
forms each prefers (Tigrinya writes ኣ where Amharic writes አ) and a few common words. In
Arabic script, letters only one language uses pick Sorani Kurdish, Pashto or Urdu; otherwise
lingua (an offline detector whose models ship in its wheel) chooses between Farsi, Arabic and
Urdu, and a few Dari-only verb forms mark Dari. In Latin script, a message stays English unless
most of its words are not English ones (short messages, names, place names and text-speak stay
English), and then lingua must be confident; Vietnamese and Kurmanji are also recognised by
their letters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import FrozenSet, Iterable, Optional

LANGUAGE_NAMES = {
    "en": "English", "fa": "Farsi", "prs": "Dari", "ps": "Pashto", "ar": "Arabic", "ti": "Tigrinya",
    "am": "Amharic", "ckb": "Kurdish (Sorani)", "kmr": "Kurdish (Kurmanji)", "sq": "Albanian",
    "vi": "Vietnamese", "so": "Somali", "ur": "Urdu",
}

ETHIOPIC = re.compile(r"[\u1200-\u137F\u1380-\u139F\u2D80-\u2DDF]")
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

from bot.language_words import (  # noqa: E402  (the word lists, kept apart so this stays readable)
    ALBANIAN_LETTER, ALBANIAN_WORDS, AMHARIC_ENDINGS, AMHARIC_WORDS, DARI_WORDS, ETHIOPIC_PUNCTUATION,
    KURMANJI_LETTERS, KURMANJI_PLAIN_WORDS, KURMANJI_WORDS, LATIN_CUES, PASHTO_LETTERS, PASHTO_WORDS, SORANI_LETTERS,
    SOMALI_ENDINGS, SORANI_WORDS, TIGRINYA_WORDS, URDU_LETTERS, VIETNAMESE_LETTERS)

TEXT_SPEAK = {
    "ok", "okay", "k", "kk", "thx", "thanks", "ty", "ta", "pls", "plz", "hiya", "hi", "hey", "lol", "ye", "yeah", "yh", "ya",
    "nah", "np", "idk", "wot", "wat", "u", "ur", "r", "im", "ive", "dont", "cant", "wont", "gonna", "wanna", "cos", "coz",
    "bc", "brb", "gr8", "cba", "tbh", "omg", "bro", "mate", "innit", "wud", "cud", "shud", "hw", "wen", "ppl", "sum",
}
# Languages lingua weighs in Latin script: ours, English, and the European languages a message
# could otherwise be mistaken for.
LATIN_RIVALS = ("ENGLISH", "ALBANIAN", "VIETNAMESE", "SOMALI", "TURKISH", "FRENCH", "GERMAN", "SPANISH", "PORTUGUESE",
                "ITALIAN", "DUTCH", "POLISH", "ROMANIAN")
LINGUA_CODES = {"ENGLISH": "en", "ALBANIAN": "sq", "VIETNAMESE": "vi", "SOMALI": "so", "PERSIAN": "fa", "ARABIC": "ar",
                "URDU": "ur"}
MIN_FOREIGN_WORDS = 3       # fewer words than this in Latin script stay English
MIN_CONFIDENCE = 0.7        # lingua's confidence needed to call a Latin-script message not English
MAX_ENGLISH_SHARE = 0.4     # more English words than this share keeps a message English


def language_name(code: Optional[str]) -> str:
    return LANGUAGE_NAMES.get(code or "", "another language")


@dataclass(frozen=True)
class Detection:
    code: str          # "en", one of LANGUAGE_NAMES, or "other" (a language we have nothing for)
    reason: str        # which rule decided, for logs and measurements (never the text)

    @property
    def name(self) -> str:
        return LANGUAGE_NAMES.get(self.code, "another language")


class LanguageDetector:
    """`english_words`: words that count as English here beyond the everyday list (knowledge
    files, place names), so "Basildon pls" stays English."""

    def __init__(self, english_words: Iterable[str] = ()) -> None:
        self._english: FrozenSet[str] = frozenset(w.lower() for w in english_words) | TEXT_SPEAK
        self._latin = None
        self._arabic = None

    def detect(self, text: str) -> Detection:
        # Lone surrogates (broken input) can't be encoded, and lingua needs UTF-8: drop them.
        text = unicodedata.normalize("NFC", (text or "").encode("utf-8", "ignore").decode("utf-8"))
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return Detection("en", "no letters")
        ethiopic = sum(1 for c in letters if ETHIOPIC.match(c))
        arabic = sum(1 for c in letters if ARABIC.match(c))
        if ethiopic * 2 >= len(letters):
            return self._ethiopic(text)
        if arabic * 2 >= len(letters):
            return self._arabic_script(text)
        return self._latin_script(text)

    @staticmethod
    def _ethiopic(text: str) -> Detection:
        words = set(ETHIOPIC_PUNCTUATION.sub(" ", text).split())
        tigrinya = text.count("ኣ") + 2 * len(words & TIGRINYA_WORDS)
        amharic = (text.count("አ") + 2 * len(words & AMHARIC_WORDS)
                   + 2 * sum(1 for w in words if w.endswith(AMHARIC_ENDINGS)))
        return Detection("am", "ethiopic, amharic forms") if amharic > tigrinya else Detection("ti", "ethiopic")

    def _arabic_script(self, text: str) -> Detection:
        letters = set(text)
        words = set(re.findall(r"\w+", text.replace("\u200c", "")))
        # Sorani: its own letters or words, or a word opening with ئ (its written vowel onset).
        if letters & SORANI_LETTERS or words & SORANI_WORDS or any(w.startswith("ئ") for w in words):
            return Detection("ckb", "sorani letters or words")
        if letters & PASHTO_LETTERS or words & PASHTO_WORDS:
            return Detection("ps", "pashto letters or words")
        if letters & URDU_LETTERS:
            return Detection("ur", "urdu letters")
        if words & DARI_WORDS:
            return Detection("prs", "dari words")
        code = self._lingua("arabic", text) or "fa"
        return Detection(code if code in ("fa", "ar") else "fa", "arabic script, lingua")

    def _latin_script(self, text: str) -> Detection:
        words = [w.lower() for w in LATIN_WORD.findall(text)]
        letters = set("".join(words))
        if letters & VIETNAMESE_LETTERS and len(words) >= 2:
            return Detection("vi", "vietnamese letters")
        cues = set(words) & (KURMANJI_WORDS | KURMANJI_PLAIN_WORDS)
        if len(cues) >= 2 or (letters & KURMANJI_LETTERS and (cues or self._lingua("latin", text) in (None, "tr"))):
            return Detection("kmr", "kurmanji words and letters")
        albanian = set(words) & ALBANIAN_WORDS
        if ALBANIAN_LETTER in letters and (albanian or not self._mostly_english(words)):
            return Detection("sq", "albanian letter")
        cued = self._cue_words(words)
        if cued:
            return Detection(cued, "common words")
        if len(words) < MIN_FOREIGN_WORDS:
            return Detection("en", "short")
        if self._mostly_english(words):
            return Detection("en", "english words")
        code = self._lingua("latin", text)
        if code is None or code == "en":
            return Detection("en", "not confident")
        return Detection(code if code in LANGUAGE_NAMES else "other", "lingua")

    def _cue_words(self, words: list) -> Optional[str]:
        """The Latin-script language most of whose words this message uses (two at least), even in a
        short message; words that are also English ones don't count."""
        distinct = set(words)
        foreign = {w for w in distinct if not self._is_english(w)}
        best, hits = None, 0
        for code, cues in LATIN_CUES.items():
            found = len(foreign & cues) + (code == "so" and sum(1 for w in foreign - cues if w.endswith(SOMALI_ENDINGS)))
            if found > hits:
                best, hits = code, found
        return best if hits >= 2 and hits * 2 >= len(distinct) else None

    def _mostly_english(self, words: list) -> bool:
        return sum(1 for w in words if self._is_english(w)) > MAX_ENGLISH_SHARE * len(words)

    def _is_english(self, word: str) -> bool:
        import textstat

        return word in self._english or not textstat.is_difficult_word(word, 0)

    def _lingua(self, script: str, text: str) -> Optional[str]:
        """lingua's language code if it is confident, else None. Its models load on first use."""
        from lingua import Language, LanguageDetectorBuilder

        if script == "latin":
            if self._latin is None:
                self._latin = LanguageDetectorBuilder.from_languages(
                    *(getattr(Language, name) for name in LATIN_RIVALS)).build()
            detector = self._latin
        else:
            if self._arabic is None:
                self._arabic = LanguageDetectorBuilder.from_languages(
                    Language.PERSIAN, Language.ARABIC).build()   # Urdu is known by its letters
            detector = self._arabic
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value < (MIN_CONFIDENCE if script == "latin" else 0.0):
            return None
        top = values[0].language
        return LINGUA_CODES.get(top.name, top.iso_code_639_1.name.lower())


def knowledge_english_words(knowledge) -> list:
    """Words from the knowledge files (place names, topic words) that count as English here."""
    from bot.gaps import knowledge_words

    return [word.lower() for word in knowledge_words(knowledge)]
