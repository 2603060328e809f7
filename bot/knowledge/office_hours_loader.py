"""Load knowledge/office_hours.yml: the teams' working hours, bank holidays and the out-of-hours contact."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.knowledge.model import DEFAULT_HOURS_ID, WEEKDAYS, OfficeHours, OpeningTimes, Source, WorkingHours
from bot.knowledge.yaml_lines import LineDict

from bot.knowledge.file_checks import CheckedFile as _File

OFFICE_HOURS_KEYS = ("last_reviewed", "timezone", "out_of_hours_contact", "hours", "bank_holidays")
BANK_HOLIDAY_KEYS = ("sources", "dates")
HOURS_ID = re.compile(r"[a-z0-9_]{1,40}")  # a team's `office_hours` column holds up to 40 characters
TIME = re.compile(r"(\d{1,2}):(\d{2})")
RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|\bto\b)\s*")
CLOSED = "closed"
EXAMPLE_RANGE = "09:00-17:30"


def load_office_hours(file: "_File", contact_ids: Optional[Sequence[str]]) -> Optional[OfficeHours]:
    """`contact_ids`: the ids in crisis.yml, or None when crisis.yml has problems of its own (no check then)."""
    data = file.parse()
    if data is None or file.mapping(data, 1, "office_hours.yml") is None:
        return None
    first_problem = len(file.problems)
    file.unknown_keys(data, OFFICE_HOURS_KEYS, "office_hours.yml")
    reviewed = file.date(data, "last_reviewed",
                         "write the date you checked the facts as year-month-day, like last_reviewed: 2026-11-24.")
    timezone = _timezone(file, data)
    contact = _contact(file, data, contact_ids)
    holidays, holiday_sources = _bank_holidays(file, data)
    hours = _hour_sets(file, data, timezone, holidays)
    # Report this file's problems from top to bottom, the way an editor reads it.
    file.problems[first_problem:] = sorted(file.problems[first_problem:], key=lambda problem: problem.line or 0)
    if None in (reviewed, timezone, contact, holidays, hours) or not holiday_sources:
        return None
    return OfficeHours(last_reviewed=reviewed, timezone=timezone, hours=hours, bank_holidays=holidays,
                       bank_holiday_sources=holiday_sources, out_of_hours_contact=contact)


def _timezone(file: "_File", data: LineDict) -> Optional[str]:
    name = file.text(data, "timezone", "office_hours.yml")
    if name is None:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        file.problem(data.line_of("timezone"), f"'{name}' is not a time zone I know.",
                     "write timezone: Europe/London (the time in England and Wales, including summer time).")
        return None
    return name


def _contact(file: "_File", data: LineDict, contact_ids: Optional[Sequence[str]]) -> Optional[str]:
    contact = file.text(data, "out_of_hours_contact", "office_hours.yml")
    if contact is None or contact_ids is None or contact in contact_ids:
        return contact
    close = difflib.get_close_matches(contact, contact_ids, n=1)
    hint = (f"did you mean '{close[0]}'?" if close
            else f"use the id of a contact in crisis.yml: {', '.join(contact_ids)}.")
    file.problem(data.line_of("out_of_hours_contact"), f"'{contact}' is not the id of a contact in crisis.yml.", hint)
    return None


def _bank_holidays(file: "_File", data: LineDict) -> Tuple[Optional[Dict[dt.date, str]], Tuple[Source, ...]]:
    raw = data.get("bank_holidays")
    if raw is None:
        file.problem(data.line, "there is no 'bank_holidays:' part.",
                     "add 'bank_holidays:' with 'sources:' and 'dates:' "
                     "(copy the dates from https://www.gov.uk/bank-holidays).")
        return None, ()
    raw = file.mapping(raw, data.line_of("bank_holidays"), "'bank_holidays'")
    if raw is None:
        return None, ()
    file.unknown_keys(raw, BANK_HOLIDAY_KEYS, "'bank_holidays'")
    sources = file.sources(raw, "'bank_holidays'", checked=True)
    dates = raw.get("dates")
    if not isinstance(dates, LineDict) or not dates:
        file.problem(raw.line_of("dates"), "'bank_holidays' has no 'dates:'.",
                     "add 'dates:' with one line for each bank holiday, like '    2026-12-25: Christmas Day'.")
        return None, sources
    holidays: Dict[dt.date, str] = {}
    ok = True
    for key in dates:
        line = dates.line_of(key)
        day = _day(key)
        if day is None:
            file.problem(line, f"'{key}' is not a real date.",
                         "write it as year-month-day with two-digit months and days, like 2026-12-25, "
                         "and check it on the source page.")
            ok = False
            continue
        if day.weekday() >= 5:
            file.problem(line, f"{day.isoformat()} is a {WEEKDAYS[day.weekday()].capitalize()}.",
                         "when a bank holiday falls at a weekend, the day off is a weekday (a 'substitute day'): "
                         "copy that date from https://www.gov.uk/bank-holidays instead.")
            ok = False
            continue
        name = dates[key]
        if not isinstance(name, str) or not name.strip():
            file.problem(line, f"the bank holiday on {day.isoformat()} has no name.",
                         f"write its name after the date, like {day.isoformat()}: Christmas Day.")
            ok = False
            continue
        holidays[day] = " ".join(name.split())
    return (holidays if ok else None), sources


def _day(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _hour_sets(file: "_File", data: LineDict, timezone: Optional[str],
               holidays: Optional[Dict[dt.date, str]]) -> Optional[Dict[str, WorkingHours]]:
    raw = data.get("hours")
    if raw is None:
        file.problem(data.line, "there is no 'hours:' part.",
                     f"add 'hours:' with a '{DEFAULT_HOURS_ID}:' entry listing the working days, like "
                     f"'monday: {EXAMPLE_RANGE}'.")
        return None
    raw = file.mapping(raw, data.line_of("hours"), "'hours'")
    if raw is None:
        return None
    result: Dict[str, WorkingHours] = {}
    ok = True
    for hours_id, item in raw.items():
        line = raw.line_of(hours_id)
        if not isinstance(hours_id, str) or not HOURS_ID.fullmatch(hours_id):
            file.problem(line, f"'{hours_id}' can't be the name of a set of hours.",
                         "use lower-case letters, numbers and _ only (up to 40), like 'standard' or 'colchester_team'.")
            ok = False
            continue
        entry = file.mapping(item, line, f"the '{hours_id}' hours")
        week = _week(file, entry, hours_id) if entry is not None else None
        sources = file.sources(entry, f"the '{hours_id}' hours", checked=True) if entry is not None else ()
        if week is None or not sources:
            ok = False
        elif timezone is not None and holidays is not None:
            result[hours_id] = WorkingHours(id=hours_id, timezone=timezone, week=week, bank_holidays=holidays,
                                            sources=sources)
    if DEFAULT_HOURS_ID not in raw:
        file.problem(raw.line, f"there are no hours called '{DEFAULT_HOURS_ID}'.",
                     f"add '{DEFAULT_HOURS_ID}:' under 'hours:': teams that don't name their own hours use it.")
        ok = False
    return result if ok else None


def _week(file: "_File", entry: LineDict, hours_id: str) -> Optional[Tuple[Optional[OpeningTimes], ...]]:
    file.unknown_keys(entry, WEEKDAYS + ("sources",), f"the '{hours_id}' hours")
    week: List[Optional[OpeningTimes]] = []
    ok = True
    for day in WEEKDAYS:
        if day not in entry:
            week.append(None)
            continue
        readable, times = _opening_times(file, entry, day)
        ok = ok and readable
        week.append(times)
    if ok and not any(week):
        file.problem(entry.line, f"the '{hours_id}' hours have no working day.",
                     f"write the hours of each working day, like 'monday: {EXAMPLE_RANGE}'.")
        ok = False
    return tuple(week) if ok else None


def _opening_times(file: "_File", entry: LineDict, day: str) -> Tuple[bool, Optional[OpeningTimes]]:
    """(False, None) after noting a problem; (True, None) if closed all day; else (True, the day's times)."""
    value, line = entry[day], entry.line_of(day)
    if isinstance(value, str) and value.strip().lower() == CLOSED:
        return True, None
    parts = RANGE_SEPARATOR.split(value.strip()) if isinstance(value, str) else []
    if len(parts) != 2:
        # A single time like 17:30, or nothing at all.
        file.problem(line, f"'{day}' should be an opening time and a closing time.",
                     f"write both with a dash between them, like {day}: {EXAMPLE_RANGE}, or write {day}: {CLOSED}.")
        return False, None
    times = []
    for part in parts:
        time = _time(part)
        if time is None:
            file.problem(line, f"'{part}' is not a time I can read.",
                         f"write times on the 24-hour clock with a colon, like {day}: {EXAMPLE_RANGE} "
                         "(9am is 09:00 and 5:30pm is 17:30).")
            return False, None
        times.append(time)
    opens, closes = times
    if closes <= opens:
        file.problem(line, f"on {day} the closing time ({parts[1]}) is not after the opening time ({parts[0]}).",
                     f"write the opening time first, then the closing time, like {day}: {EXAMPLE_RANGE} "
                     "(use the 24-hour clock: 5:30pm is 17:30).")
        return False, None
    return True, OpeningTimes(opens=opens, closes=closes)


def _time(text: str) -> Optional[dt.time]:
    match = TIME.fullmatch(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)
