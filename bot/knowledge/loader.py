"""Load and validate every knowledge file, collecting all problems before failing.

The pydantic schema (bot.knowledge.schema) checks each file's shape; this module adds the
checks that span entries or files, and builds the typed knowledge the bot uses.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.knowledge.contact_numbers import check_topic_files, fill_topics
from bot.knowledge.errors import KnowledgeError, Problem
from bot.knowledge.explain import Loc, validate
from bot.knowledge.file_checks import CheckedFile
from bot.knowledge.model import (
    DISTRICT_IDS,
    TOPIC_IDS,
    CrisisContact,
    District,
    HomelessnessContact,
    LANGUAGE_PARTS,
    KnowledgeBase,
    LanguageTexts,
    Source,
    Topic,
    Translation,
    Variant,
)
from bot.knowledge.office_hours_loader import load_office_hours
from bot.knowledge.schema import PLACEHOLDER, CrisisFile, DistrictsFile, LanguagesFile, TopicFile
from bot.knowledge.yaml_lines import LineDict


def knowledge_files(directory: Path) -> List[Path]:
    """Every file the bot reads; the store watches exactly these."""
    return sorted((directory / "topics").glob("*.yml")) + [
        directory / "districts.yml", directory / "crisis.yml", directory / "office_hours.yml", directory / "languages.yml"]


def load_knowledge(directory: Path) -> KnowledgeBase:
    problems: List[Problem] = []
    topics = _load_topics(directory / "topics", problems)
    districts = _load_districts(directory / "districts.yml", problems)
    crisis_path = directory / "crisis.yml"
    contacts = _load_crisis(crisis_path, problems)
    # Only check the out-of-hours contact's id against crisis.yml when crisis.yml itself loaded cleanly.
    contact_ids = None if any(p.path == crisis_path for p in problems) else [c.id for c in contacts]
    office_hours = load_office_hours(CheckedFile(directory / "office_hours.yml", problems), contact_ids)
    languages = _load_languages(directory / "languages.yml", problems, contacts)
    if contact_ids is not None:
        problems += check_topic_files(directory / "topics", contacts)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(topics=fill_topics(topics, contacts), districts=districts, crisis_contacts=contacts,
                         office_hours=office_hours, languages=languages)


def _parse(path: Path, problems: List[Problem]) -> Optional[LineDict]:
    file = CheckedFile(path, problems)
    data = file.parse()
    return file.mapping(data, 1, path.name) if data is not None else None


def _validated(path: Path, model: Any, name: Any, problems: List[Problem]) -> Tuple[Optional[LineDict], Any]:
    """(the file's data, the file as `model`), or (data or None, None) after noting its problems."""
    data = _parse(path, problems)
    if data is None:
        return None, None
    entry, found = validate(model, data, path, name)
    problems += found
    return data, entry


def _sources(entries: Any) -> Tuple[Source, ...]:
    return tuple(Source(title=s.title, url=s.url, checked=s.checked, page_date=s.page_date) for s in entries)


def _topic_part(loc: Loc) -> str:
    """What an editor calls a place in a topic file."""
    steps = [step for step in loc]
    district = steps[1] if len(steps) > 1 and steps[0] == "by_district" else None
    whole = f"the {district} answer" if district else ("'by_district'" if steps[:1] == ["by_district"] else "the topic")
    if "sources" in steps and isinstance(steps[-1], int):
        return f"source {steps[-1] + 1} of {whole}"
    return whole


def _load_topics(directory: Path, problems: List[Problem]) -> Dict[str, Topic]:
    topics: Dict[str, Topic] = {}
    for path in sorted(directory.glob("*.yml")):
        data = _parse(path, problems)
        if data is None:
            continue
        entry, found = validate(TopicFile, data, path, _topic_part)
        problems += found
        if entry is not None and entry.id != path.stem:
            problems.append(Problem(path, data.line_of("id"), f"the id '{entry.id}' does not match the file name '{path.name}'.",
                                    f"change it to 'id: {path.stem}' (or rename the file)."))
        elif entry is not None:
            topics[entry.id] = _topic(entry)
    for topic_id in TOPIC_IDS:
        if topic_id not in topics and not any(p.path.stem == topic_id for p in problems):
            problems.append(Problem(directory / f"{topic_id}.yml", None, f"the topic '{topic_id}' has no file.",
                                    f"create topics/{topic_id}.yml (copy another topic file and change it)."))
    return topics


def _topic(entry: TopicFile) -> Topic:
    by_district = dict(entry.by_district) if entry.by_district is not None else {}
    variants = {district_id: Variant(answer=v.answer, sources=_sources(v.sources), more=v.more, next_step=v.next_step)
                for district_id, v in by_district.items()}
    return Topic(id=entry.id, title=entry.title, last_reviewed=entry.last_reviewed, answer=entry.answer, more=entry.more,
                 next_step=entry.next_step, sources=_sources(entry.sources), examples=tuple(entry.examples),
                 sounds_like=entry.sounds_like, by_district=variants)


def _district_part(loc: Loc) -> str:
    if len(loc) >= 2 and loc[0] == "districts":
        where = f"district {loc[1] + 1}"
        return f"'homelessness' of {where}" if "homelessness" in loc else where
    return "districts.yml"


def _load_districts(path: Path, problems: List[Problem]) -> Dict[str, District]:
    data, entry = _validated(path, DistrictsFile, _district_part, problems)
    if entry is None:
        return {}
    raw = data["districts"]
    districts: Dict[str, District] = {}
    alias_owner: Dict[str, str] = {}
    for index, district in enumerate(entry.districts):
        line = raw[index].line_of("aliases") if isinstance(raw[index], LineDict) else raw.line_of(index)
        for alias in district.aliases:
            if alias_owner.get(alias, district.id) != district.id:
                problems.append(Problem(path, line, f"the spelling '{alias}' is listed for both {alias_owner[alias]} and {district.id}.",
                                        "keep it under one district only, so the bot knows which one is meant."))
            alias_owner.setdefault(alias, district.id)
        contact = district.homelessness
        districts[district.id] = District(
            id=district.id, name=district.name, council=district.council, website=district.website,
            aliases=tuple(dict.fromkeys(district.aliases)),
            homelessness=HomelessnessContact(phone=contact.phone, url=contact.url, source=contact.source,
                                             checked=contact.checked))
    for district_id in DISTRICT_IDS:
        if district_id not in districts:
            problems.append(Problem(path, raw.line, f"the district '{district_id}' is missing.",
                                    f"add an entry with 'id: {district_id}'."))
    return districts


def _crisis_part(loc: Loc) -> str:
    return f"contact {loc[1] + 1}" if len(loc) >= 2 and loc[0] == "contacts" else "crisis.yml"


def _load_crisis(path: Path, problems: List[Problem]) -> Tuple[CrisisContact, ...]:
    data, entry = _validated(path, CrisisFile, _crisis_part, problems)
    if entry is None:
        return ()
    return tuple(CrisisContact(id=c.id, name=c.name, number=c.number, how=c.how, when=c.when, levels=tuple(c.levels),
                               source=c.source, checked=c.checked, interpreter=_interpreter(c.interpreter))
                 for c in entry.contacts)


def _interpreter(entry) -> Optional[Source]:
    if entry is None:
        return None
    return Source(title=entry.says, url=entry.source, checked=entry.checked, page_date=entry.page_date)



def _language_part(loc: Loc) -> str:
    return f"'{loc[1]}'" if len(loc) >= 2 and loc[0] == "languages" else "languages.yml"


def _load_languages(path: Path, problems: List[Problem], contacts: Tuple[CrisisContact, ...]) -> Dict[str, LanguageTexts]:
    data, entry = _validated(path, LanguagesFile, _language_part, problems)
    if entry is None:
        return {}
    numbers = {contact.id: contact.number for contact in contacts}

    def translation(code: str, part: str, t) -> Optional[Translation]:
        if t is None:
            return None
        line = data["languages"][code].line_of(part)
        unknown = [name for name in PLACEHOLDER.findall(t.text) if name not in numbers]
        if unknown:
            problems.append(Problem(path, line, f"'{code}' {part}: {{{unknown[0]}}} is not a contact in crisis.yml.",
                                    f"use one of: {', '.join('{' + n + '}' for n in numbers)}."))
        if t.publisher is not None:
            written = {"".join(n.split()) for n in re.findall(r"\d[\d ]*\d|\d", t.text)}
            known = {"".join(n.split()) for n in numbers.values()}
            if written - known:
                problems.append(Problem(path, line, f"'{code}' {part} has the number {sorted(written - known)[0]}, "
                                        "which is not in crisis.yml.",
                                        "leave this sentence out, or add the number to crisis.yml with its source."))
            return Translation(text=t.text, english=t.english, origin="published",
                               source=Source(title=t.publisher, url=t.source, checked=t.checked, page_date=t.page_date))
        if t.translator is not None:
            return Translation(text=t.text, english=t.english, origin="reviewed", translator=t.translator,
                               reviewed=t.reviewed)
        return Translation(text=t.text, english=t.english, origin="draft", drafted_by=t.drafted_by, drafted=t.drafted)
    return {code: LanguageTexts(code=code, **{part: translation(code, part, getattr(texts, part)) for part in LANGUAGE_PARTS})
            for code, texts in entry.languages.items()}
