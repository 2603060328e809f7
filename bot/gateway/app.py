"""The gateway's web application: the chat page, its live connection, and a health check."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.gateway.inbox import Inbox
from bot.gateway.notices import OFFLINE_STATUS, TROUBLE_STATUS, WELCOME, Notices
from bot.gateway.rasa_client import RasaClient
from bot.gateway.service import ConversationService
from bot.gateway.web import WebChannel
from bot.knowledge import KnowledgeStore
from bot.outbox import OutboxSender
from bot.secret import rasa_token
from bot.settings import PROJECT_ROOT, Settings
from bot.store import Database
from bot.store.safeguarding import load_or_create_key

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web"
SERVICE = web.AppKey("service", ConversationService)
WEB_CHANNEL = web.AppKey("web_channel", WebChannel)
CLIENT = web.AppKey("client", aiohttp.ClientSession)
TASKS = web.AppKey("tasks", list)
TELEGRAM = web.AppKey("telegram", object)

CSP = ("default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def build_app(settings: Settings, web_dir: Path = WEB_DIR) -> web.Application:
    """App factory: everything is made on startup, nothing at import."""
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    notices = Notices(KnowledgeStore(settings.knowledge_dir))

    async def start(app: web.Application) -> None:
        database = Database(settings.database_url).migrate()
        # Loopback only, so no connection limit per host gets in the way of many conversations.
        client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        rasa = RasaClient(rasa_url=settings.rasa_url, actions_health_url=settings.actions_health_url,
                          token=rasa_token(settings), session=client)
        key = load_or_create_key(settings.secret_key_file)
        service = ConversationService(settings=settings, database=database, key=key, rasa=rasa, notices=notices)
        channel = WebChannel(settings=settings, service=service, database=database)
        service.add_channel(channel)
        inbox.append(Inbox(settings=settings, database=database, desk=service.desk, key=key))
        app[SERVICE] = service
        app[WEB_CHANNEL] = channel
        app[TELEGRAM] = None
        if settings.telegram_bot_token:
            from bot.gateway.telegram import TelegramChannel   # only imported when Telegram is on

            app[TELEGRAM] = TelegramChannel(settings=settings, service=service, database=database)
            service.add_channel(app[TELEGRAM])
        else:
            logger.info("Telegram is off: set TELEGRAM_BOT_TOKEN to turn it on")
        app[CLIENT] = client
        # Notifications go out from the outbox: woken by each new request, retried with back-off.
        service.desk.outbox_wake = asyncio.Event()
        sender = OutboxSender(settings, database, telegram=app[TELEGRAM].notify if app[TELEGRAM] else None)
        app[TASKS] = service.start() + [asyncio.create_task(sender.run_forever(service.desk.outbox_wake))]
        if app[TELEGRAM] is not None:
            app[TASKS].append(asyncio.create_task(app[TELEGRAM].run()))

    async def stop(app: web.Application) -> None:
        for task in app[TASKS]:
            task.cancel()
        if app[TELEGRAM] is not None:
            await app[TELEGRAM].stop()
        await app[SERVICE].turns.close()
        await app[CLIENT].close()

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(web_dir / "index.html")

    async def config(request: web.Request) -> web.Response:
        return web.json_response({
            "welcome": WELCOME,
            "offlineStatus": OFFLINE_STATUS,
            "troubleStatus": TROUBLE_STATUS,
            "offlineMessage": notices.offline(),
            "quickExitUrl": settings.quick_exit_url,
            "maxChars": settings.max_message_chars,
        })

    async def live(request: web.Request) -> web.StreamResponse:
        return await request.app[WEB_CHANNEL].handle(request)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"gateway": "ok"})

    inbox: list = []   # made on startup (it needs the database); routes are fixed now

    def inbox_route(name: str):
        async def handler(request: web.Request) -> web.StreamResponse:
            return await getattr(inbox[0], name)(request)
        return handler

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/", index)
    app.router.add_get("/config.json", config)
    app.router.add_get("/ws", live)
    app.router.add_get("/healthz", health)
    app.router.add_get("/inbox", inbox_route("home"))
    app.router.add_get("/inbox/", inbox_route("caseload"))
    app.router.add_get("/inbox/login", inbox_route("login_form"))
    app.router.add_post("/inbox/login", inbox_route("login"))
    app.router.add_post("/inbox/logout", inbox_route("logout"))
    app.router.add_post("/inbox/link-code", inbox_route("link_code"))
    app.router.add_post("/inbox/telegram-code", inbox_route("telegram_code"))
    app.router.add_get("/inbox/updates", inbox_route("updates"))
    app.router.add_get(r"/inbox/requests/{id:\d+}", inbox_route("request_page"))
    app.router.add_get(r"/inbox/requests/{id:\d+}/transcript", inbox_route("transcript"))
    app.router.add_post(r"/inbox/requests/{id:\d+}/{action:claim|reply|note|hand-back|resolve}", inbox_route("act"))
    async def telegram_webhook(request: web.Request) -> web.StreamResponse:
        if request.app[TELEGRAM] is None:
            raise web.HTTPNotFound()
        return await request.app[TELEGRAM].webhook(request)

    app.router.add_post("/telegram", telegram_webhook)
    app.router.add_static("/static/", web_dir / "static", follow_symlinks=False)
    return app
