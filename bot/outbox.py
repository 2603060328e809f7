"""Sends the outbox: each notification email once, by SMTP or (with no mail server) into a folder.

Rows are written in the same transaction as the escalation they announce; this module only delivers
them. A row is leased before it is sent, so two senders (two gateway processes, or a restart that
overlaps) never send the same row, and a failed send is tried again later with growing gaps.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import logging
import os
import smtplib
import socket
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select, update

from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import OutboxMessage, utcnow

logger = logging.getLogger("lifeportal.outbox")

# Long enough for one SMTP exchange (timeout below) with room to spare; short enough that a sender
# that died mid-send lets another one retry soon.
LEASE = dt.timedelta(minutes=2)
SMTP_TIMEOUT = 10.0
FIRST_BACKOFF = 5.0      # seconds after the first failure; doubled each time
MAX_BACKOFF = 600.0      # never wait more than 10 minutes: these are requests for help
MESSAGE_DOMAIN = "lifeportal.local"


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: 5 s, 10 s, 20 s ... at most 10 minutes."""
    exponent = min(max(attempts - 1, 0), 16)  # bounded, so a long outage can't overflow
    return dt.timedelta(seconds=min(FIRST_BACKOFF * 2 ** exponent, MAX_BACKOFF))


def message_id(dedupe_key: str) -> str:
    """The same Message-ID for every try of one notification, so a receiver can tell a repeat."""
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{MESSAGE_DOMAIN}>"


def _reason(exc: BaseException) -> str:
    """The error class and a short reason, for `last_error`: never the message body."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        detail = "recipient refused " + ",".join(str(code) for code in codes)
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        detail = f"{exc.smtp_code} {text}"
    elif isinstance(exc, OSError) and exc.strerror:
        detail = exc.strerror
    else:
        detail = str(exc)
    detail = " ".join(detail.split())  # one line
    return f"{type(exc).__name__}: {detail}"[:255]


@dataclass(frozen=True)
class _Leased:
    """What a send needs, copied out of the lease's transaction."""

    id: int
    dedupe_key: str
    recipient: str
    subject: str
    body: str
    attempts: int
    kind: str = "email"


class OutboxSender:
    def __init__(self, settings: Settings, database: Database,
                 telegram: Callable[[str, str], None] | None = None) -> None:
        self.settings = settings
        self.database = database
        # (chat id, text) -> sends it or raises: advisers' Telegram notifications, when Telegram is on.
        self.telegram = telegram
        self._ehlo_name: str | None = None  # looked up once, on the first send (no I/O here)

    # -- the sending round --------------------------------------------------------------------

    def send_due(self, now: dt.datetime | None = None) -> int:
        """Send every unsent email that is due, oldest first; the number sent. Never raises for a failed send."""
        clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else utcnow
        start = clock()
        with self.database.session() as session:
            due: list[int] = list(session.execute(
                select(OutboxMessage.id)
                .where(OutboxMessage.kind.in_(self._kinds()), OutboxMessage.sent_at.is_(None),
                       OutboxMessage.next_attempt_at <= start)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)).scalars())
        sent = 0
        for outbox_id in due:
            leased = self._lease(outbox_id, clock())
            if leased is None:
                continue  # another sender has it, or has sent it already
            try:
                self._deliver(leased)
            except Exception as exc:  # noqa: BLE001 - any failure is retried later, never raised
                self._failed(leased, exc, clock())
            else:
                self._sent(leased, clock())
                sent += 1
        return sent

    def _kinds(self) -> tuple:
        return ("email", "telegram") if self.telegram is not None else ("email",)

    def _lease(self, outbox_id: int, now: dt.datetime) -> _Leased | None:
        """Take the row for LEASE, in its own committed transaction; None if it is not ours to send."""
        with self.database.session() as session:
            # The UPDATE comes first and is conditional: of two senders racing, the second finds the
            # row no longer due (its WHERE is re-checked after the first commits) and updates nothing.
            taken = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id, OutboxMessage.sent_at.is_(None),
                       OutboxMessage.next_attempt_at <= now)
                .values(next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                return None
            row = session.get(OutboxMessage, outbox_id)
            return _Leased(id=row.id, dedupe_key=row.dedupe_key, recipient=row.recipient, subject=row.subject,
                           body=row.body, attempts=row.attempts, kind=row.kind)

    def _sent(self, leased: _Leased, now: dt.datetime) -> None:
        with self.database.session() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == leased.id, OutboxMessage.sent_at.is_(None))
                .values(sent_at=now, attempts=OutboxMessage.attempts + 1, last_error=None)
                .execution_options(synchronize_session=False))

    def _failed(self, leased: _Leased, exc: BaseException, now: dt.datetime) -> None:
        attempt = leased.attempts + 1
        wait = backoff(attempt)
        # Only the id, the attempt and the error class: the log must not carry who or what.
        logger.warning("outbox %s: attempt %d failed (%s); next try in %ds",
                       leased.id, attempt, type(exc).__name__, int(wait.total_seconds()))
        with self.database.session() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == leased.id, OutboxMessage.sent_at.is_(None))
                .values(attempts=OutboxMessage.attempts + 1, last_error=_reason(exc), next_attempt_at=now + wait)
                .execution_options(synchronize_session=False))

    # -- delivery -----------------------------------------------------------------------------

    def _message(self, leased: _Leased) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = leased.recipient
        message["Subject"] = leased.subject
        message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = message_id(leased.dedupe_key)
        message.set_content(leased.body)
        return message

    def _deliver(self, leased: _Leased) -> None:
        if leased.kind == "telegram":
            self.telegram(leased.recipient, f"{leased.subject}\n\n{leased.body}")
            return
        message = self._message(leased)
        if self.settings.smtp_host:
            self._send_smtp(message, leased.recipient)
        else:
            self._write_file(message, leased.id)

    def _send_smtp(self, message: EmailMessage, recipient: str) -> None:
        settings = self.settings
        if self._ehlo_name is None:
            self._ehlo_name = socket.getfqdn()  # smtplib would look it up for every connection
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, local_hostname=self._ehlo_name,
                          timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            # The envelope names exactly the row's recipient, whatever the headers say.
            smtp.send_message(message, from_addr=settings.mail_from, to_addrs=[recipient])

    def _write_file(self, message: EmailMessage, outbox_id: int) -> None:
        folder: Path = self.settings.mail_dir
        if not folder.is_dir():
            # Private: these are notifications about young people.
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write beside the target, then rename over it: a reader never sees half a file, and
        # writing the same row again leaves one file.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".outbox-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(bytes(message))
                stream.flush()
                os.fsync(stream.fileno())
            # Named by the row and its Message-ID, so mail from two databases never overwrites.
            digest = message["Message-ID"].strip("<>").split("@")[0][:12]
            os.replace(temporary, folder / f"{outbox_id:06d}-{digest}.eml")
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise

    # -- the background task ------------------------------------------------------------------

    async def run_forever(self, wake: asyncio.Event, every: float = 5.0) -> None:
        """Send what is due now, then whenever `wake` is set or every `every` seconds; never stops on an error."""
        while True:
            # Cleared before the round: a wake that arrives during it starts the next one at once.
            wake.clear()
            try:
                await asyncio.to_thread(self.send_due)
            except Exception as exc:  # e.g. the database briefly unusable: try again later
                # The class only: a database error's text can quote a statement's parameters.
                logger.error("outbox: a sending round failed (%s); trying again", type(exc).__name__)
                logger.debug("outbox: the failed round", exc_info=True)
            try:
                await asyncio.wait_for(wake.wait(), timeout=every)
            except asyncio.TimeoutError:
                pass
