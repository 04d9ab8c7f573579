"""The scale-out benchmark runs end to end (one worker process, a small burst). Its figures are
measurements, not asserted."""

from __future__ import annotations

import pytest

from moderation_bot.scale.bench import measure
from moderation_bot.settings import Settings
from moderation_bot.storage import open_store
from tests.scale.services import REDIS_URL, redis_client
from tests.storage.backends import postgres_url

pytestmark = pytest.mark.slow


async def test_one_worker_decides_a_small_burst() -> None:
    async with postgres_url() as database_url, redis_client():
        async with open_store(database_url):  # migrated before the worker starts
            pass
        settings = Settings(_env_file=None, database_url=database_url,  # type: ignore[call-arg]
                            redis_url=REDIS_URL, classifier="baseline")
        figures = await measure(settings, workers=1, messages=200)
    assert figures["workers"] == 1 and figures["messages"] == 200
    assert figures["messages_per_s"] > 0
