"""`lifeportal run`: train if needed, start the action server, Rasa and the web chat, print the URL."""
from __future__ import annotations

import asyncio
import logging
import signal

from bot.processes import start_action_server, start_rasa_server, wait_for_actions, wait_for_rasa
from bot.settings import Settings
from bot.store import Database
from bot.training import train_if_needed
from bot.webchat.server import start_web_server

logger = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    Database(settings.database_url).migrate()
    model = train_if_needed(settings)
    actions = start_action_server(settings)
    rasa = start_rasa_server(settings, model)
    try:
        print("Starting the action server and Rasa (this takes about a minute)…", flush=True)
        wait_for_actions(settings, actions)
        wait_for_rasa(settings, rasa)
        asyncio.run(_serve_web(settings, children=(actions, rasa)))
    except KeyboardInterrupt:
        pass
    finally:
        for child in (rasa, actions):
            child.stop()


async def _serve_web(settings: Settings, children) -> None:
    runner = await start_web_server(settings)
    print(f"\nLife Portal bot is ready: open {settings.web_url} in your browser. Press Ctrl+C to stop.", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        while not stop.is_set():
            for child in children:
                if not child.alive():
                    print(f"{child.name} stopped unexpectedly; see {child.log_path}", flush=True)
                    stop.set()
            try:
                await asyncio.wait_for(stop.wait(), timeout=2)
            except asyncio.TimeoutError:
                pass
    finally:
        await runner.cleanup()
