"""Start and stop the Rasa server and the action server as child processes."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Optional

import yaml

from bot.settings import PROJECT_ROOT, Settings
from bot.training import rasa_env


def write_rasa_endpoints(settings: Settings) -> Path:
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    path = settings.run_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump({"action_endpoint": {"url": settings.actions_url}}))
    return path


def write_rasa_credentials(settings: Settings) -> Path:
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    path = settings.run_dir / "credentials.yml"
    channels = {
        "rest": None,
        "socketio": {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
                     "session_persistence": True},
    }
    path.write_text(yaml.safe_dump(channels))
    return path


class Child:
    """A child process whose output goes to a log file under var/run/."""

    def __init__(self, name: str, command: List[str], settings: Settings) -> None:
        self.name = name
        self.log_path = settings.run_dir / f"{name}.log"
        settings.run_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        env=rasa_env(), cwd=str(PROJECT_ROOT))

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_action_server(settings: Settings) -> Child:
    return Child("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                             "--port", str(settings.actions_port)], settings)


def start_rasa_server(settings: Settings, model: Path) -> Child:
    return Child("rasa", [
        sys.executable, "-m", "rasa", "run", "--enable-api", "--model", str(model),
        "--endpoints", str(write_rasa_endpoints(settings)),
        "--credentials", str(write_rasa_credentials(settings)),
        "--interface", settings.host, "--port", str(settings.rasa_port), "--cors", "*",
    ], settings)


def wait_until_ready(url: str, child: Child, timeout: float = 300.0, expect: Optional[str] = None) -> None:
    """Polls `url` until it answers (and, for Rasa, until the model is loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} stopped while starting:\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode()
                if expect is None or expect in body:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass
        time.sleep(1)
    raise TimeoutError(f"{child.name} did not become ready at {url} within {timeout:.0f}s:\n{child.log_tail()}")


def wait_for_rasa(settings: Settings, child: Child, timeout: float = 300.0) -> None:
    wait_until_ready(f"{settings.rasa_url}/status", child, timeout, expect='"model_file"')


def wait_for_actions(settings: Settings, child: Child, timeout: float = 120.0) -> None:
    wait_until_ready(f"http://{settings.host}:{settings.actions_port}/health", child, timeout)
