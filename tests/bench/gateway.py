"""Speed and memory of the running bot (action server + Rasa + gateway), printed as markdown tables.

Run it with `make bench` (or `.venv/bin/python -m tests.bench.gateway` from the project folder).
It trains the model if needed and starts the stack once, on its own ports, run folder (var/bench/)
and database (var/bench.db), so it can run beside `make run` or `make test`. Then it measures:

- Scenario A: one conversation sending 60 care-leaver questions one after another.
- Scenario B: 50 conversations at once, each sending a message every 3 s (starts staggered over
  the first 3 s) for 60 s. A conversation sends its next message only after its previous turn ends.

For each: Rasa's bare NLU parse (POST /model/parse, run as its own load with the same pattern), the
same turn sent straight to Rasa's REST channel, and the full turn through the gateway's websocket (send -> first reply, send -> "done"): p50/p95 ms,
messages per second and errors; then the resident memory of each child process.
It prints numbers and asserts nothing: it is not a test.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import math
import os
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

os.environ.setdefault("LIFEPORTAL_RASA_PORT", "25005")
os.environ.setdefault("LIFEPORTAL_ACTIONS_PORT", "25055")
os.environ.setdefault("LIFEPORTAL_WEB_PORT", "28080")
os.environ.setdefault("LIFEPORTAL_DATABASE_URL", f"sqlite:///{Path(__file__).parents[2].resolve() / 'var/bench.db'}")
# The per-conversation limit (20/minute) would turn scenario A into rate-limit replies.
os.environ.setdefault("LIFEPORTAL_RATE_PER_MINUTE", "1000")
os.environ["RASA_TELEMETRY_ENABLED"] = "false"

import aiohttp  # noqa: E402

from bot.secret import rasa_token  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from bot.stack import Stack  # noqa: E402
from bot.training import train_if_needed  # noqa: E402
from tests.gateway_client import Visitor  # noqa: E402

QUESTIONS = [
    "do care leavers pay council tax in Colchester?", "what is staying put", "how do i get a council flat",
    "can i get help with college costs", "hiya", "thanks", "who is my personal adviser",
    "i'm 19 and i live in basildon, can i get a bursary for uni", "what money can i get when i leave care",
    "can i stay with my foster carers after 18", "what is staying close", "how do i register with a doctor",
    "i need help finding a job", "what's the setting up home allowance", "can i get help with my rent", "ok bye",
]
# Replies that mean the turn failed: trouble, a late answer, the rate limit.
FAILURE_WORDS = ("having trouble", "i've kept your message", "sorry for the wait", "faster than i can read")
TIMEOUT = 30.0  # seconds; a parse, or a wait for a turn's next event, longer than this is an error
# name, title, conversations, seconds between a conversation's messages, duration s, messages each
SCENARIOS = [("A", "A: 1 conversation, 60 messages in a row", 1, 0.0, math.inf, 60),
             ("B", "B: 50 conversations, 1 message / 3 s each, 60 s", 50, 3.0, 60.0, math.inf)]


@dataclasses.dataclass
class Load:
    times: List[float] = dataclasses.field(default_factory=list)   # ms, every request/turn that finished
    first: List[float] = dataclasses.field(default_factory=list)   # ms to the first reply (turns)
    sent: int = 0
    errors: int = 0
    wall: float = 0.0


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def parse_one(http: aiohttp.ClientSession, settings: Settings, text: str, load: Load) -> None:
    start = time.perf_counter()
    load.sent += 1
    try:
        async with http.post(f"{settings.rasa_url}/model/parse", params={"token": rasa_token(settings)},
                             json={"text": text}, timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
            response.raise_for_status()
            body = await response.json()
        load.times.append((time.perf_counter() - start) * 1000)
        if not (body.get("intent") or {}).get("name"):
            raise ValueError(f"no intent for {text!r}")
    except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the load
        load.errors += 1
        log(f"parse error: {type(error).__name__}: {error}")


async def rest_one(http: aiohttp.ClientSession, settings: Settings, sender: str, text: str, load: Load) -> None:
    """A turn sent straight to Rasa's REST channel (streamed, as the gateway sends it): Rasa + actions + store."""
    start = time.perf_counter()
    load.sent += 1
    try:
        async with http.post(f"{settings.rasa_url}/webhooks/rest/webhook", params={"stream": "true"},
                             json={"sender": sender, "message": text},
                             timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
            response.raise_for_status()
            lines = [line async for line in response.content if line.strip()]
        load.times.append((time.perf_counter() - start) * 1000)
        if not lines:
            raise ValueError(f"no reply for {text!r}")
    except Exception as error:  # noqa: BLE001
        load.errors += 1
        log(f"rest error: {type(error).__name__}: {error}")


async def turn_one(me: Visitor, text: str, load: Load) -> None:
    start, first, problem = time.perf_counter(), None, None
    load.sent += 1
    try:
        await me.send(text)
        while True:
            event = await me.next_event(TIMEOUT)
            if event["type"] == "reply":
                first = first or (time.perf_counter() - start) * 1000
                if any(word in event.get("text", "").lower() for word in FAILURE_WORDS):
                    problem = problem or f"reply {event['text'][:50]!r}"
            elif event["type"] == "done":
                break
        load.times.append((time.perf_counter() - start) * 1000)
        load.first += [first] if first else []
    except Exception as error:  # noqa: BLE001
        problem = f"{type(error).__name__}: {error}"
    problem = problem or (None if first else "no reply")
    if problem:
        load.errors += 1
        log(f"turn error for {text!r}: {problem}")


async def run_load(settings: Settings, kind: str, users: int, every: float, duration: float, each: float) -> Load:
    """`users` conversations, each sending a message every `every` s (staggered) for `duration` s or `each` messages."""
    load = Load()
    run_id = uuid.uuid4().hex[:8]  # new conversations each run, as the gateway's visitors are
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)))
        visitors: List[Optional[Visitor]] = [None] * users
        if kind == "turn":  # everyone connects first, so connecting is not timed
            visitors = await asyncio.gather(*(stack.enter_async_context(Visitor(settings)) for _ in range(users)))
        started = time.perf_counter()

        async def user(i: int, me: Optional[Visitor]) -> None:
            due, k = started + i * every / users, 0
            while k < each and due < started + duration:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                text = QUESTIONS[(i + k) % len(QUESTIONS)]
                if kind == "turn":
                    await turn_one(me, text, load)
                elif kind == "rest":
                    await rest_one(http, settings, f"bench-rest-{run_id}-{i}", text, load)
                else:
                    await parse_one(http, settings, text, load)
                due, k = due + every, k + 1

        await asyncio.gather(*(user(i, me) for i, me in enumerate(visitors)))
        load.wall = time.perf_counter() - started
    return load


def family(pid: int) -> List[int]:
    """A process and every process it started."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def memory_mb(pid: int) -> Dict[str, float]:
    totals = {"VmRSS": 0.0, "VmHWM": 0.0}
    for each in family(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in totals:
                    totals[key] += int(value.split()[0]) / 1024
    return totals


def cpu_seconds(ours: List[int]) -> Dict[str, float]:
    """CPU time used so far by the whole machine (busy, from /proc/stat) and by our processes."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(fields[i]) for i in (0, 1, 2, 5, 6, 7))  # user nice system irq softirq steal
    mine = 0
    for pid in ours:
        with contextlib.suppress(OSError):
            mine += sum(int(v) for v in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
    return {"machine": busy / os.sysconf("SC_CLK_TCK"), "ours": mine / os.sysconf("SC_CLK_TCK")}


def percentile(values: List[float], p: int) -> str:
    if len(values) < 2:
        return f"{values[0]:.0f}" if values else "–"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[p - 1]:.0f}"


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return f"Machine: {os.cpu_count()} CPUs (nproc), {model}; {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}."


async def warm_up(settings: Settings) -> None:
    async with aiohttp.ClientSession() as http, Visitor(settings) as me:
        for text in QUESTIONS:
            await parse_one(http, settings, text, Load())
            await turn_one(me, text, Load())


def main() -> None:
    base = load_settings()
    model = train_if_needed(base)
    # Its own var folder (logs, endpoints.yml, token, key), so a `make test` running meanwhile is untouched.
    settings = dataclasses.replace(base, var_dir=base.var_dir / "bench")
    shutil.copytree(base.spacy_dir, settings.spacy_dir, dirs_exist_ok=True)
    log(f"starting the stack (Rasa {settings.rasa_url}, gateway {settings.web_url}) ...")
    stack = Stack(settings, model).start()
    rows, memory = [], {}
    try:
        asyncio.run(warm_up(settings))
        ours = [os.getpid()] + [p for child in stack.children.values() for p in family(child.pid)]
        cpu_before, clock = cpu_seconds(ours), time.monotonic()
        for name, title, *shape in SCENARIOS:
            for kind in ("parse", "rest", "turn"):
                log(f"scenario {name}, {kind} ...")
                rows.append((name, title, kind, asyncio.run(run_load(settings, kind, *shape))))
            mem = memory[name] = {n: memory_mb(c.pid) for n, c in stack.children.items()}
            mem["total of the three"] = {k: sum(m[k] for m in mem.values()) for k in ("VmRSS", "VmHWM")}
        cpu_after, elapsed = cpu_seconds(ours), time.monotonic() - clock
    finally:
        stack.stop()
    others = ((cpu_after["machine"] - cpu_before["machine"]) - (cpu_after["ours"] - cpu_before["ours"])) / elapsed
    print_tables(rows, memory, others)


def print_tables(rows, memory, others: float) -> None:
    print(f"\n{machine()} Other processes on the machine used {others:.2f} CPUs on average during the runs.\n")
    print("| scenario | measure | p50 ms | p95 ms | msg/s | sent | errors |")
    print("|---|---|---|---|---|---|---|")
    p50 = {}
    for name, title, kind, load in rows:
        p50[name, kind] = statistics.median(load.times) if load.times else None
        label = {"parse": "NLU parse (Rasa /model/parse)", "rest": "turn straight to Rasa's REST channel",
                 "turn": "full turn via gateway (send → done)"}[kind]
        print(f"| {title} | {label} | {percentile(load.times, 50)} | {percentile(load.times, 95)} | "
              f"{(load.sent - load.errors) / load.wall:.1f} | {load.sent} | {load.errors} |")
        if kind == "turn":
            print(f"| {title} | full turn via gateway (send → first reply) | {percentile(load.first, 50)} | "
                  f"{percentile(load.first, 95)} | – | – | – |")
    for name in ("A", "B"):
        if None not in (p50.get((name, "turn")), p50.get((name, "rest"))):
            print(f"| {name} (derived) | gateway overhead (p50 via gateway − p50 straight to Rasa) | "
                  f"{p50[name, 'turn'] - p50[name, 'rest']:.0f} | – | – | – | – |")
    print(f"\nNotes: the rate limit is raised to {os.environ['LIFEPORTAL_RATE_PER_MINUTE']}/minute per conversation "
          "for the bench (the default 20 would answer most of A with the rate-limit reply). Times cover every "
          "request or turn that finished, failed ones included; msg/s counts the successful ones over the "
          "scenario's wall time (B offers 16.7/s). Errors: exceptions, timeouts, turns with no reply, and "
          "replies saying the bot is having trouble, is late, or is rate-limiting. The overhead row compares "
          "medians of two separate loads of the same shape: the gateway's websocket, store writes and tracker "
          "read against the same turn sent straight to Rasa.\n")
    print("| process | RSS MB after A | RSS MB after B | peak (VmHWM) MB |")
    print("|---|---|---|---|")
    for name in memory["B"]:
        a, b = memory["A"][name], memory["B"][name]
        print(f"| {name} | {a['VmRSS']:.0f} | {b['VmRSS']:.0f} | {b['VmHWM']:.0f} |")
    print("\nRSS from /proc/<pid>/status, including any processes a child started; the benchmark process "
          "itself is not counted. The peak total is the sum of each process's own peak.")


if __name__ == "__main__":
    main()
