"""Read YAML with ruamel.yaml, keeping the line of every key, so errors can name the line.

ruamel.yaml (already a Rasa dependency) records where each key and list item starts; this
module copies that into plain dicts and lists that answer `line_of`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from bot.knowledge.errors import KnowledgeError, Problem


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: Dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            # Looks like a date but isn't one (like 2026-02-30): keep the text so the loader can explain.
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _parser() -> YAML:
    parser = YAML(typ="rt")
    parser.Constructor = _Constructor
    return parser


def _with_lines(value: Any, line: int) -> Any:
    """Copy ruamel's nodes into LineDict/LineList (0-based lines become 1-based)."""
    if isinstance(value, CommentedMap):
        result = LineDict()
        result.line = line
        result.key_lines = {}
        for key, item in value.items():
            key_line = value.lc.key(key)[0] + 1
            result.key_lines[key] = key_line
            result[key] = _with_lines(item, key_line)
        return result
    if isinstance(value, CommentedSeq):
        result = LineList()
        result.line = line
        result.item_lines = [value.lc.item(index)[0] + 1 for index in range(len(value))]
        result.extend(_with_lines(item, result.item_lines[index]) for index, item in enumerate(value))
        return result
    if isinstance(value, str):
        return str(value)  # ruamel's scalar string types behave as str; keep plain ones
    return value


def read_yaml(path: Path) -> Any:
    """Parse one file; a syntax error becomes a KnowledgeError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError([Problem(path, None, "the file is not plain text (UTF-8).",
                                      "Save it again as UTF-8 text from your editor.")])
    try:
        data = _parser().load(text)
    except DuplicateKeyError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise KnowledgeError([Problem(path, line, "a key appears twice.", "remove or rename one of the two keys.")])
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line: Optional[int] = mark.line + 1 if mark else None
        detail = error.problem or str(error)
        raise KnowledgeError([Problem(path, line, f"the file can't be read as YAML ({detail}).", _yaml_fix(detail))])
    return _with_lines(data, 1)


def _yaml_fix(detail: str) -> str:
    if "mapping values are not allowed" in detail:
        return ("a line has a second ': ' in it. Put the whole text in quotes, "
                "or start the text on its own line after '>-'.")
    if "found character '\\t'" in detail:
        return "replace the tab at the start of the line with spaces."
    if "indent" in detail or "expected <block end>" in detail:
        return "check the spaces at the start of this line match the lines around it (use spaces, not tabs)."
    return "compare this line with the same part of another topic file that works."
