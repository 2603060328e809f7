"""The shape of each knowledge file, as pydantic 1.10 models (the version Rasa 3.6 pins).

pydantic checks the shape; `bot.knowledge.explain` turns its errors into plain-English
messages with the file's line and a fix. Cross-file checks (a spelling listed under two
districts, a missing district) stay in the loader.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Union

from pydantic import BaseModel, Extra, StrictStr, conlist, create_model, root_validator, validator
from pydantic.errors import PydanticValueError

from bot.knowledge.model import CRISIS_LEVELS, DISTRICT_IDS, LANGUAGE_PARTS, TOPIC_IDS

MAX_ANSWER_CHARS = 700
MIN_EXAMPLES = 5
PAGE_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class EditorError(PydanticValueError):
    """A problem worded for editors: what is wrong, and how to fix it."""

    code = "editor"
    msg_template = "{message}"

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message=message, fix=fix)


def _folded_text(value: str) -> str:
    """Folded text on one line; a list of '- ' lines keeps its line breaks."""
    if not value.strip():
        raise EditorError("is empty", "write the text after the key (use '>-' and indented lines for long text).")
    return " ".join(value.split()) if "\n- " not in value else value.strip()


def _web_address(value: Optional[str]) -> Optional[str]:
    if value is not None and not value.startswith(("https://", "http://")):
        raise EditorError("should be a web address", "start it with https:// and copy it from the browser's address bar.")
    return value


def _page_date_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    if not PAGE_DATE.match(text):
        raise EditorError(f"'{text}' is not a date I can read",
                          "write the page's own date as year, year-month or year-month-day, like page_date: 2024-03.")
    return text


PageDate = Optional[Union[dt.date, int, StrictStr]]  # the page's own date, where it shows one


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class SourceEntry(_Strict):
    title: StrictStr
    url: StrictStr
    checked: dt.date  # the day someone last read the page
    page_date: PageDate = None

    _text = validator("title", allow_reuse=True)(_folded_text)
    _url = validator("url", allow_reuse=True)(_web_address)

    _page_date = validator("page_date", allow_reuse=True)(_page_date_text)


class VariantEntry(_Strict):
    answer: StrictStr
    sources: conlist(SourceEntry, min_items=1)
    more: Optional[StrictStr] = None
    next_step: Optional[StrictStr] = None

    _text = validator("answer", "more", "next_step", allow_reuse=True)(_folded_text)


# One entry for each of the 13 places, so a missing or misspelt place is named like any key.
ByDistrict = create_model("ByDistrict", __base__=_Strict, **{d: (VariantEntry, ...) for d in DISTRICT_IDS})


class TopicFile(_Strict):
    id: StrictStr
    title: StrictStr
    last_reviewed: dt.date
    answer: StrictStr
    more: StrictStr
    next_step: StrictStr
    sounds_like: StrictStr
    sources: conlist(SourceEntry, min_items=1)
    examples: conlist(StrictStr, min_items=MIN_EXAMPLES)
    by_district: Optional[ByDistrict] = None

    _text = validator("title", "answer", "more", "next_step", "sounds_like", allow_reuse=True)(_folded_text)

    @validator("id")
    def _known_topic(cls, value: str) -> str:
        if value not in TOPIC_IDS:
            raise EditorError(f"'{value}' is not a topic the bot knows",
                              f"use one of: {', '.join(TOPIC_IDS)}. A new topic needs its id added in "
                              "bot/knowledge/model.py, nlu/domain.yml and nlu/data/rules.yml (see knowledge/README.md).")
        return value

    @validator("answer")
    def _short_answer(cls, value: str) -> str:
        if len(value) > MAX_ANSWER_CHARS:
            raise EditorError(f"the first answer is long ({len(value)} characters)",
                              f"keep 'answer' to 2-4 short sentences (under {MAX_ANSWER_CHARS} characters) "
                              "and move the rest to 'more'.")
        return value

    @validator("examples", each_item=True)
    def _example(cls, value: str) -> str:
        if not value.strip():
            raise EditorError("an example question is empty", "write the question after '- ', in quotes if it has a ':' in it.")
        return " ".join(value.split())


class HomelessnessEntry(_Strict):
    phone: Optional[StrictStr] = None
    url: Optional[StrictStr] = None
    source: Optional[StrictStr] = None
    checked: Optional[dt.date] = None  # the day someone last read the source page
    page_date: PageDate = None

    _urls = validator("url", "source", allow_reuse=True)(_web_address)
    _page_date = validator("page_date", allow_reuse=True)(_page_date_text)

    @validator("checked", always=True)
    def _checked_with_source(cls, value: Optional[dt.date], values: Dict[str, Any]) -> Optional[dt.date]:
        if values.get("phone") and not values.get("source"):
            raise EditorError("a homelessness phone number has no source",
                              "add 'source:' with the web page where you found this number.")
        if values.get("source") and value is None:
            raise EditorError("the source has no 'checked' date",
                              "add 'checked:' with the day you last read the source page, like checked: 2026-11-24.")
        return value


class DistrictEntry(_Strict):
    id: StrictStr
    name: StrictStr
    council: Optional[StrictStr] = None
    website: Optional[StrictStr] = None
    aliases: List[Union[StrictStr, int]] = []
    homelessness: HomelessnessEntry = HomelessnessEntry()

    _website = validator("website", allow_reuse=True)(_web_address)

    @validator("id")
    def _known_district(cls, value: str) -> str:
        if value not in DISTRICT_IDS:
            raise EditorError(f"'{value}' is not a district id the bot knows", f"use one of: {', '.join(DISTRICT_IDS)}.")
        return value

    @validator("aliases", each_item=True)
    def _alias(cls, value: Union[str, int]) -> str:
        return " ".join(str(value).lower().split())


class DistrictsFile(_Strict):
    last_reviewed: Optional[dt.date] = None
    districts: conlist(DistrictEntry, min_items=1)


class InterpreterEntry(_Strict):
    """A page saying a caller can ask for an interpreter on this number (copy its words into 'says')."""
    says: StrictStr
    source: StrictStr
    checked: dt.date
    page_date: PageDate = None

    _says = validator("says", allow_reuse=True)(_folded_text)
    _source = validator("source", allow_reuse=True)(_web_address)
    _page_date = validator("page_date", allow_reuse=True)(_page_date_text)


class ContactEntry(_Strict):
    # No age limit field: the bot never knows a young person's age, so who a line is for goes in 'when'.
    id: StrictStr
    name: StrictStr
    number: StrictStr
    how: StrictStr
    when: StrictStr
    levels: conlist(StrictStr, min_items=1)
    source: StrictStr
    checked: dt.date
    page_date: PageDate = None
    interpreter: Optional[InterpreterEntry] = None  # where a page says a caller can ask for an interpreter

    _text = validator("id", "name", "number", "how", "when", allow_reuse=True)(_folded_text)
    _page_date = validator("page_date", allow_reuse=True)(_page_date_text)
    _source = validator("source", allow_reuse=True)(_web_address)

    @validator("levels", each_item=True)
    def _level(cls, value: str) -> str:
        if value not in CRISIS_LEVELS:
            raise EditorError(f"'{value}' is not a level", "write levels: [emergency] or levels: [urgent] or both.")
        return value


class CrisisFile(_Strict):
    last_reviewed: Optional[dt.date] = None
    contacts: conlist(ContactEntry, min_items=1)


PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


class TranslationEntry(_Strict):
    """Words in another language and what they say in English, from one of three origins:
    a published translation (publisher, source, checked), a translator's check (translator, reviewed),
    or a draft awaiting a translator's review (drafted_by, drafted)."""
    text: StrictStr
    english: StrictStr       # what it says, for editors and the adviser
    publisher: Optional[StrictStr] = None
    source: Optional[StrictStr] = None
    checked: Optional[dt.date] = None
    page_date: PageDate = None
    translator: Optional[StrictStr] = None
    reviewed: Optional[dt.date] = None
    drafted_by: Optional[StrictStr] = None
    drafted: Optional[dt.date] = None

    _source = validator("source", allow_reuse=True)(_web_address)
    _page_date = validator("page_date", allow_reuse=True)(_page_date_text)

    @root_validator(skip_on_failure=True)
    def _one_origin(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        origins = {
            "published": ("publisher", "source", "checked"),
            "reviewed": ("translator", "reviewed"),
            "draft": ("drafted_by", "drafted"),
        }
        present = [name for name, keys in origins.items() if any(values.get(k) is not None for k in keys)]
        if len(present) != 1:
            raise EditorError(
                "should say where its words come from, in one way",
                "give publisher, source and checked (a published translation), or translator and reviewed "
                "(a translator checked it), or drafted_by and drafted (a draft awaiting a translator's review).")
        missing = [k for k in origins[present[0]] if values.get(k) is None]
        if missing:
            raise EditorError(f"has no '{missing[0]}'", f"add '{missing[0]}:' under it, like the other parts of the file.")
        if present[0] != "published" and re.search(r"\d", PLACEHOLDER.sub("", values["text"])):
            raise EditorError("has a number written in it",
                              "write phone numbers as a name in braces, like {samaritans}, so the number always "
                              "comes from crisis.yml.")
        if sorted(PLACEHOLDER.findall(values["text"])) != sorted(PLACEHOLDER.findall(values["english"])):
            raise EditorError("has different {names} in 'text' and 'english'",
                              "use the same names in braces in both, like {emergency_services}.")
        return values


# What the bot can say in one language: every part in model.LANGUAGE_PARTS (what each says is
# described there and in languages.yml's header), each optional: a missing part is said in English only.
LanguageEntry = create_model("LanguageEntry", __base__=_Strict,
                             **{part: (Optional[TranslationEntry], None) for part in LANGUAGE_PARTS})


class LanguagesFile(_Strict):
    last_reviewed: Optional[dt.date] = None
    languages: Dict[StrictStr, LanguageEntry] = {}

    @validator("languages")
    def _known_languages(cls, value: Dict[str, LanguageEntry]) -> Dict[str, LanguageEntry]:
        from bot.language import LANGUAGE_NAMES

        unknown = [code for code in value if code not in LANGUAGE_NAMES or code == "en"]
        if unknown:
            raise EditorError(f"'{unknown[0]}' is not a language code the bot knows",
                              f"use one of: {', '.join(c for c in LANGUAGE_NAMES if c != 'en')}.")
        return value
