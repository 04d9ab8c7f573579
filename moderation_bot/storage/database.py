"""What every repository needs from a database engine, whichever engine it is.

Two implementations: :class:`~moderation_bot.storage.sqlite_database.SqliteDatabase` (the
embedded default) and :class:`~moderation_bot.storage.postgres_database.PostgresDatabase`
(scale-out). Repositories write portable SQL with ``?`` placeholders (see
:mod:`moderation_bot.storage.sql`) and never commit on their own: code that must be atomic runs
inside ``async with db.transaction():``, and a call made outside one is its own transaction.
Nested ``transaction()`` blocks in the same task join the outer one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from moderation_bot.storage.sql import Dialect

__all__ = ["Database", "DatabaseUnavailable", "Dialect", "IntegrityError", "Row"]


class Row(Protocol):
    """A result row: ``row["column"]``, ``row[0]``, ``tuple(row)`` (``sqlite3.Row`` and
    ``asyncpg.Record`` both are)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Any: ...


class IntegrityError(Exception):
    """A constraint refused a write (unique, foreign key, not null), on either engine.

    On PostgreSQL the surrounding transaction is then aborted: catch it outside the
    ``transaction()`` block, not inside it.
    """


class DatabaseUnavailable(ConnectionError):
    """The database server could not be reached or refused the connection. The message names
    the server but never the password."""


class Database(Protocol):
    """One engine's connection(s), shared by all repositories of one process."""

    @property
    def dialect(self) -> Dialect:
        """``"sqlite"`` or ``"postgresql"``, for the rare statement that must differ."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Run the block atomically; joins the current transaction when already inside one."""
        ...

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement. Returns the new row's ``id`` for an ``INSERT`` into a table with
        an ``id`` column that inserted a row, else the number of rows changed."""
        ...

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...

    async def close(self) -> None: ...
