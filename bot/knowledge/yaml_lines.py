"""Read YAML while remembering the line of every key, so errors can name the line."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import yaml

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


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key}' appears twice", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            # Looks like a date but isn't one (like 2026-02-30): keep the text so the loader can explain.
            return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence)


def read_yaml(path: Path) -> Any:
    """Parse one file; a syntax error becomes a KnowledgeError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError([Problem(path, None, "the file is not plain text (UTF-8).",
                                      "Save it again as UTF-8 text from your editor.")])
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line: Optional[int] = mark.line + 1 if mark else None
        detail = error.problem or str(error)
        raise KnowledgeError([Problem(path, line, f"the file can't be read as YAML ({detail}).", _yaml_fix(detail))])


def _yaml_fix(detail: str) -> str:
    if "mapping values are not allowed" in detail:
        return ("a line has a second ': ' in it. Put the whole text in quotes, "
                "or start the text on its own line after '>-'.")
    if "appears twice" in detail:
        return "remove or rename one of the two keys."
    if "indent" in detail or "expected <block end>" in detail:
        return "check the spaces at the start of this line match the lines around it (use spaces, not tabs)."
    if "found character '\\t'" in detail:
        return "replace the tab at the start of the line with spaces."
    return "compare this line with the same part of another topic file that works."
