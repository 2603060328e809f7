"""Advisers, link codes and escalations in the store, on SQLite and on a real PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.processes import child_env
from bot.settings import load_settings
from bot.store import Database
from bot.store.advisers import (AdviserError, add_adviser, check_password, linked_adviser, new_link_code,
                                redeem_link_code)
from bot.store.conversations import forget_conversation, receive_message
from bot.store.escalations import Request, escalation_rows, latest_for_conversation, open_escalation
from bot.store.models import AdviserLink, Escalation, EscalationEvent, OutboxMessage
from tests.postgres import postgres_server

PASSWORD = "correct horse battery"
INBOX = "http://127.0.0.1:8080/inbox"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'store.db'}").migrate()
    else:
        with postgres_server(port=15434) as url:
            database = Database(url).migrate()
            yield database
            database.engine.dispose()


@pytest.fixture
def people(database):
    with database.session() as session:
        pa = add_adviser(session, name="Priya", email="Priya@Example.org", team="North", password=PASSWORD)
        duty = add_adviser(session, name="Dev", email="dev@example.org", team="Duty", password=PASSWORD,
                           duty_team=True)
        other = add_adviser(session, name="Olu", email="olu@example.org", team="South", password=PASSWORD)
        for conversation in ("young-a", "young-b"):
            receive_message(session, conversation_id=conversation, channel="web", shown="hi", for_rasa="hi",
                            session_ttl=dt.timedelta(hours=4))
        return {"pa": pa.id, "duty": duty.id, "other": other.id}


def test_passwords_are_hashed_and_checked(database, people):
    with database.session() as session:
        assert check_password(session, email="priya@example.org", password=PASSWORD).id == people["pa"]
        assert check_password(session, email="PRIYA@example.org ", password=PASSWORD) is not None
        assert check_password(session, email="priya@example.org", password="wrong password!!") is None
        assert check_password(session, email="nobody@example.org", password=PASSWORD) is None
        with pytest.raises(AdviserError):
            add_adviser(session, name="Again", email="priya@example.org", team="North", password=PASSWORD)
        with pytest.raises(AdviserError):
            add_adviser(session, name="Short", email="s@example.org", team="North", password="short")
    with database.session() as session:
        from bot.store.models import Adviser

        hashes = [a.password_hash for a in session.execute(select(Adviser)).scalars()]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_a_link_code_links_once_and_is_kept_only_as_a_hash(database, people):
    with database.session() as session:
        code = new_link_code(session, adviser_id=people["pa"])
    assert len(code) == 9 and code[4] == "-"
    with database.session() as session:
        assert redeem_link_code(session, conversation_id="young-a", code=code.lower().replace("-", " ")).id == people["pa"]
    with database.session() as session:
        assert redeem_link_code(session, conversation_id="young-b", code=code) is None  # used
        assert redeem_link_code(session, conversation_id="young-b", code="ABCD-EFGH") is None
        assert linked_adviser(session, conversation_id="young-a").id == people["pa"]
        assert linked_adviser(session, conversation_id="young-b") is None
        from bot.store.models import LinkCode

        assert code.replace("-", "") not in [c.code_hash for c in session.execute(select(LinkCode)).scalars()]


def test_an_escalation_goes_to_the_pa_is_opened_once_and_announced_once(database, people):
    with database.session() as session:
        redeem_link_code(session, conversation_id="young-a", code=new_link_code(session, adviser_id=people["pa"]))
    request = Request(request_key="young-a:1", conversation_id="young-a", urgency="this_week", topic="housing",
                      details="my landlord wants me out", contact="text", phone="07700 900123", consent=True)
    with database.session() as session:
        escalation, created = open_escalation(session, request, inbox_url=INBOX)
        assert created and escalation.adviser_id == people["pa"] and escalation.reference.startswith("LP-")
    with database.session() as session:  # the same request again (a retry): the same escalation
        again, created = open_escalation(session, request, inbox_url=INBOX)
        assert not created and again.id == escalation.id
    with database.session() as session:
        outbox = list(session.execute(select(OutboxMessage)).scalars())
        assert [m.recipient for m in outbox] == ["priya@example.org"]
        assert "landlord" not in outbox[0].body and INBOX in outbox[0].body and escalation.reference in outbox[0].subject
        assert [e.status for e in session.execute(select(EscalationEvent)).scalars()] == ["open"]
        assert latest_for_conversation(session, conversation_id="young-a").id == escalation.id


def test_a_crisis_goes_to_the_pa_and_the_duty_team_and_no_pa_means_the_duty_team(database, people):
    with database.session() as session:
        redeem_link_code(session, conversation_id="young-a", code=new_link_code(session, adviser_id=people["pa"]))
        crisis, _ = open_escalation(session, Request("young-a:crisis", "young-a", "crisis"), inbox_url=INBOX)
        unlinked, _ = open_escalation(session, Request("young-b:1", "young-b", "today"), inbox_url=INBOX)
    with database.session() as session:
        to = lambda e: sorted(m.recipient for m in session.execute(  # noqa: E731
            select(OutboxMessage).where(OutboxMessage.escalation_id == e.id)).scalars())
        assert to(crisis) == ["dev@example.org", "priya@example.org"]
        assert to(unlinked) == ["dev@example.org"]
        rows = escalation_rows(session)
    assert {r["reference"]: r["urgency"] for r in rows} == {crisis.reference: "crisis", unlinked.reference: "today"}
    assert all(r["notifications"] == {"sent": 0, "waiting": len(to(e))} for r, e in zip(rows, [unlinked, crisis]))


def test_forgetting_a_conversation_keeps_the_request_on_record_without_who_asked(database, people):
    with database.session() as session:
        redeem_link_code(session, conversation_id="young-a", code=new_link_code(session, adviser_id=people["pa"]))
        open_escalation(session, Request("young-a:1", "young-a", "today", details="private words", phone="07700900123"),
                        inbox_url=INBOX)
    with database.session() as session:
        assert forget_conversation(session, conversation_id="young-a")
    with database.session() as session:
        escalation = session.execute(select(Escalation)).scalar_one()
        assert (escalation.conversation_id, escalation.details, escalation.phone) == (None, None, None)
        assert session.execute(select(func.count()).select_from(AdviserLink)).scalar() == 0


def test_with_no_duty_team_yet_a_request_is_still_kept_in_a_duty_queue(database):
    from bot.store.escalations import DEFAULT_DUTY_TEAM
    from bot.store.models import Team

    with database.session() as session:
        escalation, created = open_escalation(session, Request("nobody-yet", None, "today"), inbox_url=INBOX)
        team = session.get(Team, escalation.team_id)
        assert created and (team.name, team.is_duty) == (DEFAULT_DUTY_TEAM, True)
    with database.session() as session:
        add_adviser(session, name="Dev", email="dev@example.org", team=DEFAULT_DUTY_TEAM, password=PASSWORD,
                    duty_team=True)
        from bot.store import inbox
        from bot.store.models import Adviser
        dev = session.execute(select(Adviser)).scalar_one()
        assert [e.id for e in inbox.caseload(session, adviser=dev)] == [escalation.id]


def test_the_hand_off_and_the_inbox_on_the_store(database, people):
    """Submit, scoping, claim, reply, hand back, resolve, sessions, unclaimed: on SQLite and PostgreSQL."""
    from bot.store import inbox
    from bot.store.handoff import (conversation_mode, recent_requests, relay_from_young_person, request_status,
                                   start_draft, submit, unclaimed_to_tell)
    from bot.store.models import Adviser, RelayedMessage

    with database.session() as session:
        redeem_link_code(session, conversation_id="young-a", code=new_link_code(session, adviser_id=people["pa"]))
        draft = start_draft(session, conversation_id="young-a", step="topic")
        request = Request(draft.request_key, "young-a", "today", topic="money", consent=True)
        opened = submit(session, request=request, inbox_url=INBOX, duty_check=lambda hours, urgency: True,
                        clear_draft=True)
        assert opened.to_pa and opened.duty_alerted and opened.team_hours == "standard"
        again = submit(session, request=request, inbox_url=INBOX, duty_check=lambda h, u: True, clear_draft=True)
        assert again.escalation_id == opened.escalation_id and not again.created
        assert conversation_mode(session, conversation_id="young-a") == "waiting_for_adviser"
        assert recent_requests(session, conversation_id="young-a", crisis=False, within=dt.timedelta(hours=1)) == 1
    with database.session() as session:
        pa, duty, other = (session.get(Adviser, people[k]) for k in ("pa", "duty", "other"))
        assert [e.id for e in inbox.caseload(session, adviser=pa)] == [opened.escalation_id]
        assert [e.id for e in inbox.caseload(session, adviser=duty)] == [opened.escalation_id]  # alerted out of hours
        assert inbox.caseload(session, adviser=other) == []
        assert inbox.find_visible(session, adviser=other, escalation_id=opened.escalation_id) is None
        escalation = inbox.find_visible(session, adviser=pa, escalation_id=opened.escalation_id)
        assert inbox.claim(session, adviser=pa, escalation=escalation).changed
        assert conversation_mode(session, conversation_id="young-a") == "adviser"
        inbox.reply(session, adviser=pa, escalation=escalation, text_="Hello")
        relay_from_young_person(session, conversation_id="young-a", text="hi Priya", crisis_level=None)
    with database.session() as session:
        escalation = session.get(Escalation, opened.escalation_id)
        pa = session.get(Adviser, people["pa"])
        lines = inbox.messages_with_adviser(session, escalation=escalation)
        assert [(line.who, line.text) for line in lines] == [("Priya", "Hello"), ("young person", "hi Priya")]
        assert request_status(session, conversation_id="young-a").status == "replied"
        assert inbox.transcript(session, adviser=pa, escalation=escalation) == []   # no Rasa events table here
        assert inbox.hand_back(session, adviser=pa, escalation=escalation).changed
        assert conversation_mode(session, conversation_id="young-a") == "bot"
        assert inbox.resolve(session, adviser=pa, escalation=escalation).changed
        token, csrf = inbox.create_session(session, adviser_id=pa.id)
    with database.session() as session:
        signed_in = inbox.signed_in(session, token=token)
        assert signed_in is not None and signed_in[1] == csrf and inbox.signed_in(session, token="forged") is None
        inbox.end_session(session, token=token)
    with database.session() as session:
        assert inbox.signed_in(session, token=token) is None
        assert [e.status for e in session.execute(select(EscalationEvent).where(
            EscalationEvent.escalation_id == opened.escalation_id)).scalars()] == [
            "open", "claimed", "replied", "handed_back", "resolved"]
        stale = submit(session, request=Request("young-b:1", "young-b", "whenever"), inbox_url=INBOX,
                       duty_check=lambda h, u: False, clear_draft=False)
        session.get(Escalation, stale.escalation_id).created_at -= dt.timedelta(hours=2)
    with database.session() as session:
        told = unclaimed_to_tell(session, older_than=dt.timedelta(hours=1))
        assert [t.reference for t in told] == [stale.reference]
        assert unclaimed_to_tell(session, older_than=dt.timedelta(hours=1)) == []  # told once
    with database.session() as session:
        assert forget_conversation(session, conversation_id="young-a")
        assert session.execute(select(func.count()).select_from(RelayedMessage)).scalar() == 0


def test_the_operator_commands(tmp_path):
    settings = load_settings()
    env = dict(child_env(settings), LIFEPORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'ops.db'}")

    def cli(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=120)

    added = cli("advisers", "add", "--name", "Priya", "--email", "priya@example.org", "--team", "Duty",
                "--duty-team", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "the duty team" in added.stdout, added.stderr
    assert cli("advisers", "add", "--name", "P", "--email", "priya@example.org", "--team", "Duty",
               "--password-stdin", stdin=PASSWORD + "\n").returncode == 1
    code = cli("advisers", "link-code", "--email", "priya@example.org")
    assert code.returncode == 0 and "Link code for Priya" in code.stdout
    with Database(env["LIFEPORTAL_DATABASE_URL"]).session() as session:
        open_escalation(session, Request("k1", None, "today", topic="money"), inbox_url=INBOX)
    listed = cli("escalations", "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert listed.returncode == 0 and len(rows) == 1
    assert set(rows[0]) >= {"id", "created", "urgency", "status", "topic", "channel", "adviser", "team", "notifications"}
    assert rows[0]["team"] == "Duty" and rows[0]["status"] == "open" and rows[0]["notifications"]["waiting"] == 1


def test_a_request_made_before_any_duty_team_is_seen_once_one_is_set_up(database):
    # A fresh deployment: a young person asks for a person before any adviser has been added.
    with database.session() as session:
        receive_message(session, conversation_id="early", channel="web", shown="hi", for_rasa="hi",
                        session_ttl=dt.timedelta(hours=4))
        early, _ = open_escalation(session, Request(request_key="early-1", conversation_id="early", urgency="today"),
                                   inbox_url=INBOX)
        default_team = early.team_id
        # The operator then sets up a duty team under another name.
        duty = add_adviser(session, name="Dev", email="dev@example.org", team="Essex duty", password=PASSWORD,
                           duty_team=True)
    with database.session() as session:
        assert session.get(Escalation, early.id).team_id == duty.team_id != default_team
        later, _ = open_escalation(session, Request(request_key="later-1", conversation_id="early", urgency="today"),
                                   inbox_url=INBOX)
        assert later.team_id == duty.team_id
        notified = session.execute(select(OutboxMessage.recipient).where(OutboxMessage.escalation_id == later.id)).scalars()
        assert list(notified) == ["dev@example.org"]
