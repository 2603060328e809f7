"""Advisers, their teams, and the one-time codes that link a young person to their PA."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Adviser, AdviserLink, Conversation, Escalation, LinkCode, Team, utcnow

_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Easy to read aloud and to type on a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MIN_PASSWORD = 12


class AdviserError(ValueError):
    """Something an operator can fix: the message says what."""


def ensure_team(session: Session, *, name: str, is_duty: bool = False) -> Team:
    team = session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
    if team is None:
        team = Team(name=name, is_duty=is_duty)
        session.add(team)
        session.flush()
    elif is_duty and not team.is_duty:
        team.is_duty = True
    return team


def add_adviser(session: Session, *, name: str, email: str, team: str, password: str,
                duty_team: bool = False) -> Adviser:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AdviserError(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD:
        raise AdviserError(f"The password needs at least {MIN_PASSWORD} characters.")
    if session.execute(select(Adviser).where(Adviser.email == email)).scalar_one_or_none():
        raise AdviserError(f"There is already an adviser with the email {email}.")
    adviser = Adviser(name=name.strip(), email=email, password_hash=_HASHER.hash(password),
                      team_id=ensure_team(session, name=team.strip(), is_duty=duty_team).id)
    session.add(adviser)
    session.flush()
    if duty_team:
        adopt_waiting_requests(session, team_id=adviser.team_id)
    return adviser


def adopt_waiting_requests(session: Session, *, team_id: int) -> int:
    """Requests left in a duty team nobody works in (opened before any duty team was set up) move to
    this duty team, so someone sees them. Returns how many."""
    empty = [t.id for t in session.execute(select(Team).where(Team.is_duty.is_(True), Team.id != team_id)).scalars()
             if session.execute(select(Adviser.id).where(Adviser.team_id == t.id, Adviser.active.is_(True))).first() is None]
    if not empty:
        return 0
    waiting = list(session.execute(select(Escalation).where(Escalation.team_id.in_(empty),
                                                            Escalation.status != "resolved")).scalars())
    for escalation in waiting:
        escalation.team_id = team_id
    session.flush()
    return len(waiting)


def check_password(session: Session, *, email: str, password: str) -> Optional[Adviser]:
    """The adviser if the password is right, else None (the same answer for an unknown email)."""
    adviser = session.execute(select(Adviser).where(Adviser.email == email.strip().lower(),
                                                    Adviser.active.is_(True))).scalar_one_or_none()
    if adviser is None:
        _HASHER.hash(password)  # take the same time as a real check, so timing tells nothing
        return None
    try:
        _HASHER.verify(adviser.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(adviser.password_hash):
        adviser.password_hash = _HASHER.hash(password)
    return adviser


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def new_link_code(session: Session, *, adviser_id: int, valid_for: dt.timedelta = dt.timedelta(days=7),
                  purpose: str = "young_person") -> str:
    """A fresh one-time code, shown once (only its hash is stored), e.g. "K7QM-3XPA"."""
    raw = ""
    while not any(c.isdigit() for c in raw):  # a digit tells a code from a word typed alone
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    session.add(LinkCode(code_hash=_code_hash(raw), adviser_id=adviser_id, created_at=now, expires_at=now + valid_for,
                         purpose=purpose))
    session.flush()
    return f"{raw[:4]}-{raw[4:]}"


def redeem_link_code(session: Session, *, conversation_id: str, code: str) -> Optional[Adviser]:
    """Link the conversation to the code's adviser. A used, expired or unknown code links nobody."""
    now = utcnow()
    link_code = _usable(session, code, "young_person", now)
    if link_code is None or session.get(Conversation, conversation_id) is None:
        return None
    link_code.used_at = now
    link = session.get(AdviserLink, conversation_id)
    if link is None:
        session.add(AdviserLink(conversation_id=conversation_id, adviser_id=link_code.adviser_id, linked_at=now))
    else:
        link.adviser_id, link.linked_at = link_code.adviser_id, now
    session.flush()
    return session.get(Adviser, link_code.adviser_id)


def _usable(session: Session, code: str, purpose: str, now: dt.datetime) -> Optional[LinkCode]:
    link_code = session.execute(select(LinkCode).where(LinkCode.code_hash == _code_hash(code))).scalar_one_or_none()
    if link_code is None or link_code.used_at is not None or link_code.expires_at < now or link_code.purpose != purpose:
        return None
    return link_code


def link_adviser_telegram(session: Session, *, code: str, chat_id: str) -> Optional[Adviser]:
    """An adviser's own Telegram chat, for notifications: linked with a one-time code from the inbox."""
    now = utcnow()
    link_code = _usable(session, code, "telegram", now)
    if link_code is None:
        return None
    link_code.used_at = now
    adviser = session.get(Adviser, link_code.adviser_id)
    adviser.telegram_chat_id = chat_id
    return adviser


def adviser_by_email(session: Session, *, email: str) -> Optional[Adviser]:
    return session.execute(select(Adviser).where(Adviser.email == email.strip().lower())).scalar_one_or_none()


def linked_adviser(session: Session, *, conversation_id: str) -> Optional[Adviser]:
    link = session.get(AdviserLink, conversation_id)
    return session.get(Adviser, link.adviser_id) if link else None
