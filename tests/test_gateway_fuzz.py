"""Random input over the live connection: every message gets a calm reply, and nothing breaks.

`make test` sends a few hundred messages; `make fuzz` sends 10,000 (LIFEPORTAL_FUZZ_MESSAGES).
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import string
import time

import pytest

from tests.gateway_client import Visitor, visit
from tests.report import report

pytestmark = pytest.mark.slow

MESSAGES = int(os.environ.get("LIFEPORTAL_FUZZ_MESSAGES", "300"))
CONCURRENT = 8
PER_CONVERSATION = 12  # under the rate limit, so most messages reach Rasa
WORDS = ["council", "tax", "housing", "rent", "Colchester", "clacton", "PA", "help", "money", "college", "i", "want",
         "to", "die", "kill", "sleep", "tonight", "staying", "put", "close", "😭", "🏠", "مرحبا", "привет", "<b>",
         "</script>", "'", '"', "\\", "%s", "{}", "NaN", "null", "DROP TABLE conversations;", "../", "\u202e"]
PAYLOADS = ["/restart", "/session_start", '/inform_district{"district":"narnia"}', "/ask_for_pa", "/forget_yes",
            "/tell_me_more", "/" + "x" * 300, "/greet{", "/nlu_fallback", "/crisis_emergency"]


def random_message(rng: random.Random) -> dict:
    kind = rng.randrange(8)
    if kind == 0:
        text = "".join(chr(rng.randrange(1, 0x2FFFF)) for _ in range(rng.randrange(0, 40)))
    elif kind == 1:
        text = "".join(rng.choice(string.printable) for _ in range(rng.randrange(0, 200)))
    elif kind == 2:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 15)))
    elif kind == 3:
        text = rng.choice(WORDS) * rng.randrange(1, 3000)
    elif kind == 4:
        return {"bytes": bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))}
    elif kind == 5:
        return {"frame": rng.choice(['{"type":"message"}', '{"type":"message","text":{"a":1}}', "[]", "null",
                                     '{"type":"hello","token":' + json.dumps("x" * rng.randrange(100)) + "}",
                                     '{"type":"nope"}', "{" * 50, '"just a string"'])}
    elif kind == 6:
        return {"text": rng.choice(WORDS), "payload": rng.choice(PAYLOADS)}
    else:
        text = rng.choice([None, 0, -1, 1e308, True, [], {}, "", " ", "\n" * 100])
    return {"text": text}


async def until_done_or_welcome(me: Visitor) -> list:
    events = []
    while not events or events[-1]["type"] not in ("done", "welcome"):
        events.append(await me.next_event(30))
    return events


async def conversation(settings, rng: random.Random, count: int, tally: dict) -> None:
    async with Visitor(settings) as me:
        for _ in range(count):
            message = random_message(rng)
            try:
                if "bytes" in message:
                    await me.socket.send_bytes(message["bytes"])
                elif "frame" in message:
                    await me.socket.send_str(message["frame"])
                else:
                    await me.send(message["text"], message.get("payload"))
                events = await until_done_or_welcome(me)
            except Exception as error:  # a dropped connection or a timeout is a failure
                tally["errors"].append(f"{type(error).__name__}: {error}"[:200])
                return
            replies = [e for e in events if e["type"] in ("reply", "welcome", "forgotten")]
            if not replies or any(e["type"] == "reply" and not e["text"].strip() for e in events):
                tally["silent"] += 1
            if any("I've kept your message" in e.get("text", "") for e in events):
                tally["trouble"] += 1
            tally["sent"] += 1
            if any(e["type"] == "forgotten" for e in events):
                await me.socket.send_json({"type": "hello", "token": None})
                await me.next_event(10)


def test_random_messages_over_the_live_connection_get_calm_replies(stack):
    settings = stack.settings
    log = settings.run_dir / "gateway.log"
    log_start = log.stat().st_size if log.exists() else 0
    tally = {"sent": 0, "silent": 0, "trouble": 0, "errors": []}
    rng = random.Random(20261124)

    async def body():
        remaining = MESSAGES
        semaphore = asyncio.Semaphore(CONCURRENT)
        tasks = []

        async def one(count: int, seed: int):
            async with semaphore:
                await conversation(settings, random.Random(seed), count, tally)

        while remaining > 0:
            count = min(PER_CONVERSATION, remaining)
            tasks.append(one(count, rng.randrange(1 << 30)))
            remaining -= count
        await asyncio.gather(*tasks)

    started = time.monotonic()
    visit(body())
    seconds = time.monotonic() - started
    new_log = log.read_text(errors="replace")[log_start:] if log.exists() else ""
    server_errors = [line for line in new_log.splitlines() if " ERROR " in line or "Traceback" in line]
    report(f"Fuzz over the live connection: {tally['sent']} of {MESSAGES} random messages in {seconds:.0f} s; "
           f"{len(tally['errors'])} client errors, {tally['silent']} without a reply, {tally['trouble']} "
           f"'having trouble' replies, {len(server_errors)} gateway errors")
    assert stack.children["gateway"].alive() and stack.children["rasa"].alive()
    assert tally["errors"] == [], tally["errors"][:5]
    assert tally["sent"] == MESSAGES
    assert tally["silent"] == 0
    assert tally["trouble"] == 0
    assert server_errors == [], server_errors[:5]
