"""Tables. Personal data is kept to the minimum: conversations are named by a pseudonym."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class SafeguardingEvent(Base):
    """One crisis message noticed by the bot, for a PA or manager to review."""

    __tablename__ = "safeguarding_events"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    level = Column(String(16), nullable=False)          # emergency | urgent
    channel = Column(String(32), nullable=False)        # web, rest, telegram...
    conversation = Column(String(32), nullable=False, index=True)  # the conversation's pseudonym, not the sender id
    matched = Column(String(255), nullable=False)       # which layers and rules fired
    message_text = Column(Text, nullable=True)          # only when LIFEPORTAL_LOG_MESSAGE_TEXT is on
    escalation_id = Column(Integer, nullable=True)      # the request for a person this crisis raised, if any


# What a conversation can be doing. Only the gateway changes it; the escalation work uses the others.
MODES = ("bot", "waiting_for_adviser", "adviser", "closed")


class Conversation(Base):
    """One young person on one channel. The id is the pseudonym Rasa sees (HMAC of channel + external id)."""

    __tablename__ = "conversations"

    id = Column(String(32), primary_key=True)
    channel = Column(String(16), nullable=False)
    mode = Column(String(24), nullable=False, default="bot")
    district = Column(String(32), nullable=True)
    language = Column(String(16), nullable=True)
    offered = Column(Text, nullable=True)   # JSON: the buttons last offered (payload -> title), kept over restarts
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class KeptMessage(Base):
    """A young person's message from arrival until it is answered: nothing is lost while Rasa is away.

    The row (and its text) is deleted as soon as the message is answered or given up on.
    """

    __tablename__ = "kept_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False, index=True)
    shown = Column(Text, nullable=True)      # what the young person saw themselves send (text or button title)
    for_rasa = Column(Text, nullable=True)   # what goes to Rasa (the text, or a button's payload)
    status = Column(String(16), nullable=False, default="pending")  # pending (being answered) | retry (waiting for Rasa)
    attempts = Column(Integer, nullable=False, default=0)
    received_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class UndeliveredReply(Base):
    """A reply for a conversation whose page was not connected: sent when it next connects."""

    __tablename__ = "undelivered_replies"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False, index=True)
    body = Column(Text, nullable=False)      # JSON: {"text": ..., "buttons": [...]}
    created_at = Column(DateTime, nullable=False, default=utcnow)


# Escalation to a personal adviser (issue 8): who the advisers are, who is linked to whom, and
# every request for a person, with its history and the notifications it must send.

URGENCIES = ("crisis", "today", "this_week", "whenever")   # most urgent first
STATUSES = ("open", "claimed", "replied", "resolved")


class Team(Base):
    __tablename__ = "teams"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    is_duty = Column(Boolean, nullable=False, default=False)  # takes unlinked young people's requests
    office_hours = Column(String(40), nullable=False, default="standard")  # an entry in knowledge/office_hours.yml
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Adviser(Base):
    __tablename__ = "advisers"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False, unique=True)   # stored lower-case
    team_id = Column(Integer, ForeignKey("teams.id"), nullable=False, index=True)
    password_hash = Column(String(255), nullable=False)        # Argon2id
    telegram_chat_id = Column(String(32), nullable=True)       # notifications on Telegram too, if linked
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class LinkCode(Base):
    """A one-time code a PA gives a young person; only its hash is kept."""

    __tablename__ = "link_codes"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False, unique=True)
    purpose = Column(String(16), nullable=False, default="young_person")   # young_person | telegram
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime, nullable=True)


class AdviserLink(Base):
    """A conversation's personal adviser."""

    __tablename__ = "adviser_links"

    conversation_id = Column(String(32), ForeignKey("conversations.id"), primary_key=True)
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=False, index=True)
    linked_at = Column(DateTime, nullable=False, default=utcnow)


class Escalation(Base):
    __tablename__ = "escalations"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)    # what the young person is told
    request_key = Column(String(64), nullable=False, unique=True)  # a retried request finds the same row
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=True, index=True)
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=True, index=True)
    team_id = Column(Integer, ForeignKey("teams.id"), nullable=False, index=True)
    urgency = Column(String(16), nullable=False)
    topic = Column(String(64), nullable=True)
    details = Column(Text, nullable=True)
    contact = Column(String(16), nullable=True)        # chat | call | text
    phone = Column(String(32), nullable=True)
    consent = Column(Boolean, nullable=False, default=False)  # share the conversation so far with the PA
    language = Column(String(16), nullable=True)
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    claimed_by = Column(Integer, ForeignKey("advisers.id"), nullable=True, index=True)
    duty_alerted = Column(Boolean, nullable=False, default=False)   # the duty team was told too
    unclaimed_told_at = Column(DateTime, nullable=True)  # the young person was told nobody has picked it up yet


class EscalationEvent(Base):
    """The status history: who moved an escalation on, and when."""

    __tablename__ = "escalation_events"

    id = Column(Integer, primary_key=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id"), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=True)
    at = Column(DateTime, nullable=False, default=utcnow)


class EscalationNote(Base):
    __tablename__ = "escalation_notes"

    id = Column(Integer, primary_key=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id"), nullable=False, index=True)
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class OutboxMessage(Base):
    """A notification to send, written in the same transaction as what it announces; sent exactly once."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(128), nullable=False, unique=True)
    kind = Column(String(16), nullable=False)          # email | telegram
    recipient = Column(String(254), nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)                # a summary and a link; never the transcript
    escalation_id = Column(Integer, ForeignKey("escalations.id"), nullable=True, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    sent_at = Column(DateTime, nullable=True)
    last_error = Column(String(255), nullable=True)


class TranscriptView(Base):
    """Audit: which adviser looked at which conversation, and when."""

    __tablename__ = "transcript_views"

    id = Column(Integer, primary_key=True)
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=False, index=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)


class EscalationDraft(Base):
    """A request for a person being filled in: kept in the store so a restart loses nothing."""

    __tablename__ = "escalation_drafts"

    conversation_id = Column(String(32), ForeignKey("conversations.id"), primary_key=True)
    request_key = Column(String(64), nullable=False)
    step = Column(String(16), nullable=False)           # the question being asked
    topic = Column(String(64), nullable=True)
    details = Column(Text, nullable=True)
    urgency = Column(String(16), nullable=True)
    contact = Column(String(16), nullable=True)
    phone = Column(String(32), nullable=True)
    started_at = Column(DateTime, nullable=False, default=utcnow)


class RelayedMessage(Base):
    """A message between a young person and an adviser while an adviser holds the conversation."""

    __tablename__ = "relayed_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False, index=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id"), nullable=True, index=True)
    sender = Column(String(16), nullable=False)         # young_person | adviser | bot
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=True)
    text = Column(Text, nullable=False)
    crisis_level = Column(String(16), nullable=True)    # flagged for the adviser
    at = Column(DateTime, nullable=False, default=utcnow, index=True)


class AdviserSession(Base):
    """A signed-in adviser: server-side, so signing out or expiry ends it for certain."""

    __tablename__ = "adviser_sessions"

    token_hash = Column(String(64), primary_key=True)   # sha256 of the cookie value
    adviser_id = Column(Integer, ForeignKey("advisers.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)


class ChannelAddress(Base):
    """Where to send a reply on a channel that can't be reached by a socket (a Telegram chat id).

    Kept only so an adviser's reply can reach the young person; erased with the conversation.
    """

    __tablename__ = "channel_addresses"

    conversation_id = Column(String(32), ForeignKey("conversations.id"), primary_key=True)
    address = Column(String(64), nullable=False)


class Gap(Base):
    """A question the bot could not answer well, for editors. Redacted, and with no chat identity:
    nothing links it to a young person, so it needs no erasing on request; it is deleted after
    LIFEPORTAL_GAPS_RETENTION_DAYS."""

    __tablename__ = "gaps"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    kind = Column(String(16), nullable=False)     # fallback | unsure | not_helped
    topic = Column(String(40), nullable=True)     # the topic answered (unsure, not_helped)
    text = Column(Text, nullable=False)           # the question, with personal details redacted
