"""Look at the development sets' misses, to tune on them (never on a frozen set).

    .venv/bin/python -m nlu.tune [crisis|topics] [--misses]

Loads the latest trained model in-process and prints, for each development set in
tests/data/dev/, the figures and (with --misses) every miss with its text.
"""
from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List


def _parse_all(agent: Any, texts: List[str]) -> List[Dict[str, Any]]:
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(agent.parse_message(text)) for text in texts]
    finally:
        loop.close()


def crisis(agent: Any, show_misses: bool) -> None:
    from tests.eval_sets import dev_crisis_sets

    for name, rows in dev_crisis_sets().items():
        parsed = _parse_all(agent, [r.text for r in rows])
        levels = [(p.get("crisis") or {}).get("level") for p in parsed]
        print(f"\n{name}")
        for level in ("emergency", "urgent"):
            labelled = [lv for r, lv in zip(rows, levels) if r.level == level]
            print(f"  {level:<9} recall {sum(lv is not None for lv in labelled)}/{len(labelled)}")
        ordinary = [(r, lv) for r, lv in zip(rows, levels) if r.level is None]
        print(f"  false positives {sum(lv is not None for _, lv in ordinary)}/{len(ordinary)}")
        if show_misses:
            for r, lv, p in zip(rows, levels, parsed):
                if bool(r.level) != bool(lv):
                    c = p.get("crisis") or {}
                    print(f"  {'MISS' if r.level else 'FALSE'} [{r.level or 'none'}/{r.category}] "
                          f"sim={c.get('similarity')} clf={c.get('classifier')} rules={c.get('rules')}: {r.text[:160]!r}")


def topics(agent: Any, show_misses: bool) -> None:
    from tests.eval_sets import dev_topic_sets

    for name, rows in dev_topic_sets().items():
        parsed = _parse_all(agent, [r.text for r in rows])
        right, suggested_right, by_kind = 0, 0, Counter()
        for row, p in zip(rows, parsed):
            intent = p["intent"]["name"]
            suggested = p.get("suggested") or []
            kind = "answered" if intent != "nlu_fallback" else ("suggested" if suggested else "fallback")
            by_kind[kind] += 1
            right += intent == row.topic
            suggested_right += intent == row.topic or row.topic in suggested
            if show_misses and intent != row.topic:
                top = [(e["name"], round(e["confidence"], 2)) for e in (p.get("intent_ranking") or [])[:3]]
                print(f"  MISS [{row.topic}/{row.style}] -> {intent} {suggested} {top}: {row.text[:140]!r}")
        print(f"\n{name}: top-1 {right}/{len(rows)} = {right / len(rows):.3f}; "
              f"right or suggested {suggested_right / len(rows):.3f}; {dict(by_kind)}")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from bot.settings import load_settings
    from bot.training import latest_model

    configure_structlog(logging.ERROR)
    logging.getLogger("rasa").setLevel(logging.ERROR)
    model = latest_model(load_settings())
    agent = Agent.load(str(model))
    which = [a for a in sys.argv[1:] if not a.startswith("--")] or ["crisis", "topics"]
    if "crisis" in which:
        crisis(agent, "--misses" in sys.argv)
    if "topics" in which:
        topics(agent, "--misses" in sys.argv)


if __name__ == "__main__":
    main()
