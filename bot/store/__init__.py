"""The store: SQLAlchemy models, one engine, a session per unit of work, schema from Alembic."""
from bot.store.db import Database

__all__ = ["Database"]
