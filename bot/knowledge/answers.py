"""Turn a topic (and, where it matters, a district) into the facts of one reply.

Actions and the `lifeportal ask` command share this, so both say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from bot.knowledge.model import KnowledgeBase, Source


@dataclass(frozen=True)
class Answer:
    topic_id: str
    district_id: Optional[str]
    body: str
    next_step: str
    source: Source

    def as_slots(self) -> Dict[str, str]:
        """The variables the domain's answer responses are written with."""
        return {
            "answer": self.body,
            "next_step": self.next_step,
            "source_title": self.source.title,
            "source_url": self.source.url,
            "source_checked": checked_line(self.source),
        }


def checked_line(source: Source) -> str:
    """'Checked: November 2026': when someone last read the page this answer rests on."""
    return f"Checked: {source.checked:%B %Y}" if source.checked else "Checked: not yet"


def needs_district(knowledge: KnowledgeBase, topic_id: str, district_id: Optional[str]) -> bool:
    topic = knowledge.topic(topic_id)
    return topic.depends_on_district and district_id not in topic.by_district


def first_answer(knowledge: KnowledgeBase, topic_id: str, district_id: Optional[str] = None) -> Answer:
    topic = knowledge.topic(topic_id)
    variant = topic.by_district.get(district_id) if district_id else None
    if variant is None:
        return Answer(topic_id, None, topic.answer, topic.next_step, topic.sources[0])
    return Answer(topic_id, district_id, variant.answer, variant.next_step or topic.next_step, variant.sources[0])


def more_answer(knowledge: KnowledgeBase, topic_id: str, district_id: Optional[str] = None) -> Answer:
    topic = knowledge.topic(topic_id)
    variant = topic.by_district.get(district_id) if district_id else None
    if variant is not None and variant.more:
        return Answer(topic_id, district_id, variant.more, variant.next_step or topic.next_step, variant.sources[0])
    # The county-wide "more" still holds; cite the topic's own sources for it.
    source = topic.sources[1] if len(topic.sources) > 1 else topic.sources[0]
    return Answer(topic_id, None, topic.more, topic.next_step, source)


def district_buttons(knowledge: KnowledgeBase) -> List[Dict[str, str]]:
    """One quick reply per place, in the order of districts.yml."""
    return [
        {"title": district.name, "payload": f'/inform_district{{"district":"{district.id}"}}'}
        for district in knowledge.districts.values()
    ]


@dataclass(frozen=True)
class Reply:
    """One bot message, named by its domain response, plus the slots it changes."""

    response: str
    variables: Dict[str, str]
    buttons: List[Dict[str, str]]
    slots: Dict[str, Optional[str]]


def topic_reply(knowledge: KnowledgeBase, topic_id: Optional[str], district_id: Optional[str]) -> Reply:
    """The first answer to a topic question, or the district question when the answer depends on it."""
    if topic_id is None:
        district = knowledge.district(district_id)
        if district is None:
            return Reply("utter_ask_district", {}, district_buttons(knowledge), {})
        return Reply("utter_district_noted", {"district_name": district.name}, [], {})
    if needs_district(knowledge, topic_id, district_id):
        return Reply("utter_ask_district", {}, district_buttons(knowledge), {"pending_topic": topic_id})
    answer = first_answer(knowledge, topic_id, district_id)
    return Reply("utter_answer", answer.as_slots(), [], {"pending_topic": None, "last_topic": topic_id})


def more_reply(knowledge: KnowledgeBase, topic_id: Optional[str], district_id: Optional[str]) -> Reply:
    if topic_id is None or topic_id not in knowledge.topics:
        return Reply("utter_nothing_more", {}, [], {})
    return Reply("utter_more", more_answer(knowledge, topic_id, district_id).as_slots(), [], {})


NOT_SURE = "Sorry, I'm not sure I understood."
CONTACT_PA_BUTTON = {"title": "Contact my PA", "payload": "/ask_for_pa"}


def suggestion_reply(knowledge: KnowledgeBase, suggested: Sequence[str], story: bool) -> Reply:
    """An uncertain message: the likeliest topics as buttons (a story gets a kind sentence first),
    or, with no plausible topic, the plain 'say it another way'."""
    topics = [knowledge.topics[t] for t in suggested if t in knowledge.topics]
    if not topics:
        return Reply("utter_fallback", {}, [], {})
    opening = topics[0].sounds_like if story else NOT_SURE
    buttons = [{"title": topic.title, "payload": f"/{topic.id}"} for topic in topics] + [CONTACT_PA_BUTTON]
    return Reply("utter_suggest_topics", {"opening": opening}, buttons, {})


OUT_OF_HOURS_CONTACT = "essex_out_of_hours"


def contact_pa_reply(knowledge: KnowledgeBase) -> Reply:
    """How to reach the PA now, and who answers when the PA's office is closed."""
    answer = first_answer(knowledge, "personal_adviser")
    variables = answer.as_slots()
    out_of_hours = next((c for c in knowledge.crisis_contacts if c.id == OUT_OF_HOURS_CONTACT), None)
    if out_of_hours is not None:
        variables["answer"] += f"\n\n{out_of_hours.name}: {out_of_hours.how}, {out_of_hours.when.rstrip('.')}."
    return Reply("utter_contact_pa", variables, [], {})
