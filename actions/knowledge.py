"""The action server's one knowledge store, made on first use (no I/O at import)."""
from __future__ import annotations

from functools import lru_cache

from bot.knowledge import KnowledgeStore
from bot.settings import load_settings


@lru_cache(maxsize=1)
def knowledge_store() -> KnowledgeStore:
    return KnowledgeStore(load_settings().knowledge_dir)
