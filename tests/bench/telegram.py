"""Telegram's speed and robustness, through the real stack and python-telegram-bot, against the local
Bot API stand-in: printed as a markdown table, nothing asserted (it is not a test).

Run it with `make bench` (after the gateway benchmark) or `.venv/bin/python -m tests.bench.telegram`.
Own ports, run folder (var/bench-telegram/) and database, so it can run beside `make run`.

- T1: 20 chats, each asking 5 questions one after another (waiting for each answer).
- T2: the same while the Bot API refuses every 5th sendMessage with 429 (retry_after 1 s):
  python-telegram-bot's AIORateLimiter waits and retries. Counts replies lost and sent twice.
- T3: one chat floods 200 messages at once while 10 other chats ask one question each:
  the others' answer time.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import List

ROOT = Path(__file__).parents[2].resolve()
os.environ.setdefault("LIFEPORTAL_RASA_PORT", "26005")
os.environ.setdefault("LIFEPORTAL_ACTIONS_PORT", "26055")
os.environ.setdefault("LIFEPORTAL_WEB_PORT", "28090")
os.environ.setdefault("LIFEPORTAL_DATABASE_URL", f"sqlite:///{ROOT / 'var/bench-telegram.db'}")
os.environ.setdefault("LIFEPORTAL_RATE_PER_MINUTE", "1000")
os.environ.setdefault("TELEGRAM_BOT_TOKEN", "4242:BENCH")
os.environ.setdefault("TELEGRAM_API_BASE_URL", "http://127.0.0.1:28081/bot")
os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from bot.settings import load_settings  # noqa: E402
from bot.stack import Stack  # noqa: E402
from bot.training import train_if_needed  # noqa: E402
from tests.bench.gateway import QUESTIONS, percentile  # noqa: E402
from tests.telegram_standin import TelegramStandIn  # noqa: E402


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ask_in_turn(api: TelegramStandIn, chat: int, questions: List[str], times: List[float]) -> None:
    for number, question in enumerate(questions, start=1):
        start = time.perf_counter()
        api.message(chat, question)
        api.wait_for(chat, number, timeout=120)
        times.append((time.perf_counter() - start) * 1000)


def run_chats(api: TelegramStandIn, chats: List[int], questions: List[str]) -> dict:
    times: List[float] = []
    threads = [threading.Thread(target=ask_in_turn, args=(api, chat, questions, times)) for chat in chats]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    sent = sum(len(api.sent(chat)) for chat in chats)
    expected = len(chats) * len(questions)
    return {"times": times, "wall": wall, "expected": expected, "lost": max(0, expected - sent),
            "twice": max(0, sent - expected)}


def main() -> None:
    base = load_settings()
    model = train_if_needed(base)
    settings = dataclasses.replace(base, var_dir=base.var_dir / "bench-telegram")
    shutil.copytree(base.spacy_dir, settings.spacy_dir, dirs_exist_ok=True)
    api = TelegramStandIn(28081).start()
    stack = Stack(settings, model).start()
    rows = []
    try:
        api.message(1, "hiya")
        api.wait_for(1, 1, timeout=120)   # warm up
        questions = [q for q in QUESTIONS if q not in ("hiya", "thanks", "ok bye")][:5]
        log("T1 ...")
        rows.append(("T1: 20 chats × 5 questions", run_chats(api, list(range(1000, 1020)), questions)))
        log("T2 ...")
        api.fail_every("sendMessage", 5, 429, description="Too Many Requests: retry after 1",
                       parameters={"retry_after": 1})
        rows.append(("T2: the same, every 5th send refused with 429", run_chats(api, list(range(2000, 2020)),
                                                                                 questions)))
        refused = len(api.refused)
        api.fail_every("sendMessage", 0, 429)
        log("T3 ...")
        for number in range(200):
            api.message(3000, f"spam {number}")
        rows.append(("T3: 10 chats × 1 question during a 200-message flood",
                     run_chats(api, list(range(3001, 3011)), questions[:1])))
    finally:
        stack.stop()
        api.stop()
    print("\n| scenario | p50 ms | p95 ms | answers/s | replies expected | lost | sent twice |")
    print("|---|---|---|---|---|---|---|")
    for title, row in rows:
        print(f"| {title} | {percentile(row['times'], 50)} | {percentile(row['times'], 95)} | "
              f"{len(row['times']) / row['wall']:.1f} | {row['expected']} | {row['lost']} | {row['twice']} |")
    print(f"\nSends refused with 429 in T2: {refused}. Median answer time over all: "
          f"{statistics.median([t for _, r in rows for t in r['times']]):.0f} ms.")


if __name__ == "__main__":
    main()
