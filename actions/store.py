"""The action server's one database, made and migrated on first use (no I/O at import)."""
from __future__ import annotations

from functools import lru_cache

from bot.settings import load_settings
from bot.store import Database


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(load_settings().database_url).migrate()
