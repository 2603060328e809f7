"""The rule layer of crisis detection: spaCy Matcher patterns over normalised words.

Normalising first lets one pattern cover text-speak ("kms"), word forms ("dying") and
misspellings ("suicidle"). Patterns and word lists live in nlu/crisis_patterns.yml.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import spacy
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc

PATTERNS_FILE = Path(__file__).resolve().parents[1] / "crisis_patterns.yml"
LEVELS = ("emergency", "urgent")
WILDCARD_SPAN = 3
FUZZY_CUTOFF = 0.86
# Arabic-script spellings that vary by keyboard, folded to one before matching: Arabic kaf and yeh
# typed for Persian ک and ی, hamza forms of alef, the zero-width non-joiner inside a Persian word
# (خود‌کشی), the elongating tatweel and short-vowel marks.
ARABIC_FOLD = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "أ": "ا", "إ": "ا", "آ": "ا", "\u200c": None, "ـ": None,
                             **{chr(c): None for c in range(0x064B, 0x0653)}})


def fold(text: str) -> str:
    return text.translate(ARABIC_FOLD)


@dataclass(frozen=True)
class RuleHit:
    level: str
    rule: str
    text: str


def compile_pattern(pattern: str, base: Dict[str, str]) -> List[Dict]:
    """'want to die|dead' -> spaCy Matcher tokens on NORM (see the file's header for the syntax).

    Pattern words are reduced with the same word-form table as messages, so 'going' in a
    pattern matches 'going' (and 'go', 'went') in a message.
    """
    tokens: List[Dict] = []
    for word in pattern.split():
        if word == "*":
            tokens.extend({"OP": "?"} for _ in range(WILDCARD_SPAN))
            continue
        optional = word.startswith("?")
        choices = list(dict.fromkeys(base.get(w, w) for w in fold(word.lstrip("?")).split("|")))
        token: Dict = {"NORM": choices[0]} if len(choices) == 1 else {"NORM": {"IN": choices}}
        if optional:
            token["OP"] = "?"
        tokens.append(token)
    return tokens


class CrisisRules:
    def __init__(self, spec: Dict) -> None:
        self.nlp = spacy.blank("en")
        speak = {str(k).lower(): str(v).lower() for k, v in (spec.get("text_speak") or {}).items()}
        # Longest first, so "i'm" is replaced before "im" could be.
        keys = sorted(speak, key=len, reverse=True)
        self._speak = speak
        self._speak_pattern = re.compile(r"(?<![\w'])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w'])")
        self._base = {form: base for base, forms in (spec.get("word_forms") or {}).items() for form in forms}
        self._fuzzy = [w.lower() for w in spec.get("fuzzy_words") or []]
        self.matcher = Matcher(self.nlp.vocab)
        for level in LEVELS:
            for rule in spec.get(level) or []:
                self.matcher.add(f"{level}:{rule['id']}", [compile_pattern(p, self._base) for p in rule["patterns"]])
        past_and_safe = spec.get("past_and_safe") or {}
        self._past = [self._phrase(p) for p in past_and_safe.get("past") or []]
        self._safe_now = [self._phrase(p) for p in past_and_safe.get("safe_now") or []]
        self._danger_now = [self._phrase(p) for p in past_and_safe.get("danger_now") or []]
        # Harmless phrases that contain a crisis pattern ("hit me up", "suicide squad").
        self.exclusions = Matcher(self.nlp.vocab)
        self.exclusions.add("harmless", [compile_pattern(p, self._base) for p in spec.get("harmless") or []])
        # Harmless only while the message tells them as over ("used to self harm ... lately it's started again").
        self.past_exclusions = Matcher(self.nlp.vocab)
        self.past_exclusions.add("harmless_if_over",
                                 [compile_pattern(p, self._base) for p in spec.get("harmless_if_over") or []])

    @classmethod
    def from_file(cls, path: Path = PATTERNS_FILE) -> "CrisisRules":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def normalise(self, text: str) -> Doc:
        text = fold(text.lower()).replace("\u2019", "'").replace("\u2018", "'")
        text = self._speak_pattern.sub(lambda m: self._speak[m.group(1)], text)
        doc = self.nlp.make_doc(text)
        for token in doc:
            word = token.lower_
            if word in self._base:
                word = self._base[word]
            elif len(word) >= 5 and token.is_alpha and word not in self._fuzzy:
                close = difflib.get_close_matches(word, self._fuzzy, n=1, cutoff=FUZZY_CUTOFF)
                if close:
                    word = self._base.get(close[0], close[0])
            token.norm_ = word
        return doc

    @staticmethod
    def _phrase(phrase: str) -> "re.Pattern[str]":
        body = phrase[3:] if phrase.startswith("re:") else re.escape(phrase.lower())
        return re.compile(r"(?<!\w)" + body + r"(?!\w)")

    def past_and_safe(self, text: str) -> bool:
        """True when the message says a danger was in the past and is over now, and nothing puts
        it back in the present: "I used to think it would get better. Not anymore." is not safe."""
        normalised = self._normalised_text(text)
        if not any(p.search(normalised) for p in self._past) or not any(p.search(normalised) for p in self._safe_now):
            return False
        return not self._danger_now_in(normalised)

    def all_in_the_past(self, text: str, hits: Sequence[RuleHit]) -> bool:
        """Every rule hit sits in a sentence about an earlier time of life, and nothing puts a danger
        back in the present: "my mum kicked me out when I was 16. I'm 20 now." A rule hit in the present
        ("when i was 15 i was in care. now i want to end my life") is never set aside."""
        if not hits:
            return False
        normalised = self._normalised_text(text)
        if self._danger_now_in(normalised):
            return False
        past = [s for s in re.split(r"[.!?\n]+", normalised) if any(p.search(s) for p in self._past)]
        return all(any(" ".join(hit.text.split()) in sentence for sentence in past) for hit in hits)

    def says_now(self, text: str) -> bool:
        """A word puts a danger in the present: "again", "lately", "tonight", "not anymore"."""
        return self._danger_now_in(self._normalised_text(text))

    def _normalised_text(self, text: str) -> str:
        return " ".join(token.text for token in self.normalise(text))

    def _danger_now_in(self, normalised: str) -> bool:
        rest = normalised
        for phrase in self._safe_now:
            rest = phrase.sub(" ", rest)
        return any(p.search(rest) for p in self._danger_now)

    def match(self, text: str) -> List[RuleHit]:
        doc = self.normalise(text)
        harmless = [(start, end) for _, start, end in self.exclusions(doc)]
        if not self._danger_now_in(" ".join(token.text for token in doc)):
            harmless += [(start, end) for _, start, end in self.past_exclusions(doc)]
        hits = []
        for match_id, start, end in self.matcher(doc):
            if any(h_start <= start < h_end or h_start < end <= h_end for h_start, h_end in harmless):
                continue
            level, rule = self.nlp.vocab.strings[match_id].split(":", 1)
            hits.append(RuleHit(level, rule, doc[start:end].text))
        return hits


def most_severe(levels: Sequence[str]) -> str | None:
    for level in LEVELS:
        if level in levels:
            return level
    return None
