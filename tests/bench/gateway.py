"""Speed and memory of the running bot (action server + Rasa + gateway), printed as markdown tables.

Run it with `make bench` (or `.venv/bin/python -m tests.bench.gateway` from the project folder).
It trains the model if needed, starts the stack once on its own ports and its own run folder
(var/bench/, database var/bench.db), so it can run beside `make run` or `make test`, then measures:

- Scenario A: one conversation sending 60 care-leaver questions one after another.
- Scenario B: 50 conversations at once, each sending a message every 3 s (starts staggered over
  the first 3 s) for 60 s. A conversation sends its next message only after the previous turn ends.

For each: Rasa's bare NLU parse (POST /model/parse, run as its own load with the same pattern) and
the full turn through the gateway's websocket (send -> first reply, send -> "done"): p50/p95 ms,
messages per second and errors; then the resident memory of each child process.
It prints numbers and asserts nothing: it is not a test.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

PROJECT = Path(__file__).resolve().parents[2]
os.environ.setdefault("LIFEPORTAL_RASA_PORT", "25005")
os.environ.setdefault("LIFEPORTAL_ACTIONS_PORT", "25055")
os.environ.setdefault("LIFEPORTAL_WEB_PORT", "28080")
os.environ.setdefault("LIFEPORTAL_DATABASE_URL", f"sqlite:///{PROJECT / 'var' / 'bench.db'}")
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
FAILURE_WORDS = ("having trouble", "i've kept your message", "faster than i can read")
SOLO_MESSAGES = 60
USERS, EVERY, DURATION = 50, 3.0, 60.0
TIMEOUT = 30.0  # seconds; a turn or parse slower than this is an error


@dataclasses.dataclass
class Load:
    times: List[float] = dataclasses.field(default_factory=list)   # ms, successful requests/turns
    first: List[float] = dataclasses.field(default_factory=list)   # ms to the first reply (turns)
    errors: int = 0
    wall: float = 0.0


def parse_url(settings: Settings) -> str:
    return f"{settings.rasa_url}/model/parse?token={rasa_token(settings)}"


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def parse_one(http: aiohttp.ClientSession, url: str, text: str, load: Load) -> None:
    start = time.perf_counter()
    try:
        async with http.post(url, json={"text": text}, timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
            response.raise_for_status()
            body = await response.json()
        if not (body.get("intent") or {}).get("name"):
            raise ValueError(f"no intent for {text!r}")
        load.times.append(ms_since(start))
    except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the load
        load.errors += 1
        log(f"parse error: {type(error).__name__}: {error}")


async def turn_one(me: Visitor, text: str, load: Load) -> None:
    start, first, problem = time.perf_counter(), None, None  # first: ms to a reply; problem: why it failed
    try:
        await me.send(text)
        while True:
            event = await me.next_event(TIMEOUT)
            if event["type"] == "reply":
                first = ms_since(start) if first is None else first
                if any(word in event.get("text", "").lower() for word in FAILURE_WORDS):
                    problem = problem or f"reply {event['text'][:60]!r}"
            elif event["type"] == "done":
                break
        total = ms_since(start)
    except Exception as error:  # noqa: BLE001
        problem = f"{type(error).__name__}: {error}"
    problem = problem or (None if first is not None else "no reply")
    if problem:
        load.errors += 1
        log(f"turn error for {text!r}: {problem}")
        return
    load.times.append(total)
    load.first.append(first)


async def scenario_a(settings: Settings, kind: str) -> Load:
    load = Load()
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        me = await stack.enter_async_context(Visitor(settings)) if kind == "turn" else None
        started = time.perf_counter()
        for i in range(SOLO_MESSAGES):
            text = QUESTIONS[i % len(QUESTIONS)]
            await (turn_one(me, text, load) if me else parse_one(http, parse_url(settings), text, load))
        load.wall = time.perf_counter() - started
    return load


async def scenario_b(settings: Settings, kind: str) -> Load:
    load = Load()
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)))
        visitors = [None] * USERS
        if kind == "turn":  # connect everyone first, so connecting is not timed
            visitors = await asyncio.gather(*(stack.enter_async_context(Visitor(settings)) for _ in range(USERS)))
        started = time.perf_counter()

        async def user(i: int, me: Optional[Visitor]) -> None:
            due, k = started + i * EVERY / USERS, 0
            while due < started + DURATION:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                text = QUESTIONS[(i + k) % len(QUESTIONS)]
                await (turn_one(me, text, load) if me else parse_one(http, parse_url(settings), text, load))
                due, k = due + EVERY, k + 1

        await asyncio.gather(*(user(i, me) for i, me in enumerate(visitors)))
        load.wall = time.perf_counter() - started
    return load


def memory_mb(pid: int) -> Dict[str, float]:
    """VmRSS and VmHWM (MB) of a process plus any processes it started."""
    parents, family, frontier = {}, [pid], [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier]
        family += frontier
    totals = {"VmRSS": 0.0, "VmHWM": 0.0}
    for each in family:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in totals:
                    totals[key] += int(value.split()[0]) / 1024
    return totals


def percentile(values: List[float], p: int) -> str:
    if len(values) < 2:
        return f"{values[0]:.0f}" if values else "–"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[p - 1]:.0f}"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "?")
    load = Path("/proc/loadavg").read_text().split()[0]
    return (f"Machine: {os.cpu_count()} CPUs (nproc), {model}; load average {load} at start; "
            f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}.")


async def warm_up(settings: Settings) -> None:
    async with aiohttp.ClientSession() as http, Visitor(settings) as me:
        for text in QUESTIONS[:5]:
            await parse_one(http, parse_url(settings), text, Load())
            await turn_one(me, text, Load())


def main() -> None:
    base = load_settings()
    model = train_if_needed(base)
    # Its own var folder (logs, endpoints.yml, token, key), so a `make test` running now is untouched.
    settings = dataclasses.replace(base, var_dir=base.var_dir / "bench")
    shutil.copytree(base.spacy_dir, settings.spacy_dir, dirs_exist_ok=True)
    log(f"starting the stack (Rasa {settings.rasa_url}, gateway {settings.web_url}) ...")
    header, stack = machine(), Stack(settings, model).start()
    rows, memory = [], {}
    try:
        asyncio.run(warm_up(settings))
        for name, scenario, title in (("A", scenario_a, "A: 1 conversation, 60 messages in a row"),
                                      ("B", scenario_b, f"B: {USERS} conversations, 1 message / {EVERY:.0f} s each")):
            for kind in ("parse", "turn"):
                log(f"scenario {name}, {kind} ...")
                load = asyncio.run(scenario(settings, kind))
                rows.append((name, title, kind, load))
            memory[name] = {n: memory_mb(c.pid) for n, c in stack.children.items()}
            memory[name]["total of the three"] = {k: sum(m[k] for m in memory[name].values()) for k in ("VmRSS", "VmHWM")}
    finally:
        stack.stop()
    print_tables(header, rows, memory)


def print_tables(header: str, rows, memory) -> None:
    print(f"\n{header}\n")
    print("| scenario | measure | p50 ms | p95 ms | msg/s | errors |")
    print("|---|---|---|---|---|---|")
    p50 = {}
    for name, title, kind, load in rows:
        p50[name, kind] = statistics.median(load.times) if load.times else None
        label = "NLU parse (Rasa /model/parse)" if kind == "parse" else "full turn via gateway (send → done)"
        print(f"| {title} | {label} | {percentile(load.times, 50)} | {percentile(load.times, 95)} | "
              f"{len(load.times) / load.wall:.1f} | {load.errors} |")
        if kind == "turn":
            print(f"| {title} | full turn via gateway (send → first reply) | {percentile(load.first, 50)} | "
                  f"{percentile(load.first, 95)} | – | – |")
    if None not in (p50.get(("A", "turn")), p50.get(("A", "parse"))):
        print(f"| A (derived) | gateway overhead, estimate (p50 turn − p50 parse) | "
              f"{p50['A', 'turn'] - p50['A', 'parse']:.0f} | – | – | – |")
    print(f"\nNotes: rate limit raised to {os.environ['LIFEPORTAL_RATE_PER_MINUTE']}/minute per conversation for the "
          "bench (the default 20 would answer most of A with the rate-limit reply). msg/s counts successful "
          f"requests over the scenario's wall time (B offers {USERS / EVERY:.1f}/s; a conversation waits for its "
          "turn to end before sending again). Errors: exceptions, timeouts "
          f"({TIMEOUT:.0f} s), turns with no reply, and trouble or rate-limit replies. The overhead row is an "
          "estimate: a turn also runs Rasa's dialogue policies, the action server and the store, not only the gateway.\n")
    print("| process | RSS MB after A | RSS MB after B | peak (VmHWM) MB |")
    print("|---|---|---|---|")
    for name, (a, b) in {n: (memory["A"][n], memory["B"][n]) for n in memory["B"]}.items():
        print(f"| {name} | {a['VmRSS']:.0f} | {b['VmRSS']:.0f} | {b['VmHWM']:.0f} |")
    print("\nRSS read from /proc/<pid>/status (including any processes a child started); the benchmark "
          "process itself is not counted. The peak total is the sum of each process's own peak.")


if __name__ == "__main__":
    main()
