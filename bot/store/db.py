"""One engine per process and a session per unit of work; the schema comes only from migrations."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def migrate(engine: Engine) -> None:
    """Bring the schema up to date (Alembic `upgrade head`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The gateway, the action server and Rasa's tracker store share one file: let readers and
    # a writer work side by side, and wait for a lock rather than fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        options = {"pool_pre_ping": True}
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            # Keep SQLite connections open (SQLAlchemy 1.4 would open the file afresh for every
            # unit of work, which cost about 4 ms a message in the gateway).
            options = {"connect_args": {"timeout": 15, "check_same_thread": False}, "poolclass": QueuePool,
                       "pool_size": 5, "max_overflow": 10}
        self.url = url
        self.engine: Engine = create_engine(url, future=True, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    def migrate(self) -> "Database":
        migrate(self.engine)
        return self

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Commit on success, roll back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()
