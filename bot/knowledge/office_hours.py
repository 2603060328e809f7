"""When a team is working, and an honest "when to expect a reply" for the young person.

Pure functions: the time is always passed in (an aware datetime, or a naive one meaning UTC), and
the hours come from knowledge/office_hours.yml (`knowledge.office_hours.hours_for(hours_id)`).
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Callable, List, Optional

from bot.knowledge.model import DEFAULT_HOURS_ID, WEEKDAYS, KnowledgeBase, OpeningTimes, WorkingHours

URGENCIES = ("crisis", "today", "this_week", "whenever")
SAME_DAY = ("crisis", "today")  # out of hours, these also go to the duty team
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_LOOK_AHEAD_DAYS = 400  # a set of hours always has a working day, so an opening is found within a week or two

TimesOn = Callable[[dt.date], Optional[OpeningTimes]]


def local_time(hours: WorkingHours, when: dt.datetime) -> dt.datetime:
    """`when` in the team's time zone; a naive `when` is taken to be UTC."""
    if when.tzinfo is None or when.utcoffset() is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(zoneinfo.ZoneInfo(hours.timezone))


def is_open(hours: WorkingHours, when: dt.datetime) -> bool:
    now = local_time(hours, when)
    times = hours.times_on(now.date())
    return times is not None and times.opens <= now.time() < times.closes


def next_opening(hours: WorkingHours, when: dt.datetime) -> dt.datetime:
    """The start of the next working period, in the team's time zone; the same moment as `when` if open now."""
    now = local_time(hours, when)
    if is_open(hours, now):
        return now
    return _next_start(now, hours.times_on)


def needs_duty_team(hours: WorkingHours, urgency: str, when: dt.datetime) -> bool:
    """True when the office is closed and the request can't wait ("crisis" or "today").

    Only the office-hours question: a crisis alerts the duty team at any time anyway.
    """
    _check_urgency(urgency)
    return urgency in SAME_DAY and not is_open(hours, when)


def describe_hours(hours: WorkingHours) -> str:
    """Like "Monday to Thursday 9am to 5:30pm and Friday 9am to 4:30pm", from the data."""
    groups: List[List[int]] = []
    for day, times in enumerate(hours.week):
        if times is None:
            continue
        if groups and groups[-1][-1] == day - 1 and hours.week[day - 1] == times:
            groups[-1].append(day)
        else:
            groups.append([day])
    parts = []
    for group in groups:
        first, last = _day_name(group[0]), _day_name(group[-1])
        days = first if len(group) == 1 else f"{first} and {last}" if len(group) == 2 else f"{first} to {last}"
        times = hours.week[group[0]]
        parts.append(f"{days} {format_time(times.opens)} to {format_time(times.closes)}")
    return _join(parts)


def format_time(time: dt.time) -> str:
    """9am, 5:30pm, midday, midnight."""
    if time.hour == 12 and time.minute == 0:
        return "midday"
    if time.hour == 0 and time.minute == 0:
        return "midnight"
    hour = time.hour % 12 or 12
    suffix = "am" if time.hour < 12 else "pm"
    return f"{hour}{suffix}" if time.minute == 0 else f"{hour}:{time.minute:02d}{suffix}"


def reply_expectation(knowledge: KnowledgeBase, hours_id: Optional[str], urgency: str, when: dt.datetime,
                      who: str = "your PA") -> str:
    """When to expect a reply, in one to three short sentences.

    `hours_id` names an entry in office_hours.yml; None, or an id the file doesn't have, means "standard" (the
    same fallback the duty-team check uses, so a young person always gets an answer). `who` is whose reply
    is awaited: "your PA" becomes "Your PA's team"; a name ending in "team" ("the duty team") is used as it is.
    Out of hours, a "crisis" or "today" request also gets the out-of-hours contact from crisis.yml.
    """
    _check_urgency(urgency)
    office = knowledge.office_hours
    if office is None:
        raise ValueError("the knowledge base has no office hours (knowledge/office_hours.yml)")
    hours = office.hours.get(hours_id or DEFAULT_HOURS_ID) or office.hours_for(DEFAULT_HOURS_ID)
    team = _team(who)
    now = local_time(hours, when)
    if is_open(hours, now):
        return f"{team} is working now, so they should see it {'today' if urgency in SAME_DAY else 'soon'}."
    text = (f"{team} works {describe_hours(hours)}. "
            f"It's {_now_phrase(hours, now)}, so expect a reply {_reply_phrase(hours, now)}.")
    if needs_duty_team(hours, urgency, now):
        contact = knowledge.contact(office.out_of_hours_contact)
        name = contact.name if contact.name.lower().startswith("the ") else f"the {contact.name}"
        text += f" If it can't wait, call {name} on {contact.number}."
    return text


def _check_urgency(urgency: str) -> None:
    if urgency not in URGENCIES:
        raise ValueError(f"unknown urgency {urgency!r}: use one of {', '.join(URGENCIES)}")


def _next_start(now: dt.datetime, times_on: TimesOn) -> dt.datetime:
    """The next opening time strictly after `now` (a local, aware datetime)."""
    for ahead in range(_LOOK_AHEAD_DAYS):
        day = now.date() + dt.timedelta(days=ahead)
        times = times_on(day)
        if times is not None and (ahead > 0 or now.time() < times.opens):
            return dt.datetime.combine(day, times.opens, tzinfo=now.tzinfo)
    raise ValueError("no working day found in the office hours")


def _now_phrase(hours: WorkingHours, now: dt.datetime) -> str:
    """What makes the office closed now: "Saturday", "a bank holiday", "7am", "after 5:30pm on Thursday"."""
    today = now.date()
    if today in hours.bank_holidays:
        return "a bank holiday"
    times = hours.times_on(today)
    if times is None:
        return _day_name(today.weekday())
    if now.time() < times.opens:
        return format_time(now.time().replace(second=0, microsecond=0))
    return f"after {format_time(times.closes)} on {_day_name(today.weekday())}"


def _reply_phrase(hours: WorkingHours, now: dt.datetime) -> str:
    """When the team next works: "after 9am today", "tomorrow", "on Monday", "after the bank holiday, on Tuesday"."""
    opening = _next_start(now, hours.times_on)
    today, day = now.date(), opening.date()
    ahead = (day - today).days
    if ahead == 0:
        return f"after {format_time(opening.time())} today"
    if ahead == 1:
        return "tomorrow"
    when = f"on {_day_name(day.weekday())}"
    if ahead >= 7:
        when += f" {day.day} {MONTHS[day.month - 1]}"
    # Say so when bank holidays are why it takes longer, unless "It's a bank holiday" has just said it.
    skipped = [d for d in hours.bank_holidays if today < d < day and hours.week[d.weekday()] is not None]
    if skipped and today not in hours.bank_holidays:
        return f"after the bank holiday{'s' if len(skipped) > 1 else ''}, {when}"
    return when


def _team(who: str) -> str:
    who = " ".join(who.split())
    team = who if who.lower().endswith("team") else f"{who}'s team"
    return team[:1].upper() + team[1:]


def _day_name(weekday: int) -> str:
    return WEEKDAYS[weekday].capitalize()


def _join(parts: List[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
