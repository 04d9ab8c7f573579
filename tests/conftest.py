"""Fixtures shared across test folders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classifiers.baseline import BaselineClassifier
from moderation_bot.app import open_service
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from tests.fakes.recording_platform import RecordingPlatform
from tests.storage.backends import BACKENDS, database_url


@pytest.fixture
def platform() -> RecordingPlatform:
    return RecordingPlatform()


@pytest.fixture(params=BACKENDS)
async def service(request: pytest.FixtureRequest, tmp_path: Path,
                  platform: RecordingPlatform) -> AsyncIterator[Pipeline]:
    """The real pipeline with the keyword baseline and a recording platform, on SQLite and on
    PostgreSQL (skipped with the reason when no server is reachable, failing under CI)."""
    async with database_url(request.param, tmp_path) as url:
        settings = Settings(database_url=url, _env_file=None)
        async with open_service(settings, {"test": platform},
                                classifier=BaselineClassifier()) as pipeline:
            yield pipeline
