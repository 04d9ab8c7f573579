"""One aiosqlite connection in WAL mode, one writer, explicit transactions.

Repositories never commit on their own. Code that must be atomic runs inside
``async with db.transaction():``; a repository call made outside one gets its own transaction.
A context variable tells whether the current task already holds the transaction, so nested
calls join it instead of deadlocking on the writer lock.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "modbot_in_transaction", default=False
)

Row = sqlite3.Row

# aiosqlite logs every statement WITH its parameters at DEBUG level: message text would reach
# the logs. Privacy by default means this logger never goes below WARNING.
logging.getLogger("aiosqlite").setLevel(logging.WARNING)


class Database:
    """A single SQLite connection shared by all repositories of one process."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA synchronous=NORMAL")
        await connection.execute("PRAGMA foreign_keys=ON")
        await connection.execute("PRAGMA busy_timeout=5000")
        return cls(connection)

    async def close(self) -> None:
        await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the block atomically; joins the current transaction when already inside one."""
        if _in_transaction.get():
            yield
            return
        async with self._lock:
            token = _in_transaction.set(True)
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    await self._connection.execute("ROLLBACK")
                    raise
                await self._connection.execute("COMMIT")
            finally:
                _in_transaction.reset(token)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the last row id for an INSERT, else the changed rows."""
        async with self.transaction():
            cursor = await self._connection.execute(sql, tuple(params))
            result = cursor.lastrowid if sql.lstrip().upper().startswith("INSERT") else None
            changed = cursor.rowcount
            await cursor.close()
        return int(result) if result else int(changed)

    async def execute_script(self, sql: str) -> None:
        await self._connection.executescript(sql)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self.transaction():
            cursor = await self._connection.execute(sql, tuple(params))
            rows = await cursor.fetchall()
            await cursor.close()
        return list(rows)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None
