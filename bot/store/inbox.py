"""The adviser's side: who is signed in, which requests they may see, and what they do with them.

An adviser sees their own caseload (linked to them or claimed by them), their team's queue (requests
for the team with no PA), and, on the duty team, every request the duty team was alerted to. Anything
else is treated as not existing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import and_, case, delete, inspect, or_, select, text
from sqlalchemy.orm import Session

from bot.store.conversations import RASA_EVENTS_TABLE
from bot.store.models import (URGENCIES, Adviser, AdviserSession, Conversation, Escalation, EscalationEvent,
                              EscalationNote, RelayedMessage, Team, TranscriptView, utcnow)

SESSION_TTL = dt.timedelta(hours=8)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(session: Session, *, adviser_id: int, ttl: dt.timedelta = SESSION_TTL) -> Tuple[str, str]:
    """A new signed-in session: (cookie value, CSRF token). Only the cookie's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(AdviserSession).where(AdviserSession.expires_at < now))
    session.add(AdviserSession(token_hash=_hash(token), adviser_id=adviser_id, csrf_token=csrf, created_at=now,
                               expires_at=now + ttl))
    return token, csrf


def signed_in(session: Session, *, token: str) -> Optional[Tuple[Adviser, str]]:
    """The adviser and their CSRF token for a cookie, or None (unknown, expired, or the account is off)."""
    row = session.get(AdviserSession, _hash(token)) if token else None
    if row is None or row.expires_at < utcnow():
        return None
    adviser = session.get(Adviser, row.adviser_id)
    return (adviser, row.csrf_token) if adviser is not None and adviser.active else None


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(AdviserSession).where(AdviserSession.token_hash == _hash(token)))


def _visible(adviser: Adviser, team: Team):
    rules = [Escalation.adviser_id == adviser.id, Escalation.claimed_by == adviser.id,
             and_(Escalation.team_id == adviser.team_id, Escalation.adviser_id.is_(None))]
    if team.is_duty:
        rules.append(Escalation.duty_alerted.is_(True))
    return or_(*rules)


_URGENCY_ORDER = case({u: i for i, u in enumerate(URGENCIES)}, value=Escalation.urgency, else_=len(URGENCIES))
_STATUS_ORDER = case({"open": 0, "claimed": 1, "replied": 1, "resolved": 2}, value=Escalation.status, else_=3)


def caseload(session: Session, *, adviser: Adviser, include_resolved: bool = False) -> List[Escalation]:
    """What this adviser may see: most urgent first, then oldest first."""
    team = session.get(Team, adviser.team_id)
    query = select(Escalation).where(_visible(adviser, team))
    if not include_resolved:
        query = query.where(Escalation.status != "resolved")
    query = query.order_by(_STATUS_ORDER, _URGENCY_ORDER, Escalation.created_at, Escalation.id).limit(500)
    return list(session.execute(query).scalars())


def find_visible(session: Session, *, adviser: Adviser, escalation_id: int) -> Optional[Escalation]:
    team = session.get(Team, adviser.team_id)
    return session.execute(select(Escalation).where(Escalation.id == escalation_id, _visible(adviser, team))
                           ).scalar_one_or_none()


@dataclass(frozen=True)
class Change:
    """What the gateway must tell the young person after an adviser acted."""

    conversation_id: Optional[str]
    channel: Optional[str]
    reference: str
    adviser_name: str
    changed: bool


def _change(session: Session, escalation: Escalation, adviser: Adviser, changed: bool) -> Change:
    conversation = session.get(Conversation, escalation.conversation_id) if escalation.conversation_id else None
    return Change(escalation.conversation_id, conversation.channel if conversation else None,
                  escalation.reference, adviser.name, changed)


def _move(session: Session, escalation: Escalation, adviser: Adviser, status: str) -> None:
    now = utcnow()
    escalation.status, escalation.updated_at = status, now
    session.add(EscalationEvent(escalation_id=escalation.id, status=status, adviser_id=adviser.id, at=now))


def _set_mode(session: Session, escalation: Escalation, mode: str) -> None:
    conversation = session.get(Conversation, escalation.conversation_id) if escalation.conversation_id else None
    if conversation is not None:
        conversation.mode = mode


def claim(session: Session, *, adviser: Adviser, escalation: Escalation) -> Change:
    """The adviser takes the conversation: from now on the young person's messages go to them."""
    if escalation.status == "resolved" or escalation.claimed_by == adviser.id:
        return _change(session, escalation, adviser, False)
    escalation.claimed_by = adviser.id
    _move(session, escalation, adviser, "claimed")
    _set_mode(session, escalation, "adviser")
    return _change(session, escalation, adviser, True)


def reply(session: Session, *, adviser: Adviser, escalation: Escalation, text_: str) -> Change:
    """Keep the adviser's message (it is delivered from here, now or when the young person is back)."""
    if escalation.conversation_id is None:
        raise ValueError("This conversation was erased at the young person's request.")
    if escalation.claimed_by != adviser.id:
        claim(session, adviser=adviser, escalation=escalation)
    session.add(RelayedMessage(conversation_id=escalation.conversation_id, escalation_id=escalation.id,
                               sender="adviser", adviser_id=adviser.id, text=text_, at=utcnow()))
    if escalation.status != "replied":
        _move(session, escalation, adviser, "replied")
    _set_mode(session, escalation, "adviser")
    return _change(session, escalation, adviser, True)


def add_note(session: Session, *, adviser: Adviser, escalation: Escalation, text_: str) -> None:
    session.add(EscalationNote(escalation_id=escalation.id, adviser_id=adviser.id, text=text_, at=utcnow()))


def hand_back(session: Session, *, adviser: Adviser, escalation: Escalation) -> Change:
    """The bot answers again (the request stays as it is until resolved)."""
    conversation = session.get(Conversation, escalation.conversation_id) if escalation.conversation_id else None
    changed = conversation is not None and conversation.mode != "bot"
    if changed:
        conversation.mode = "bot"
        session.add(EscalationEvent(escalation_id=escalation.id, status="handed_back", adviser_id=adviser.id,
                                    at=utcnow()))
    return _change(session, escalation, adviser, changed)


def resolve(session: Session, *, adviser: Adviser, escalation: Escalation) -> Change:
    if escalation.status == "resolved":
        return _change(session, escalation, adviser, False)
    _move(session, escalation, adviser, "resolved")
    _set_mode(session, escalation, "bot")
    return _change(session, escalation, adviser, True)


def history(session: Session, *, escalation_id: int) -> List[Tuple[EscalationEvent, Optional[str]]]:
    rows = session.execute(select(EscalationEvent, Adviser.name).outerjoin(Adviser, Adviser.id == EscalationEvent.adviser_id)
                           .where(EscalationEvent.escalation_id == escalation_id).order_by(EscalationEvent.id))
    return [(event, name) for event, name in rows]


def notes(session: Session, *, escalation_id: int) -> List[Tuple[EscalationNote, str]]:
    rows = session.execute(select(EscalationNote, Adviser.name).join(Adviser, Adviser.id == EscalationNote.adviser_id)
                           .where(EscalationNote.escalation_id == escalation_id).order_by(EscalationNote.id))
    return [(note, name) for note, name in rows]


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    who: str            # "young person", "bot", or the adviser's name
    text: str
    flagged: Optional[str] = None   # a crisis level, for a message the adviser must see first


def messages_with_adviser(session: Session, *, escalation: Escalation) -> List[Line]:
    """Messages since the hand-over: always shown (they were written to the adviser)."""
    rows = session.execute(select(RelayedMessage, Adviser.name).outerjoin(Adviser, Adviser.id == RelayedMessage.adviser_id)
                           .where(RelayedMessage.escalation_id == escalation.id)
                           .order_by(RelayedMessage.at, RelayedMessage.id))
    return [Line(m.at, name or ("young person" if m.sender == "young_person" else m.sender), m.text, m.crisis_level)
            for m, name in rows]


def transcript(session: Session, *, adviser: Adviser, escalation: Escalation) -> Optional[List[Line]]:
    """The conversation with the bot before the request, only with the young person's consent.

    Every view is written to the audit log.
    """
    if not escalation.consent or escalation.conversation_id is None:
        return None
    session.add(TranscriptView(adviser_id=adviser.id, escalation_id=escalation.id, at=utcnow()))
    if not inspect(session.connection()).has_table(RASA_EVENTS_TABLE):
        return []
    rows = session.execute(text(
        f"SELECT type_name, timestamp, data FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s "
        "AND type_name IN ('user', 'bot') ORDER BY id"), {"s": escalation.conversation_id})
    lines = []
    for type_name, timestamp, data in rows:
        try:
            words = json.loads(data).get("text") or ""
        except (ValueError, AttributeError):
            continue
        if not words or (type_name == "user" and words.startswith("/")):
            continue  # a button press or session start: the bot's own message shows what happened
        at = dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc).replace(tzinfo=None)
        lines.append(Line(at, "young person" if type_name == "user" else "bot", words))
    return lines
