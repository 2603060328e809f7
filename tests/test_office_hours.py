"""Office hours and bank holidays: honest reply times, and wrong edits explained by file, line and fix."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.knowledge import KnowledgeStore, load_knowledge
from bot.knowledge.model import DEFAULT_HOURS_ID, KnowledgeBase, WorkingHours
from bot.knowledge.office_hours import (
    describe_hours,
    format_time,
    is_open,
    needs_duty_team,
    next_opening,
    reply_expectation,
)
from tests.conftest import KNOWLEDGE, problems_of

LONDON = ZoneInfo("Europe/London")
HOURS_TEXT = "Monday to Thursday 9am to 5:30pm and Friday 9am to 4:30pm"


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="module")
def hours(knowledge: KnowledgeBase) -> WorkingHours:
    return knowledge.office_hours.hours_for(DEFAULT_HOURS_ID)


def out_of_hours(knowledge: KnowledgeBase):
    return knowledge.contact(knowledge.office_hours.out_of_hours_contact)


# --- the file -------------------------------------------------------------------------------------------------


def test_the_office_hours_file_loads_with_sources_and_bank_holidays(knowledge: KnowledgeBase, hours: WorkingHours):
    office = knowledge.office_hours
    assert office.timezone == "Europe/London"
    assert office.out_of_hours_contact == "essex_out_of_hours"
    assert hours.week[0].opens == dt.time(9, 0) and hours.week[3].closes == dt.time(17, 30)
    assert hours.week[4].closes == dt.time(16, 30)
    assert hours.week[5] is None and hours.week[6] is None
    assert dt.date(2026, 12, 28) in office.bank_holidays and dt.date(2027, 12, 27) in office.bank_holidays
    assert len([day for day in office.bank_holidays if day.year == 2026]) == 8
    assert len([day for day in office.bank_holidays if day.year == 2027]) == 8
    for source in hours.sources + office.bank_holiday_sources:
        assert source.url.startswith("https://") and source.checked == dt.date(2026, 11, 24)


def test_the_out_of_hours_contact_is_the_one_in_crisis_yml(knowledge: KnowledgeBase):
    contact = out_of_hours(knowledge)
    assert contact.id == "essex_out_of_hours" and contact.number
    assert contact.number not in (KNOWLEDGE / "office_hours.yml").read_text()  # written once, in crisis.yml


def test_the_hours_are_described_from_the_data(hours: WorkingHours):
    assert describe_hours(hours) == HOURS_TEXT
    assert [format_time(dt.time(*t)) for t in ((9, 0), (17, 30), (12, 0), (0, 0), (0, 5))] == [
        "9am", "5:30pm", "midday", "midnight", "12:05am"]


def test_unknown_hours_are_a_clear_key_error_but_a_reply_falls_back_to_standard(knowledge: KnowledgeBase):
    with pytest.raises(KeyError, match="no hours called 'nowhere'"):
        knowledge.office_hours.hours_for("nowhere")
    assert knowledge.office_hours.hours_for(None).id == DEFAULT_HOURS_ID
    saturday = london(2026, 11, 28, 11, 0)
    assert reply_expectation(knowledge, "nowhere", "whenever", saturday) == reply_expectation(
        knowledge, None, "whenever", saturday) == reply_expectation(knowledge, "standard", "whenever", saturday)


# --- open, closed and the next opening ------------------------------------------------------------------------


def test_saturday_means_a_reply_on_monday(knowledge: KnowledgeBase, hours: WorkingHours):
    saturday = london(2026, 11, 28, 11, 0)
    assert not is_open(hours, saturday)
    assert next_opening(hours, saturday) == london(2026, 11, 30, 9, 0)
    assert reply_expectation(knowledge, "standard", "whenever", saturday) == (
        f"Your PA's team works {HOURS_TEXT}. It's Saturday, so expect a reply on Monday.")


def test_friday_at_five_means_a_reply_on_monday(knowledge: KnowledgeBase, hours: WorkingHours):
    friday = london(2026, 11, 27, 17, 0)
    assert not is_open(hours, friday)
    assert next_opening(hours, friday) == london(2026, 11, 30, 9, 0)
    text = reply_expectation(knowledge, "standard", "this_week", friday)
    assert "It's after 4:30pm on Friday, so expect a reply on Monday." in text
    assert out_of_hours(knowledge).number not in text  # can wait: no out-of-hours number


def test_sunday_27_december_2026_waits_for_the_boxing_day_substitute(knowledge: KnowledgeBase, hours: WorkingHours):
    sunday = london(2026, 12, 27, 12, 0)  # 25 Dec was a bank holiday, 28 Dec is the Boxing Day substitute
    assert next_opening(hours, sunday) == london(2026, 12, 29, 9, 0)
    text = reply_expectation(knowledge, "standard", "whenever", sunday)
    assert text.endswith("It's Sunday, so expect a reply after the bank holiday, on Tuesday.")


def test_easter_2026_skips_good_friday_and_easter_monday(knowledge: KnowledgeBase, hours: WorkingHours):
    thursday_evening = london(2026, 4, 2, 19, 0)
    assert next_opening(hours, thursday_evening) == london(2026, 4, 7, 9, 0)
    text = reply_expectation(knowledge, "standard", "whenever", thursday_evening)
    assert "It's after 5:30pm on Thursday, so expect a reply after the bank holidays, on Tuesday." in text
    good_friday = london(2026, 4, 3, 10, 0)
    assert not is_open(hours, good_friday)
    assert "It's a bank holiday, so expect a reply on Tuesday." in reply_expectation(
        knowledge, "standard", "whenever", good_friday)


def test_wednesday_morning_is_open(knowledge: KnowledgeBase, hours: WorkingHours):
    wednesday = london(2026, 11, 25, 10, 0)
    assert is_open(hours, wednesday)
    assert next_opening(hours, wednesday) == wednesday
    assert not needs_duty_team(hours, "today", wednesday)
    assert reply_expectation(knowledge, "standard", "today", wednesday) == (
        "Your PA's team is working now, so they should see it today.")
    assert reply_expectation(knowledge, "standard", "whenever", wednesday).endswith("they should see it soon.")


def test_the_edges_of_the_day(hours: WorkingHours):
    assert is_open(hours, london(2026, 11, 26, 9, 0))
    assert is_open(hours, london(2026, 11, 26, 17, 29))
    assert not is_open(hours, london(2026, 11, 26, 17, 30))
    assert not is_open(hours, london(2026, 11, 27, 16, 30))


def test_seven_on_a_tuesday_means_later_today(knowledge: KnowledgeBase, hours: WorkingHours):
    early = london(2026, 11, 24, 7, 0)
    assert next_opening(hours, early) == london(2026, 11, 24, 9, 0)
    assert "It's 7am, so expect a reply after 9am today." in reply_expectation(knowledge, "standard", "whenever", early)


def test_late_on_a_monday_means_tomorrow(knowledge: KnowledgeBase):
    late = london(2026, 11, 23, 23, 30)
    assert "It's after 5:30pm on Monday, so expect a reply tomorrow." in reply_expectation(
        knowledge, "standard", "whenever", late)


# --- the duty team and the out-of-hours number ----------------------------------------------------------------


def test_a_request_for_today_out_of_hours_gives_the_out_of_hours_number(knowledge: KnowledgeBase, hours: WorkingHours):
    saturday = london(2026, 11, 28, 11, 0)
    contact = out_of_hours(knowledge)
    for urgency in ("today", "crisis"):
        assert needs_duty_team(hours, urgency, saturday)
        text = reply_expectation(knowledge, "standard", urgency, saturday)
        assert text.endswith(f"If it can't wait, call the {contact.name} on {contact.number}.")
        assert contact.number in text
    for urgency in ("this_week", "whenever"):
        assert not needs_duty_team(hours, urgency, saturday)
        assert contact.number not in reply_expectation(knowledge, "standard", urgency, saturday)


def test_an_unknown_urgency_is_refused(knowledge: KnowledgeBase, hours: WorkingHours):
    with pytest.raises(ValueError, match="unknown urgency"):
        needs_duty_team(hours, "asap", london(2026, 11, 28, 11, 0))
    with pytest.raises(ValueError, match="unknown urgency"):
        reply_expectation(knowledge, "standard", "asap", london(2026, 11, 28, 11, 0))


def test_who_can_be_the_duty_team(knowledge: KnowledgeBase):
    text = reply_expectation(knowledge, "standard", "whenever", london(2026, 11, 28, 11, 0), who="the duty team")
    assert text.startswith("The duty team works ")
    assert reply_expectation(knowledge, "standard", "today", london(2026, 11, 25, 10, 0), who="the duty team") == (
        "The duty team is working now, so they should see it today.")


# --- time zones -----------------------------------------------------------------------------------------------


def test_utc_times_are_converted_to_london_time_in_summer_and_winter(hours: WorkingHours):
    summer = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.timezone.utc)  # 09:30 BST
    assert is_open(hours, summer)
    assert is_open(hours, summer.replace(tzinfo=None))  # naive means UTC
    assert next_opening(hours, summer) == summer
    winter = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.timezone.utc)  # 08:30 GMT
    assert not is_open(hours, winter)
    assert next_opening(hours, winter) == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    evening = dt.datetime(2026, 7, 1, 16, 45, tzinfo=dt.timezone.utc)  # 17:45 BST: closed
    assert not is_open(hours, evening)


def test_the_next_opening_after_the_clocks_change_is_nine_local_time(hours: WorkingHours):
    saturday = london(2026, 3, 28, 12, 0)  # the clocks go forward on Sunday 29 March 2026
    opening = next_opening(hours, saturday)
    assert opening == london(2026, 3, 30, 9, 0)
    assert opening.utcoffset() == dt.timedelta(hours=1)


# --- wrong edits are explained --------------------------------------------------------------------------------


def edit(directory: Path, old: str, new: str) -> int:
    """Replace the first `old` in office_hours.yml; returns the 1-based line it was on."""
    path = directory / "office_hours.yml"
    text = path.read_text()
    assert old in text, old
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


def test_a_time_written_as_9am_names_file_line_and_fix(knowledge_copy: Path):
    line = edit(knowledge_copy, "monday: 09:00-17:30", "monday: 9am-5:30pm")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: '9am' is not a time I can read." in message
    assert "How to fix: write times on the 24-hour clock with a colon, like monday: 09:00-17:30" in message


def test_a_single_unquoted_time_is_explained(knowledge_copy: Path):
    line = edit(knowledge_copy, "tuesday: 09:00-17:30", "tuesday: 17:30")  # YAML reads 17:30 as a number
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: 'tuesday' should be an opening time and a closing time." in message
    assert "How to fix: write both with a dash between them" in message


def test_a_misspelt_weekday_gets_a_did_you_mean(knowledge_copy: Path):
    line = edit(knowledge_copy, "wednesday:", "wendesday:")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: 'wendesday' is not a key I know" in message
    assert "How to fix: did you mean 'wednesday'?" in message


def test_closing_before_opening_is_explained(knowledge_copy: Path):
    line = edit(knowledge_copy, "friday: 09:00-16:30", "friday: 16:30-09:00")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: on friday the closing time (09:00) is not after the opening time" in message
    assert "How to fix: write the opening time first" in message


def test_a_date_that_does_not_exist_is_explained(knowledge_copy: Path):
    line = edit(knowledge_copy, "2026-05-04: Early May bank holiday", "2026-02-30: Early May bank holiday")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: '2026-02-30' is not a real date." in message
    assert "How to fix: write it as year-month-day" in message


def test_a_bank_holiday_at_the_weekend_asks_for_the_substitute_day(knowledge_copy: Path):
    line = edit(knowledge_copy, "2026-12-28: Boxing Day (substitute day)", "2026-12-26: Boxing Day")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: 2026-12-26 is a Saturday." in message
    assert "substitute day" in message and "https://www.gov.uk/bank-holidays" in message


def test_an_unknown_contact_id_is_explained(knowledge_copy: Path):
    line = edit(knowledge_copy, "out_of_hours_contact: essex_out_of_hours", "out_of_hours_contact: essex_out_of_hour")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {line}: 'essex_out_of_hour' is not the id of a contact in crisis.yml." in message
    assert "How to fix: did you mean 'essex_out_of_hours'?" in message


def test_a_wrong_time_zone_and_a_missing_checked_date_are_explained(knowledge_copy: Path):
    zone_line = edit(knowledge_copy, "timezone: Europe/London", "timezone: Europe/Londn")
    checked_line = edit(knowledge_copy, "    checked: 2026-11-24", "    checked: last week")
    message = problems_of(knowledge_copy)
    assert f"office_hours.yml, line {zone_line}: 'Europe/Londn' is not a time zone I know." in message
    assert "How to fix: write timezone: Europe/London" in message
    assert f"office_hours.yml, line {checked_line}: 'checked' is missing or not a date." in message


def test_the_standard_hours_must_be_there(knowledge_copy: Path):
    edit(knowledge_copy, "  standard:", "  colchester:")
    message = problems_of(knowledge_copy)
    assert "there are no hours called 'standard'" in message
    assert "How to fix: add 'standard:' under 'hours:'" in message


def test_a_missing_office_hours_file_is_reported(knowledge_copy: Path):
    (knowledge_copy / "office_hours.yml").unlink()
    message = problems_of(knowledge_copy)
    assert "office_hours.yml: the file is missing." in message


def test_an_impossible_last_reviewed_date_is_explained_not_a_crash(knowledge_copy: Path):
    path = knowledge_copy / "topics" / "housing.yml"
    text = path.read_text()
    old = next(line for line in text.splitlines() if line.startswith("last_reviewed:"))
    path.write_text(text.replace(old, "last_reviewed: 2026-02-30", 1))
    message = problems_of(knowledge_copy)
    assert "housing.yml" in message and "'last_reviewed' is missing or not a date." in message


def test_the_store_reloads_an_office_hours_edit(knowledge_copy: Path):
    store = KnowledgeStore(knowledge_copy)
    assert store.current().office_hours.hours_for("standard").week[4].closes == dt.time(16, 30)
    edit(knowledge_copy, "friday: 09:00-16:30", "friday: 09:00-16:00")
    time.sleep(0.01)
    assert store.current().office_hours.hours_for("standard").week[4].closes == dt.time(16, 0)
