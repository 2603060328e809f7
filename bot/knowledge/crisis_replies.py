"""The crisis replies, written into the Rasa domain from knowledge/crisis.yml and districts.yml.

They are domain responses, not only custom-action messages, so that they still go out when
the action server is down. Every number comes from the knowledge files. The domain holds the
copy made at training time; the gateway recognises that copy as it streams out and sends the
reply built from the knowledge files as they are now instead (`recognise`), so an editor's
new number is live within seconds, without retraining.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from bot.knowledge.model import District, KnowledgeBase

EMERGENCY_OPENING = "I'm really glad you told me. Your safety matters most right now. Please reach out now:"
URGENT_OPENING = "That sounds really hard, and you don't have to sort it out alone. Help you can get today:"
OFFER = "Would you like me to tell your personal adviser (PA) or the out-of-hours team now?"
SOMETHING_WENT_WRONG = ("Sorry, something went wrong on my side. Please try again in a minute. "
                        "If you need help now, contact your personal adviser (PA).")
OFFER_BUTTONS = [
    {"title": "Yes, tell someone now", "payload": "/tell_someone_now"},
    {"title": "Not right now", "payload": "/deny"},
]


def _contact_lines(knowledge: KnowledgeBase, level: str) -> List[str]:
    return [f"• {c.name}: {c.how}, {c.when.rstrip('.')}." for c in knowledge.contacts_for(level)]


def _homelessness_line(district: District) -> Optional[str]:
    contact = district.homelessness
    if not contact.phone:
        return None
    council = district.council or district.name
    return f"• {council} homelessness team: call {contact.phone}."


def crisis_text(knowledge: KnowledgeBase, level: str, district_id: Optional[str] = None, offer: bool = True) -> str:
    lines = [EMERGENCY_OPENING if level == "emergency" else URGENT_OPENING]
    district = knowledge.district(district_id)
    if level == "urgent" and district is not None:
        line = _homelessness_line(district)
        if line:
            lines.append(line)
    lines += _contact_lines(knowledge, level)
    if level == "urgent":
        # Danger to life always comes with the emergency line, even in an urgent reply.
        lines += [line for line in _contact_lines(knowledge, "emergency")[:1] if line not in lines]
    if offer:
        lines.append(OFFER)
    return "\n".join(lines)


def recognise(knowledge: KnowledgeBase, text: str) -> Optional[Tuple[str, Optional[str]]]:
    """(level, district id) when `text` is a crisis reply made from the domain, else None.

    The district is the one whose homelessness line the trained copy names (its council's name,
    not its number, which may be what changed)."""
    if text.startswith(EMERGENCY_OPENING):
        return "emergency", None
    if not text.startswith(URGENT_OPENING):
        return None
    for district in knowledge.districts.values():
        if f"• {district.council or district.name} homelessness team" in text:
            return "urgent", district.id
    return "urgent", None


def something_went_wrong_text(knowledge: KnowledgeBase) -> str:
    """The error reply still says where to get help in danger."""
    return "\n".join([SOMETHING_WENT_WRONG, *_contact_lines(knowledge, "emergency")[:1]])


def crisis_domain(knowledge: KnowledgeBase) -> Dict[str, Any]:
    """Domain responses for crisis replies (urgent by district where it helps) and the error reply."""
    urgent: List[Dict[str, Any]] = []
    for district in knowledge.districts.values():
        if _homelessness_line(district):
            urgent.append({
                "condition": [{"type": "slot", "name": "district", "value": district.id}],
                "text": crisis_text(knowledge, "urgent", district.id),
                "buttons": OFFER_BUTTONS,
            })
    urgent.append({"text": crisis_text(knowledge, "urgent"), "buttons": OFFER_BUTTONS})
    return {
        "version": "3.1",
        "responses": {
            "utter_crisis_emergency": [{"text": crisis_text(knowledge, "emergency"), "buttons": OFFER_BUTTONS}],
            "utter_crisis_urgent": urgent,
            "utter_something_went_wrong": [{"text": something_went_wrong_text(knowledge)}],
        },
    }
