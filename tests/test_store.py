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


def test_conversations_are_kept_answered_and_forgotten(database):
    import datetime as dt

    from bot.store.conversations import (finish_message, forget_conversation, keep_reply, messages_waiting,
                                         receive_message, set_for_retry, take_replies)

    hours = dt.timedelta(hours=4)
    with database.session() as session:
        first = receive_message(session, conversation_id="p" * 16, channel="web", shown="hi", for_rasa="hi",
                                session_ttl=hours)
        assert first.is_new and not first.session_expired
    with database.session() as session:
        later = dt.datetime.utcnow() + dt.timedelta(hours=5)
        second = receive_message(session, conversation_id="p" * 16, channel="web", shown="council tax",
                                 for_rasa="council tax", session_ttl=hours, now=later)
        assert not second.is_new and second.session_expired
        set_for_retry(session, kept_id=second.kept_id)
        keep_reply(session, conversation_id="p" * 16, body={"text": "kept", "buttons": []})
    with database.session() as session:
        finish_message(session, kept_id=first.kept_id, district="harlow")
        waiting = messages_waiting(session)
        assert [(w.shown, w.channel) for w in waiting] == [("council tax", "web")]
        assert take_replies(session, conversation_id="p" * 16) == [{"text": "kept", "buttons": []}]
        assert take_replies(session, conversation_id="p" * 16) == []
        record_event(session, level="emergency", channel="web", conversation="p" * 16, matched="rules")
    with database.session() as session:
        assert forget_conversation(session, conversation_id="p" * 16)
    with database.session() as session:
        assert messages_waiting(session) == []
        assert [e.conversation for e in recent_events(session)] == ["erased"]
        assert not forget_conversation(session, conversation_id="p" * 16)


def test_rasa_tracker_store_settings_follow_the_database_url():
    from bot.processes import tracker_store_config

    assert tracker_store_config("sqlite:////srv/bot/var/lifeportal.db") == {
        "type": "SQL", "dialect": "sqlite", "db": "/srv/bot/var/lifeportal.db"}
    assert tracker_store_config("postgresql+psycopg2://bot:s3cret@db.internal:5433/lifeportal") == {
        "type": "SQL", "dialect": "postgresql+psycopg2", "url": "db.internal", "port": 5433,
        "db": "lifeportal", "username": "bot", "password": "s3cret"}
