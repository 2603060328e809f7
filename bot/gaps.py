"""What young people asked that the bot couldn't answer: kept redacted, grouped for editors.

Three kinds are kept: `fallback` (the bot didn't understand), `unsure` (it answered with low
confidence) and `not_helped` (the young person tapped "No" to "Did this help?"). Nothing names
the conversation, and rows older than the retention period are deleted whenever gaps are
written or read.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.knowledge import KnowledgeBase
from bot.redaction import Redactor
from bot.store.models import Gap, utcnow

KINDS = ("fallback", "unsure", "not_helped")
MAX_TEXT_CHARS = 500
SAME_QUESTION = 0.7  # cosine similarity of two sentence embeddings above which two questions are grouped


def knowledge_words(knowledge: KnowledgeBase) -> List[str]:
    """Every word the knowledge files use: place names and topic words are not people's names."""
    texts: List[str] = []
    for topic in knowledge.topics.values():
        texts += [topic.title, topic.answer, topic.more, topic.next_step, *topic.examples]
    for district in knowledge.districts.values():
        texts += [district.name, district.council or "", *district.aliases]
    texts += [contact.name for contact in knowledge.crisis_contacts]
    return [word.strip(".,:;!?()'\"") for text in texts for word in text.split()]


def purge(session: Session, retention_days: int) -> int:
    """Delete gaps older than the retention period; returns how many."""
    cutoff = utcnow() - dt.timedelta(days=retention_days)
    return session.execute(delete(Gap).where(Gap.created_at < cutoff)).rowcount or 0


def record(session: Session, redactor: Redactor, *, kind: str, text: str, topic: Optional[str],
           retention_days: int) -> Optional[Gap]:
    """Keep one unanswered question, redacted. Empty text is not worth keeping."""
    if kind not in KINDS:
        raise ValueError(f"unknown gap kind {kind!r}")
    cleaned = redactor.redact(" ".join((text or "").split()))[:MAX_TEXT_CHARS]
    purge(session, retention_days)
    if not cleaned:
        return None
    gap = Gap(kind=kind, topic=topic[:40] if topic else None, text=cleaned)
    session.add(gap)
    session.flush()
    return gap


@dataclass
class Group:
    texts: List[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    @property
    def example(self) -> str:
        return Counter(self.texts).most_common(1)[0][0]


def group_similar(gaps: Sequence[Gap], embed: Callable[[List[str]], "object"]) -> List[Group]:
    """Greedy grouping: each question joins the first group whose first question is similar enough."""
    if not gaps:
        return []
    vectors = embed([gap.text for gap in gaps])  # unit length, so a dot product is the cosine
    groups: List[Group] = []
    leaders: List[int] = []
    for index, gap in enumerate(gaps):
        best = max(leaders, key=lambda leader: float(vectors[leader] @ vectors[index]), default=None)
        if best is None or float(vectors[best] @ vectors[index]) < SAME_QUESTION:
            leaders.append(index)
            groups.append(Group())
            best = index
        group = groups[leaders.index(best)]
        group.texts.append(gap.text)
        group.kinds[gap.kind] += 1
    return sorted(groups, key=lambda g: len(g.texts), reverse=True)


def recent(session: Session, days: int, retention_days: int) -> List[Gap]:
    purge(session, retention_days)
    since = utcnow() - dt.timedelta(days=days)
    return list(session.execute(select(Gap).where(Gap.created_at >= since).order_by(Gap.created_at.desc())).scalars())


def report(gaps: Sequence[Gap], embed: Callable[[List[str]], "object"], *, days: int, top: int = 20) -> str:
    """The table `lifeportal gaps` prints."""
    lines = [f"Unanswered questions in the last {days} days: {len(gaps)} (personal details redacted)", ""]
    unanswered = [gap for gap in gaps if gap.kind != "not_helped" or gap.text]
    groups = group_similar(unanswered, embed)
    if not groups:
        lines.append("None.")
    else:
        lines.append(f"{'times':>5}  {'kinds':<32}  most frequent wording")
        for group in groups[:top]:
            kinds = ", ".join(f"{kind} {count}" for kind, count in group.kinds.most_common())
            lines.append(f"{len(group.texts):>5}  {kinds:<32}  {group.example}")
    not_helped = Counter(gap.topic or "(no topic)" for gap in gaps if gap.kind == "not_helped")
    lines += ["", "Answers marked \"No, it didn't help\", by topic:"]
    if not not_helped:
        lines.append("None.")
    for topic, count in not_helped.most_common():
        lines.append(f"{count:>5}  {topic}")
    return "\n".join(lines)
