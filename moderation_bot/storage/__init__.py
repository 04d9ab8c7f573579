"""Storage: small repositories over one database (SQLite embedded, or PostgreSQL to scale out),
written in explicit transactions."""

from moderation_bot.storage.database import DatabaseUnavailable, IntegrityError
from moderation_bot.storage.store import Store, UnsupportedDatabase, open_store

__all__ = ["DatabaseUnavailable", "IntegrityError", "Store", "UnsupportedDatabase", "open_store"]
