"""How a message reads: a question or a story, and which topics an uncertain message may be about.

Pure functions shared by the NLU pipeline (nlu/components/story_fallback.py), `lifeportal ask`
and the tests, so that what is measured is what the bot does.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Sequence

# A message that opens with one of these asks something, even without a question mark.
_QUESTION_OPENERS = {
    "how", "what", "whats", "what's", "where", "wheres", "where's", "when", "why", "who", "whos", "who's",
    "which", "can", "could", "do", "does", "did", "is", "are", "am", "will", "would", "should", "shall",
    "may", "might", "have", "has", "hw", "wat", "wot", "wht", "cn", "pls", "please", "plz", "help", "tell",
    "explain", "any", "anyone", "does", "isnt", "isn't", "arent", "aren't", "cant", "can't", "u", "r",
}
# ...or carries one of these anywhere.
_ASKING = re.compile(
    r"\?|\b(how (do|can|does|did|much|long|many|to)|what (is|are|should|do|can|happens)|can (i|you|u|someone)|"
    r"could (i|you|u|someone)|do i (need|have|get)|am i (allowed|able|entitled)|is (it|there) (possible|any)|"
    r"i (want|need|would like|wanna|wana) to (know|ask|find out)|tell me|help me|any (advice|help|ideas|tips)|"
    r"where (can|do|should)|who (do|can|should)|what can|does anyone|is anyone)\b",
    re.IGNORECASE,
)


def is_story(text: str) -> bool:
    """A statement or a story, without a question or a request: 'My rent went up again and I've got £20 left.'"""
    words = re.findall(r"[\w']+", (text or "").lower())
    if not words:
        return False
    return words[0] not in _QUESTION_OPENERS and not _ASKING.search(text)


def suggested_topics(ranking: Iterable[Dict], topics: Sequence[str], *, floor: float, count: int = 2) -> List[str]:
    """The `count` most likely topics, when the likeliest is at least `floor` (plausible); else none."""
    ranked = [entry for entry in ranking if entry.get("name") in topics]
    ranked.sort(key=lambda entry: -float(entry.get("confidence") or 0.0))
    if not ranked or float(ranked[0].get("confidence") or 0.0) < floor:
        return []
    return [str(entry["name"]) for entry in ranked[:count]]
