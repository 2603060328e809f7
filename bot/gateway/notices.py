"""What the gateway itself says: wording here, every number and contact from knowledge/.

These replies go out when Rasa can't be asked (it is down, slow, or the message never reaches
it), so each one that could meet a young person in trouble ends with where to get help now.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from bot.knowledge import KnowledgeBase, KnowledgeStore

logger = logging.getLogger(__name__)

OUT_OF_HOURS = "essex_out_of_hours"
FORGET_YES = "/forget_yes"
FORGET_NO = "/forget_no"

WELCOME = ("Hi, I'm the Life Portal bot. Ask me about leaving care in Essex: housing, money, council tax, "
           "Staying Put, Staying Close, college and work, health, or your personal adviser.")
OFFLINE_STATUS = "Can't reach the chat right now. Trying again…"
TROUBLE_STATUS = "Having trouble reaching the bot. Your message is kept."


def _line(contact) -> str:
    return f"• {contact.name}: {contact.how}, {contact.when.rstrip('.')}."


class Notices:
    """Builds the gateway's own replies from the knowledge files as they are now."""

    def __init__(self, store: KnowledgeStore) -> None:
        self._store = store

    def knowledge(self) -> KnowledgeBase:
        return self._store.current()

    def _help_now(self, people: bool = True) -> List[str]:
        """Who to reach now: the out-of-hours team (if people), then the emergency lines."""
        try:
            knowledge = self.knowledge()
        except Exception:  # broken knowledge must not stop a reply
            logger.exception("could not read the crisis contacts")
            return []
        lines: List[str] = []
        if people:
            out_of_hours = [c for c in knowledge.crisis_contacts if c.id == OUT_OF_HOURS]
            lines.append("To talk to a person, contact your personal adviser (PA)."
                         + (" If you can't reach them:" if out_of_hours else ""))
            lines += [_line(c) for c in out_of_hours]
        emergency = knowledge.contacts_for("emergency")[:2]
        if emergency:
            lines.append("If you are in danger or might hurt yourself:")
            lines += [_line(c) for c in emergency]
        return lines

    def help_now_lines(self, pa: bool = True) -> List[str]:
        """Who to reach now (the PA and out-of-hours team, then the emergency lines): for the desk's replies."""
        lines = self._help_now(people=True)
        return lines if pa or not lines else ["If it can't wait:", *lines[1:]]

    def emergency_lines(self) -> List[str]:
        return self._help_now(people=False)

    def trouble(self) -> Dict[str, Any]:
        return _reply("Sorry, I'm having trouble answering right now. I've kept your message and "
                      "I'll answer it as soon as I can.", *self._help_now())

    def late(self, shown: str) -> Dict[str, Any]:
        return _reply(f"Sorry for the wait. Here's my answer to “{_short(shown)}”:")

    def gave_up(self, shown: str) -> Dict[str, Any]:
        return _reply(f"Sorry, I couldn't answer your message “{_short(shown)}” because the chat service "
                      "was down for too long. Please send it again.", *self._help_now())

    def offline(self) -> str:
        """Shown by the page itself when it can't reach the gateway at all."""
        return "\n".join(["Sorry, I can't reach the chat service right now. Please try again in a few minutes.",
                          *self._help_now()])

    def rate_limited(self) -> Dict[str, Any]:
        return _reply("You're sending messages faster than I can read them. Please wait a minute, "
                      "then send your message again.", *self._help_now(people=False))

    def empty(self) -> Dict[str, Any]:
        return _reply("I didn't catch any words there. What would you like to ask?")

    def too_long(self, limit: int) -> Dict[str, Any]:
        return _reply(f"That's a long message, so I read the first {limit:,} characters.")

    def forget_question(self) -> Dict[str, Any]:
        return _reply("Do you want me to delete this chat? I'll erase our conversation and what I remember "
                      "about you, like your area. This can't be undone.",
                      buttons=[{"title": "Yes, delete it", "payload": FORGET_YES},
                               {"title": "No, keep it", "payload": FORGET_NO}])

    def forgotten(self) -> Dict[str, Any]:
        return _reply("Done. I've deleted our chat. If you come back, we'll start fresh.")

    def kept(self) -> Dict[str, Any]:
        return _reply("OK, I haven't deleted anything. What would you like to ask?")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reply(*lines: str, buttons: List[Dict[str, str]] = ()) -> Dict[str, Any]:
    return {"text": "\n".join(lines), "buttons": list(buttons)}
