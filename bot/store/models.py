"""Tables. Personal data is kept to the minimum: conversations are named by a pseudonym."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
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
