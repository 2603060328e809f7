"""The outbox sender against a real SMTP listener (aiosmtpd) and a real SQLite store."""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email
import hashlib
import logging
import socket
import stat
import threading
import time
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from bot.outbox import OutboxSender, backoff
from bot.settings import load_settings
from bot.store import Database
from bot.store.advisers import add_adviser
from bot.store.escalations import Request, open_escalation
from bot.store.models import OutboxMessage, utcnow

PASSWORD = "correct horse battery"
INBOX = "http://127.0.0.1:18080/inbox/"
DETAILS = "words-the-young-person-typed"


class Recorder:
    """Keeps each message the listener accepts: its envelope and its content."""

    def __init__(self) -> None:
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "message": email.message_from_bytes(envelope.content)})
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def listener(port: int):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def database(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'x.db'}").migrate()
    with database.session() as session:
        add_adviser(session, name="Dev", email="dev@example.org", team="Duty", password=PASSWORD, duty_team=True)
        add_adviser(session, name="Dee", email="dee@example.org", team="Duty", password=PASSWORD, duty_team=True)
    yield database
    database.engine.dispose()


def settings_for(tmp_path, *, smtp_host="127.0.0.1", smtp_port=25):
    # mail_dir is var_dir / "mail"
    return dataclasses.replace(load_settings(), var_dir=tmp_path, smtp_host=smtp_host, smtp_port=smtp_port,
                               smtp_user="", smtp_password="", smtp_starttls=False,
                               mail_from="lifeportal-bot@example.org")


def open_requests(database, count=1):
    """`count` requests with no PA: each notifies both duty advisers."""
    with database.session() as session:
        for n in range(count):
            open_escalation(session, Request(request_key=f"key-{n}", conversation_id=None, urgency="today",
                                             topic="money", details=DETAILS), inbox_url=INBOX)


def rows(database):
    with database.session() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def expected_id(dedupe_key):
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@lifeportal.local>"


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(8).total_seconds() == 600 and backoff(10_000).total_seconds() == 600


def test_each_notification_is_delivered_once(tmp_path, database):
    port = free_port()
    open_requests(database)
    sender = OutboxSender(settings_for(tmp_path, smtp_port=port), database)
    with listener(port) as smtp:
        assert sender.send_due() == 2
        assert sender.send_due() == 0
        assert sorted(m["to"][0] for m in smtp.messages) == ["dee@example.org", "dev@example.org"]
        stored = {row.recipient: row for row in rows(database)}
        for received in smtp.messages:
            row = stored[received["to"][0]]
            message = received["message"]
            assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
            assert received["from"] == "lifeportal-bot@example.org"
            assert message["To"] == row.recipient and message["Subject"] == row.subject and message["Date"]
            assert message["Message-ID"] == expected_id(row.dedupe_key)
            body = message.get_payload(decode=True).decode()
            assert body.replace("\r\n", "\n") == row.body  # only what open_escalation wrote
            assert INBOX in body and DETAILS not in body
        # Sent again (e.g. the row was restored from a backup): the receiver sees the same Message-ID.
        first = {m["to"][0]: m["message"]["Message-ID"] for m in smtp.messages}
        with database.session() as session:
            session.execute(update(OutboxMessage).values(sent_at=None, next_attempt_at=utcnow()))
        assert sender.send_due() == 2
        assert {m["to"][0]: m["message"]["Message-ID"] for m in smtp.messages[2:]} == first


def test_an_smtp_outage_is_retried_with_backoff(tmp_path, database, caplog):
    port = free_port()  # nothing listens here yet
    open_requests(database)
    sender = OutboxSender(settings_for(tmp_path, smtp_port=port), database)
    now = utcnow()
    with caplog.at_level(logging.WARNING, logger="lifeportal.outbox"):
        assert sender.send_due(now) == 0
    for row in rows(database):
        assert row.sent_at is None and row.attempts == 1
        assert row.last_error.startswith("ConnectionRefusedError")
        assert row.next_attempt_at == now + dt.timedelta(seconds=5)
        assert f"outbox {row.id}: attempt 1 failed (ConnectionRefusedError)" in caplog.text
    assert "example.org" not in caplog.text and "Reference" not in caplog.text  # no recipient, no body
    assert sender.send_due(now + dt.timedelta(seconds=2)) == 0  # still backing off: not even tried
    assert {row.attempts for row in rows(database)} == {1}

    later = now + dt.timedelta(minutes=1)
    with listener(port) as smtp:
        assert sender.send_due(later) == 2
        assert sender.send_due(later + dt.timedelta(minutes=5)) == 0
        assert sorted(m["to"][0] for m in smtp.messages) == ["dee@example.org", "dev@example.org"]
    for row in rows(database):
        assert row.sent_at == later and row.attempts == 2 and row.last_error is None


def test_a_leased_row_is_not_sent_by_another_sender(tmp_path, database):
    port = free_port()
    open_requests(database, count=6)
    settings = settings_for(tmp_path, smtp_port=port)
    first, second = OutboxSender(settings, database), OutboxSender(settings, database)
    now = utcnow()
    # While one sender holds a row, the other does not see it as due.
    outbox_id = rows(database)[0].id
    assert first._lease(outbox_id, now) is not None
    assert second._lease(outbox_id, now) is None
    with database.session() as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=now))

    with listener(port) as smtp:
        start = threading.Barrier(2)
        counts = []

        def run(sender):
            start.wait()
            counts.append(sender.send_due())

        threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert sum(counts) == 12
        ids = [m["message"]["Message-ID"] for m in smtp.messages]
        assert len(ids) == 12 and len(set(ids)) == 12
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows(database))


def test_without_a_mail_server_mail_goes_to_a_folder(tmp_path, database):
    open_requests(database)
    settings = settings_for(tmp_path, smtp_host="")
    sender = OutboxSender(settings, database)
    assert not settings.mail_dir.exists()
    assert sender.send_due() == 2
    assert stat.S_IMODE(settings.mail_dir.stat().st_mode) == 0o700
    stored = rows(database)
    names = {row.id: f"{row.id:06d}-{expected_id(row.dedupe_key)[1:13]}.eml" for row in stored}
    assert sorted(p.name for p in settings.mail_dir.iterdir()) == sorted(names.values())
    for row in stored:
        message = email.message_from_bytes((settings.mail_dir / names[row.id]).read_bytes())
        assert message["To"] == row.recipient and message["Message-ID"] == expected_id(row.dedupe_key)
        assert message.get_payload(decode=True).decode() == row.body
    # Written again: still one file a row, and no temporary files left over.
    with database.session() as session:
        session.execute(update(OutboxMessage).values(sent_at=None, next_attempt_at=utcnow()))
    assert sender.send_due() == 2 and sender.send_due() == 0
    assert sorted(p.name for p in settings.mail_dir.iterdir()) == sorted(names.values())


def test_the_background_task_wakes_and_survives_failures(tmp_path, database):
    port = free_port()
    open_requests(database)
    sender = OutboxSender(settings_for(tmp_path, smtp_port=port), database)
    calls = []
    real_send_due = sender.send_due

    def flaky_send_due(now=None):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("the database is briefly unusable")
        return real_send_due(now)

    sender.send_due = flaky_send_due

    async def until(condition, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.02)

    async def scenario():
        wake = asyncio.Event()
        task = asyncio.create_task(sender.run_forever(wake, every=60))  # only `wake` can start a round
        try:
            await until(lambda: len(calls) == 1)          # the first round raised...
            wake.set()
            await until(lambda: all(r.attempts == 1 for r in rows(database)))  # ...the next one ran: no server
            assert not task.done()
            with listener(port) as smtp:
                with database.session() as session:       # as if the back-off had passed
                    session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
                wake.set()
                await until(lambda: len(smtp.messages) == 2)
            await until(lambda: all(r.sent_at is not None for r in rows(database)))
            assert not task.done()
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())
