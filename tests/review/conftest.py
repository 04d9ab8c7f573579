"""Fixtures for the review UI: the real pipeline over a real store, SQLite and PostgreSQL (keyword
baseline, real policy packs, a recording fake platform), and an HTTP client for the mounted
review app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from classifiers.baseline import BaselineClassifier
from moderation_bot.app import open_service
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from moderation_bot.storage import Store
from tests.fakes.recording_platform import RecordingPlatform
from tests.review.helpers import Clock, mounted, store_of
from tests.storage.backends import BACKENDS, database_url


@pytest.fixture
def platform() -> RecordingPlatform:
    return RecordingPlatform()


@pytest.fixture(params=BACKENDS)
async def service(request: pytest.FixtureRequest, tmp_path: Path,
                  platform: RecordingPlatform) -> AsyncIterator[Pipeline]:
    """On SQLite and on PostgreSQL (skipped with the reason when no server is reachable)."""
    async with database_url(request.param, tmp_path) as url:
        settings = Settings(database_url=url, _env_file=None)
        async with open_service(settings, {"test": platform},
                                classifier=BaselineClassifier()) as pipeline:
            yield pipeline


@pytest.fixture
def store(service: Pipeline) -> Store:
    return store_of(service)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def web(service: Pipeline, store: Store, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = mounted(service, store, clock, "http://testserver/review")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        yield client


