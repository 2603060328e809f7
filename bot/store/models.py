"""Tables. Personal data is kept to the minimum: conversations are named by a pseudonym."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Integer, String, Text
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
    channel = Column(String(32), nullable=False)        # socketio, rest, telegram...
    conversation = Column(String(32), nullable=False, index=True)  # HMAC pseudonym, not the sender id
    matched = Column(String(255), nullable=False)       # which layers and rules fired
    message_text = Column(Text, nullable=True)          # only when LIFEPORTAL_LOG_MESSAGE_TEXT is on
