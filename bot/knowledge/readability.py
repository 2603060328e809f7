"""Is every answer easy to read? Flesch reading ease per text, with file and line for editors.

textstat 0.7.3 counts syllables with pyphen's bundled dictionaries, so it works offline (later
textstat versions fetch NLTK's cmudict on first use, which can't happen here).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Tuple

from bot.knowledge.yaml_lines import LineDict, read_yaml

# Below this, most 11-year-olds find a text hard ("fairly difficult" on Flesch's scale).
MIN_READING_EASE = 60.0
CHECKED_KEYS = ("answer", "more", "next_step")


@dataclass(frozen=True)
class HardText:
    file: str
    line: int
    where: str
    score: float

    def __str__(self) -> str:
        return (f"{self.file}, line {self.line}: {self.where} is hard to read (Flesch reading ease "
                f"{self.score:.0f}, aim for {MIN_READING_EASE:.0f} or more).\n"
                "    How to fix: use shorter sentences and everyday words; one idea a sentence.")


def reading_ease(text: str) -> float:
    import textstat

    # A web address is tapped, not read, and a {number:...} is a phone number: one short word each.
    text = re.sub(r"(https?://|www\.)\S+", "link", text)
    text = re.sub(r"\{number:\w+\}", "number", text)
    # Bullet dashes and line breaks end sentences for a reader, so they do for the formula too.
    sentences = [line.strip(" -•") for line in text.splitlines() if line.strip(" -•")]
    prose = " ".join(s if s.endswith((".", "!", "?", ":")) else s + "." for s in sentences)
    return float(textstat.flesch_reading_ease(prose))


def _texts(data: LineDict) -> Iterator[Tuple[str, int, str]]:
    for key in CHECKED_KEYS:
        if isinstance(data.get(key), str):
            yield f"'{key}'", data.line_of(key), data[key]
    variants = data.get("by_district")
    if isinstance(variants, dict):
        for district, variant in variants.items():
            if isinstance(variant, LineDict):
                for key in CHECKED_KEYS:
                    if isinstance(variant.get(key), str):
                        yield f"'{key}' for {district}", variant.line_of(key), variant[key]


def hard_texts(knowledge_dir: Path) -> List[HardText]:
    """Every answer, 'tell me more' and next step under the reading-ease aim, in file order."""
    found: List[HardText] = []
    for path in sorted((knowledge_dir / "topics").glob("*.yml")):
        data = read_yaml(path)
        if not isinstance(data, LineDict):
            continue
        for where, line, text in _texts(data):
            score = reading_ease(text)
            if score < MIN_READING_EASE:
                found.append(HardText(f"topics/{path.name}", line, where, score))
    return found
