"""The escalation desk: who speaks in a conversation, and everything about asking for a person.

It runs inside each conversation's turn (so messages stay in order), before Rasa is asked:
button presses for a person, the request form, link codes, and the messages of a young person
whose conversation an adviser holds (the bot stays quiet; a crisis still gets its reply).
Every reply it makes is written to the store in the same transaction as the change it
reports, then sent: a young person is told only what was committed, and told it even after a restart.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from sqlalchemy import select

from bot.gateway import request_form
from bot.gateway.inputs import OfferedButtons
from bot.gateway.languages import (ASK_INTERPRETER, Languages, confirmation_lead, crisis_details, interpreter_details,
                                   other_language_crisis_text, other_language_reply)
from bot.gateway.notices import Notices
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.request_form import FormState
from bot.gateway.updates import Updates
from bot.knowledge.crisis_replies import OFFER_BUTTONS, crisis_text
from bot.knowledge.office_hours import needs_duty_team, reply_expectation
from bot.settings import Settings
from bot.store import Database
from bot.store.advisers import CODE_ALPHABET, linked_adviser, redeem_link_code
from bot.store.conversations import finish_message, get_conversation, keep_reply, set_language
from bot.store.escalations import EscalationError, Request, latest_for_conversation
from bot.store.handoff import (conversation_mode, drop_draft, get_draft, recent_requests, relay_from_young_person,
                               request_status, save_draft, start_draft, submit, unclaimed_to_tell)
from bot.store.models import Escalation, utcnow
from bot.store.safeguarding import record_event

logger = logging.getLogger(__name__)

ASK_FOR_PA = "/ask_for_pa"
TELL_SOMEONE_NOW = "/tell_someone_now"
REQUEST_STATUS = "/request_status"   # Telegram's /status command
LINK_CODE = re.compile(rf"^\s*/?(?:link\s+)?([{CODE_ALPHABET}]{{4}})[-\s]?([{CODE_ALPHABET}]{{4}})\s*$", re.I)
HAS_DIGIT = re.compile(r"\d")
LINK_COMMAND = re.compile(r"^\s*/?link\s+[A-Za-z0-9-]{4,12}\s*$", re.I)   # "/link" and a mistyped code
# Flush the replies kept for a conversation to its channel: (channel, conversation id).
Flush = Callable[[str, str], Awaitable[None]]
CRISIS_REPEAT_WINDOW = dt.timedelta(minutes=30)
STATUS_WORDS = {
    "open": "is waiting for someone to pick it up",
    "claimed": "has been picked up by {name}",
    "replied": "has a reply from {name}: look in this chat",
    "resolved": "is marked as sorted",
}


class Desk:
    def __init__(self, *, settings: Settings, database: Database, rasa: RasaClient, notices: Notices,
                 offered: OfferedButtons, flush: Flush, updates: Updates) -> None:
        self._settings = settings
        self._offered = offered
        self._database = database
        self._rasa = rasa
        self._notices = notices
        self._flush = flush
        self.updates = updates
        self.outbox_wake: Optional[asyncio.Event] = None   # set by the app: wakes the notification sender
        self._languages = Languages(notices.knowledge)

    # -- entry points -------------------------------------------------------------------------

    async def handle(self, *, conversation_id: str, channel: str, kept_id: int, message: str) -> Optional[str]:
        """Handle the message here if it is the desk's; returns what it was (for the log), or None for Rasa."""
        if message == TELL_SOMEONE_NOW:
            await self.crisis_request(conversation_id, channel, kept_id)
            return "tell_someone_now"
        if message == ASK_FOR_PA:
            await self.start_form(conversation_id, channel, kept_id)
            return "ask_for_pa"
        if message == REQUEST_STATUS:
            await self.status(conversation_id, channel, kept_id)
            return "request_status"
        if message == ASK_INTERPRETER:
            await self.interpreter_request(conversation_id, channel, kept_id)
            return "ask_interpreter"
        code = LINK_CODE.match(message)
        if code and not (HAS_DIGIT.search(message) or LINK_COMMAND.match(message)):
            code = None  # a word like "whenever" is not a code: every code has a digit
        if code or LINK_COMMAND.match(message):
            await self._link(conversation_id, channel, kept_id, "".join(code.groups()) if code else "")
            return "link"
        draft, mode = await self._read(lambda s: (get_draft(s, conversation_id=conversation_id),
                                                  conversation_mode(s, conversation_id=conversation_id)))
        if draft is not None:
            if message.startswith("/") or not await self._crisis_level(message):
                await self._form_step(conversation_id, channel, kept_id, draft, message)
                return "request_form"
            # Danger comes first: leave the form; the crisis reply comes below (another language) or from Rasa.
            await self._write(lambda s: drop_draft(s, conversation_id=conversation_id))
        if mode == "adviser":
            await self._relay(conversation_id, channel, kept_id, message)
            return "to_adviser"
        if not message.startswith("/") and await self._other_language(conversation_id, channel, kept_id, message):
            return "other_language"
        return None

    async def _other_language(self, conversation_id: str, channel: str, kept_id: int, message: str) -> bool:
        """A message in another language gets the interpreter offer (unless it is a crisis: Rasa answers that)."""
        try:
            detection = await asyncio.to_thread(self._languages.detect, message)
        except Exception:
            logger.exception("language detection failed for conversation %s", conversation_id)
            return False  # Rasa answers it in English, as before
        if detection.code == "en":
            # A real English sentence (not "ok" or a name) makes the conversation English again.
            if detection.reason == "english words" and self._languages.needs_storing(conversation_id, "en"):
                await self._write(lambda s: set_language(s, conversation_id=conversation_id, language="en"))
                self._languages.stored(conversation_id, "en")
            return False
        level = await self._crisis_level(message)
        if level:
            await self._crisis_in_other_language(conversation_id, channel, kept_id, detection.code, level, message)
            return True
        knowledge = self._notices.knowledge()
        reply = other_language_reply(detection, knowledge, self._notices.emergency_lines(),
                                     knowledge.languages.get(detection.code), self._settings.draft_translations)
        await self._commit_replies(conversation_id, channel, kept_id, lambda s: (
            set_language(s, conversation_id=conversation_id, language=detection.code), [reply])[1])
        self._languages.stored(conversation_id, detection.code)
        return True

    async def _crisis_in_other_language(self, conversation_id: str, channel: str, kept_id: int, code: str,
                                        level: str, message: str) -> None:
        """Danger in another language: the crisis reply (their words where published or checked, then
        English with the numbers), the safeguarding log, and the team told at once: they may not be
        able to read the English offer to tell someone."""
        knowledge = self._notices.knowledge()

        def work(session) -> List[Dict[str, Any]]:
            set_language(session, conversation_id=conversation_id, language=code)
            record_event(session, level=level, channel=channel, conversation=conversation_id,
                         matched=f"gateway: crisis in another language ({code})",
                         message_text=message if self._settings.log_message_text else None)
            conversation = get_conversation(session, conversation_id=conversation_id)
            text = other_language_crisis_text(knowledge, knowledge.languages.get(code), level,
                                              conversation.district if conversation else None)
            return [{"text": text, "buttons": []}]
        await self._commit_replies(conversation_id, channel, kept_id, work)
        self._languages.stored(conversation_id, code)
        await self.crisis_request(conversation_id, channel, kept_id, language=code, details=crisis_details(code))

    async def on_handover(self, *, conversation_id: str, channel: str, kept_id: int, what: str) -> None:
        """Rasa recognised a wish the desk acts on (see actions/personal_adviser.py)."""
        if what == "escalate":
            await self.start_form(conversation_id, channel, kept_id)
        elif what == "status":
            await self.status(conversation_id, channel, kept_id)

    # -- asking for a person ------------------------------------------------------------------

    async def start_form(self, conversation_id: str, channel: str, kept_id: int) -> None:
        def work(session) -> List[Dict[str, Any]]:
            if recent_requests(session, conversation_id=conversation_id, crisis=False,
                               within=dt.timedelta(hours=1)) >= self._settings.escalations_per_hour:
                return [self._too_many()]
            start_draft(session, conversation_id=conversation_id, step="topic")
            return [request_form.first_question()]
        await self._commit_replies(conversation_id, channel, kept_id, work)

    async def _form_step(self, conversation_id: str, channel: str, kept_id: int, draft, message: str) -> None:
        state = FormState(step=draft.step, topic=draft.topic, details=draft.details, urgency=draft.urgency,
                          contact=draft.contact, phone=draft.phone)
        outcome = request_form.answer(state, message)
        if outcome.cancelled:
            await self._commit_replies(conversation_id, channel, kept_id, lambda s: (
                drop_draft(s, conversation_id=conversation_id), [outcome.reply])[1])
            return
        if not outcome.submit:
            values = {k: getattr(state, k) for k in ("step", "topic", "details", "urgency", "contact", "phone")}
            await self._commit_replies(conversation_id, channel, kept_id, lambda s: (
                save_draft(s, conversation_id=conversation_id, **values), [outcome.reply])[1])
            return
        request = Request(request_key=draft.request_key, conversation_id=conversation_id, urgency=state.urgency,
                          topic=state.topic, details=state.details, contact=state.contact, phone=state.phone,
                          consent=bool(state.consent))
        await self._open(conversation_id, channel, kept_id, request, request_form.summary(state))

    async def crisis_request(self, conversation_id: str, channel: str, kept_id: int, *,
                             language: Optional[str] = None, details: Optional[str] = None) -> None:
        """From the crisis reply: no questions, the most urgent request, the duty team alerted too."""
        def key(session) -> str:
            # A second press soon after the first is the same request: it is not opened twice.
            latest = latest_for_conversation(session, conversation_id=conversation_id)
            if (latest is not None and latest.urgency == "crisis" and latest.status != "resolved"
                    and latest.created_at > utcnow() - CRISIS_REPEAT_WINDOW):
                return latest.request_key
            return f"crisis:{conversation_id}:{kept_id}"
        request = Request(request_key=await self._read(key), conversation_id=conversation_id,
                          urgency="crisis", consent=True, contact="chat", language=language, details=details)
        await self._open(conversation_id, channel, kept_id, request, None)

    async def interpreter_request(self, conversation_id: str, channel: str, kept_id: int) -> None:
        """From the other-language reply: a request that says which language, so the PA books an interpreter."""
        conversation = await self._read(lambda s: get_conversation(s, conversation_id=conversation_id))
        language = conversation.language if conversation is not None else None
        request = Request(request_key=f"interpreter:{conversation_id}:{kept_id}", conversation_id=conversation_id,
                          urgency="today", topic="interpreter", details=interpreter_details(language), contact="chat",
                          language=language)
        await self._open(conversation_id, channel, kept_id, request, None)

    async def _open(self, conversation_id: str, channel: str, kept_id: int, request: Request,
                    summary: Optional[str]) -> None:
        knowledge = self._notices.knowledge()
        now = dt.datetime.now(dt.timezone.utc)

        def duty_check(hours_id: str, urgency: str) -> bool:
            hours = knowledge.office_hours.hours.get(hours_id) or knowledge.office_hours.hours["standard"]
            return needs_duty_team(hours, urgency, now)

        def work(session) -> List[Dict[str, Any]]:
            crisis = request.urgency == "crisis"
            if not _known(session, request.request_key) and recent_requests(session, conversation_id=conversation_id, crisis=crisis,
                               within=dt.timedelta(hours=1)) >= self._settings.escalations_per_hour:
                drop_draft(session, conversation_id=conversation_id)
                return [self._too_many()]
            try:
                opened = submit(session, request=request, inbox_url=self._settings.inbox_url,
                                duty_check=duty_check, clear_draft=True)
            except EscalationError:
                logger.error("no duty team exists: a request could not be opened for conversation %s", conversation_id)
                return [self._could_not_send()]
            adviser = linked_adviser(session, conversation_id=conversation_id)
            lead = confirmation_lead(knowledge, knowledge.languages.get(request.language or ""),
                                     request.urgency == "crisis", self._settings.draft_translations)
            return [self._confirmation(opened, adviser.name if adviser and opened.to_pa else None, summary,
                                       request.urgency, now, lead)]
        await self._commit_replies(conversation_id, channel, kept_id, work)
        if self.outbox_wake is not None:
            self.outbox_wake.set()
        await self.updates.notify()

    def _confirmation(self, opened, pa_name: Optional[str], summary: Optional[str], urgency: str,
                      now: dt.datetime, lead: List[str] = ()) -> Dict[str, Any]:
        knowledge = self._notices.knowledge()
        crisis = urgency == "crisis"
        if pa_name:
            who = f"your PA, {pa_name}" + (", and the duty team" if opened.duty_alerted else "")
        else:
            who = "the leaving care duty team"
        lines = [*lead, f"{'I’ve told' if crisis else 'Done. I’ve sent your request to'} {who}{' now' if crisis else ''}. "
                 f"Your reference is {opened.reference}."]
        if summary:
            lines.append(summary)
        lines.append(reply_expectation(knowledge, opened.team_hours, urgency, now,
                                       who="your PA" if pa_name else "the duty team"))
        if crisis:
            lines += self._notices.emergency_lines()
        else:
            lines.append("Until then, I can still answer your questions. Ask me “any news?” to check on it.")
        return {"text": "\n".join(line for line in lines if line), "buttons": []}

    def _too_many(self) -> Dict[str, Any]:
        return {"text": "\n".join(["You've sent a few requests in the last hour, so I haven't sent another. "
                                   "Your PA will see the ones you sent.", *self._notices.help_now_lines()]),
                "buttons": []}

    def _could_not_send(self) -> Dict[str, Any]:
        return {"text": "\n".join(["Sorry, I couldn't send your request just now.", *self._notices.help_now_lines()]),
                "buttons": []}

    async def status(self, conversation_id: str, channel: str, kept_id: int) -> None:
        def work(session) -> List[Dict[str, Any]]:
            found = request_status(session, conversation_id=conversation_id)
            if found is None:
                return [{"text": "You haven't sent a request to your PA from this chat. Would you like to?",
                         "buttons": [{"title": "Contact my PA", "payload": ASK_FOR_PA}]}]
            words = STATUS_WORDS.get(found.status, found.status).format(name=found.adviser_name or "your PA")
            text = f"Your request {found.reference} {words}."
            if found.status == "open":
                text += " " + reply_expectation(self._notices.knowledge(), found.team_hours, found.urgency,
                                                dt.datetime.now(dt.timezone.utc))
            if found.status == "resolved":
                text += " If you still need help, you can ask for your PA again."
            return [{"text": text, "buttons": []}]
        await self._commit_replies(conversation_id, channel, kept_id, work)

    async def _link(self, conversation_id: str, channel: str, kept_id: int, code: str) -> None:
        def work(session) -> List[Dict[str, Any]]:
            adviser = redeem_link_code(session, conversation_id=conversation_id, code=code) if code else None
            if adviser is None:
                return [{"text": "Sorry, that code didn't work. Codes are 8 letters and numbers, like K7QM-3XPA, "
                                 "and each one works once, for 7 days. Ask your PA for a new one.", "buttons": []}]
            return [{"text": f"Thanks. You're now linked to {adviser.name}, your personal adviser. When you ask "
                             "for your PA here, your request goes straight to them.", "buttons": []}]
        await self._commit_replies(conversation_id, channel, kept_id, work)

    # -- while an adviser holds the conversation ----------------------------------------------

    async def _relay(self, conversation_id: str, channel: str, kept_id: int, message: str) -> None:
        level = None if message.startswith("/") else await self._crisis_level(message)

        def work(session) -> List[Dict[str, Any]]:
            relay_from_young_person(session, conversation_id=conversation_id, text=message, crisis_level=level)
            if not level:
                return []  # the adviser answers; the bot says nothing on top
            record_event(session, level=level, channel=channel, conversation=conversation_id,
                         matched="gateway: NLU parse while an adviser holds the conversation")
            conversation = get_conversation(session, conversation_id=conversation_id)
            return [{"text": crisis_text(self._notices.knowledge(), level, conversation.district if conversation else None),
                     "buttons": list(OFFER_BUTTONS)}]
        await self._commit_replies(conversation_id, channel, kept_id, work)
        await self.updates.notify()

    async def adviser_acted(self, conversation_id: Optional[str], channel: Optional[str]) -> None:
        """After an inbox action: send what it kept for the young person (if anything), and update every inbox."""
        if conversation_id and channel:
            await self._flush(channel, conversation_id)
        await self.updates.notify()

    async def watch_unclaimed(self, every: float = 30.0) -> None:
        """Tell a young person honestly when nobody has picked up their request in time."""
        while True:
            await asyncio.sleep(min(every, max(1.0, self._settings.claim_timeout_minutes * 30)))
            try:
                await self._tell_unclaimed()
            except Exception:
                logger.exception("checking unclaimed requests failed")

    async def _tell_unclaimed(self) -> None:
        def work(session):
            found = unclaimed_to_tell(session, older_than=dt.timedelta(minutes=self._settings.claim_timeout_minutes))
            for item in found:
                text = (f"I'm sorry: nobody has picked up your request {item.reference} yet. It's still waiting "
                        "for your PA's team.")
                keep_reply(session, conversation_id=item.conversation_id,
                           body={"text": "\n".join([text, *self._notices.help_now_lines(pa=False)]), "buttons": []})
            return found
        for item in await self._write(work):
            await self._flush(item.channel, item.conversation_id)

    # -- plumbing -------------------------------------------------------------------------------

    async def _crisis_level(self, text: str) -> Optional[str]:
        try:
            return await self._rasa.crisis_level(text)
        except RasaUnavailable:
            return None  # can't tell: the message still reaches the adviser

    async def _commit_replies(self, conversation_id: str, channel: str, kept_id: int,
                              work: Callable[[Any], List[Dict[str, Any]]]) -> None:
        def run(session) -> List[Dict[str, Any]]:
            replies = work(session)
            for reply in replies:
                keep_reply(session, conversation_id=conversation_id, body=reply)
            finish_message(session, kept_id=kept_id)
            return replies
        for reply in await self._write(run):
            if reply.get("buttons"):
                self._offered.offer(conversation_id, reply["buttons"])
        await self._flush(channel, conversation_id)

    async def _read(self, function):
        return await asyncio.to_thread(self._in_session, function)

    async def _write(self, function):
        return await asyncio.to_thread(self._in_session, function)

    def _in_session(self, function):
        with self._database.session() as session:
            return function(session)



def _known(session, request_key: str) -> bool:
    return session.execute(select(Escalation.id).where(Escalation.request_key == request_key)).first() is not None
