"""The Telegram channel: python-telegram-bot's Application inside the gateway, one handler per job.

Every message goes through the same ConversationService as the web chat (same pseudonyms, modes,
crisis override and limits). Long polling by default; webhook mode on the gateway's own server
when TELEGRAM_WEBHOOK_SECRET is set. Starts only when TELEGRAM_BOT_TOKEN is set.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any, Dict, List, Optional

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, filters)

from bot.gateway.desk import ASK_FOR_PA, REQUEST_STATUS
from bot.gateway.service import ConversationService
from bot.settings import Settings
from bot.store import Database
from bot.store.advisers import link_adviser_telegram
from bot.store.conversations import drop_reply, keep_reply, load_address, peek_replies, save_address

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_LIMIT = 64   # bytes Telegram allows in callback_data
HASHED = "h:"
RETRY_DELIVERY = 10.0
MAX_RETRY_DELAY = 300.0

START = ("Hi, I'm the Life Portal bot. I'm a bot, not a person.\n"
         "I can answer questions about leaving care in Essex: housing, money, council tax, Staying Put, "
         "Staying Close, college and work, health, and your personal adviser (PA). I can also pass a "
         "message to your PA: send /adviser.\n"
         "I can't give advice about your own case, and I'm not an emergency service.\n"
         "What you write is kept to answer you and, if you ask, for your PA. Send /forget to erase it.\n"
         "Commands: /adviser, /link CODE (from your PA), /status, /forget, /help.")
HELP = ("Just type your question. /adviser: send a message to your personal adviser. /link CODE: link to "
        "your PA with the code they gave you. /status: how your request is getting on. /forget: erase this chat.")
NOT_TEXT = "Sorry, I can only read text messages for now. Please type your message."
EDITED = "I saw you edited a message. I only read new messages, so please send it again if you changed it."
GROUP = "I only work in one-to-one chats, so I'm leaving this group. Message me directly to talk."


def callback_data(payload: str) -> str:
    """The payload itself if it fits Telegram's 64 bytes, else a short hash of it (looked up on press)."""
    if len(payload.encode()) <= CALLBACK_LIMIT:
        return payload
    return HASHED + hashlib.sha256(payload.encode()).hexdigest()[:32]


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> List[str]:
    """Split a long reply at paragraph, then line, then word boundaries, each part within the limit."""
    parts: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


class TelegramChannel:
    name = "telegram"

    def __init__(self, *, settings: Settings, service: ConversationService, database: Database) -> None:
        self._settings = settings
        self._service = service
        self._database = database
        self._addresses: Dict[str, int] = {}      # conversation id -> chat id
        self._payloads: Dict[str, str] = {}       # hashed callback data -> payload
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._failures: Dict[str, int] = {}        # conversation id -> failed deliveries in a row
        self._retrying: set = set()
        self._locks: Dict[str, asyncio.Lock] = {}
        self._sending: set = set()   # background sends, kept referenced until done
        self.application: Application = self._build()

    # -- the application and its handlers ---------------------------------------------------------

    def _build(self) -> Application:
        builder: ApplicationBuilder = (Application.builder().token(self._settings.telegram_bot_token)
                                       .base_url(self._settings.telegram_api_base_url)
                                       .rate_limiter(AIORateLimiter(max_retries=3)))
        if self._settings.telegram_webhook_secret:
            builder = builder.updater(None)   # updates arrive on the gateway's own /telegram route
        application = builder.build()
        private = filters.ChatType.PRIVATE
        application.add_handler(MessageHandler(filters.UpdateType.EDITED, self.edited))
        application.add_handler(MessageHandler(~private & filters.UpdateType.MESSAGE, self.in_group))
        application.add_handler(CommandHandler("start", self.start, filters=private))
        application.add_handler(CommandHandler("help", self.help, filters=private))
        application.add_handler(CommandHandler("adviser", self.adviser, filters=private))
        application.add_handler(CommandHandler("status", self.status, filters=private))
        application.add_handler(CommandHandler(["link", "forget"], self.text, filters=private))
        application.add_handler(CommandHandler("pa", self.adviser_link, filters=private))
        application.add_handler(MessageHandler(private & filters.TEXT, self.text))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(MessageHandler(private, self.not_text))
        application.add_error_handler(self.error)
        return application

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(START)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(HELP)

    async def adviser(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._press(update, "Talk to my PA", ASK_FOR_PA)

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._press(update, "How is my request?", REQUEST_STATUS)

    async def _press(self, update: Update, title: str, payload: str) -> None:
        chat_id = update.effective_chat.id
        conversation_id = await self._known(chat_id)
        self._service.offer(conversation_id, [{"title": title, "payload": payload}])
        await self._service.receive(channel=self.name, external_id=str(chat_id), text=title, payload=payload)
        await self._remember(chat_id, conversation_id)

    async def adviser_link(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An adviser (not a young person) links this chat to their inbox account for notifications."""
        code = " ".join(context.args or [])
        adviser = await asyncio.to_thread(self._in_store, link_adviser_telegram, code=code,
                                          chat_id=str(update.effective_chat.id)) if code else None
        name = adviser.name if adviser else None
        await update.effective_message.reply_text(
            f"Thanks, {name}. New requests for you will be announced here too." if name else
            "That code didn't work. Make a new one in the adviser inbox and send /pa CODE.")

    def notify(self, chat_id: str, text: str) -> None:
        """For the outbox sender's thread: send an adviser's notification on the gateway's loop, or raise."""
        future = asyncio.run_coroutine_threadsafe(
            self.application.bot.send_message(int(chat_id), text, disable_web_page_preview=True), self._loop)
        future.result(timeout=60)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        conversation_id = await self._known(chat_id)
        await self._service.receive(channel=self.name, external_id=str(chat_id), text=update.effective_message.text)
        await self._remember(chat_id, conversation_id)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()   # always, so the phone stops its spinner
        chat_id = update.effective_chat.id if update.effective_chat else None
        if chat_id is None or update.effective_chat.type != "private":
            return
        data = query.data or ""
        payload = self._payloads.get(data) or await self._unhash(chat_id, data)
        title = next((b.text for row in (query.message.reply_markup.inline_keyboard
                                         if query.message and query.message.reply_markup else [])
                      for b in row if b.callback_data == data), payload)
        try:
            await query.edit_message_reply_markup(reply_markup=None)   # a button is pressed once
        except TelegramError:
            logger.info("could not remove a keyboard")
        conversation_id = await self._known(chat_id)
        await self._service.receive(channel=self.name, external_id=str(chat_id), text=title, payload=payload)
        await self._remember(chat_id, conversation_id)

    async def _unhash(self, chat_id: int, data: str) -> str:
        """A long payload's hash, pressed after a restart: found among the buttons the store kept."""
        if not data.startswith(HASHED):
            return data
        offered = await self._service.offered_payloads(await self._known(chat_id))
        return next((payload for payload in offered if callback_data(payload) == data), data)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(NOT_TEXT)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat and update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, EDITED)

    async def in_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        try:
            await context.bot.send_message(chat.id, GROUP)
        finally:
            await context.bot.leave_chat(chat.id)

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Telegram handler failed: %s", type(context.error).__name__)

    # -- who is who -------------------------------------------------------------------------------

    async def _known(self, chat_id: int) -> str:
        conversation_id = self._service.conversation_id(self.name, str(chat_id))
        self._addresses[conversation_id] = chat_id
        return conversation_id

    async def _remember(self, chat_id: int, conversation_id: str) -> None:
        """Keep the chat id (once the conversation exists), so an adviser's reply can reach it later."""
        await asyncio.to_thread(self._in_store, save_address, conversation_id=conversation_id, address=str(chat_id))

    async def _chat_id(self, conversation_id: str) -> Optional[int]:
        if conversation_id not in self._addresses:
            address = await asyncio.to_thread(self._in_store, load_address, conversation_id=conversation_id)
            if address is None:
                return None
            self._addresses[conversation_id] = int(address)
        return self._addresses[conversation_id]

    def _in_store(self, function, **kwargs):
        with self._database.session() as session:
            return function(session, **kwargs)

    # -- delivery -----------------------------------------------------------------------------------

    def _markup(self, buttons: List[Dict[str, str]]) -> Optional[InlineKeyboardMarkup]:
        rows = []
        for button in buttons:
            data = callback_data(button["payload"])
            if data != button["payload"]:
                self._payloads[data] = button["payload"]
            rows.append([InlineKeyboardButton(button["title"][:64] or "…", callback_data=data)])
        return InlineKeyboardMarkup(rows) if rows else None

    async def deliver(self, conversation_id: str, event: Dict[str, Any]) -> None:
        """Keep the reply in the store, then send it in the background: a slow or refusing Telegram
        (429 and its retry_after) never holds up the conversation's turn, and a restart loses nothing."""
        if event.get("type") != "reply":
            return   # "done", "status": the web page's typing dots; Telegram has nothing to show
        body = {key: value for key, value in event.items() if key != "type"}
        await asyncio.to_thread(self._in_store, keep_reply, conversation_id=conversation_id, body=body)
        task = asyncio.get_running_loop().create_task(self.flush(conversation_id))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, chat_id: int, body: Dict[str, Any]) -> bool:
        text = str(body.get("text") or "")
        if body.get("sender") == "adviser":
            text = f"{body.get('name') or 'Your PA'}:\n{text}"
        parts = split_text(text)
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await self.application.bot.send_message(
                    chat_id, part or "…", reply_markup=self._markup(body.get("buttons") or []) if last else None,
                    disable_web_page_preview=True)
        except TelegramError as error:
            logger.warning("Telegram delivery failed (%s); the reply is kept", type(error).__name__)
            return False
        return True

    async def flush(self, conversation_id: str) -> None:
        """Send the conversation's kept replies in order (one flush at a time per conversation)."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            await self._flush(conversation_id)
        if not lock.locked() and not lock._waiters:   # noqa: SLF001 - drop idle locks
            self._locks.pop(conversation_id, None)

    async def _flush(self, conversation_id: str) -> None:
        chat_id = await self._chat_id(conversation_id)
        if chat_id is None:
            return
        # Each reply stays kept until Telegram has it: a failure keeps it, and the ones after it, in order.
        for reply_id, body in await asyncio.to_thread(self._in_store, peek_replies, conversation_id=conversation_id):
            if not await self._send(chat_id, body):
                self._retry_later(conversation_id)
                return
            await asyncio.to_thread(self._in_store, drop_reply, reply_id=reply_id)
        self._failures.pop(conversation_id, None)

    def _retry_later(self, conversation_id: str) -> None:
        """Try the kept replies again with back-off (10 s, 20 s, 40 s … at most 5 minutes)."""
        if conversation_id in self._retrying:
            return
        failures = self._failures[conversation_id] = self._failures.get(conversation_id, 0) + 1

        async def later() -> None:
            await asyncio.sleep(min(RETRY_DELIVERY * 2 ** (failures - 1), MAX_RETRY_DELAY))
            self._retrying.discard(conversation_id)
            await self.flush(conversation_id)
        self._retrying.add(conversation_id)
        asyncio.get_running_loop().create_task(later())

    # -- running ------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Start the application (retrying until Telegram answers), then poll or wait for webhooks."""
        self._loop = asyncio.get_running_loop()
        delay = 2.0
        while True:
            try:
                await self.application.initialize()
                break
            except TelegramError as error:
                logger.warning("Telegram is not reachable yet (%s); trying again in %.0f s", type(error).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        await self.application.start()
        if self._settings.telegram_webhook_secret:
            await self.application.bot.set_webhook(self._settings.web_url + "telegram",
                                                   secret_token=self._settings.telegram_webhook_secret,
                                                   allowed_updates=Update.ALL_TYPES)
        else:
            await self.application.updater.start_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0,
                                                         timeout=10)
        logger.info("Telegram is on (%s)", "webhook" if self._settings.telegram_webhook_secret else "long polling")

    async def stop(self) -> None:
        try:
            if self.application.updater is not None and self.application.updater.running:
                await self.application.updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
        except Exception:
            logger.exception("stopping Telegram failed")

    async def webhook(self, request: web.Request) -> web.Response:
        """Updates pushed by Telegram: only with the secret header, and only in webhook mode."""
        secret = self._settings.telegram_webhook_secret
        if not secret or not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            raise web.HTTPForbidden(text="Forbidden")
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, TypeError, KeyError):
            raise web.HTTPBadRequest(text="Not an update") from None
        await self.application.update_queue.put(update)
        return web.Response(text="ok")
