"""The store: the repositories over one database, opened and migrated in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from moderation_bot.storage import privacy
from moderation_bot.storage.cases import CaseRepository
from moderation_bot.storage.communities import CommunityRepository
from moderation_bot.storage.database import Database
from moderation_bot.storage.feedback import FeedbackRepository
from moderation_bot.storage.migrate import migrate
from moderation_bot.storage.outbox import OutboxRepository
from moderation_bot.storage.state import StateRepository
from moderation_bot.storage.verdicts import VerdictRepository


class UnsupportedDatabase(ValueError):
    """The database URL names an engine this build cannot open."""


@dataclass(frozen=True)
class Store:
    db: Database
    communities: CommunityRepository
    verdicts: VerdictRepository
    cases: CaseRepository
    outbox: OutboxRepository
    state: StateRepository
    feedback: FeedbackRepository

    def transaction(self):  # type: ignore[no-untyped-def]
        """``async with store.transaction():`` makes the repository calls inside atomic."""
        return self.db.transaction()

    async def delete_user_data(self, platform: str, user_id: str) -> int:
        return await privacy.delete_user_data(self.db, platform, user_id)

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        return await privacy.delete_community_data(self.db, platform, community_id)

    async def purge_expired_text(self, now: datetime) -> int:
        return await privacy.purge_expired_text(self.db, now)


def sqlite_path(database_url: str) -> Path | str:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``sqlite://:memory:`` or a path."""
    if database_url.startswith("sqlite://"):
        rest = database_url.removeprefix("sqlite://")
        if rest in (":memory:", "/:memory:"):
            return ":memory:"
        return Path(rest[1:] if rest.startswith("/") else rest)
    if "://" in database_url:
        scheme = database_url.split("://", 1)[0]
        raise UnsupportedDatabase(
            f"database URL scheme '{scheme}' is not supported yet; use sqlite:///PATH"
        )
    return Path(database_url)


@asynccontextmanager
async def open_store(database_url: str) -> AsyncIterator[Store]:
    """Open (creating if needed) and migrate the database, and close it on exit."""
    db = await Database.open(sqlite_path(database_url))
    try:
        await migrate(db)
        yield Store(
            db=db,
            communities=CommunityRepository(db),
            verdicts=VerdictRepository(db),
            cases=CaseRepository(db),
            outbox=OutboxRepository(db),
            state=StateRepository(db),
            feedback=FeedbackRepository(db),
        )
    finally:
        await db.close()
