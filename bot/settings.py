"""One settings object, read from environment variables with safe local defaults.

Every variable is listed in the README's configuration table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Rasa and the action server are private: they listen on loopback whatever the gateway's host.
LOOPBACK = "127.0.0.1"


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    var_dir: Path
    models_dir: Path
    host: str                  # where the gateway listens (the only port a person reaches)
    rasa_port: int
    actions_port: int
    web_port: int              # the gateway's port
    database_url: str
    # Keep message text in the safeguarding log only when a service has decided it needs it.
    log_message_text: bool
    public_url: str            # the address people use, e.g. behind a reverse proxy; "" = the local one
    turn_timeout: float        # seconds before a young person is told the bot is having trouble
    late_timeout: float        # seconds the gateway still waits for a late answer before keeping it for retry
    keep_minutes: int          # how long a kept message waits for the service to come back
    session_hours: float       # after this long without a message, a new session starts (district kept)
    rate_per_minute: int
    max_message_chars: int
    quick_exit_url: str
    rasa_token_value: str      # "" = a random token kept in var/rasa.token
    # Escalation to a person (the adviser inbox and its notifications).
    smtp_host: str             # "" = no mail server: notifications are written to var/mail/ instead
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    claim_timeout_minutes: int  # an unclaimed request after this long: the young person is told honestly
    escalations_per_hour: int   # requests one conversation may open in an hour
    gaps_retention_days: int    # unanswered questions (redacted) are deleted after this many days
    draft_translations: bool    # show translations awaiting a translator's review (never in a crisis reply)
    # Telegram (off unless a bot token is set).
    telegram_bot_token: str
    telegram_api_base_url: str  # python-telegram-bot's base_url form, e.g. http://127.0.0.1:8081/bot
    telegram_webhook_secret: str  # set: webhook mode on the gateway's own server; empty: long polling

    def as_env(self) -> dict:
        """These settings as environment variables, so that a child process reads exactly them."""
        return {name: str(getattr(self, field)).lower() if isinstance(getattr(self, field), bool)
                else str(getattr(self, field)) for field, name in ENV_NAMES.items()}

    @property
    def spacy_dir(self) -> Path:
        return self.var_dir / "spacy"

    @property
    def secret_key_file(self) -> Path:
        return self.var_dir / "secret.key"

    @property
    def rasa_token_file(self) -> Path:
        return self.var_dir / "rasa.token"

    @property
    def run_dir(self) -> Path:
        return self.var_dir / "run"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def inbox_url(self) -> str:
        return self.web_url + "inbox/"

    @property
    def rasa_url(self) -> str:
        return f"http://{LOOPBACK}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{LOOPBACK}:{self.actions_port}/webhook"

    @property
    def actions_health_url(self) -> str:
        return f"http://{LOOPBACK}:{self.actions_port}/health"

    @property
    def web_url(self) -> str:
        """The address to open: the public one when set, else the gateway's own."""
        if self.public_url:
            return self.public_url.rstrip("/") + "/"
        host = LOOPBACK if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.web_port}/"

    @property
    def allowed_origins(self) -> frozenset:
        """Origins whose pages may open the live connection (protects against cross-site websockets)."""
        origins = {f"http://{LOOPBACK}:{self.web_port}", f"http://localhost:{self.web_port}",
                   f"http://{self.host}:{self.web_port}"}
        if self.public_url:
            parts = urlsplit(self.public_url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
        return frozenset(origins)


ENV_NAMES = {
    "knowledge_dir": "LIFEPORTAL_KNOWLEDGE_DIR", "var_dir": "LIFEPORTAL_VAR_DIR", "models_dir": "LIFEPORTAL_MODELS_DIR",
    "host": "LIFEPORTAL_HOST", "rasa_port": "LIFEPORTAL_RASA_PORT", "actions_port": "LIFEPORTAL_ACTIONS_PORT",
    "web_port": "LIFEPORTAL_WEB_PORT", "database_url": "LIFEPORTAL_DATABASE_URL",
    "log_message_text": "LIFEPORTAL_LOG_MESSAGE_TEXT", "public_url": "LIFEPORTAL_PUBLIC_URL",
    "turn_timeout": "LIFEPORTAL_TURN_TIMEOUT", "late_timeout": "LIFEPORTAL_LATE_TIMEOUT",
    "keep_minutes": "LIFEPORTAL_KEEP_MINUTES", "session_hours": "LIFEPORTAL_SESSION_HOURS",
    "rate_per_minute": "LIFEPORTAL_RATE_PER_MINUTE", "max_message_chars": "LIFEPORTAL_MAX_MESSAGE_CHARS",
    "quick_exit_url": "LIFEPORTAL_QUICK_EXIT_URL", "rasa_token_value": "LIFEPORTAL_RASA_TOKEN",
    "smtp_host": "LIFEPORTAL_SMTP_HOST", "smtp_port": "LIFEPORTAL_SMTP_PORT", "smtp_user": "LIFEPORTAL_SMTP_USER",
    "smtp_password": "LIFEPORTAL_SMTP_PASSWORD", "smtp_starttls": "LIFEPORTAL_SMTP_STARTTLS",
    "mail_from": "LIFEPORTAL_MAIL_FROM", "claim_timeout_minutes": "LIFEPORTAL_CLAIM_TIMEOUT_MINUTES",
    "escalations_per_hour": "LIFEPORTAL_ESCALATIONS_PER_HOUR", "gaps_retention_days": "LIFEPORTAL_GAPS_RETENTION_DAYS",
    "draft_translations": "LIFEPORTAL_DRAFT_TRANSLATIONS",
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN", "telegram_api_base_url": "TELEGRAM_API_BASE_URL",
    "telegram_webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
}


def load_settings() -> Settings:
    var_dir = _path("LIFEPORTAL_VAR_DIR", PROJECT_ROOT / "var")
    return Settings(
        knowledge_dir=_path("LIFEPORTAL_KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"),
        var_dir=var_dir,
        models_dir=_path("LIFEPORTAL_MODELS_DIR", PROJECT_ROOT / "models"),
        host=os.environ.get("LIFEPORTAL_HOST", LOOPBACK),
        rasa_port=_int("LIFEPORTAL_RASA_PORT", 5005),
        actions_port=_int("LIFEPORTAL_ACTIONS_PORT", 5055),
        web_port=_int("LIFEPORTAL_WEB_PORT", 8080),
        database_url=os.environ.get("LIFEPORTAL_DATABASE_URL") or f"sqlite:///{var_dir / 'lifeportal.db'}",
        log_message_text=_bool("LIFEPORTAL_LOG_MESSAGE_TEXT", False),
        public_url=os.environ.get("LIFEPORTAL_PUBLIC_URL", ""),
        turn_timeout=_float("LIFEPORTAL_TURN_TIMEOUT", 6.0),
        late_timeout=_float("LIFEPORTAL_LATE_TIMEOUT", 120.0),
        keep_minutes=_int("LIFEPORTAL_KEEP_MINUTES", 60),
        session_hours=_float("LIFEPORTAL_SESSION_HOURS", 4.0),
        rate_per_minute=_int("LIFEPORTAL_RATE_PER_MINUTE", 20),
        max_message_chars=_int("LIFEPORTAL_MAX_MESSAGE_CHARS", 2000),
        quick_exit_url=os.environ.get("LIFEPORTAL_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather"),
        rasa_token_value=os.environ.get("LIFEPORTAL_RASA_TOKEN", ""),
        smtp_host=os.environ.get("LIFEPORTAL_SMTP_HOST", ""),
        smtp_port=_int("LIFEPORTAL_SMTP_PORT", 25),
        smtp_user=os.environ.get("LIFEPORTAL_SMTP_USER", ""),
        smtp_password=os.environ.get("LIFEPORTAL_SMTP_PASSWORD", ""),
        smtp_starttls=_bool("LIFEPORTAL_SMTP_STARTTLS", False),
        mail_from=os.environ.get("LIFEPORTAL_MAIL_FROM", "lifeportal-bot@localhost"),
        claim_timeout_minutes=_int("LIFEPORTAL_CLAIM_TIMEOUT_MINUTES", 60),
        escalations_per_hour=_int("LIFEPORTAL_ESCALATIONS_PER_HOUR", 3),
        gaps_retention_days=_int("LIFEPORTAL_GAPS_RETENTION_DAYS", 90),
        draft_translations=_bool("LIFEPORTAL_DRAFT_TRANSLATIONS", True),
        telegram_bot_token=os.environ.get("TELEGRAM_BOT_TOKEN", ""),
        telegram_api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET", ""),
    )
