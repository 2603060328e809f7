"""Never silence: every turn is timed, every message kept until answered, late answers delivered,
and kept messages retried when Rasa and the action server are back."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Deque, Dict, Optional, Set

from bot.gateway.inputs import OfferedButtons
from bot.gateway.notices import Notices
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.settings import Settings
from bot.store import Database
from bot.knowledge.crisis_replies import OFFER_BUTTONS, crisis_text, recognise
from bot.store.conversations import (adopt_orphans, finish_answered, finish_message, get_conversation, messages_waiting,
                                     set_for_retry)
from bot.store.models import utcnow
from bot.store.safeguarding import record_event

logger = logging.getLogger(__name__)
turn_log = logging.getLogger("lifeportal.turns")

# (channel, conversation id, event) -> sends it to the young person, or keeps it for later.
Deliver = Callable[[str, str, Dict[str, Any]], Awaitable[None]]
if TYPE_CHECKING:
    from bot.gateway.desk import Desk
RETRY_EVERY = 3.0
DESK_BUTTONS = ("/ask_for_pa", "/tell_someone_now", "/request_status")


def log_turn(*, conversation_id: str, channel: str, intent: Optional[str], started: float, outcome: str,
             ended: Optional[float] = None) -> None:
    """One line per message handled: time (from the formatter), pseudonym, channel, intent, latency. Never text."""
    turn_log.info("message conversation=%s channel=%s intent=%s latency_ms=%d outcome=%s", conversation_id,
                  channel, intent or "-", ((ended or time.monotonic()) - started) * 1000, outcome)


@dataclass
class Job:
    conversation_id: str
    channel: str
    kept_id: int
    shown: str
    for_rasa: str
    start_session: bool = False
    warned: bool = False       # the young person has been told we are having trouble
    replied: bool = False
    done: bool = False
    crisis_level: Optional[str] = None  # the gateway sent the crisis reply itself; Rasa's later copy is not repeated
    started: float = field(default_factory=time.monotonic)


class TurnRunner:
    """One worker per conversation, so its messages are answered in order."""

    def __init__(self, *, settings: Settings, database: Database, rasa: RasaClient, notices: Notices,
                 offered: OfferedButtons, deliver: Deliver) -> None:
        self._settings = settings
        self._database = database
        self._rasa = rasa
        self._notices = notices
        self._offered = offered
        self._deliver = deliver
        self._queues: Dict[str, Deque[Job]] = {}
        self._workers: Dict[str, asyncio.Task] = {}
        self._in_flight: Set[int] = set()
        self._running: Dict[str, Job] = {}
        self._tasks: Set[asyncio.Task] = set()
        self._wake = asyncio.Event()
        self.desk: Optional["Desk"] = None   # set by the service: asking for a person, adviser mode

    def submit(self, job: Job) -> None:
        self._in_flight.add(job.kept_id)
        self._queues.setdefault(job.conversation_id, deque()).append(job)
        if job.conversation_id not in self._workers:
            self._workers[job.conversation_id] = self._spawn(self._work(job.conversation_id))
        if not job.warned:
            # Behind a turn that is already late, don't wait: this message may be a crisis.
            running = self._running.get(job.conversation_id)
            blocked = running is not None and running.warned and not running.done
            self._spawn(self._watch(job, 0.0 if blocked else self._settings.turn_timeout))

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _watch(self, job: Job, delay: float) -> None:
        """If no answer comes in time: a crisis still gets its reply; anything else is told honestly
        that we are having trouble (the message stays kept)."""
        await asyncio.sleep(delay)
        if job.replied or job.done:
            return
        try:
            level = await self._rasa.crisis_level(job.for_rasa)
        except RasaUnavailable:
            level = None  # Rasa is down: the trouble reply below carries the emergency numbers
        if level and not job.replied:
            job.crisis_level = level
            reply = await asyncio.to_thread(self._crisis_reply, job.conversation_id, level)
            self._offered.offer(job.conversation_id, reply["buttons"])
            await self._deliver(job.channel, job.conversation_id, {"type": "reply", **reply})
            job.warned = True
            await self._deliver(job.channel, job.conversation_id, {"type": "status", "state": "trouble"})
            return
        await self._warn(job)

    def _crisis_reply(self, conversation_id: str, level: str, district: Optional[str] = None) -> Dict[str, Any]:
        """The same crisis reply Rasa's domain holds, built from the knowledge files as they are now."""
        if district is None:
            with self._database.session() as session:
                conversation = get_conversation(session, conversation_id=conversation_id)
                district = conversation.district if conversation else None
        return {"text": crisis_text(self._notices.knowledge(), level, district), "buttons": list(OFFER_BUTTONS)}

    async def _warn(self, job: Job) -> None:
        if job.warned:
            return
        job.warned = True
        await self._deliver(job.channel, job.conversation_id, {"type": "reply", **self._notices.trouble()})
        await self._deliver(job.channel, job.conversation_id, {"type": "status", "state": "trouble"})

    async def _work(self, conversation_id: str) -> None:
        queue = self._queues[conversation_id]
        try:
            while queue:
                await self._run(queue.popleft())
        finally:
            self._workers.pop(conversation_id, None)
            if not queue:
                self._queues.pop(conversation_id, None)

    async def _run(self, job: Job) -> None:
        if self.desk is not None and await self._at_desk(job):
            return

        async def on_reply(body: Dict[str, Any]) -> None:
            if body.get("handover") and self.desk is not None:
                # Rasa recognised a wish for a person: the desk acts on it and makes the reply.
                job.replied = True
                await self.desk.on_handover(conversation_id=job.conversation_id, channel=job.channel,
                                            kept_id=job.kept_id, what=body["handover"])
                return
            if job.crisis_level:
                job.replied = True
                return
            recognised = recognise(self._notices.knowledge(), body.get("text") or "")
            if recognised:
                # The trained copy of a crisis reply: send the one built from the knowledge files now.
                level, district = recognised
                body = {**body, **await asyncio.to_thread(self._crisis_reply, job.conversation_id, level, district)}
            if job.warned and not job.replied:
                await self._deliver(job.channel, job.conversation_id, {"type": "reply", **self._notices.late(job.shown)})
            job.replied = True
            self._offered.offer(job.conversation_id, body["buttons"])
            await self._deliver(job.channel, job.conversation_id, {"type": "reply", **body})

        async def ignore(body: Dict[str, Any]) -> None:
            return None

        self._running[job.conversation_id] = job
        try:
            if job.start_session:
                # The gateway owns session expiry; Rasa's custom action_session_start keeps only the district.
                await asyncio.wait_for(self._rasa.turn(job.conversation_id, "/session_start", job.channel, ignore),
                                       self._settings.late_timeout)
            await asyncio.wait_for(self._rasa.turn(job.conversation_id, job.for_rasa, job.channel, on_reply),
                                   self._settings.late_timeout)
        except (RasaUnavailable, asyncio.TimeoutError) as error:
            logger.warning("turn failed for conversation %s: %s", job.conversation_id, type(error).__name__)
        except Exception:
            logger.exception("turn failed for conversation %s", job.conversation_id)
        job.done = True
        self._running.pop(job.conversation_id, None)
        if job.crisis_level and not job.replied:
            # Rasa never saw it, so its follow-up never wrote the safeguarding log: write it here.
            await asyncio.to_thread(self._store, record_event, level=job.crisis_level, channel=job.channel,
                                    conversation=job.conversation_id, matched="gateway: NLU parse while Rasa's turn failed")
        if job.replied or job.crisis_level:
            ended = time.monotonic()
            if job.warned:
                await self._deliver(job.channel, job.conversation_id, {"type": "status", "state": "ok"})
            await self._deliver(job.channel, job.conversation_id, {"type": "done"})
            # The bookkeeping doesn't hold up the conversation's next message.
            self._spawn(self._note_answered(job, ended))
            return
        # Rasa is down, or the action server failed and nothing was said: keep it and say so.
        try:
            await asyncio.to_thread(self._store, set_for_retry, kept_id=job.kept_id)
        finally:
            self._in_flight.discard(job.kept_id)
        await self._warn(job)
        self._wake.set()
        log_turn(conversation_id=job.conversation_id, channel=job.channel, intent=None,
                 started=job.started, outcome="kept")
        await self._deliver(job.channel, job.conversation_id, {"type": "done"})

    async def _at_desk(self, job: Job) -> bool:
        """The desk's messages (requests for a person, the form, adviser mode) never reach Rasa."""
        self._running[job.conversation_id] = job
        try:
            label = await self.desk.handle(conversation_id=job.conversation_id, channel=job.channel,
                                           kept_id=job.kept_id, message=job.for_rasa)
        except Exception:
            logger.exception("the desk failed for conversation %s", job.conversation_id)
            label = None
            if job.for_rasa in DESK_BUTTONS or self._desk_form_button(job.for_rasa):
                # A button only the desk understands (the store may be busy): keep it, retry, say so.
                job.done = True
                await asyncio.to_thread(self._store, set_for_retry, kept_id=job.kept_id)
                self._in_flight.discard(job.kept_id)
                await self._warn(job)
                self._wake.set()
                await self._deliver(job.channel, job.conversation_id, {"type": "done"})
                log_turn(conversation_id=job.conversation_id, channel=job.channel, intent=None,
                         started=job.started, outcome="kept")
                return True
        finally:
            self._running.pop(job.conversation_id, None)
        if label is None:
            return False
        job.replied = job.done = True
        self._in_flight.discard(job.kept_id)
        await self._deliver(job.channel, job.conversation_id, {"type": "done"})
        log_turn(conversation_id=job.conversation_id, channel=job.channel, intent=label, started=job.started,
                 outcome="answered")
        return True

    @staticmethod
    def _desk_form_button(message: str) -> bool:
        return message.startswith("/esc_")

    async def _note_answered(self, job: Job, ended: float) -> None:
        """Forget the answered message's text, note the district Rasa knows, and write the log line."""
        intent = None
        try:
            facts = await asyncio.to_thread(self._store, finish_answered, kept_id=job.kept_id,
                                            conversation_id=job.conversation_id)
            intent = facts.intent
        except Exception:
            logger.exception("could not note an answered message for conversation %s", job.conversation_id)
        finally:
            self._in_flight.discard(job.kept_id)
        log_turn(conversation_id=job.conversation_id, channel=job.channel, intent=intent,
                 started=job.started, ended=ended, outcome="late" if job.warned else "answered")

    def _store(self, function, **kwargs):
        with self._database.session() as session:
            return function(session, **kwargs)

    async def retry_forever(self) -> None:
        """Answer kept messages once Rasa and the action server are back; give up honestly after a while."""
        try:
            await asyncio.to_thread(self._store, adopt_orphans)
        except Exception:
            logger.exception("could not take over the messages kept before a restart")
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), RETRY_EVERY)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            await asyncio.sleep(RETRY_EVERY)  # give a failing service a moment
            try:
                await self._retry_once()
            except Exception:
                logger.exception("retrying kept messages failed")

    async def _retry_once(self) -> None:
        waiting = [m for m in await asyncio.to_thread(self._store, messages_waiting) if m.kept_id not in self._in_flight]
        if not waiting:
            return
        oldest_allowed = utcnow() - dt.timedelta(minutes=self._settings.keep_minutes)
        healthy: Optional[bool] = None
        for message in waiting:
            if message.received_at < oldest_allowed:
                await asyncio.to_thread(self._store, finish_message, kept_id=message.kept_id)
                await self._deliver(message.channel, message.conversation_id,
                                    {"type": "reply", **self._notices.gave_up(message.shown)})
                log_turn(conversation_id=message.conversation_id, channel=message.channel, intent=None,
                         started=time.monotonic(), outcome="gave_up")
                continue
            if healthy is None:
                healthy = await self._rasa.healthy()
            if healthy:
                self.submit(Job(message.conversation_id, message.channel, message.kept_id, message.shown,
                                message.for_rasa, warned=True))
