"""The adviser inbox on the gateway: sign in, see your caseload and your team's queue, claim,
reply, note, hand back and resolve. Server-side sessions, CSRF tokens on every form, throttled sign-in.

Anything an adviser may not see answers 404, exactly like something that doesn't exist.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections import OrderedDict
from typing import Any, Callable, Optional, Tuple

from aiohttp import web
from aiolimiter import AsyncLimiter

from bot.gateway import inbox_pages as pages
from bot.gateway.desk import Desk
from bot.gateway.inputs import clean_text
from bot.settings import Settings
from bot.store import Database
from bot.store import inbox as store
from bot.store.advisers import check_password, new_link_code
from bot.store.conversations import keep_reply
from bot.store.models import Adviser, Conversation

logger = logging.getLogger(__name__)

SESSION_COOKIE = "lp_inbox"
LOGIN_COOKIE = "lp_login"
FAILURES_PER_ACCOUNT = 5     # wrong passwords allowed per account in FAILURE_WINDOW seconds
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = 15 * 60
MAX_TEXT = 4000


class LoginThrottle:
    """Failed sign-ins per account and per address, each a leaky bucket (aiolimiter)."""

    def __init__(self, capacity: int = 10000) -> None:
        self._buckets: "OrderedDict[str, AsyncLimiter]" = OrderedDict()
        self._capacity = capacity

    def _bucket(self, key: str, limit: int) -> AsyncLimiter:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = AsyncLimiter(limit, FAILURE_WINDOW)
            while len(self._buckets) > self._capacity:
                self._buckets.popitem(last=False)
        return bucket

    def blocked(self, email: str, address: str) -> bool:
        return not (self._bucket("account:" + email, FAILURES_PER_ACCOUNT).has_capacity()
                    and self._bucket("address:" + address, FAILURES_PER_ADDRESS).has_capacity())

    async def failed(self, email: str, address: str) -> None:
        for key, limit in (("account:" + email, FAILURES_PER_ACCOUNT), ("address:" + address, FAILURES_PER_ADDRESS)):
            bucket = self._bucket(key, limit)
            if bucket.has_capacity():
                await bucket.acquire()


class Inbox:
    def __init__(self, *, settings: Settings, database: Database, desk: Desk, key: bytes) -> None:
        self._settings = settings
        self._database = database
        self._desk = desk
        self._key = key
        self._throttle = LoginThrottle()
        self._secure = settings.public_url.startswith("https://")

    async def home(self, request: web.Request) -> web.Response:
        raise _redirect("/inbox/")

    # -- store and session helpers ------------------------------------------------------------

    async def _store(self, function: Callable[[Any], Any]) -> Any:
        def run():
            with self._database.session() as session:
                return function(session)
        return await asyncio.to_thread(run)

    def _cookie(self, response: web.StreamResponse, name: str, value: str, max_age: Optional[int] = None) -> None:
        response.set_cookie(name, value, path="/inbox", httponly=True, samesite="Strict", secure=self._secure,
                            max_age=max_age)

    async def _who(self, request: web.Request) -> Tuple[Adviser, str]:
        """The signed-in adviser and their CSRF token; anyone else is sent to sign in."""
        token = request.cookies.get(SESSION_COOKIE, "")
        found = await self._store(lambda s: _detached(s, store.signed_in(s, token=token))) if token else None
        if found is None:
            raise _redirect("/inbox/login")
        return found

    async def _form(self, request: web.Request, csrf: str) -> Any:
        form = await request.post()
        if not hmac.compare_digest(str(form.get("csrf", "")), csrf):
            raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
        return form

    # -- signing in and out ---------------------------------------------------------------------

    def _login_csrf(self, nonce: str) -> str:
        return hmac.new(self._key, b"login:" + nonce.encode(), hashlib.sha256).hexdigest()

    async def login_form(self, request: web.Request, message: str = "", status: int = 200) -> web.Response:
        nonce = secrets.token_urlsafe(24)
        response = web.Response(text=pages.login(csrf=self._login_csrf(nonce), message=message),
                                content_type="text/html", status=status)
        self._cookie(response, LOGIN_COOKIE, nonce)
        return response

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not nonce or not hmac.compare_digest(str(form.get("csrf", "")), self._login_csrf(nonce)):
            raise web.HTTPForbidden(text="This form has expired. Reload the sign-in page and try again.")
        email = str(form.get("email", "")).strip().lower()[:254]
        password = str(form.get("password", ""))[:1024]
        address = request.remote or "unknown"
        if self._throttle.blocked(email, address):
            logger.warning("sign-in throttled")
            return await self.login_form(request, "Too many wrong attempts. Please wait 15 minutes, then try again.",
                                         status=429)
        adviser_id = await self._store(lambda s: getattr(check_password(s, email=email, password=password), "id", None))
        if adviser_id is None:
            await self._throttle.failed(email, address)
            return await self.login_form(request, "That email and password don't match.", status=401)
        token, _ = await self._store(lambda s: store.create_session(s, adviser_id=adviser_id))
        response = _redirect("/inbox/")
        self._cookie(response, SESSION_COOKIE, token, max_age=int(store.SESSION_TTL.total_seconds()))
        response.del_cookie(LOGIN_COOKIE, path="/inbox")
        return response

    async def logout(self, request: web.Request) -> web.Response:
        adviser, csrf = await self._who(request)
        await self._form(request, csrf)
        token = request.cookies.get(SESSION_COOKIE, "")
        await self._store(lambda s: store.end_session(s, token=token))
        response = _redirect("/inbox/login")
        response.del_cookie(SESSION_COOKIE, path="/inbox")
        return response

    # -- pages ----------------------------------------------------------------------------------

    async def caseload(self, request: web.Request, code: str = "", telegram: bool = False) -> web.Response:
        adviser, csrf = await self._who(request)
        version = self._desk.updates.version

        def load(session):
            me = session.get(Adviser, adviser.id)
            rows = [(e, _channel(session, e.conversation_id)) for e in store.caseload(session, adviser=me)]
            return rows
        rows = await self._store(load)
        return _html(pages.caseload(rows, adviser_name=adviser.name, csrf=csrf, version=version, code=code,
                                    telegram=telegram, telegram_on=bool(self._settings.telegram_bot_token)))

    async def link_code(self, request: web.Request) -> web.Response:
        adviser, csrf = await self._who(request)
        await self._form(request, csrf)
        code = await self._store(lambda s: new_link_code(s, adviser_id=adviser.id))
        return await self.caseload(request, code=code)

    async def telegram_code(self, request: web.Request) -> web.Response:
        adviser, csrf = await self._who(request)
        await self._form(request, csrf)
        code = await self._store(lambda s: new_link_code(s, adviser_id=adviser.id, purpose="telegram"))
        return await self.caseload(request, code=f"/pa {code}", telegram=True)

    async def updates(self, request: web.Request) -> web.Response:
        await self._who(request)
        try:
            seen = int(request.query.get("seen", "-1"))
        except ValueError:
            seen = -1
        version = await self._desk.updates.wait(seen, timeout=25)
        return web.json_response({"version": version})

    async def _visible(self, request: web.Request, adviser: Adviser):
        escalation_id = int(request.match_info["id"])
        found = await self._store(lambda s: _detached(s, store.find_visible(
            s, adviser=s.get(Adviser, adviser.id), escalation_id=escalation_id)))
        if found is None:
            raise web.HTTPNotFound(text="Not found.")
        return found

    async def request_page(self, request: web.Request) -> web.Response:
        adviser, csrf = await self._who(request)
        escalation = await self._visible(request, adviser)
        version = self._desk.updates.version

        def load(session):
            conversation = session.get(Conversation, escalation.conversation_id) if escalation.conversation_id else None
            return (conversation.channel if conversation else None, conversation.mode if conversation else None,
                    store.messages_with_adviser(session, escalation=escalation),
                    store.notes(session, escalation_id=escalation.id), store.history(session, escalation_id=escalation.id))
        channel, mode, lines, notes, history = await self._store(load)
        return _html(pages.request_page(escalation, channel=channel, mode=mode, lines=lines, notes=notes,
                                        history=history, adviser_name=adviser.name, csrf=csrf, version=version,
                                        is_holder=escalation.claimed_by == adviser.id))

    async def transcript(self, request: web.Request) -> web.Response:
        adviser, csrf = await self._who(request)
        escalation = await self._visible(request, adviser)
        lines = await self._store(lambda s: store.transcript(s, adviser=s.get(Adviser, adviser.id),
                                                             escalation=s.get(type(escalation), escalation.id)))
        logger.info("transcript viewed: escalation=%s adviser=%s", escalation.id, adviser.id)
        return _html(pages.transcript_page(escalation, lines, adviser_name=adviser.name, csrf=csrf))

    async def act(self, request: web.Request) -> web.Response:
        adviser, csrf = await self._who(request)
        form = await self._form(request, csrf)
        escalation = await self._visible(request, adviser)
        action = request.match_info["action"]
        words = clean_text(form.get("text", ""))[:MAX_TEXT]
        if action in ("reply", "note") and not words:
            raise _redirect(f"/inbox/requests/{escalation.id}")

        def work(session):
            me = session.get(Adviser, adviser.id)
            current = session.get(type(escalation), escalation.id)
            if action == "note":
                store.add_note(session, adviser=me, escalation=current, text_=words)
                return None
            if action == "reply" and current.conversation_id is None:
                return None
            change = {"claim": store.claim, "hand-back": store.hand_back, "resolve": store.resolve}.get(action)
            if action == "reply":
                if current.claimed_by != me.id and current.status != "resolved":
                    # Replying takes the conversation: say so first, as a claim would.
                    taken = store.claim(session, adviser=me, escalation=current)
                    if taken.changed and taken.conversation_id:
                        keep_reply(session, conversation_id=taken.conversation_id, body=_told("claim", taken))
                result = store.reply(session, adviser=me, escalation=current, text_=words)
                body = {"text": words, "buttons": [], "sender": "adviser", "name": f"{me.name} (your PA)"}
            else:
                result = change(session, adviser=me, escalation=current)
                body = _told(action, result) if result.changed else None
            if body and result.conversation_id:
                keep_reply(session, conversation_id=result.conversation_id, body=body)
            return result
        result = await self._store(work)
        await self._desk.adviser_acted(getattr(result, "conversation_id", None), getattr(result, "channel", None))
        raise _redirect(f"/inbox/requests/{escalation.id}")


def _told(action: str, change) -> dict:
    """What the young person is told when an adviser takes, hands back or closes their request."""
    text = {
        "claim": (f"{change.adviser_name} from the leaving care team has picked up your request {change.reference}. "
                  f"Messages you send here now go to {change.adviser_name}, not the bot."),
        "hand-back": f"{change.adviser_name} has handed you back to the bot. I'm the Life Portal bot again: ask me anything.",
        "resolve": (f"{change.adviser_name} has marked your request {change.reference} as sorted. I'm the Life Portal "
                    "bot again: ask me anything, or ask for your PA if you need them."),
    }[action]
    return {"text": text, "buttons": []}


def _channel(session, conversation_id: Optional[str]) -> Optional[str]:
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    return conversation.channel if conversation else None


def _detached(session, value):
    """Load what the page needs, then let the row outlive its session."""
    if value is None:
        return None
    rows = value if isinstance(value, tuple) else (value,)
    for row in rows:
        if hasattr(row, "_sa_instance_state"):
            session.refresh(row)
            session.expunge(row)
    return value


def _redirect(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location)


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html")
