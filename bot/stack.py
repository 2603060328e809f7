"""The running bot: action server, Rasa and the gateway, started together, watched, and stopped cleanly.

`lifeportal run`, the tests and the benchmark all use this, so they run the same thing.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Dict, List

from bot.processes import (Child, start_action_server, start_gateway, start_rasa_server, wait_for_actions,
                           wait_for_gateway, wait_for_rasa)
from bot.settings import Settings

logger = logging.getLogger(__name__)


class Stack:
    def __init__(self, settings: Settings, model: Path) -> None:
        self.settings = settings
        self.model = model
        self.children: Dict[str, Child] = {}
        self._next_restart: Dict[str, float] = {}
        self._backoff: Dict[str, float] = {}

    def start(self) -> "Stack":
        self.children["actions"] = start_action_server(self.settings)
        self.children["rasa"] = start_rasa_server(self.settings, self.model)
        self.children["gateway"] = start_gateway(self.settings)
        try:
            self.wait_until_ready()
        except Exception:
            self.stop()
            raise
        return self

    def wait_until_ready(self, names: List[str] = ("actions", "rasa", "gateway")) -> None:
        waits = {"actions": wait_for_actions, "rasa": wait_for_rasa, "gateway": wait_for_gateway}
        for name in names:
            waits[name](self.settings, self.children[name])

    def restart(self, name: str, wait: bool = True) -> None:
        child = self.children[name]
        child.stop()
        child.start()
        if wait:
            self.wait_until_ready([name])

    def watch_once(self) -> List[str]:
        """Start again any child that stopped by itself, with a growing pause if it keeps failing."""
        restarted = []
        now = time.monotonic()
        for name, child in self.children.items():
            if child.alive():
                continue
            if now < self._next_restart.get(name, 0):
                continue
            code = child.process.returncode if child.process else None
            logger.error("%s stopped unexpectedly (exit code %s); restarting it. Its log: %s", name, code, child.log_path)
            backoff = min(self._backoff.get(name, 1.0) * 2, 60.0)
            self._backoff[name] = backoff
            self._next_restart[name] = now + backoff
            child.restarts += 1
            child.start()
            restarted.append(name)
        return restarted

    def stop(self) -> None:
        # The gateway first, so nobody is let in while Rasa goes.
        for name in ("gateway", "rasa", "actions"):
            child = self.children.get(name)
            if child is not None:
                child.stop()
