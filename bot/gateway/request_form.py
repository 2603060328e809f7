"""The short form a young person fills in to ask for their PA: one question at a time, with
buttons, and their own words always accepted. Pure: the desk keeps its state in the store."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import phonenumbers

CANCEL = "/esc_cancel"
SKIP = "/esc_skip"
TOPICS = [("housing", "Housing"), ("money", "Money"), ("council_tax", "Council tax"),
          ("staying_put", "Staying Put or Staying Close"), ("health", "Health"),
          ("education_work", "College or work"), ("something_else", "Something else")]
URGENCIES = [("today", "Today"), ("this_week", "This week"), ("whenever", "Whenever")]
CONTACTS = [("chat", "Here in this chat"), ("call", "Call me"), ("text", "Text me")]
CONSENTS = [("yes", "Yes, share it"), ("no", "No, just this form")]
TOPIC_NAMES = {**dict(TOPICS), "interpreter": "An interpreter (see Language)"}  # "interpreter": from the other-language reply
CONTACT_NAMES = {"chat": "this chat", "call": "a phone call", "text": "a text message"}
MAX_DETAILS = 500

_WORDS = {
    "urgency": [("today", r"\b(today|now|asap|urgent|straight away|right away|tonight|emergency)\b"),
                ("this_week", r"\b(this week|week|few days|soon|tomorrow)\b"),
                ("whenever", r"\b(whenever|no rush|not urgent|any ?time|don'?t mind|no hurry)\b")],
    "contact": [("chat", r"\b(chat|here|message me here|online|this)\b"),
                ("call", r"\b(call|ring|phone me|phone)\b"),
                ("text", r"\b(text|sms|txt)\b")],
    "consent": [("yes", r"^\s*(y|ye|yes|yeah|yep|ok|okay|sure|fine|share|go on)\b"),
                ("no", r"^\s*(n|no|nah|nope|don'?t|do not|just the form)\b")],
}
CANCEL_WORDS = re.compile(r"^\s*(cancel|stop|never ?mind|nevermind|forget it|quit|exit|don'?t send)\s*[.!]*\s*$", re.I)


def _buttons(step: str, options) -> List[Dict[str, str]]:
    return [{"title": title, "payload": f"/esc_{step}:{value}"} for value, title in options]


CANCEL_BUTTON = {"title": "Cancel", "payload": CANCEL}


@dataclass
class FormState:
    step: str
    topic: Optional[str] = None
    details: Optional[str] = None
    urgency: Optional[str] = None
    contact: Optional[str] = None
    phone: Optional[str] = None
    consent: Optional[bool] = None


@dataclass
class Outcome:
    reply: Dict[str, Any]
    state: Optional[FormState] = None            # the form goes on with this state
    submit: bool = False                          # the form is complete: open the request
    cancelled: bool = False
    changes: Dict[str, Any] = field(default_factory=dict)


def first_question() -> Dict[str, Any]:
    return _ask("topic")


def _ask(step: str, prefix: str = "") -> Dict[str, Any]:
    texts = {
        "topic": ("I can send a request to your personal adviser (PA), and they'll get back to you. "
                  "It takes 4 quick questions. What is it about? Tap one, or tell me in your own words."),
        "details": "Do you want to tell your PA a bit more? Type it here, or tap Skip.",
        "urgency": "How soon do you need to hear back?",
        "contact": "How should your PA get in touch?",
        "phone": "What's your phone number? For example 07700 900123.",
        "consent": ("Can your PA read what you've written to me in this chat so far? It helps them help you. "
                    "If you say no, they only see this form."),
    }
    options = {"topic": _buttons("topic", TOPICS), "details": [{"title": "Skip", "payload": SKIP}],
               "urgency": _buttons("urgency", URGENCIES), "contact": _buttons("contact", CONTACTS),
               "phone": [{"title": "Use this chat instead", "payload": "/esc_contact:chat"}],
               "consent": _buttons("consent", CONSENTS)}[step]
    text = (prefix + " " if prefix else "") + texts[step]
    return {"text": text, "buttons": options + [CANCEL_BUTTON]}


def _chosen(step: str, message: str, choices) -> Optional[str]:
    """A button's value, or a typed answer that clearly means one."""
    prefix = f"/esc_{step}:"
    if message.startswith(prefix):
        value = message[len(prefix):]
        return value if value in dict(choices) else None
    if step in _WORDS and not message.startswith("/"):
        found = {value for value, pattern in _WORDS[step] if re.search(pattern, message, re.I)}
        return found.pop() if len(found) == 1 else None
    return None


def uk_phone(text: str) -> Optional[str]:
    """A UK number in international form (+447700900123), or None if it isn't one."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, "GB"):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def answer(state: FormState, message: str) -> Outcome:
    """Take one answer (a button payload or typed words) and say what comes next."""
    message = message.strip()
    if message == CANCEL or CANCEL_WORDS.match(message):
        return Outcome({"text": "Okay, I haven't sent anything. What would you like to ask?", "buttons": []},
                       cancelled=True)
    step = state.step
    if step == "topic":
        topic = _chosen("topic", message, TOPICS)
        if topic:
            state.topic, state.step = topic, "details"
        elif message and not message.startswith("/"):
            state.topic, state.details, state.step = "something_else", message[:MAX_DETAILS], "urgency"
        else:
            return Outcome(_ask("topic", "Sorry, I didn't get that."), state)
    elif step == "details":
        if message != SKIP and message and not message.startswith("/"):
            state.details = message[:MAX_DETAILS]
        state.step = "urgency"
    elif step == "urgency":
        urgency = _chosen("urgency", message, URGENCIES)
        if not urgency:
            return Outcome(_ask("urgency", "Sorry, please pick one, or type today, this week or whenever."), state)
        state.urgency, state.step = urgency, "contact"
    elif step in ("contact", "phone") and message.startswith("/esc_contact:"):
        contact = _chosen("contact", message, CONTACTS)
        if not contact:
            return Outcome(_ask("contact", "Sorry, please pick one."), state)
        state.contact, state.step = contact, ("consent" if contact == "chat" else "phone")
        state.phone = None if contact == "chat" else state.phone
    elif step == "contact":
        phone = uk_phone(message)
        contact = _chosen("contact", message, CONTACTS)
        if phone:  # they typed their number straight away
            state.contact, state.phone, state.step = "call", phone, "consent"
        elif contact:
            state.contact, state.step = contact, ("consent" if contact == "chat" else "phone")
        else:
            return Outcome(_ask("contact", "Sorry, please pick one."), state)
    elif step == "phone":
        phone = uk_phone(message)
        if not phone:
            return Outcome(_ask("phone", "Sorry, that doesn't look like a UK phone number. Could you type it again?"),
                           state)
        state.phone, state.step = phone, "consent"
    elif step == "consent":
        consent = _chosen("consent", message, CONSENTS)
        if not consent:
            return Outcome(_ask("consent", "Sorry, please tap Yes or No."), state)
        state.consent = consent == "yes"
        return Outcome({"text": "", "buttons": []}, state, submit=True)
    return Outcome(_ask(state.step), state)


def summary(state: FormState) -> str:
    """What the young person is told they sent."""
    parts = [f"About: {TOPIC_NAMES.get(state.topic or '', 'not given')}"]
    if state.details:
        parts.append(f"Your words: “{state.details}”")
    parts.append(f"How soon: {dict(URGENCIES).get(state.urgency or '', 'whenever').lower()}")
    contact = CONTACT_NAMES.get(state.contact or "chat", "this chat")
    if state.phone:
        contact += " on " + phonenumbers.format_number(phonenumbers.parse(state.phone, "GB"),
                                                       phonenumbers.PhoneNumberFormat.NATIONAL)
    parts.append(f"Reply by: {contact}")
    parts.append("Chat shared with your PA: " + ("yes" if state.consent else "no"))
    return "\n".join(parts)
