"""Numbered SQL migrations, applied in order and recorded in ``schema_migrations``.

One folder of portable files (``migrations/NNNN_name.sql``) serves both engines: each statement
goes through :func:`moderation_bot.storage.sql.ddl_for` on its way to PostgreSQL. All pending
migrations run in one transaction; on PostgreSQL an advisory lock makes processes that start
together take turns, so each migration is applied exactly once.
"""

from __future__ import annotations

import re
from importlib import resources

from moderation_bot.clock import to_iso, utcnow
from moderation_bot.storage.database import Database
from moderation_bot.storage.sql import ddl_for, split_statements

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# pg_advisory_xact_lock key: any constant that other software on the same database won't pick.
_MIGRATION_LOCK = 0x6D6F64626F74  # "modbot"

_SCHEMA_MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every migration shipped with the package, in order."""
    folder = resources.files("moderation_bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def migrate(db: Database) -> list[int]:
    """Apply the migrations this database has not seen; returns the versions applied."""
    applied = []
    async with db.transaction():
        if db.dialect == "postgresql":
            await db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
        await db.execute(ddl_for(db.dialect, _SCHEMA_MIGRATIONS))
        rows = await db.fetchall("SELECT version FROM schema_migrations")
        done = {row["version"] for row in rows}
        for version, name, sql in available_migrations():
            if version in done:
                continue
            for statement in split_statements(sql):
                await db.execute(ddl_for(db.dialect, statement))
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, to_iso(utcnow())),
            )
            applied.append(version)
    return applied
