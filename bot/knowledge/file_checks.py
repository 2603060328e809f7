"""Typed reads of one knowledge file with the hand-written checks office_hours.yml still uses.

Topic, district and crisis files are checked by the pydantic schema (bot.knowledge.schema);
office_hours.yml has checks of its own (time zones, bank holidays on weekdays) written with these.
"""
from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from bot.knowledge.errors import KnowledgeError, Problem
from bot.knowledge.model import Source
from bot.knowledge.yaml_lines import LineDict, LineList, read_yaml


class CheckedFile:
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
