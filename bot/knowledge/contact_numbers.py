"""One place for each helpline number: topic texts write `{number:samaritans}`, filled from crisis.yml.

So a number an editor changes in crisis.yml is what every answer says, not only the crisis
reply. A crisis number typed out in a topic file is a problem with a fix: it would not change
when crisis.yml does.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from bot.knowledge.errors import Problem
from bot.knowledge.model import CrisisContact, Topic

PLACEHOLDER = re.compile(r"\{number:([a-z0-9_]+)\}")
# Short numbers (999, 111) are too common in other text to flag when typed out.
MIN_DIGITS_TO_FLAG = 5


def fill(text: Optional[str], numbers: Mapping[str, str]) -> Optional[str]:
    if text is None:
        return None
    return PLACEHOLDER.sub(lambda m: numbers.get(m.group(1), m.group(0)), text)


def fill_topics(topics: Mapping[str, Topic], contacts: Sequence[CrisisContact]) -> Dict[str, Topic]:
    numbers = {c.id: c.number for c in contacts}

    def filled(item):
        return dataclasses.replace(item, **{key: fill(getattr(item, key), numbers)
                                            for key in ("answer", "more", "next_step")})

    return {topic_id: dataclasses.replace(filled(topic), by_district={
        district: filled(variant) for district, variant in topic.by_district.items()})
        for topic_id, topic in topics.items()}


def check_topic_files(directory: Path, contacts: Sequence[CrisisContact]) -> List[Problem]:
    """Placeholders that name no contact, and contact numbers typed out instead of a placeholder."""
    ids = {c.id for c in contacts}
    typed = {c.number: c for c in contacts if sum(ch.isdigit() for ch in c.number) >= MIN_DIGITS_TO_FLAG}
    problems: List[Problem] = []
    for path in sorted(directory.glob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
            if text.lstrip().startswith(("url:", "- title:", "title:")):
                continue
            for match in PLACEHOLDER.finditer(text):
                if match.group(1) not in ids:
                    problems.append(Problem(path, number, f"'{match.group(0)}' names no contact in crisis.yml.",
                                            f"use one of: {', '.join(sorted(ids))}."))
            for digits, contact in typed.items():
                if re.search(rf"(?<!\d){re.escape(digits)}(?!\d)", text):
                    problems.append(Problem(path, number, f"{digits} (the number for {contact.name}) is typed out.",
                                            f"write {{number:{contact.id}}} instead, so it changes when crisis.yml does."))
    return problems
