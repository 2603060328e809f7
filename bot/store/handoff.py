"""The young person's side of a request for a person: the form being filled in, who holds the
conversation (the bot or an adviser), and the messages relayed between them."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Callable, List, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.store.escalations import Request, latest_for_conversation, open_escalation
from bot.store.models import (Adviser, Conversation, Escalation, EscalationDraft, RelayedMessage, SafeguardingEvent,
                              Team, utcnow)

# (office hours id, urgency) -> should the duty team be alerted too (the office is closed)?
DutyCheck = Callable[[str, str], bool]


def get_draft(session: Session, *, conversation_id: str) -> Optional[EscalationDraft]:
    return session.get(EscalationDraft, conversation_id)


def start_draft(session: Session, *, conversation_id: str, step: str) -> EscalationDraft:
    """A fresh form. Its request key is made now, so a retried submit finds the same escalation."""
    session.execute(delete(EscalationDraft).where(EscalationDraft.conversation_id == conversation_id))
    draft = EscalationDraft(conversation_id=conversation_id, request_key=uuid.uuid4().hex, step=step,
                            started_at=utcnow())
    session.add(draft)
    session.flush()
    return draft


def save_draft(session: Session, *, conversation_id: str, **values) -> None:
    session.execute(update(EscalationDraft).where(EscalationDraft.conversation_id == conversation_id).values(**values))


def drop_draft(session: Session, *, conversation_id: str) -> None:
    session.execute(delete(EscalationDraft).where(EscalationDraft.conversation_id == conversation_id))


def recent_requests(session: Session, *, conversation_id: str, crisis: bool, within: dt.timedelta) -> int:
    """How many requests this conversation opened lately (crisis ones counted apart)."""
    urgency_test = Escalation.urgency == "crisis" if crisis else Escalation.urgency != "crisis"
    return session.execute(select(func.count(Escalation.id)).where(
        Escalation.conversation_id == conversation_id, urgency_test,
        Escalation.created_at >= utcnow() - within)).scalar_one()


@dataclass(frozen=True)
class Opened:
    reference: str
    escalation_id: int
    created: bool
    team_hours: str          # the office hours that apply (the PA's team, or the duty team's)
    to_pa: bool              # a linked PA has it (else the duty team's queue)
    duty_alerted: bool


def submit(session: Session, *, request: Request, inbox_url: str, duty_check: DutyCheck,
           clear_draft: bool) -> Opened:
    """Open the escalation (once per request key), drop the form and wait for an adviser: one transaction."""
    escalation, created = open_escalation(session, request, inbox_url=inbox_url, duty_check=duty_check)
    if clear_draft and request.conversation_id:
        drop_draft(session, conversation_id=request.conversation_id)
    if created and request.conversation_id:
        conversation = session.get(Conversation, request.conversation_id)
        if conversation is not None and conversation.mode == "bot":
            conversation.mode = "waiting_for_adviser"
        if request.urgency == "crisis":
            _link_safeguarding_event(session, request.conversation_id, escalation.id)
    team = session.get(Team, escalation.team_id)
    return Opened(escalation.reference, escalation.id, created, team.office_hours if team else "standard",
                  escalation.adviser_id is not None, escalation.duty_alerted)


def _link_safeguarding_event(session: Session, conversation_id: str, escalation_id: int) -> None:
    """The crisis that led to this request now points at it, for whoever reviews the log."""
    event = session.execute(select(SafeguardingEvent).where(
        SafeguardingEvent.conversation == conversation_id, SafeguardingEvent.escalation_id.is_(None),
        SafeguardingEvent.created_at >= utcnow() - dt.timedelta(hours=2))
        .order_by(SafeguardingEvent.id.desc())).scalars().first()
    if event is not None:
        event.escalation_id = escalation_id


@dataclass(frozen=True)
class RequestStatus:
    reference: str
    status: str
    urgency: str
    created_at: dt.datetime
    adviser_name: Optional[str]   # who picked it up, if anyone
    team_hours: str


def request_status(session: Session, *, conversation_id: str) -> Optional[RequestStatus]:
    escalation = latest_for_conversation(session, conversation_id=conversation_id)
    if escalation is None:
        return None
    holder = session.get(Adviser, escalation.claimed_by) if escalation.claimed_by else None
    team = session.get(Team, escalation.team_id)
    return RequestStatus(escalation.reference, escalation.status, escalation.urgency, escalation.created_at,
                         holder.name if holder else None, team.office_hours if team else "standard")


def conversation_mode(session: Session, *, conversation_id: str) -> str:
    conversation = session.get(Conversation, conversation_id)
    return conversation.mode if conversation else "bot"


def relay_from_young_person(session: Session, *, conversation_id: str, text: str,
                            crisis_level: Optional[str]) -> Optional[int]:
    """Keep a message for the adviser who holds the conversation. Returns the escalation id it belongs to."""
    escalation = latest_for_conversation(session, conversation_id=conversation_id)
    session.add(RelayedMessage(conversation_id=conversation_id, escalation_id=escalation.id if escalation else None,
                               sender="young_person", text=text, crisis_level=crisis_level, at=utcnow()))
    return escalation.id if escalation else None


def relayed_messages(session: Session, *, escalation_id: int) -> List[RelayedMessage]:
    return list(session.execute(select(RelayedMessage).where(RelayedMessage.escalation_id == escalation_id)
                                .order_by(RelayedMessage.at, RelayedMessage.id)).scalars())


@dataclass(frozen=True)
class Unclaimed:
    escalation_id: int
    reference: str
    conversation_id: str
    channel: str
    team_hours: str


def unclaimed_to_tell(session: Session, *, older_than: dt.timedelta) -> List[Unclaimed]:
    """Requests nobody has picked up in time, whose young person hasn't been told yet; marked as told."""
    rows = session.execute(
        select(Escalation, Conversation.channel, Team.office_hours)
        .join(Conversation, Conversation.id == Escalation.conversation_id)
        .join(Team, Team.id == Escalation.team_id)
        .where(Escalation.status == "open", Escalation.unclaimed_told_at.is_(None),
               Escalation.created_at <= utcnow() - older_than)).all()
    now = utcnow()
    found = []
    for escalation, channel, hours in rows:
        escalation.unclaimed_told_at = now
        found.append(Unclaimed(escalation.id, escalation.reference, escalation.conversation_id, channel, hours))
    return found
