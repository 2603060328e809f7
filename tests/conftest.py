"""Shared fixtures: one trained model and one Rasa + action server pair per test session."""
from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest

# Test ports differ from `make run`'s, so tests can run beside a running bot.
os.environ.setdefault("LIFEPORTAL_RASA_PORT", "15005")
os.environ.setdefault("LIFEPORTAL_ACTIONS_PORT", "15055")
os.environ.setdefault("LIFEPORTAL_WEB_PORT", "18080")
os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from bot.processes import start_action_server, start_rasa_server, wait_for_actions, wait_for_rasa  # noqa: E402
from bot.settings import PROJECT_ROOT, Settings, load_settings  # noqa: E402
from bot.training import train_if_needed  # noqa: E402

DATA = Path(__file__).parent / "data"
KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def trained_model(settings: Settings) -> Path:
    """Trains once per run (few epochs; skipped when nothing the model learns from changed)."""
    return train_if_needed(settings)


@pytest.fixture(scope="session")
def servers(settings: Settings, trained_model: Path) -> Iterator[Settings]:
    actions = start_action_server(settings)
    rasa = start_rasa_server(settings, trained_model)
    try:
        wait_for_actions(settings, actions)
        wait_for_rasa(settings, rasa)
        yield settings
    finally:
        rasa.stop()
        actions.stop()


@pytest.fixture(scope="session")
def web_chat(servers: Settings) -> Iterator[str]:
    """The web chat page served on localhost from a background thread."""
    from bot.webchat.server import start_web_server

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)
        holder["runner"] = loop.run_until_complete(start_web_server(servers))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30), "the web chat server did not start"
    yield servers.web_url
    asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.report import LINES

    if LINES:
        terminalreporter.section("Life Portal measurements")
        for line in LINES:
            terminalreporter.write_line(line)
