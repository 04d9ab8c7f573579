"""Fresh, throw-away databases on both engines, for fixtures parametrised over them.

SQLite: a file in the test's tmp_path. PostgreSQL: a new schema in the ``modbot_test`` database
of the local server (``MODBOT_TEST_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``, used to create that database), dropped with
everything in it after the test. A schema instead of a database per test: same isolation, twenty
times faster to create.

Without asyncpg or a reachable server the PostgreSQL cases are skipped with the reason, or fail
when the ``CI`` environment variable is set (CI must really test both engines).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]

ADMIN_URL = os.environ.get("MODBOT_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DATABASE = "modbot_test"


def unavailable(reason: str, hint: str) -> NoReturn:
    message = f"PostgreSQL tests cannot run: {reason}; {hint}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}. CI is set, so this is a failure, not a skip.", pytrace=False)
    pytest.skip(message)


def _with_database(url: str, database: str, query: str = "") -> str:
    parts = urlsplit(url)
    merged = "&".join(q for q in (parts.query, query) if q)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", merged, ""))


async def _connect(url: str) -> Any:
    import asyncpg

    try:
        return await asyncpg.connect(url, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        where = f"{urlsplit(url).hostname}:{urlsplit(url).port or 5432}{urlsplit(url).path}"
        unavailable(f"cannot connect to {where} ({type(error).__name__}: {error})",
                    "start it with scripts/ensure-services.sh, or point MODBOT_TEST_POSTGRES_URL"
                    " at a server where this user may create databases")


async def _ensure_test_database() -> None:
    import asyncpg

    admin = await _connect(ADMIN_URL)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEST_DATABASE):
            try:
                await admin.execute(f"CREATE DATABASE {TEST_DATABASE}")
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass  # another test process created it at the same moment
    finally:
        await admin.close()


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str]:
    """A URL whose connections see only a new, empty schema; the schema is dropped after."""
    if importlib.util.find_spec("asyncpg") is None:
        unavailable("the asyncpg package is not installed",
                    "pip install 'asyncpg>=0.30,<1' into this environment")
    await _ensure_test_database()
    schema = f"modbot_test_{os.getpid()}_{secrets.token_hex(4)}"
    owner = await _connect(_with_database(ADMIN_URL, TEST_DATABASE))
    try:
        await owner.execute(f"CREATE SCHEMA {schema}")
        yield _with_database(ADMIN_URL, TEST_DATABASE, f"search_path={schema}")
    finally:
        await owner.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await owner.close()


@asynccontextmanager
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database URL for one test on ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    async with postgres_url() as url:
        yield url
