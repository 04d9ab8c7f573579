"""Real Redis for the scale-out tests: a reachable server and the redis package, or a skip
with the reason (a failure when ``CI`` is set, so CI cannot pass without testing them).

Until pyproject.toml lists the redis package, a missing package is a skip even on CI."""

from __future__ import annotations

import importlib.util
import os
import secrets
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("MODBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _declared() -> bool:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return any(dep.replace(" ", "").startswith("redis") for dep in project["dependencies"])


def unavailable(reason: str, hint: str, *, fail_on_ci: bool = True) -> NoReturn:
    message = f"Redis tests cannot run: {reason}; {hint}"
    if fail_on_ci and os.environ.get("CI"):
        pytest.fail(f"{message}. CI is set, so this is a failure, not a skip.", pytrace=False)
    pytest.skip(message)


def require_redis_package() -> None:
    if importlib.util.find_spec("redis") is None:
        unavailable("the redis package is not installed",
                    "pip install 'redis>=5,<7' into this environment", fail_on_ci=_declared())


@asynccontextmanager
async def redis_client() -> AsyncIterator[Any]:
    """A client of the test server, and a stream-name prefix whose keys are deleted after."""
    require_redis_package()
    from moderation_bot.scale.streams import StreamUnavailable, open_redis

    try:
        async with open_redis(REDIS_URL) as client:
            yield client
    except StreamUnavailable as error:
        unavailable(str(error), "start it with scripts/ensure-services.sh redis, or point "
                                "MODBOT_TEST_REDIS_URL at a server")


def stream_name() -> str:
    return f"modbot-test:{os.getpid()}:{secrets.token_hex(4)}"


async def delete_streams(client: Any, name: str) -> None:
    await client.delete(name, f"{name}:dead")
