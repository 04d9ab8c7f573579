"""Harness: the real discord.py client against tests/fakes/fake_discord.py, with the fake service.

``world`` builds one server (general + moderators' channels, a moderator, a few members);
``start_bot`` starts a client (several per test are fine, e.g. to simulate a restart) and
races its readiness against the client task so a parser error surfaces instead of hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

with warnings.catch_warnings():
    # discord.py imports audioop for voice (deprecated in 3.11+); we never use voice.
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord

from adapters.discord import DiscordActions, DiscordConfig, build_client
from moderation_bot.core.types import CommunitySettings
from tests.adapters.discord.harness import (
    Client,
    DiscordTestService,
    World,
    build_world,
    no_wait,
)
from tests.fakes.fake_discord import FakeDiscord


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings(
                "ignore:'audioop' is deprecated:DeprecationWarning"))


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.patch_library(monkeypatch)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def world(fake: FakeDiscord) -> AsyncIterator[World]:
    ids = build_world(fake)
    service = DiscordTestService()
    service.settings[("discord", str(ids["guild"]))] = CommunitySettings(
        platform="discord", community_id=str(ids["guild"]), moderator_channel_id=str(ids["mods"]))
    w = World(fake=fake, service=service, **ids)
    try:
        yield w
    finally:
        for client in w.clients:
            await client.close()
        for task in w.tasks:
            with contextlib.suppress(discord.DiscordException, OSError, asyncio.CancelledError):
                await asyncio.wait_for(task, 5)


StartBot = Callable[..., Awaitable[Client]]


@pytest.fixture
def start_bot(world: World) -> StartBot:
    """Start a new client wired to ``world.service`` and wait until it is ready."""

    async def start(**config: Any) -> Client:
        actions = DiscordActions()
        world.service.actions = actions
        client = build_client(world.service, actions, config=DiscordConfig(
            token=world.fake.token, guild_ready_timeout=0.05, **config))
        client.before_identify_hook = no_wait  # type: ignore[method-assign]
        world.clients.append(client)
        task = asyncio.create_task(client.start(world.fake.token))
        world.tasks.append(task)
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=10,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()
            raise AssertionError("client stopped before ready")
        assert ready in done, "client did not become ready"
        return client

    return start
