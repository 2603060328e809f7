"""Load and validate every knowledge file, collecting all problems before failing."""
from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.knowledge.contact_numbers import check_topic_files, fill_topics
from bot.knowledge.errors import KnowledgeError, Problem
from bot.knowledge.model import (
    CRISIS_LEVELS,
    DISTRICT_IDS,
    TOPIC_IDS,
    CrisisContact,
    District,
    HomelessnessContact,
    KnowledgeBase,
    Source,
    Topic,
    Variant,
)
from bot.knowledge.office_hours_loader import load_office_hours
from bot.knowledge.yaml_lines import LineDict, LineList, read_yaml

TOPIC_KEYS = ("id", "title", "last_reviewed", "answer", "more", "next_step", "sounds_like", "sources", "by_district",
              "examples")
VARIANT_KEYS = ("answer", "more", "next_step", "sources")
MAX_ANSWER_CHARS = 700
MIN_EXAMPLES = 5


def knowledge_files(directory: Path) -> List[Path]:
    """Every file the bot reads; the store watches exactly these."""
    return sorted((directory / "topics").glob("*.yml")) + [
        directory / "districts.yml", directory / "crisis.yml", directory / "office_hours.yml"]


def load_knowledge(directory: Path) -> KnowledgeBase:
    problems: List[Problem] = []
    topics = _load_topics(directory / "topics", problems)
    districts = _load_districts(directory / "districts.yml", problems)
    crisis_path = directory / "crisis.yml"
    contacts = _load_crisis(crisis_path, problems)
    # Only check the out-of-hours contact's id against crisis.yml when crisis.yml itself loaded cleanly.
    contact_ids = None if any(p.path == crisis_path for p in problems) else [c.id for c in contacts]
    office_hours = load_office_hours(_File(directory / "office_hours.yml", problems), contact_ids)
    if contact_ids is not None:
        problems += check_topic_files(directory / "topics", contacts)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(topics=fill_topics(topics, contacts), districts=districts, crisis_contacts=contacts,
                         office_hours=office_hours)


class _File:
    """Reads typed values out of one parsed file, noting each problem with its line."""

    def __init__(self, path: Path, problems: List[Problem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, line: Optional[int], message: str, fix: str) -> None:
        self.problems.append(Problem(self.path, line, message, fix))

    def parse(self) -> Any:
        if not self.path.exists():
            self.problem(None, "the file is missing.", f"create {self.path.name} (see knowledge/README.md).")
            return None
        try:
            return read_yaml(self.path)
        except KnowledgeError as error:
            self.problems.extend(error.problems)
            return None

    def mapping(self, value: Any, line: int, what: str) -> Optional[LineDict]:
        if isinstance(value, LineDict):
            return value
        self.problem(line, f"{what} should be a set of 'key: value' lines.",
                     "indent the lines under it by two spaces, each written as 'key: value'.")
        return None

    def unknown_keys(self, data: LineDict, allowed: Sequence[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"the keys {what} can have are: {', '.join(allowed)}."
                self.problem(data.line_of(key), f"'{key}' is not a key I know in {what}.", hint)

    def text(self, data: LineDict, key: str, what: str, *, required: bool = True) -> Optional[str]:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(data.line, f"{what} has no '{key}'.", f"add a line '{key}: ...' to {what}.")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problem(data.line_of(key), f"'{key}' is a number, but it should be text.",
                         f"put the value in quotes, like {key}: \"{value}\".")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(data.line_of(key), f"'{key}' in {what} is empty or not text.",
                         f"write the text after '{key}:' (use '{key}: >-' and indented lines for long text).")
            return None
        return " ".join(value.split()) if "\n- " not in value else value.strip()

    def url(self, data: LineDict, key: str, what: str, *, required: bool = True) -> Optional[str]:
        value = self.text(data, key, what, required=required)
        if value is not None and not value.startswith(("https://", "http://")):
            self.problem(data.line_of(key), f"'{key}' should be a web address.",
                         "start it with https:// and copy it from the browser's address bar.")
            return None
        return value

    def date(self, data: LineDict, key: str, fix: str) -> Optional[dt.date]:
        value = data.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(data.line_of(key), f"'{key}' is missing or not a date.", fix)
        return None

    def sources(self, data: LineDict, what: str, *, checked: bool = False) -> Tuple[Source, ...]:
        """`checked=True`: each source also needs 'checked:', the day someone last read the page."""
        raw = data.get("sources")
        if not isinstance(raw, LineList) or not raw:
            wanted = ("'- title: ...', 'url: ...' and 'checked: ...'" if checked
                      else "'- title: ...' and 'url: ...' pair")
            self.problem(data.line_of("sources"), f"{what} has no sources.",
                         f"add 'sources:' with at least one {wanted}: every fact needs one.")
            return ()
        result = []
        for index, item in enumerate(raw):
            entry = self.mapping(item, raw.line_of(index), f"source {index + 1} of {what}")
            if entry is None:
                continue
            self.unknown_keys(entry, ("title", "url", "checked") if checked else ("title", "url"), "a source")
            title = self.text(entry, "title", f"source {index + 1} of {what}")
            url = self.url(entry, "url", f"source {index + 1} of {what}")
            day = self.date(entry, "checked", "write the day you last read the page as year-month-day, "
                                              "like checked: 2026-11-24.") if checked else None
            if title and url and (day or not checked):
                result.append(Source(title=title, url=url, checked=day))
        return tuple(result)


def _load_topics(directory: Path, problems: List[Problem]) -> Dict[str, Topic]:
    topics: Dict[str, Topic] = {}
    for path in sorted(directory.glob("*.yml")):
        topic = _load_topic(_File(path, problems))
        if topic is not None:
            topics[topic.id] = topic
    for topic_id in TOPIC_IDS:
        if topic_id not in topics and not any(p.path.stem == topic_id for p in problems):
            problems.append(Problem(directory / f"{topic_id}.yml", None, f"the topic '{topic_id}' has no file.",
                                    f"create topics/{topic_id}.yml (copy another topic file and change it)."))
    return topics


def _load_topic(file: _File) -> Optional[Topic]:
    data = file.parse()
    if data is None:
        return None
    data = file.mapping(data, 1, "the topic file")
    if data is None:
        return None
    file.unknown_keys(data, TOPIC_KEYS, "a topic")
    topic_id = file.text(data, "id", "the topic")
    if topic_id is not None and topic_id != file.path.stem:
        file.problem(data.line_of("id"), f"the id '{topic_id}' does not match the file name '{file.path.name}'.",
                     f"change it to 'id: {file.path.stem}' (or rename the file).")
        topic_id = None
    elif topic_id is not None and topic_id not in TOPIC_IDS:
        file.problem(data.line_of("id"), f"'{topic_id}' is not a topic the bot knows.",
                     f"use one of: {', '.join(TOPIC_IDS)}. New topics need a developer to add an intent.")
        topic_id = None
    title = file.text(data, "title", "the topic")
    answer = file.text(data, "answer", "the topic")
    if answer and len(answer) > MAX_ANSWER_CHARS:
        file.problem(data.line_of("answer"), f"the first answer is long ({len(answer)} characters).",
                     f"keep 'answer' to 2-4 short sentences (under {MAX_ANSWER_CHARS} characters) and move the rest to 'more'.")
    more = file.text(data, "more", "the topic")
    next_step = file.text(data, "next_step", "the topic")
    sounds_like = file.text(data, "sounds_like", "the topic")
    reviewed = _date(file, data)
    sources = file.sources(data, "the topic")
    examples = _examples(file, data)
    by_district = _variants(file, data)
    if None in (topic_id, title, answer, more, next_step, sounds_like, reviewed) or not sources or examples is None:
        return None
    return Topic(id=topic_id, title=title, last_reviewed=reviewed, answer=answer, more=more, next_step=next_step,
                 sources=sources, examples=examples, sounds_like=sounds_like, by_district=by_district)


def _date(file: _File, data: LineDict) -> Optional[dt.date]:
    return file.date(data, "last_reviewed",
                     "write the date you checked the facts as year-month-day, like last_reviewed: 2026-11-23.")


def _examples(file: _File, data: LineDict) -> Optional[Tuple[str, ...]]:
    raw = data.get("examples")
    if not isinstance(raw, LineList) or len(raw) < MIN_EXAMPLES:
        file.problem(data.line_of("examples"), f"the topic needs at least {MIN_EXAMPLES} example questions.",
                     "add lines under 'examples:' like '  - do i have to pay council tax'.")
        return None
    result = []
    for index, item in enumerate(raw):
        if not isinstance(item, str) or not item.strip():
            file.problem(raw.line_of(index), "an example question is empty or not text.",
                         "write the question after '- ', in quotes if it has a ':' in it.")
            continue
        result.append(" ".join(item.split()))
    return tuple(result)


def _variants(file: _File, data: LineDict) -> Dict[str, Variant]:
    raw = data.get("by_district")
    if raw is None:
        return {}
    raw = file.mapping(raw, data.line_of("by_district"), "'by_district'")
    if raw is None:
        return {}
    file.unknown_keys(raw, DISTRICT_IDS, "'by_district'")
    for district_id in DISTRICT_IDS:
        if district_id not in raw:
            file.problem(raw.line, f"'by_district' has no answer for '{district_id}'.",
                         f"add '{district_id}:' under 'by_district' with its own 'answer' and 'sources'.")
    variants: Dict[str, Variant] = {}
    for district_id in DISTRICT_IDS:
        if district_id not in raw:
            continue
        what = f"the {district_id} answer"
        entry = file.mapping(raw[district_id], raw.line_of(district_id), what)
        if entry is None:
            continue
        file.unknown_keys(entry, VARIANT_KEYS, "a district answer")
        answer = file.text(entry, "answer", what)
        sources = file.sources(entry, what)
        if answer and sources:
            variants[district_id] = Variant(
                answer=answer, sources=sources,
                more=file.text(entry, "more", what, required=False),
                next_step=file.text(entry, "next_step", what, required=False),
            )
    return variants


def _load_districts(path: Path, problems: List[Problem]) -> Dict[str, District]:
    file = _File(path, problems)
    data = file.parse()
    if data is None or file.mapping(data, 1, "districts.yml") is None:
        return {}
    raw = data.get("districts")
    if not isinstance(raw, LineList):
        file.problem(data.line, "there is no 'districts:' list.", "add 'districts:' with one '- id: ...' entry per place.")
        return {}
    districts: Dict[str, District] = {}
    alias_owner: Dict[str, str] = {}
    for index, item in enumerate(raw):
        entry = file.mapping(item, raw.line_of(index), f"district {index + 1}")
        if entry is None:
            continue
        file.unknown_keys(entry, ("id", "name", "council", "website", "aliases", "homelessness"), "a district")
        district_id = file.text(entry, "id", f"district {index + 1}")
        if district_id is not None and district_id not in DISTRICT_IDS:
            file.problem(entry.line_of("id"), f"'{district_id}' is not a district id the bot knows.",
                         f"use one of: {', '.join(DISTRICT_IDS)}.")
            continue
        name = file.text(entry, "name", f"district {district_id}")
        aliases = _aliases(file, entry, district_id, alias_owner)
        contact = entry.get("homelessness") or LineDict()
        if not isinstance(contact, LineDict):
            file.problem(entry.line_of("homelessness"), "'homelessness' should have 'phone', 'url' and 'source'.",
                         "indent 'phone:', 'url:' and 'source:' under 'homelessness:'.")
            contact = LineDict()
        phone = file.text(contact, "phone", "'homelessness'", required=False)
        source = file.url(contact, "source", "'homelessness'", required=False)
        if phone and not source:
            file.problem(contact.line_of("phone"), "a homelessness phone number has no source.",
                         "add 'source:' with the web page where you found this number.")
        if district_id and name:
            districts[district_id] = District(
                id=district_id, name=name,
                council=file.text(entry, "council", f"district {district_id}", required=False),
                website=file.url(entry, "website", f"district {district_id}", required=False),
                aliases=aliases,
                homelessness=HomelessnessContact(
                    phone=phone, url=file.url(contact, "url", "'homelessness'", required=False), source=source),
            )
    for district_id in DISTRICT_IDS:
        if district_id not in districts and not any(p.path == path for p in problems):
            file.problem(raw.line, f"the district '{district_id}' is missing.", f"add an entry with 'id: {district_id}'.")
    return districts


def _aliases(file: _File, entry: LineDict, district_id: Optional[str], owner: Dict[str, str]) -> Tuple[str, ...]:
    raw = entry.get("aliases") or []
    if not isinstance(raw, list):
        file.problem(entry.line_of("aliases"), "'aliases' should be a list.", "write them as [name one, name two].")
        return ()
    result = []
    for alias in raw:
        alias = " ".join(str(alias).lower().split())
        if alias in owner and owner[alias] != district_id:
            file.problem(entry.line_of("aliases"), f"the spelling '{alias}' is listed for both {owner[alias]} and {district_id}.",
                         "keep it under one district only, so the bot knows which one is meant.")
            continue
        owner[alias] = district_id or ""
        result.append(alias)
    return tuple(result)


def _load_crisis(path: Path, problems: List[Problem]) -> Tuple[CrisisContact, ...]:
    file = _File(path, problems)
    data = file.parse()
    if data is None or file.mapping(data, 1, "crisis.yml") is None:
        return ()
    raw = data.get("contacts")
    if not isinstance(raw, LineList) or not raw:
        file.problem(data.line, "there is no 'contacts:' list.", "add 'contacts:' with one '- id: ...' entry per helpline.")
        return ()
    contacts = []
    for index, item in enumerate(raw):
        what = f"contact {index + 1}"
        entry = file.mapping(item, raw.line_of(index), what)
        if entry is None:
            continue
        # No age limit field: the bot never knows a young person's age, so who a line is for goes in 'when'.
        file.unknown_keys(entry, ("id", "name", "number", "how", "when", "levels", "source"), "a contact")
        levels = entry.get("levels")
        if not isinstance(levels, list) or not levels or any(level not in CRISIS_LEVELS for level in levels):
            file.problem(entry.line_of("levels"), f"'levels' of {what} should list emergency and/or urgent.",
                         "write levels: [emergency] or levels: [urgent] or levels: [emergency, urgent].")
            levels = None
        values = [file.text(entry, key, what) for key in ("id", "name", "number", "how", "when")]
        source = file.url(entry, "source", what)
        if None not in values and source and levels:
            contacts.append(CrisisContact(*values, levels=tuple(levels), source=source))
    return tuple(contacts)
