"""SQLite: one aiosqlite connection in WAL mode, one writer, explicit transactions.

A lock admits one transaction at a time; ``BEGIN IMMEDIATE`` takes SQLite's write lock at the
start, so another process on the same file waits (``busy_timeout``) instead of failing half way.
A context variable tells whether the current task already holds the transaction, so nested
calls join it instead of deadlocking on the lock.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from moderation_bot.storage.database import IntegrityError, Row
from moderation_bot.storage.sql import Dialect, insert_target

# aiosqlite logs every statement WITH its parameters at DEBUG level: message text would reach
# the logs. Privacy by default means this logger never goes below WARNING.
logging.getLogger("aiosqlite").setLevel(logging.WARNING)

_instances = itertools.count()


class SqliteDatabase:
    """A single SQLite connection shared by all repositories of one process."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        # One flag per database: a transaction on one database must not look open on another.
        self._in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"modbot_sqlite_transaction_{next(_instances)}", default=False
        )

    @property
    def dialect(self) -> Dialect:
        return "sqlite"

    @classmethod
    async def open(cls, path: Path | str) -> SqliteDatabase:
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
        if self._in_transaction.get():
            yield
            return
        async with self._lock:
            token = self._in_transaction.set(True)
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    await self._connection.execute("ROLLBACK")
                    raise
                await self._connection.execute("COMMIT")
            finally:
                self._in_transaction.reset(token)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the new row id for an INSERT, else the changed rows."""
        async with self.transaction():
            try:
                cursor = await self._connection.execute(sql, tuple(params))
            except sqlite3.IntegrityError as error:
                raise IntegrityError(str(error)) from error
            changed = cursor.rowcount
            # lastrowid keeps the previous insert's id when nothing was inserted (a conflict).
            new_id = cursor.lastrowid if insert_target(sql) and changed > 0 else None
            await cursor.close()
        return int(new_id) if new_id else max(int(changed), 0)

    async def execute_script(self, sql: str) -> None:
        await self._connection.executescript(sql)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self.transaction():
            try:
                # One trip to the database thread instead of three (execute, fetch, close).
                rows = await self._connection.execute_fetchall(sql, tuple(params))
            except sqlite3.IntegrityError as error:
                raise IntegrityError(str(error)) from error
        return list(rows)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None
