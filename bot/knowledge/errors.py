"""Problems in knowledge files, worded for content editors who are not programmers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Tuple


@dataclass(frozen=True)
class Problem:
    path: Path
    line: Optional[int]
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}\n    How to fix: {self.fix}"


class KnowledgeError(Exception):
    """One or more knowledge files are wrong; `problems` says where and how to fix."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the knowledge files:"
        super().__init__("\n".join([header, *(str(p) for p in self.problems)]))
