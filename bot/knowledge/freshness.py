"""When was each source last checked? Warn at 6 months, fail `check-knowledge` at 12.

A source's `checked:` is the day someone last read the page; its `page_date:` (optional) is the
page's own date. Only `checked` ages: an old page that was read last week is still what it says.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from bot.knowledge.yaml_lines import LineDict, LineList, read_yaml

WARN_AFTER_DAYS = 183   # about 6 months
FAIL_AFTER_DAYS = 365   # 12 months


@dataclass(frozen=True)
class StaleSource:
    file: str
    line: int
    url: str
    checked: dt.date
    age_days: int

    @property
    def too_old(self) -> bool:
        return self.age_days >= FAIL_AFTER_DAYS

    def __str__(self) -> str:
        months = self.age_days * 12 // 365
        return (f"{self.file}, line {self.line}: {self.url} was last checked on {self.checked:%d %B %Y}, "
                f"{months} months ago.\n    How to fix: open the page, check every fact this file takes from it, "
                "then change 'checked:' to today's date (or fix the facts and the source).")


def _sources(data: object) -> Iterator[Tuple[int, str, dt.date]]:
    """(line, url, checked) for every source anywhere in a file, in file order."""
    if isinstance(data, LineDict):
        checked = data.get("checked")
        url = data.get("url") if "title" in data else data.get("source")
        if isinstance(checked, dt.date) and isinstance(url, str):
            yield data.line_of("checked"), url, checked
        for value in data.values():
            yield from _sources(value)
    elif isinstance(data, LineList):
        for item in data:
            yield from _sources(item)


def stale_sources(knowledge_dir: Path, today: Optional[dt.date] = None) -> List[StaleSource]:
    """Sources last checked 6 months ago or more (12 months or more: `too_old`)."""
    today = today or dt.date.today()
    paths = sorted((knowledge_dir / "topics").glob("*.yml")) + [
        knowledge_dir / name for name in ("districts.yml", "crisis.yml", "office_hours.yml", "languages.yml")]
    found: List[StaleSource] = []
    for path in paths:
        if not path.exists():
            continue
        for line, url, checked in _sources(read_yaml(path)):
            age = (today - checked).days
            if age >= WARN_AFTER_DAYS:
                found.append(StaleSource(str(path.relative_to(knowledge_dir)), line, url, checked, age))
    return found
