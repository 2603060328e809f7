"""Look at the development sets' misses, to tune on them (never on a frozen set).

    .venv/bin/python -m nlu.tune [crisis|topics] [--misses]

Loads the latest trained model in-process and prints, for each development set in
tests/data/dev/, the figures and (with --misses) every miss with its text.
"""
from __future__ import annotations

import asyncio
import sys
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
    from tests.evaluation import crisis_figures

    for name, rows in dev_crisis_sets().items():
        parsed = _parse_all(agent, [r.text for r in rows])
        levels = [(p.get("crisis") or {}).get("level") for p in parsed]
        f = crisis_figures(rows, levels)
        print(f"\n{name}: emergency recall {f['emergency_recall']:.3f}, urgent {f['urgent_recall']:.3f}, "
              f"false positives {f['false_positive_rate']:.3f}")
        if show_misses:
            for r, lv, p in zip(rows, levels, parsed):
                if bool(r.level) != bool(lv):
                    c = p.get("crisis") or {}
                    print(f"  {'MISS' if r.level else 'FALSE'} [{r.level or 'none'}/{r.category}] "
                          f"sim={c.get('similarity')} clf={c.get('classifier_scores')} rules={c.get('rules')}: "
                          f"{r.text[:160]!r}")


def topics(agent: Any, show_misses: bool) -> None:
    from tests.eval_sets import dev_topic_sets
    from tests.evaluation import topic_scores, topic_table

    for name, rows in dev_topic_sets().items():
        parsed = _parse_all(agent, [r.text for r in rows])
        print(topic_table(name, topic_scores(rows, parsed, split_topics=True)))
        if show_misses:
            for row, p in zip(rows, parsed):
                if p["intent"]["name"] != row.topic:
                    top = [(e["name"], round(e["confidence"], 2)) for e in (p.get("intent_ranking") or [])[:3]]
                    print(f"  MISS [{row.topic}/{row.style}] -> {p['intent']['name']} {p.get('suggested')} {top}: "
                          f"{row.text[:140]!r}")


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
