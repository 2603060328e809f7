"""Shared fixtures: one trained model, and one action server + Rasa + gateway stack per test session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

# Test ports differ from `make run`'s, so tests can run beside a running bot; so does the database.
os.environ.setdefault("LIFEPORTAL_RASA_PORT", "15005")
os.environ.setdefault("LIFEPORTAL_ACTIONS_PORT", "15055")
os.environ.setdefault("LIFEPORTAL_WEB_PORT", "18080")
os.environ.setdefault("LIFEPORTAL_DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'test.db'}")
# Notifications go to a real SMTP listener the tests run (tests/mailbox.py).
os.environ.setdefault("LIFEPORTAL_SMTP_HOST", "127.0.0.1")
os.environ.setdefault("LIFEPORTAL_SMTP_PORT", "18025")
# Telegram on, against a local Bot API stand-in the tests run (tests/telegram_standin.py).
os.environ.setdefault("TELEGRAM_BOT_TOKEN", "4242:TEST-TOKEN")
os.environ.setdefault("TELEGRAM_API_BASE_URL", "http://127.0.0.1:18081/bot")
# A short turn timeout, so the "never silence" tests don't wait long.
os.environ.setdefault("LIFEPORTAL_TURN_TIMEOUT", "3")
os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from bot.settings import PROJECT_ROOT, Settings, load_settings  # noqa: E402
from bot.stack import Stack  # noqa: E402
from bot.training import train_if_needed  # noqa: E402

DATA = Path(__file__).parent / "data"
KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A copy of knowledge/ to break on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def problems_of(directory: Path) -> str:
    """What an editor is told about a broken knowledge folder."""
    from bot.knowledge import KnowledgeError, load_knowledge

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return str(caught.value)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The servers read a copy of knowledge/ (same content), so a test may edit it as an editor would."""
    import shutil

    copy = PROJECT_ROOT / "var" / "test-knowledge"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(KNOWLEDGE, copy)
    os.environ["LIFEPORTAL_KNOWLEDGE_DIR"] = str(copy)
    return load_settings()


@pytest.fixture(scope="session")
def trained_model(settings: Settings) -> Path:
    """Trains once per run (skipped when nothing the model learns from changed)."""
    return train_if_needed(settings)


@pytest.fixture(scope="session")
def mailbox(settings: Settings):
    """A real SMTP server (aiosmtpd) on loopback, catching what the gateway's outbox sends."""
    from tests.mailbox import Mailbox

    box = Mailbox(settings.smtp_port).start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture(scope="session")
def telegram_api(settings: Settings):
    """Telegram's Bot API, played locally: python-telegram-bot in the gateway talks to it."""
    from tests.telegram_standin import TelegramStandIn

    port = int(settings.telegram_api_base_url.rsplit(":", 1)[1].split("/")[0])
    api = TelegramStandIn(port).start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(scope="session")
def stack(settings: Settings, trained_model: Path, mailbox, telegram_api) -> Iterator[Stack]:
    """The action server, Rasa and the gateway, started once per test session as `make run` starts them."""
    running = Stack(settings, trained_model).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def servers(stack: Stack) -> Settings:
    return stack.settings


@pytest.fixture(scope="session")
def web_chat(servers: Settings) -> str:
    """The gateway's web chat page."""
    return servers.web_url


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.report import LINES

    if LINES:
        terminalreporter.section("Life Portal measurements")
        for line in LINES:
            terminalreporter.write_line(line)
