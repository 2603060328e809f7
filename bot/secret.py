"""Secrets kept in var/ (readable by the owner only) unless the operator sets them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def read_or_create_secret(path: Path, configured: str = "") -> str:
    if configured:
        return configured
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def rasa_token(settings: "Settings") -> str:
    """The token Rasa's HTTP API asks for (LIFEPORTAL_RASA_TOKEN, or a random one in var/rasa.token)."""
    return read_or_create_secret(settings.rasa_token_file, settings.rasa_token_value)
