"""Turn pydantic's errors into messages an editor can act on: file, line, what is wrong, how to fix."""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple, Type, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import MAPPING_LIKE_SHAPES

from bot.knowledge.errors import Problem
from bot.knowledge.yaml_lines import LineDict, LineList

Loc = Tuple[Any, ...]
Model = TypeVar("Model", bound=BaseModel)

DATE_FIXES = {
    "last_reviewed": "write the date you checked the facts as year-month-day, like last_reviewed: 2026-11-23.",
    "checked": "write the day you last read the page as year-month-day, like checked: 2026-11-24.",
}


def validate(model: Type[Model], data: Any, path: Path, name: Callable[[Loc], str]) -> Tuple[Optional[Model], List[Problem]]:
    """The file's data as `model`, or None and a problem for each error. `name` says what a
    location is called for an editor ("the topic", "source 2 of the basildon answer")."""
    try:
        return model.parse_obj(data), []
    except ValidationError as error:
        return None, [_problem(model, e, data, path, name) for e in error.errors()]


def _walk(data: Any, loc: Loc) -> Tuple[Any, Any, int]:
    """(the mapping or list holding the last step, the value there or None, the best line)."""
    parent, value, line = None, data, getattr(data, "line", 1)
    for step in loc:
        parent = value
        if isinstance(value, LineDict) and step in value:
            line, value = value.line_of(step), value[step]
        elif isinstance(value, LineList) and isinstance(step, int) and step < len(value):
            line, value = value.line_of(step), value[step]
        else:
            return parent, None, getattr(parent, "line", line)
    return parent, value, line


def _problem(model: Type[BaseModel], error: dict, data: Any, path: Path, name: Callable[[Loc], str]) -> Problem:
    loc: Loc = tuple(step for step in error["loc"] if step != "__root__")
    kind, ctx = error["type"], error.get("ctx") or {}
    key = str(loc[-1]) if loc else ""
    # For a key's own problem, "what" is the thing holding the key; for a list item, the item itself.
    holder = loc[:-1] if loc and not isinstance(loc[-1], int) else loc
    what = name(holder)
    parent, value, line = _walk(data, loc)

    def problem(message: str, fix: str, at: Optional[int] = None) -> Problem:
        return Problem(path, at if at is not None else line, message, fix)

    if kind == "value_error.editor":
        subject = f"'{key}'" if key and not isinstance(loc[-1], int) else what
        message = ctx["message"]
        if message.startswith(("is ", "should ")):
            message = f"{subject} in {what} {message}" if subject != what else f"{what} {message}"
        return problem(f"{message}.", ctx["fix"])
    if key in DATE_FIXES and (kind.startswith("value_error.date") or kind.startswith("type_error.date")
                              or kind == "value_error.missing"):
        return problem(f"'{key}' is missing or not a date.", DATE_FIXES[key])
    if kind == "value_error.missing":
        if holder and holder[-1] == "by_district":
            return problem(f"'by_district' has no answer for '{key}'.",
                           f"add '{key}:' under 'by_district' with its own 'answer' and 'sources'.")
        return problem(f"{what} has no '{key}'.", f"add a line '{key}: ...' to {what}.")
    if kind == "value_error.extra":
        known = list(getattr(_model_at(model, holder), "__fields__", {}))
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"the keys {what} can have are: {', '.join(known)}."
        return problem(f"'{key}' is not a key I know in {what}.", hint)
    if kind == "value_error.list.min_items":
        if key == "examples":
            return problem(f"the topic needs at least {ctx['limit_value']} example questions.",
                           "add lines under 'examples:' like '  - do i have to pay council tax'.")
        return problem(f"{what} has no {key}.", f"add '{key}:' with at least one entry (see another file that works).")
    if kind == "type_error.str" or kind == "type_error.none.not_allowed":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return problem(f"'{key}' is a number, but it should be text.", f"put the value in quotes, like {key}: \"{value}\".")
        return problem(f"'{key}' in {what} is empty or not text.",
                       f"write the text after '{key}:' (use '{key}: >-' and indented lines for long text).")
    if kind in ("type_error.dict", "type_error.list"):
        shape = "a set of 'key: value' lines" if kind == "type_error.dict" else "a list of lines starting with '- '"
        return problem(f"{name(loc)} should be {shape}.", "indent the lines under it by two spaces (compare with another file).")
    return problem(f"{name(loc)}: {error['msg']}.", "compare this part with the same part of a file that works.")


def _model_at(model: Optional[Type[BaseModel]], loc: Loc) -> Optional[Type[BaseModel]]:
    """The model that validates the part of a file at `loc` (list positions are skipped)."""
    mapping_key = False  # the step after a mapping field is its key (a language code), not a field
    for step in loc:
        if model is None or isinstance(step, int) or mapping_key:
            mapping_key = False
            continue
        field = model.__fields__.get(str(step))
        inner = field.type_ if field is not None else None
        mapping_key = field is not None and field.shape in MAPPING_LIKE_SHAPES
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return model
