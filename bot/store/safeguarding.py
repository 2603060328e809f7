"""The safeguarding log: what was noticed, when and where, never who by name."""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import SafeguardingEvent


def load_or_create_key(path: Path) -> bytes:
    """The pseudonym key: LIFEPORTAL_PSEUDONYM_KEY, or a random key kept in var/ (readable by the owner only)."""
    from bot.secret import read_or_create_secret

    return read_or_create_secret(path, os.environ.get("LIFEPORTAL_PSEUDONYM_KEY", "")).encode()


def pseudonym(key: bytes, sender_id: str) -> str:
    """Stable per conversation, not reversible without the key."""
    return hmac.new(key, sender_id.encode(), hashlib.sha256).hexdigest()[:16]


def record_event(session: Session, *, level: str, channel: str, conversation: str, matched: str,
                 message_text: Optional[str] = None) -> SafeguardingEvent:
    event = SafeguardingEvent(level=level, channel=channel[:32], conversation=conversation,
                              matched=matched[:255], message_text=message_text)
    session.add(event)
    session.flush()
    return event


def recent_events(session: Session, *, limit: int = 100) -> List[SafeguardingEvent]:
    query = select(SafeguardingEvent).order_by(SafeguardingEvent.created_at.desc()).limit(limit)
    return list(session.execute(query).scalars())
