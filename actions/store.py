"""The action server's one database, made and migrated on first use (no I/O at import)."""
from __future__ import annotations

from functools import lru_cache

from bot.settings import load_settings
from bot.store import Database
from bot.store.safeguarding import load_or_create_key


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(load_settings().database_url).migrate()


@lru_cache(maxsize=1)
def pseudonym_key() -> bytes:
    return load_or_create_key(load_settings().secret_key_file)
