"""Keeps the knowledge base current: reloads when a file changes, keeps the last good copy if an edit is wrong."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional, Tuple

from bot.knowledge.errors import KnowledgeError
from bot.knowledge.loader import knowledge_files, load_knowledge
from bot.knowledge.model import KnowledgeBase

logger = logging.getLogger(__name__)

Signature = Tuple[Tuple[str, int, int], ...]


class KnowledgeStore:
    """`current()` is cheap (a stat per file); edits are picked up on the next message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._signature: Optional[Signature] = None
        self._knowledge: Optional[KnowledgeBase] = None
        self.last_error: Optional[KnowledgeError] = None

    def _signature_now(self) -> Signature:
        files = knowledge_files(self.directory)
        return tuple(
            (str(path), stat.st_mtime_ns, stat.st_size)
            for path in files
            if path.exists() and (stat := path.stat())
        )

    def current(self) -> KnowledgeBase:
        """The knowledge as it is on disk now, or the last good version if the files are broken."""
        signature = self._signature_now()
        with self._lock:
            if signature != self._signature:
                self._reload(signature)
            if self._knowledge is None:
                assert self.last_error is not None
                raise self.last_error
            return self._knowledge

    def _reload(self, signature: Signature) -> None:
        try:
            self._knowledge = load_knowledge(self.directory)
            self.last_error = None
            logger.info("knowledge loaded from %s", self.directory)
        except KnowledgeError as error:
            # An editor's mistake must not take the bot down: keep answering from the last good files.
            self.last_error = error
            logger.error("knowledge files have problems; still using the last good version\n%s", error)
        self._signature = signature
