"""A real SMTP listener for the tests (aiosmtpd), which can be taken down and brought back."""
from __future__ import annotations

import email
import threading
from dataclasses import dataclass
from email.message import Message
from typing import List

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    recipients: tuple
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class _Handler:
    def __init__(self, box: "Mailbox") -> None:
        self._box = box

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._box.lock:
            self._box.received.append(Received(tuple(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


class Mailbox:
    def __init__(self, port: int) -> None:
        self.port = port
        self.received: List[Received] = []
        self.lock = threading.Lock()
        self._controller = None

    def start(self) -> "Mailbox":
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, recipient: str) -> List[Received]:
        with self.lock:
            return [r for r in self.received if recipient in r.recipients]
