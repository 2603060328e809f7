"""The store on SQLite (the default) and on a real PostgreSQL (the production option)."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect

from bot.store import Database
from bot.store.safeguarding import load_or_create_key, pseudonym, record_event, recent_events
from tests.postgres import postgres_server


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'store.db'}").migrate()
    else:
        with postgres_server() as url:
            database = Database(url).migrate()
            yield database
            database.engine.dispose()


def test_migrations_make_the_schema_and_run_twice(database):
    database.migrate()  # already at head: nothing to do, no error
    assert "safeguarding_events" in inspect(database.engine).get_table_names()


def test_safeguarding_events_are_kept_and_listed_newest_first(database):
    with database.session() as session:
        record_event(session, level="urgent", channel="rest", conversation="a" * 16, matched="rules=urgent:x")
    with database.session() as session:
        record_event(session, level="emergency", channel="socketio", conversation="b" * 16, matched="classifier")
    with database.session() as session:
        events = recent_events(session)
    assert [e.level for e in events] == ["emergency", "urgent"]
    assert events[0].message_text is None


def test_a_failed_unit_of_work_leaves_nothing_behind(database):
    with pytest.raises(RuntimeError):
        with database.session() as session:
            record_event(session, level="urgent", channel="rest", conversation="c" * 16, matched="x")
            raise RuntimeError("boom")
    with database.session() as session:
        assert recent_events(session) == []


def test_pseudonyms_are_stable_and_keyed(tmp_path):
    key = load_or_create_key(tmp_path / "secret.key")
    assert load_or_create_key(tmp_path / "secret.key") == key
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    assert pseudonym(key, "sender-1") == pseudonym(key, "sender-1")
    assert pseudonym(key, "sender-1") != pseudonym(key, "sender-2")
    assert pseudonym(b"another key", "sender-1") != pseudonym(key, "sender-1")
