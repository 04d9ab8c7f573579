"""PostgreSQL through an asyncpg connection pool, for several processes sharing one store.

Each ``transaction()`` block holds one pooled connection for its whole duration (a context
variable tells nested calls which one), so different tasks and processes write concurrently;
there is no process-wide lock. Transactions run at READ COMMITTED (PostgreSQL's default, asked
for explicitly): rules that span rows are kept by constraints (the one-open-case unique index)
and row locks (``SELECT ... FOR UPDATE``), not by serialising every writer.

Statements arrive in the portable form (``?`` placeholders) and are rewritten here; see
:mod:`moderation_bot.storage.sql`. This module is imported only when a ``postgresql://`` URL is
opened, so the embedded SQLite bot runs without asyncpg installed.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg

from moderation_bot.storage.database import DatabaseUnavailable, IntegrityError, Row
from moderation_bot.storage.sql import Dialect, insert_target, is_ddl, numbered_placeholders

_instances = itertools.count()

_Owned = tuple[asyncpg.Connection, "asyncio.Task[Any] | None"]


def _arguments(params: Iterable[Any]) -> tuple[Any, ...]:
    """Parameters as asyncpg takes them. PostgreSQL text cannot hold NUL, which SQLite stores:
    a NUL in a hostile name or id becomes U+FFFD, the same way on every write and lookup."""
    return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) and "\x00" in p else p
                 for p in params)


_HAS_ID_COLUMN = (
    "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1)"
    " AND attname = 'id' AND attnum > 0 AND NOT attisdropped)"
)


def describe(dsn: str) -> str:
    """host:port/database of a URL, without the user name or password (safe to print)."""
    parts = urlsplit(dsn)
    host = parts.hostname or "localhost"
    port = parts.port or 5432
    return f"{host}:{port}{parts.path or '/'}"


class PostgresDatabase:
    """A pool of PostgreSQL connections shared by all repositories of one process."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        # The open transaction's connection and the task that opened it. A task started inside
        # the block inherits the variable but must not share the connection (asyncpg runs one
        # operation at a time per connection): it gets its own.
        self._current: contextvars.ContextVar[_Owned | None] = contextvars.ContextVar(
            f"modbot_pg_connection_{next(_instances)}", default=None)
        self._has_id: dict[str, bool] = {}

    @property
    def dialect(self) -> Dialect:
        return "postgresql"

    @classmethod
    async def open(cls, dsn: str, *, min_size: int = 1, max_size: int = 10) -> PostgresDatabase:
        """Connect a pool to ``postgresql://user[:password]@host[:port]/database[?...]``."""
        # Named in pg_stat_activity, unless the URL names it (?application_name=worker-3).
        settings = {} if "application_name" in parse_qs(urlsplit(dsn).query) else {
            "application_name": "moderation-bot"}
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=min_size, max_size=max_size, server_settings=settings,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise DatabaseUnavailable(
                f"cannot open PostgreSQL at {describe(dsn)}: {type(error).__name__}: {error}"
            ) from None
        return cls(pool)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the block atomically on one connection; joins the current transaction when
        already inside one in the same task."""
        if self._joined() is not None:
            yield
            return
        async with self._pool.acquire() as connection:
            token = self._current.set((connection, asyncio.current_task()))
            try:
                async with connection.transaction(isolation="read_committed"):
                    yield
            finally:
                self._current.reset(token)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the new row's id for an INSERT into a table with an
        ``id`` column (through an added ``RETURNING id``), else the changed rows."""
        args = _arguments(params)
        async with self._statement_connection() as connection:
            table = insert_target(sql)
            try:
                if table is not None and await self._table_has_id(connection, table):
                    rows = await connection.fetch(numbered_placeholders(sql) + " RETURNING id",
                                                  *args)
                    return int(rows[-1]["id"]) if rows else 0
                status = await connection.execute(numbered_placeholders(sql), *args)
            except asyncpg.IntegrityConstraintViolationError as error:
                raise IntegrityError(str(error)) from error
            if is_ddl(sql):
                self._has_id.clear()
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        args = _arguments(params)
        async with self._statement_connection() as connection:
            try:
                return list(await connection.fetch(numbered_placeholders(sql), *args))
            except asyncpg.IntegrityConstraintViolationError as error:
                raise IntegrityError(str(error)) from error

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def execute_script(self, sql: str) -> None:
        """Several statements without parameters, in one round trip."""
        async with self._statement_connection() as connection:
            await connection.execute(sql)
        self._has_id.clear()

    @asynccontextmanager
    async def _statement_connection(self) -> AsyncIterator[asyncpg.Connection]:
        """The current transaction's connection, or a pooled one for a single statement
        (which PostgreSQL runs as its own transaction)."""
        current = self._joined()
        if current is not None:
            yield current
            return
        async with self._pool.acquire() as connection:
            yield connection

    def _joined(self) -> asyncpg.Connection | None:
        """This task's open transaction's connection, if it has one."""
        current = self._current.get()
        if current is None or current[1] is not asyncio.current_task():
            return None
        return current[0]

    async def _table_has_id(self, connection: asyncpg.Connection, table: str) -> bool:
        known = self._has_id.get(table)
        if known is None:
            known = bool(await connection.fetchval(_HAS_ID_COLUMN, table))
            self._has_id[table] = known
        return known
