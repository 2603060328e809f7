"""Typed knowledge entries: nothing past the loader handles raw dicts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple

TOPIC_IDS: Tuple[str, ...] = (
    "housing",
    "staying_put",
    "staying_close",
    "council_tax",
    "budgeting",
    "personal_adviser",
    "education_work",
    "health_wellbeing",
    "free_health_care",
    "care_leaver_status",
    "id_documents",
    "complaints_advocacy",
    "housing_register",
    "turning_21",
)

ESSEX_DISTRICT_IDS: Tuple[str, ...] = (
    "basildon",
    "braintree",
    "brentwood",
    "castle_point",
    "chelmsford",
    "colchester",
    "epping_forest",
    "harlow",
    "maldon",
    "rochford",
    "tendring",
    "uttlesford",
)
OUTSIDE_ESSEX = "outside_essex"
DISTRICT_IDS: Tuple[str, ...] = ESSEX_DISTRICT_IDS + (OUTSIDE_ESSEX,)

CRISIS_LEVELS: Tuple[str, ...] = ("emergency", "urgent")

WEEKDAYS: Tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_HOURS_ID = "standard"  # the office hours a team uses unless it names another entry


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    checked: Optional[dt.date] = None  # the day someone last read the page
    page_date: Optional[str] = None  # the page's own date where it shows one: 2024, 2024-03 or 2024-03-05


@dataclass(frozen=True)
class Variant:
    """What a topic says for one district."""

    answer: str
    sources: Tuple[Source, ...]
    more: Optional[str] = None
    next_step: Optional[str] = None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    last_reviewed: dt.date
    answer: str
    more: str
    next_step: str
    sources: Tuple[Source, ...]
    examples: Tuple[str, ...]
    # One kind sentence for a story that seems to be about this topic: "It sounds like money is tight."
    sounds_like: str = ""
    by_district: Mapping[str, Variant] = field(default_factory=dict)

    @property
    def depends_on_district(self) -> bool:
        return bool(self.by_district)


@dataclass(frozen=True)
class HomelessnessContact:
    phone: Optional[str]
    url: Optional[str]
    source: Optional[str]
    checked: Optional[dt.date] = None


@dataclass(frozen=True)
class District:
    id: str
    name: str
    council: Optional[str]
    website: Optional[str]
    aliases: Tuple[str, ...]
    homelessness: HomelessnessContact


@dataclass(frozen=True)
class CrisisContact:
    id: str
    name: str
    number: str
    how: str
    when: str
    levels: Tuple[str, ...]
    source: str
    checked: Optional[dt.date] = None
    interpreter: Optional[Source] = None  # a page saying a caller can ask for an interpreter on this number


@dataclass(frozen=True)
class OpeningTimes:
    """One working day: open from `opens` until just before `closes` (local time)."""

    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class WorkingHours:
    """One named set of office hours, with everything needed to answer "is it open?" on its own."""

    id: str
    timezone: str
    week: Tuple[Optional[OpeningTimes], ...]  # Monday first; None = closed all day
    bank_holidays: Mapping[dt.date, str]  # date -> name; closed all day
    sources: Tuple[Source, ...]

    def times_on(self, day: dt.date) -> Optional[OpeningTimes]:
        """The opening times on a date, or None if the office is closed all that day."""
        return None if day in self.bank_holidays else self.week[day.weekday()]


@dataclass(frozen=True)
class OfficeHours:
    """knowledge/office_hours.yml: when the teams that answer requests are working."""

    last_reviewed: dt.date
    timezone: str
    hours: Mapping[str, WorkingHours]
    bank_holidays: Mapping[dt.date, str]
    bank_holiday_sources: Tuple[Source, ...]
    out_of_hours_contact: str  # the id of a contact in crisis.yml

    def hours_for(self, hours_id: Optional[str] = None) -> WorkingHours:
        hours_id = hours_id or DEFAULT_HOURS_ID
        if hours_id not in self.hours:
            raise KeyError(f"office_hours.yml has no hours called {hours_id!r} (it has: {', '.join(self.hours)})")
        return self.hours[hours_id]


LANGUAGE_PARTS = ("question", "reads_english", "adviser_interpreter", "emergency", "danger", "samaritans",
                  "interpreter_on_calls", "request_sent", "crisis_alerted", "button")


@dataclass(frozen=True)
class Translation:
    """Words in another language, what they say in English, and where they come from."""

    text: str                        # may name crisis contacts in braces: {samaritans}
    english: str
    origin: str                      # "published", "reviewed" (by a translator) or "draft" (awaiting review)
    source: Optional[Source] = None  # a published translation: title = the publisher
    translator: Optional[str] = None
    reviewed: Optional[dt.date] = None
    drafted_by: Optional[str] = None
    drafted: Optional[dt.date] = None

    @property
    def vouched_for(self) -> bool:
        """Published, or checked by a translator: the only words used in a crisis reply."""
        return self.origin in ("published", "reviewed")


@dataclass(frozen=True)
class LanguageTexts:
    """knowledge/languages.yml: what the bot can say in one other language (each part optional)."""

    code: str
    question: Optional[Translation] = None             # "Do you need an interpreter?"
    reads_english: Optional[Translation] = None        # "I can only read English."
    adviser_interpreter: Optional[Translation] = None  # "Your PA can get you an interpreter."
    emergency: Optional[Translation] = None            # a published sentence about calling 999
    danger: Optional[Translation] = None               # "If you are in danger now, call 999."
    samaritans: Optional[Translation] = None
    interpreter_on_calls: Optional[Translation] = None
    request_sent: Optional[Translation] = None
    crisis_alerted: Optional[Translation] = None
    button: Optional[Translation] = None

    def parts(self) -> Tuple[Tuple[str, Translation], ...]:
        return tuple((name, getattr(self, name)) for name in LANGUAGE_PARTS if getattr(self, name) is not None)


@dataclass(frozen=True)
class KnowledgeBase:
    topics: Mapping[str, Topic]
    districts: Mapping[str, District]
    crisis_contacts: Tuple[CrisisContact, ...]
    office_hours: Optional[OfficeHours] = None  # always set by load_knowledge
    languages: Mapping[str, LanguageTexts] = field(default_factory=dict)

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def district(self, district_id: Optional[str]) -> Optional[District]:
        return self.districts.get(district_id) if district_id else None

    def contacts_for(self, level: str) -> Tuple[CrisisContact, ...]:
        return tuple(c for c in self.crisis_contacts if level in c.levels)

    def contact(self, contact_id: str) -> CrisisContact:
        for contact in self.crisis_contacts:
            if contact.id == contact_id:
                return contact
        raise KeyError(f"crisis.yml has no contact with the id {contact_id!r}")
