"""Numbered SQL migrations, applied in order and recorded in ``schema_migrations``."""

from __future__ import annotations

import re
from importlib import resources

from moderation_bot.clock import to_iso, utcnow
from moderation_bot.storage.database import Database

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


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
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row["version"] for row in await db.fetchall("SELECT version FROM schema_migrations")}
    applied = []
    for version, name, sql in available_migrations():
        if version in done:
            continue
        async with db.transaction():
            for statement in _statements(sql):
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, to_iso(utcnow())),
            )
        applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (the files hold no semicolons inside strings)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
