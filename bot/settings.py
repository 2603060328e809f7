"""One settings object, read from environment variables with safe local defaults.

Every variable is listed in the README's configuration table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    var_dir: Path
    models_dir: Path
    host: str
    rasa_port: int
    actions_port: int
    web_port: int
    database_url: str
    # Keep message text in the safeguarding log only when a service has decided it needs it.
    log_message_text: bool

    @property
    def spacy_dir(self) -> Path:
        return self.var_dir / "spacy"

    @property
    def secret_key_file(self) -> Path:
        return self.var_dir / "secret.key"

    @property
    def run_dir(self) -> Path:
        return self.var_dir / "run"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}/"


def load_settings() -> Settings:
    var_dir = _path("LIFEPORTAL_VAR_DIR", PROJECT_ROOT / "var")
    return Settings(
        knowledge_dir=_path("LIFEPORTAL_KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"),
        var_dir=var_dir,
        models_dir=_path("LIFEPORTAL_MODELS_DIR", PROJECT_ROOT / "models"),
        host=os.environ.get("LIFEPORTAL_HOST", "127.0.0.1"),
        rasa_port=_int("LIFEPORTAL_RASA_PORT", 5005),
        actions_port=_int("LIFEPORTAL_ACTIONS_PORT", 5055),
        web_port=_int("LIFEPORTAL_WEB_PORT", 8080),
        database_url=os.environ.get("LIFEPORTAL_DATABASE_URL") or f"sqlite:///{var_dir / 'lifeportal.db'}",
        log_message_text=os.environ.get("LIFEPORTAL_LOG_MESSAGE_TEXT", "false").lower() in ("1", "true", "yes"),
    )
