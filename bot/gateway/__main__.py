"""`python -m bot.gateway`: serve the gateway on LIFEPORTAL_HOST:LIFEPORTAL_WEB_PORT (127.0.0.1:8080)."""
from __future__ import annotations

import logging

from aiohttp import web

from bot.gateway.app import build_app
from bot.settings import load_settings


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("lifeportal.turns").setLevel(logging.INFO)
    settings = load_settings()
    # No access log: paths are harmless, but one line per message is what we keep (bot.gateway.turns).
    web.run_app(build_app(settings), host=settings.host, port=settings.web_port, access_log=None,
                print=lambda *_: None)


if __name__ == "__main__":
    main()
