"""`lifeportal run`: train if needed, start the action server, Rasa and the gateway, print the URL,
restart a child that crashes, and stop everything on Ctrl+C or SIGTERM.

This process stays light: training runs in a child process, and nothing here imports Rasa.
"""
from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

from bot.processes import child_env
from bot.settings import PROJECT_ROOT, Settings
from bot.stack import Stack
from bot.store import Database

logger = logging.getLogger(__name__)


def train_in_child(settings: Settings) -> Path:
    """`lifeportal train` in its own process (it imports Rasa); returns the model's path.

    Its chatter goes to var/run/train.log and is shown only if training fails.
    """
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.run_dir / "train.log"
    with open(log_path, "w") as log:
        result = subprocess.run([sys.executable, "-m", "bot.cli", "train"], env=child_env(settings),
                                cwd=str(PROJECT_ROOT), stdout=subprocess.PIPE, stderr=log, text=True)
    if result.returncode != 0:
        sys.stderr.write("\n".join(log_path.read_text(errors="replace").splitlines()[-40:]) + "\n")
        raise SystemExit(f"Training failed; the whole log is in {log_path}")
    return Path(result.stdout.strip().splitlines()[-1])


def run(settings: Settings) -> None:
    Database(settings.database_url).migrate()
    print("Checking the model (training takes about a minute when its data changed)…", flush=True)
    model = train_in_child(settings)
    stopping = threading.Event()

    def on_signal(*_) -> None:
        if not started.is_set():
            raise KeyboardInterrupt  # still starting: leave the wait at once
        stopping.set()

    started = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, on_signal)
    stack = Stack(settings, model)
    print("Starting the action server, Rasa and the gateway (about a minute)…", flush=True)
    try:
        stack.start()
        started.set()
        print(f"\nLife Portal bot is ready: open {settings.web_url} in your browser. Press Ctrl+C to stop.",
              flush=True)
        mail = (f"by SMTP through {settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host
                else f"to files in {settings.mail_dir} (set LIFEPORTAL_SMTP_HOST to send email)")
        print(f"Advisers sign in at {settings.inbox_url} (create one with `lifeportal advisers add`); "
              f"notifications go {mail}.", flush=True)
        print("Telegram is " + ("on (" + ("webhook" if settings.telegram_webhook_secret else "long polling") + ")."
                                if settings.telegram_bot_token else "off: set TELEGRAM_BOT_TOKEN to turn it on."),
              flush=True)
        if settings.host != "127.0.0.1":
            print(f"The gateway listens on {settings.host} (LIFEPORTAL_HOST); Rasa and the action server "
                  "stay on 127.0.0.1.", flush=True)
        while not stopping.wait(1.0):
            stack.watch_once()  # logs each restart
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping…", flush=True)
        stack.stop()
