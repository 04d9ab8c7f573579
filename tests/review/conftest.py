"""Fixtures for the review UI: the real pipeline over a real store, SQLite and PostgreSQL (keyword
baseline, real policy packs, a recording fake platform), and an HTTP client for the mounted
review app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from moderation_bot.pipeline import Pipeline
from moderation_bot.storage import Store
from tests.review.helpers import Clock, mounted, store_of


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


