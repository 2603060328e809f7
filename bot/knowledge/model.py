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


@dataclass(frozen=True)
class Source:
    title: str
    url: str


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
    by_district: Mapping[str, Variant] = field(default_factory=dict)

    @property
    def depends_on_district(self) -> bool:
        return bool(self.by_district)


@dataclass(frozen=True)
class HomelessnessContact:
    phone: Optional[str]
    url: Optional[str]
    source: Optional[str]


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
    max_age: Optional[int] = None


@dataclass(frozen=True)
class KnowledgeBase:
    topics: Mapping[str, Topic]
    districts: Mapping[str, District]
    crisis_contacts: Tuple[CrisisContact, ...]

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def district(self, district_id: Optional[str]) -> Optional[District]:
        return self.districts.get(district_id) if district_id else None

    def contacts_for(self, level: str) -> Tuple[CrisisContact, ...]:
        return tuple(c for c in self.crisis_contacts if level in c.levels)
