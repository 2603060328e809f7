"""Start, watch and stop the Rasa server, the action server and the gateway as child processes."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, List, Optional

import yaml
from sqlalchemy.engine import make_url

from bot.secret import rasa_token
from bot.settings import LOOPBACK, PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)


def child_env(settings: Settings) -> dict:
    """Environment for every child: nothing may call out, and Sanic (the action server) binds to loopback."""
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1", SANIC_HOST=LOOPBACK)
    env.update(settings.as_env())
    return env


def tracker_store_config(database_url: str) -> dict:
    """Rasa's SQLTrackerStore on the same database as ours, so a restart forgets no one."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    # Rasa's endpoint config calls the host "url".
    config = {"type": "SQL", "dialect": url.drivername, "url": url.host, "db": url.database}
    if url.port:
        config["port"] = url.port
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config


def write_rasa_endpoints(settings: Settings) -> Path:
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    path = settings.run_dir / f"endpoints.{settings.rasa_port}.yml"  # one per Rasa server on this machine
    endpoints = {"action_endpoint": {"url": settings.actions_url},
                 "tracker_store": tracker_store_config(settings.database_url)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may hold a database password
    with os.fdopen(fd, "w") as handle:
        handle.write(yaml.safe_dump(endpoints))
    return path


def write_rasa_credentials(settings: Settings) -> Path:
    # Only the REST channel: the gateway is the one door; Rasa's own socket.io channel is off.
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    path = settings.run_dir / f"credentials.{settings.rasa_port}.yml"
    path.write_text(yaml.safe_dump({"rest": None}))
    return path


def _die_with_parent() -> None:
    """In the child, before exec: if the supervisor dies (even by SIGKILL), the child gets SIGTERM."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: children are still stopped by a normal shutdown


class Child:
    """A child process whose output goes to a log file under var/run/; it can be started again."""

    def __init__(self, name: str, command: List[str], settings: Settings, extra_env: Optional[dict] = None) -> None:
        self.name = name
        self.command = command
        self.extra_env = extra_env or {}
        self.settings = settings
        self.log_path = settings.run_dir / f"{name}.log"
        self.process: Optional[subprocess.Popen] = None
        self.restarts = 0
        self.start()

    def start(self) -> "Child":
        self.settings.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            env={**child_env(self.settings), **self.extra_env},
                                            cwd=str(PROJECT_ROOT),
                                            # Ctrl+C reaches the supervisor only, which stops children in order.
                                            start_new_session=True, preexec_fn=_die_with_parent)
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, number: int) -> None:
        if self.alive():
            os.kill(self.process.pid, number)

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGCONT)  # a paused child can't hear SIGTERM
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_action_server(settings: Settings) -> Child:
    return Child("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                             "--port", str(settings.actions_port)], settings)


def start_rasa_server(settings: Settings, model: Path) -> Child:
    # The HTTP API needs the token; no --cors, so browsers get no CORS headers at all.
    return Child("rasa", [
        sys.executable, "-m", "rasa", "run", "--enable-api", "--auth-token", rasa_token(settings),
        "--model", str(model), "--endpoints", str(write_rasa_endpoints(settings)),
        "--credentials", str(write_rasa_credentials(settings)),
        "--interface", LOOPBACK, "--port", str(settings.rasa_port),
    ], settings,
        # One thread per math library: on 2 cores, torch's thread pool fighting any other busy
        # process made a parse 25 times slower (see README, Measurements); one thread is as fast when idle.
        extra_env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})


def start_gateway(settings: Settings) -> Child:
    return Child("gateway", [sys.executable, "-m", "bot.gateway"], settings)


def wait_until_ready(url: str, child: Child, timeout: float = 300.0,
                     ready: Callable[[str], bool] = lambda body: True) -> None:
    """Polls `url` until it answers (and, for Rasa, until the model is loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} stopped while starting:\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if ready(response.read().decode()):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{child.name} did not become ready at {url} within {timeout:.0f}s:\n{child.log_tail()}")


def wait_for_rasa(settings: Settings, child: Child, timeout: float = 300.0) -> None:
    wait_until_ready(f"{settings.rasa_url}/status?token={rasa_token(settings)}", child, timeout,
                     ready=lambda body: '"model_file"' in body)
    warm_up_rasa(settings)


def warm_up_rasa(settings: Settings) -> None:
    """One parse, so that the first young person after a start doesn't wait while the models load."""
    request = urllib.request.Request(f"{settings.rasa_url}/model/parse?token={rasa_token(settings)}",
                                     data=json.dumps({"text": "hello"}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=60).read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        logger.warning("Rasa's warm-up parse failed")


def wait_for_actions(settings: Settings, child: Child, timeout: float = 120.0) -> None:
    wait_until_ready(settings.actions_health_url, child, timeout)


def wait_for_gateway(settings: Settings, child: Child, timeout: float = 60.0) -> None:
    wait_until_ready(f"http://{LOOPBACK}:{settings.web_port}/healthz", child, timeout)
