"""The gateway, through the real stack: identity, continuity, privacy of Rasa, forgetting, limits, bad input."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from bot.knowledge import load_knowledge
from bot.processes import child_env
from bot.secret import rasa_token
from bot.store import Database
from tests.conftest import KNOWLEDGE
from tests.gateway_client import Visitor, conversation_id, visit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(KNOWLEDGE)


def rows(settings, query: str, **params) -> list:
    with Database(settings.database_url).engine.connect() as connection:
        return list(connection.execute(text(query), params))


def test_a_question_through_the_gateway_gets_the_colchester_answer_and_source(servers, knowledge):
    async def body():
        async with Visitor(servers) as me:
            replies = await me.say("do care leavers pay council tax in Colchester?")
        variant = knowledge.topic("council_tax").by_district["colchester"]
        assert variant.answer in replies[0]["text"]
        assert f"Source: {variant.sources[0].title} {variant.sources[0].url}" in replies[0]["text"]
        assert [b["title"] for b in replies[0]["buttons"]] == ["Tell me more", "Talk to my PA", "Yes, it helped", "No, it didn't"]
    visit(body())


def test_a_reconnect_with_the_same_token_continues_the_conversation(servers, knowledge):
    async def body():
        async with Visitor(servers) as me:
            await me.say("i live in clacton")
            token = me.token
        async with Visitor(servers, token) as again:
            assert again.token == token
            housing = await again.text("how do i get a council flat")
        assert knowledge.topic("housing").by_district["tendring"].answer in housing
        # Rasa saw only the pseudonym, never the page's token.
        assert rows(servers, "SELECT count(*) FROM events WHERE sender_id = :s", s=token)[0][0] == 0
        assert rows(servers, "SELECT district FROM conversations WHERE id = :i",
                    i=conversation_id(servers, token)) == [("tendring",)]
    visit(body())


def test_a_malformed_token_gets_a_new_conversation(servers):
    async def body():
        async with Visitor(servers, token="../../etc/passwd") as me:
            assert me.token != "../../etc/passwd" and len(me.token) >= 32
    visit(body())


def test_a_reply_is_kept_while_the_page_is_away_and_sent_when_it_returns(servers, knowledge):
    async def body():
        async with Visitor(servers) as me:
            await me.send("what is staying put")
            token = me.token
        # Gone before the answer; the answer waits in the store.
        import asyncio
        await asyncio.sleep(3)
        async with Visitor(servers, token) as again:
            texts = [e["text"] for e in again.kept if e["type"] == "reply"]
        assert any(knowledge.topic("staying_put").answer in t for t in texts), again.kept
        assert rows(servers, "SELECT count(*) FROM undelivered_replies WHERE conversation_id = :c",
                    c=conversation_id(servers, token))[0][0] == 0
    visit(body())


def test_rasa_refuses_its_api_without_the_token_and_sends_no_cors_headers(servers):
    tracker = f"{servers.rasa_url}/conversations/anyone/tracker"
    assert requests.get(tracker, timeout=10).status_code == 401
    assert requests.get(tracker, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(tracker, params={"token": rasa_token(servers)}, timeout=10).status_code == 200
    evil = requests.get(f"{servers.rasa_url}/", headers={"Origin": "http://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in evil.headers


def test_the_page_from_another_site_cannot_open_a_conversation(servers):
    response = requests.get(f"{servers.web_url}ws", timeout=10, headers={
        "Origin": "http://evil.example", "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert response.status_code == 403


def _listening_inodes() -> dict:
    """inode -> (address, port) for every listening TCP socket on this machine."""
    found = {}
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # LISTEN
                continue
            address, port = fields[1].split(":")
            found[fields[9]] = (address, int(port, 16))
    return found


def test_nothing_we_start_listens_beyond_loopback(stack):
    listening = _listening_inodes()
    ours = []
    for name, child in stack.children.items():
        for fd in Path(f"/proc/{child.pid}/fd").iterdir():
            try:
                target = fd.readlink().as_posix()
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in listening:
                ours.append((name, *listening[target[8:-1]]))
    assert {name for name, _, _ in ours} == {"actions", "rasa", "gateway"}
    loopback = "0100007F"  # 127.0.0.1, little-endian hex
    assert all(address == loopback for _, address, _ in ours), ours


def test_the_gateway_imports_no_rasa_tensorflow_or_torch():
    probe = ("import sys, bot.gateway.app, bot.gateway.__main__; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'tensorflow', 'torch', 'spacy'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_forget_me_erases_the_conversation_from_both_stores(servers):
    async def body():
        async with Visitor(servers) as me:
            await me.say("i live in harlow")
            await me.say("i want to kms")  # a safeguarding event too
            ident = conversation_id(servers, me.token)
            assert rows(servers, "SELECT count(*) FROM events WHERE sender_id = :s", s=ident)[0][0] > 0
            question = await me.say("Forget me", payload="/forget")
            assert [b["title"] for b in question[0]["buttons"]] == ["Yes, delete it", "No, keep it"]
            await me.send("Yes, delete it", payload="/forget_yes")
            events = [await me.next_event() for _ in range(2)]
            assert events[0]["type"] == "forgotten"
            assert events[1]["type"] == "reply" and "deleted" in events[1]["text"]
        for table, column in (("conversations", "id"), ("kept_messages", "conversation_id"),
                              ("undelivered_replies", "conversation_id"), ("events", "sender_id"),
                              ("safeguarding_events", "conversation")):
            count = rows(servers, f"SELECT count(*) FROM {table} WHERE {column} = :i", i=ident)[0][0]
            assert count == 0, table
    visit(body())


def test_a_forged_confirmation_does_not_erase_anything(servers):
    async def body():
        async with Visitor(servers) as me:
            await me.say("i live in harlow")
            reply = await me.say("Yes, delete it", payload="/forget_yes")
            assert "Do you want me to delete this chat?" in reply[0]["text"]
            assert rows(servers, "SELECT count(*) FROM conversations WHERE id = :i",
                        i=conversation_id(servers, me.token))[0][0] == 1
    visit(body())


def test_an_operator_can_forget_a_conversation_by_its_id(servers):
    async def body():
        async with Visitor(servers) as me:
            await me.say("hiya")
            return conversation_id(servers, me.token)
    ident = visit(body())
    command = [sys.executable, "-m", "bot.cli", "forget", "--conversation", ident]
    first = subprocess.run(command, capture_output=True, text=True, env=child_env(servers), timeout=120)
    assert first.returncode == 0, first.stderr
    assert rows(servers, "SELECT count(*) FROM events WHERE sender_id = :s", s=ident)[0][0] == 0
    again = subprocess.run(command, capture_output=True, text=True, env=child_env(servers), timeout=120)
    assert again.returncode == 1 and "nothing to erase" in again.stdout


def _expire(settings, ident: str) -> None:
    with Database(settings.database_url).engine.begin() as connection:
        connection.execute(text("UPDATE conversations SET last_seen_at = :t WHERE id = :i"),
                           {"t": dt.datetime.utcnow() - dt.timedelta(hours=settings.session_hours + 1), "i": ident})


def test_after_the_session_expires_the_open_question_is_dropped(servers, knowledge):
    async def body():
        async with Visitor(servers) as me:
            asked = await me.text("do i have to pay council tax")
            assert "Which area are you in?" in asked
            _expire(servers, conversation_id(servers, me.token))
            reply = await me.text("i live in clacton")
        assert "remember you live in Tendring" in reply
        assert knowledge.topic("council_tax").by_district["tendring"].answer not in reply
    visit(body())


def test_after_the_session_expires_the_district_is_kept(servers, knowledge):
    async def body():
        async with Visitor(servers) as me:
            await me.say("i live in clacton")
            _expire(servers, conversation_id(servers, me.token))
            housing = await me.text("how do i get a council flat")
        assert knowledge.topic("housing").by_district["tendring"].answer in housing
    visit(body())


def test_too_many_messages_get_a_calm_slow_down(servers):
    async def body():
        async with Visitor(servers) as me:
            texts = [await me.text(f"hello {n}") for n in range(servers.rate_per_minute + 3)]
        slowed = [t for t in texts if "faster than I can read" in t]
        assert len(slowed) >= 3 and "999" in slowed[0]
        assert texts[0] and "faster" not in texts[0]
    visit(body())


def test_each_message_gets_one_log_line_without_its_text(servers):
    secret_words = "purple elephants dancing in basildon"

    async def body():
        async with Visitor(servers) as me:
            await me.say(secret_words)
            return conversation_id(servers, me.token)
    ident = visit(body())
    deadline = time.monotonic() + 10  # the line is written just after the reply, with the intent Rasa saw
    while True:
        log = (servers.run_dir / "gateway.log").read_text()
        lines = [line for line in log.splitlines() if f"conversation={ident}" in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(lines) == 1 and "channel=web" in lines[0] and "latency_ms=" in lines[0] and "intent=" in lines[0]
    assert secret_words not in log and "elephants" not in log


HTML = "<script>alert('x')</script><b>hi</b>"
BAD_INPUTS = [
    ("empty", ""), ("whitespace", "   \n\t "), ("huge", "help " * 20_000), ("html", HTML),
    ("right to left", "مرحبا، أين أجد سكنًا؟ \u202eevil"), ("emoji only", "😭😭😭🏠"),
    ("control bytes", "\x00\x01\x02hello\x7f"), ("lone surrogate", "\ud800 hi"),
    ("a number", 12345), ("null", None), ("a list", ["a", "b"]),
]
FORGED = ['/inform_district{"district":"narnia"}', "/restart", "/no_such_intent", "/session_start",
          '/ask_for_pa{"x": ' + "1" * 5000 + "}"]


@pytest.mark.parametrize("name,message", BAD_INPUTS, ids=[n for n, _ in BAD_INPUTS])
def test_bad_input_gets_a_calm_reply(servers, name, message):
    async def body():
        async with Visitor(servers) as me:
            replies = await me.say(message)
            assert replies and all(r["text"].strip() for r in replies)
            assert all("<script>" not in r["text"] for r in replies)
            # And the conversation goes on.
            assert await me.text("what is staying put")
    visit(body())


@pytest.mark.parametrize("payload", FORGED)
def test_a_forged_button_payload_cannot_drive_the_dialogue(servers, payload):
    async def body():
        async with Visitor(servers) as me:
            replies = await me.say("Harlow", payload=payload)
            assert replies and all(r["text"].strip() for r in replies)
            slots = requests.get(f"{servers.rasa_url}/conversations/{conversation_id(servers, me.token)}/tracker",
                                 params={"token": rasa_token(servers)}, timeout=10).json()["slots"]
            assert slots["district"] in (None, "harlow")
    visit(body())


def test_raw_bytes_and_broken_frames_get_a_calm_reply(servers):
    async def body():
        async with Visitor(servers) as me:
            await me.socket.send_bytes(b"\xff\xfe\xfa invalid utf-8 \xc3\x28")
            events = await me.events_until_done()
            assert any(e["type"] == "reply" and e["text"] for e in events)
            await me.socket.send_str("{not json")
            assert (await me.events_until_done())[0]["type"] == "reply"
            await me.socket.send_str(json.dumps([1, 2, 3]))
            assert (await me.events_until_done())[0]["type"] == "reply"
            assert await me.text("hi")
    visit(body())
