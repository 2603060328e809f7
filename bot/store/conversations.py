"""Conversations and what the gateway keeps for them: one function per unit of work."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.orm import Session

from bot.store.models import (AdviserLink, ChannelAddress, Conversation, Escalation, EscalationDraft, KeptMessage, RelayedMessage,
                              SafeguardingEvent, UndeliveredReply, utcnow)

# Rasa's SQLTrackerStore keeps its events here, in the same database (see bot.processes).
RASA_EVENTS_TABLE = "events"
ERASED = "erased"


@dataclass(frozen=True)
class Arrival:
    """A conversation as a new message finds it."""

    conversation: Conversation
    is_new: bool
    session_expired: bool
    kept_id: int


def receive_message(session: Session, *, conversation_id: str, channel: str, shown: str, for_rasa: str,
                    session_ttl: dt.timedelta, now: Optional[dt.datetime] = None) -> Arrival:
    """Find or open the conversation, note the time, and keep the message until it is answered."""
    now = now or utcnow()
    conversation = session.get(Conversation, conversation_id)
    is_new = conversation is None
    expired = False
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel=channel, mode="bot", created_at=now, last_seen_at=now)
        session.add(conversation)
    else:
        expired = now - conversation.last_seen_at > session_ttl
        conversation.last_seen_at = now
    kept = KeptMessage(conversation_id=conversation_id, shown=shown, for_rasa=for_rasa, status="pending",
                       attempts=0, received_at=now)
    session.add(kept)
    session.flush()
    return Arrival(conversation, is_new, expired, kept.id)


def get_conversation(session: Session, *, conversation_id: str) -> Optional[Conversation]:
    return session.get(Conversation, conversation_id)


def set_language(session: Session, *, conversation_id: str, language: str) -> None:
    """The language the young person writes in ("en", "fa"...), remembered for the conversation."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None and conversation.language != language:
        conversation.language = language[:16]


def finish_message(session: Session, *, kept_id: int, district: Optional[str] = None) -> None:
    """The message was answered (or given up on): its text goes; the district Rasa knows is noted."""
    kept = session.get(KeptMessage, kept_id)
    if kept is None:
        return
    if district:
        session.execute(update(Conversation).where(Conversation.id == kept.conversation_id)
                        .values(district=district[:32]))
    session.delete(kept)


@dataclass(frozen=True)
class TurnFacts:
    """What Rasa made of the latest message: for the log line and the conversation row."""

    intent: Optional[str]
    district: Optional[str]


def rasa_turn_facts(session: Session, *, conversation_id: str) -> TurnFacts:
    """Read the latest intent and the district slot from Rasa's tracker store (the same database).

    Read here rather than asked of Rasa's API: a tracker request costs Rasa's single event loop
    more than the turn's own dialogue, and under load that made every turn slower.
    """
    if not inspect(session.connection()).has_table(RASA_EVENTS_TABLE):
        return TurnFacts(None, None)
    intent = session.execute(text(
        f"SELECT intent_name FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s AND type_name = 'user' "
        "ORDER BY id DESC LIMIT 1"), {"s": conversation_id}).scalar()
    slot = session.execute(text(
        f"SELECT data FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s AND type_name = 'slot' "
        "AND action_name = 'district' ORDER BY id DESC LIMIT 1"), {"s": conversation_id}).scalar()
    district = None
    if slot:
        try:
            value = json.loads(slot).get("value")
            district = value if isinstance(value, str) else None
        except (ValueError, AttributeError):
            district = None
    return TurnFacts(intent, district)


def finish_answered(session: Session, *, kept_id: int, conversation_id: str) -> TurnFacts:
    """An answered message: note what Rasa made of it, then forget its text."""
    facts = rasa_turn_facts(session, conversation_id=conversation_id)
    finish_message(session, kept_id=kept_id, district=facts.district)
    return facts


def set_for_retry(session: Session, *, kept_id: int) -> None:
    session.execute(update(KeptMessage).where(KeptMessage.id == kept_id)
                    .values(status="retry", attempts=KeptMessage.attempts + 1))


@dataclass(frozen=True)
class Waiting:
    kept_id: int
    conversation_id: str
    channel: str
    shown: str
    for_rasa: str
    received_at: dt.datetime


def adopt_orphans(session: Session) -> int:
    """At start-up: messages a stopped gateway was answering are this one's to retry."""
    return session.execute(update(KeptMessage).where(KeptMessage.status == "pending").values(status="retry")).rowcount


def messages_waiting(session: Session) -> List[Waiting]:
    """Messages kept for a retry, oldest first. Messages being answered now (pending) are not
    listed, so a retry can never race a turn that is still running."""
    query = (select(KeptMessage, Conversation.channel)
             .join(Conversation, Conversation.id == KeptMessage.conversation_id)
             .where(KeptMessage.status == "retry")
             .order_by(KeptMessage.received_at, KeptMessage.id))
    return [Waiting(kept.id, kept.conversation_id, channel, kept.shown or "", kept.for_rasa or "", kept.received_at)
            for kept, channel in session.execute(query)]


def keep_reply(session: Session, *, conversation_id: str, body: Dict[str, Any]) -> None:
    session.add(UndeliveredReply(conversation_id=conversation_id, body=json.dumps(body, ensure_ascii=False)))


def take_replies(session: Session, *, conversation_id: str) -> List[Dict[str, Any]]:
    """Replies kept while the conversation's page was away, in order; they are removed as they are taken."""
    rows = list(session.execute(select(UndeliveredReply).where(UndeliveredReply.conversation_id == conversation_id)
                                .order_by(UndeliveredReply.id)).scalars())
    for row in rows:
        session.delete(row)
    return [json.loads(row.body) for row in rows]


def forget_conversation(session: Session, *, conversation_id: str) -> bool:
    """Erase a conversation from our store and from Rasa's tracker store.

    Safeguarding events stay as counts (level, time, which rules fired) but lose their link to
    the conversation and any text, so that what the service saw can still be reviewed.
    """
    existed = session.get(Conversation, conversation_id) is not None
    session.execute(delete(KeptMessage).where(KeptMessage.conversation_id == conversation_id))
    session.execute(delete(UndeliveredReply).where(UndeliveredReply.conversation_id == conversation_id))
    session.execute(delete(AdviserLink).where(AdviserLink.conversation_id == conversation_id))
    session.execute(delete(EscalationDraft).where(EscalationDraft.conversation_id == conversation_id))
    session.execute(delete(ChannelAddress).where(ChannelAddress.conversation_id == conversation_id))
    session.execute(delete(RelayedMessage).where(RelayedMessage.conversation_id == conversation_id))
    # A request for a person stays on the service's record, without anything that says who asked.
    session.execute(update(Escalation).where(Escalation.conversation_id == conversation_id)
                    .values(conversation_id=None, details=None, phone=None))
    session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    session.execute(update(SafeguardingEvent).where(SafeguardingEvent.conversation == conversation_id)
                    .values(conversation=ERASED, message_text=None))
    if inspect(session.connection()).has_table(RASA_EVENTS_TABLE):
        result = session.execute(text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE sender_id = :sender"),
                                 {"sender": conversation_id})
        existed = existed or result.rowcount > 0
    return existed


def save_offered(session: Session, *, conversation_id: str, payloads: Dict[str, str]) -> None:
    session.execute(update(Conversation).where(Conversation.id == conversation_id)
                    .values(offered=json.dumps(payloads, ensure_ascii=False)))


def load_offered(session: Session, *, conversation_id: str) -> Dict[str, str]:
    conversation = session.get(Conversation, conversation_id)
    try:
        found = json.loads(conversation.offered) if conversation is not None and conversation.offered else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def save_address(session: Session, *, conversation_id: str, address: str) -> None:
    """Remember where the conversation's channel delivers (only once the conversation exists)."""
    if session.get(Conversation, conversation_id) is None:
        return
    row = session.get(ChannelAddress, conversation_id)
    if row is None:
        session.add(ChannelAddress(conversation_id=conversation_id, address=address))
    elif row.address != address:
        row.address = address


def load_address(session: Session, *, conversation_id: str) -> Optional[str]:
    row = session.get(ChannelAddress, conversation_id)
    return row.address if row else None


def peek_replies(session: Session, *, conversation_id: str) -> List[tuple]:
    """Kept replies in order, as (id, body), left in place until each is confirmed sent."""
    rows = session.execute(select(UndeliveredReply).where(UndeliveredReply.conversation_id == conversation_id)
                           .order_by(UndeliveredReply.id)).scalars()
    return [(row.id, json.loads(row.body)) for row in rows]


def drop_reply(session: Session, *, reply_id: int) -> None:
    session.execute(delete(UndeliveredReply).where(UndeliveredReply.id == reply_id))
