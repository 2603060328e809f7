"""Serves the web chat page and its settings. The page talks to Rasa's socket.io channel directly."""
from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.knowledge import KnowledgeStore
from bot.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web"
VENDOR_DIR = WEB_DIR / "vendor"

WELCOME = ("Hi, I'm the Life Portal bot. Ask me about leaving care in Essex: housing, money, council tax, "
           "Staying Put, Staying Close, college and work, health, or your personal adviser.")
OFFLINE_STATUS = "Can't reach the chat right now. Trying again…"


def offline_message(store: KnowledgeStore) -> str:
    """What the page says when it can't reach the bot: the emergency numbers still show."""
    lines = ["Sorry, I can't reach the chat service right now. Please try again in a few minutes."]
    try:
        contacts = store.current().contacts_for("emergency")
    except Exception:  # broken knowledge must not break the page
        logger.exception("could not read crisis contacts for the offline message")
        contacts = ()
    if contacts:
        lines.append("If you need help now:")
        lines.extend(f"• {c.name}: {c.how} ({c.when})" for c in contacts)
    return "\n".join(lines)


def build_app(settings: Settings) -> web.Application:
    store = KnowledgeStore(settings.knowledge_dir)

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB_DIR / "index.html")

    async def config(request: web.Request) -> web.Response:
        return web.json_response({
            "socketUrl": settings.rasa_url,
            "welcome": WELCOME,
            "offlineStatus": OFFLINE_STATUS,
            "offlineMessage": offline_message(store),
        })

    @web.middleware
    async def security_headers(request: web.Request, handler):
        response = await handler(request)
        # Everything is served from here; the only other origin is the local Rasa server.
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; connect-src 'self' {settings.rasa_url} ws://{settings.host}:{settings.rasa_port}; "
            "img-src 'self' data:; style-src 'self'; script-src 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/", index)
    app.router.add_get("/config.json", config)
    app.router.add_static("/static/", WEB_DIR / "static", follow_symlinks=False)
    if not (VENDOR_DIR / "socket.io.min.js").exists():
        raise FileNotFoundError(f"{VENDOR_DIR}/socket.io.min.js is missing: run `make setup` to vendor it from npm.")
    app.router.add_static("/vendor/", VENDOR_DIR, follow_symlinks=False)
    return app


async def start_web_server(settings: Settings) -> web.AppRunner:
    runner = web.AppRunner(build_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.web_port).start()
    return runner
