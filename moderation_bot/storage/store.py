"""The store: the repositories over one database, opened and migrated in one place.

The database URL chooses the engine: ``sqlite:///PATH`` (the embedded default) or
``postgresql://`` / ``postgres://`` (scale-out, needs the ``asyncpg`` package).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
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
from moderation_bot.storage.sqlite_database import SqliteDatabase
from moderation_bot.storage.state import StateRepository
from moderation_bot.storage.verdicts import VerdictRepository

POSTGRES_SCHEMES = ("postgresql", "postgres")
CAMPAIGN_LOCK_CLASS = 0x6362  # first key of campaign advisory locks: any constant of our own


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

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """``async with store.transaction():`` makes the repository calls inside atomic."""
        return self.db.transaction()

    async def lock_sender(self, platform: str, community_id: str, sender_id: str) -> None:
        """Inside a transaction: serialise decisions about one sender across processes, so two
        workers cannot lose each other's risk updates. SQLite has one writer anyway."""
        if self.db.dialect == "postgresql":
            await self.db.fetchone("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
                                   (f"{platform}:{community_id}:{sender_id}",))

    async def lock_campaign(self, platform: str, community_id: str, bands: tuple[str, ...]) -> None:
        """Inside a transaction, after :meth:`lock_sender`: serialise writers of one campaign
        (messages sharing a fingerprint band) across processes, so that they count each other
        and join one case. Locks are taken in one order, in their own key space (two-key
        advisory locks), so they cannot deadlock with each other or with sender locks."""
        if self.db.dialect == "postgresql" and bands:
            keys = sorted({f"{platform}:{community_id}:{band}" for band in bands})
            await self.db.fetchall(
                f"SELECT pg_advisory_xact_lock({CAMPAIGN_LOCK_CLASS}, k) FROM (SELECT DISTINCT"
                " hashtext(b) AS k FROM unnest(?::text[]) AS b) AS keys ORDER BY k",
                (keys,),
            )

    async def delete_user_data(self, platform: str, user_id: str) -> int:
        return await privacy.delete_user_data(self.db, platform, user_id)

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        return await privacy.delete_community_data(self.db, platform, community_id)

    async def purge_expired_text(self, now: datetime) -> int:
        return await privacy.purge_expired_text(self.db, now)


def url_scheme(database_url: str) -> str:
    """The engine part of a database URL, lower-case; ``""`` for a bare file path."""
    return database_url.split("://", 1)[0].lower() if "://" in database_url else ""


def sqlite_path(database_url: str) -> Path | str:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``sqlite://:memory:`` or a path."""
    if database_url.startswith("sqlite://"):
        rest = database_url.removeprefix("sqlite://")
        if rest in (":memory:", "/:memory:"):
            return ":memory:"
        return Path(rest[1:] if rest.startswith("/") else rest)
    if "://" in database_url:
        raise UnsupportedDatabase(
            f"database URL scheme '{url_scheme(database_url)}' is not supported; use"
            " sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"
        )
    return Path(database_url)


async def open_database(database_url: str, *, pool_size: int = 10) -> Database:
    """Connect to the engine the URL names (not migrated yet). ``pool_size`` caps a PostgreSQL
    process's connections; SQLite has one writer and ignores it."""
    if url_scheme(database_url) in POSTGRES_SCHEMES:
        if importlib.util.find_spec("asyncpg") is None:
            raise UnsupportedDatabase(
                "a postgresql:// database URL needs the asyncpg package:"
                " pip install 'asyncpg>=0.30,<1'"
            )
        from moderation_bot.storage.postgres_database import PostgresDatabase

        return await PostgresDatabase.open(database_url, max_size=pool_size)
    return await SqliteDatabase.open(sqlite_path(database_url))


@asynccontextmanager
async def open_store(database_url: str, *, pool_size: int = 10) -> AsyncIterator[Store]:
    """Open (creating if needed) and migrate the database, and close it on exit.
    ``pool_size``: see :func:`open_database`.

    Raises :class:`UnsupportedDatabase` for a URL this build cannot open and
    :class:`~moderation_bot.storage.database.DatabaseUnavailable` when the server cannot be
    reached.
    """
    db = await open_database(database_url, pool_size=pool_size)
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
