"""Storage: one SQLite database behind small repositories, written in explicit transactions."""

from moderation_bot.storage.store import Store, open_store

__all__ = ["Store", "open_store"]
