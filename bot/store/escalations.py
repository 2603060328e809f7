"""Requests for a person: opened once, routed to the PA or the duty team, announced through the outbox."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.advisers import CODE_ALPHABET, ensure_team
from bot.language import language_name
from bot.store.models import (URGENCIES, Adviser, AdviserLink, Conversation, Escalation, EscalationEvent,
                              OutboxMessage, Team, utcnow)


logger = logging.getLogger(__name__)
DEFAULT_DUTY_TEAM = "Leaving care duty team"


class EscalationError(ValueError):
    """A request the store can't take as it is; the message says why."""


@dataclass(frozen=True)
class Request:
    """What a young person asked for, as the form (or the crisis button) collected it."""

    request_key: str            # the same key for a retried request, so it is opened once
    conversation_id: Optional[str]
    urgency: str
    topic: Optional[str] = None
    details: Optional[str] = None
    contact: Optional[str] = None
    phone: Optional[str] = None
    consent: bool = False
    language: Optional[str] = None


def _new_reference(session: Session) -> str:
    while True:
        reference = "LP-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        if session.execute(select(Escalation.id).where(Escalation.reference == reference)).first() is None:
            return reference


def _duty_team(session: Session) -> Team:
    teams = list(session.execute(select(Team).where(Team.is_duty.is_(True)).order_by(Team.id)).scalars())
    # A duty team with someone in it first: a default queue made before anyone was set up is empty.
    staffed = [t for t in teams if session.execute(select(Adviser.id).where(Adviser.team_id == t.id,
                                                                             Adviser.active.is_(True))).first()]
    team = (staffed or teams or [None])[0]
    if team is None:
        # Nobody has set one up yet: the request still must not be lost. It waits in this queue, and
        # the first adviser added with --duty-team (to a team of this name) sees it.
        logger.warning("no duty team exists: a request waits in the %r queue; add advisers with "
                       "`lifeportal advisers add --team %r --duty-team`", DEFAULT_DUTY_TEAM, DEFAULT_DUTY_TEAM)
        team = ensure_team(session, name=DEFAULT_DUTY_TEAM, is_duty=True)
    return team


def open_escalation(session: Session, request: Request, *, inbox_url: str,
                    duty_check: Optional[Callable[[str, str], bool]] = None) -> Tuple[Escalation, bool]:
    """Open the escalation and write its notifications in the same transaction.

    The duty team is alerted too for a crisis, and when `duty_check(office_hours, urgency)` says the
    PA's office is closed. Returns (escalation, created); a request key seen before returns the first one.
    """
    if request.urgency not in URGENCIES:
        raise EscalationError(f"Unknown urgency {request.urgency!r}; use one of {', '.join(URGENCIES)}.")
    existing = session.execute(select(Escalation).where(Escalation.request_key == request.request_key)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    link = session.get(AdviserLink, request.conversation_id) if request.conversation_id else None
    adviser = session.get(Adviser, link.adviser_id) if link else None
    team = session.get(Team, adviser.team_id) if adviser else _duty_team(session)
    team_id = team.id
    alert_duty = (request.urgency == "crisis" or adviser is None
                  or bool(duty_check and duty_check(team.office_hours or "standard", request.urgency)))
    now = utcnow()
    escalation = Escalation(
        reference=_new_reference(session), request_key=request.request_key, conversation_id=request.conversation_id,
        adviser_id=adviser.id if adviser else None, team_id=team_id, urgency=request.urgency,
        topic=request.topic, details=request.details, contact=request.contact, phone=request.phone,
        consent=request.consent, language=request.language, status="open", created_at=now, updated_at=now,
        duty_alerted=alert_duty)
    session.add(escalation)
    session.flush()
    session.add(EscalationEvent(escalation_id=escalation.id, status="open", at=now))
    for recipient in _recipients(session, adviser, duty_too=alert_duty):
        session.add(_notification(escalation, recipient, inbox_url))
        if recipient.telegram_chat_id:
            session.add(_notification(escalation, recipient, inbox_url, telegram=True))
    session.flush()
    return escalation, True


def _recipients(session: Session, adviser: Optional[Adviser], *, duty_too: bool) -> List[Adviser]:
    """The PA if there is one; the duty team too when it must know, or instead when there is no PA."""
    people: List[Adviser] = [adviser] if adviser else []
    if duty_too or adviser is None:
        duty = _duty_team(session)
        people += [a for a in session.execute(select(Adviser).where(Adviser.team_id == duty.id,
                                                                    Adviser.active.is_(True))).scalars()
                   if a not in people]
    return people


def _notification(escalation: Escalation, recipient: Adviser, inbox_url: str, telegram: bool = False) -> OutboxMessage:
    # A summary and a link, never the transcript: email is not a safe place for a young person's words.
    urgency = escalation.urgency.replace("_", " ")
    subject = f"[{urgency.upper()}] Life Portal request {escalation.reference}"
    body = (f"A young person has asked for a personal adviser.\n\nReference: {escalation.reference}\n"
            f"Urgency: {urgency}\nAbout: {escalation.topic or 'not given'}\n"
            + (f"Language: {language_name(escalation.language)} (they may need an interpreter)\n"
               if escalation.language and escalation.language != "en" else "")
            + f"How to reach them: {escalation.contact or 'this chat'}\n\n"
            f"Open the adviser inbox to see it: {inbox_url}\n")
    return OutboxMessage(dedupe_key=f"escalation:{escalation.id}:adviser:{recipient.id}" + (":telegram" if telegram else ""),
                         kind="telegram" if telegram else "email",
                         recipient=recipient.telegram_chat_id if telegram else recipient.email, subject=subject, body=body, escalation_id=escalation.id,
                         attempts=0, next_attempt_at=escalation.created_at)


def latest_for_conversation(session: Session, *, conversation_id: str) -> Optional[Escalation]:
    query = (select(Escalation).where(Escalation.conversation_id == conversation_id)
             .order_by(Escalation.created_at.desc(), Escalation.id.desc()))
    return session.execute(query).scalars().first()


def escalation_rows(session: Session, *, limit: int = 500) -> List[Dict[str, Any]]:
    """One plain dict per escalation, newest first: for `lifeportal escalations list --json`."""
    query = select(Escalation).order_by(Escalation.created_at.desc(), Escalation.id.desc()).limit(limit)
    rows = []
    for escalation in session.execute(query).scalars():
        outbox = list(session.execute(select(OutboxMessage).where(OutboxMessage.escalation_id == escalation.id))
                      .scalars())
        adviser = session.get(Adviser, escalation.adviser_id) if escalation.adviser_id else None
        team = session.get(Team, escalation.team_id)
        rows.append({
            "id": escalation.id, "reference": escalation.reference, "created": escalation.created_at.isoformat(),
            "urgency": escalation.urgency, "status": escalation.status, "topic": escalation.topic,
            "channel": escalation.conversation_id and _channel(session, escalation.conversation_id),
            "adviser": adviser.email if adviser else None, "team": team.name if team else None,
            "notifications": {"sent": sum(1 for m in outbox if m.sent_at), "waiting": sum(1 for m in outbox if not m.sent_at)},
        })
    return rows


def _channel(session: Session, conversation_id: str) -> Optional[str]:
    conversation = session.get(Conversation, conversation_id)
    return conversation.channel if conversation else None
