"""Advisers for the tests, made through the real store, and an adviser's browser-less inbox client."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Dict, Optional

import requests

from bot.settings import Settings
from bot.store import Database
from bot.store.advisers import add_adviser, new_link_code

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    team: str


def make_advisers(settings: Settings) -> Dict[str, Person]:
    """A PA in each of two teams, and a duty-team adviser: new emails every run (the test database persists)."""
    run = uuid.uuid4().hex[:8]
    people = {"pa_a": Person("Sam North", f"sam.{run}@example.org", "North"),
              "pa_b": Person("Bea South", f"bea.{run}@example.org", "South"),
              "duty": Person("Dev Duty", f"dev.{run}@example.org", "Leaving care duty")}
    with Database(settings.database_url).migrate().session() as session:
        for key, person in people.items():
            add_adviser(session, name=person.name, email=person.email, team=person.team, password=PASSWORD,
                        duty_team=key == "duty")
    return people


def link_code(settings: Settings, email: str) -> str:
    from bot.store.advisers import adviser_by_email

    with Database(settings.database_url).session() as session:
        return new_link_code(session, adviser_id=adviser_by_email(session, email=email).id)


class InboxClient:
    """An adviser using the inbox over HTTP, as the page's forms do."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.web_url.rstrip("/")
        self.http = requests.Session()
        self.csrf: Optional[str] = None

    def get(self, path: str) -> requests.Response:
        response = self.http.get(self.base + path, timeout=30)
        self._note_csrf(response.text)
        return response

    def _note_csrf(self, html: str) -> None:
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        if found:
            self.csrf = found.group(1)

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        self.get("/inbox/login")
        response = self.http.post(self.base + "/inbox/login", data={"csrf": self.csrf, "email": email,
                                                                   "password": password}, timeout=30)
        self._note_csrf(response.text)
        return response

    def post(self, path: str, csrf: Optional[str] = "page", **fields) -> requests.Response:
        data = dict(fields)
        if csrf is not None:
            data["csrf"] = self.csrf if csrf == "page" else csrf
        response = self.http.post(self.base + path, data=data, timeout=30)
        self._note_csrf(response.text)
        return response

    def act(self, escalation_id: int, action: str, **fields) -> requests.Response:
        return self.post(f"/inbox/requests/{escalation_id}/{action}", **fields)
