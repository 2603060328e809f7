"""What `check-knowledge` says about knowledge/languages.yml: where each language's words come from,
and which still await a translator's review (editors send these to a translator)."""
from __future__ import annotations

from typing import List

from bot.knowledge.model import KnowledgeBase
from bot.language import LANGUAGE_NAMES


def translation_report(knowledge: KnowledgeBase) -> List[str]:
    lines: List[str] = []
    awaiting: List[str] = []
    for code, name in LANGUAGE_NAMES.items():
        if code == "en":
            continue
        texts = knowledge.languages.get(code)
        parts = texts.parts() if texts is not None else ()
        if not parts:
            lines.append(f"Note: nothing in {name} yet: a message in it gets the English reply only.")
            continue
        count = {origin: sum(t.origin == origin for _, t in parts) for origin in ("published", "reviewed", "draft")}
        lines.append(f"{name}: {count['published']} published, {count['reviewed']} checked by a translator, "
                     f"{count['draft']} awaiting review.")
        drafts = [part for part, t in parts if t.origin == "draft"]
        if drafts:
            awaiting.append(f"  {name}, {code}: {', '.join(drafts)}")
    if awaiting:
        lines.append("Awaiting a translator's review (shown in ordinary replies while LIFEPORTAL_DRAFT_TRANSLATIONS "
                     "is on, never in a reply to danger). When a translator has checked one, replace its "
                     "'drafted_by' and 'drafted' with 'translator' and 'reviewed':")
        lines += awaiting
    return lines
