"""Fixtures: a fake Bot API server, the fake BotService, and the real PTB Application between.

Two tiers, as in shared/notes/offline-platform-testing.md: ``tg.process(update)`` hands an update
straight to ``Application.process_update`` (deterministic, about a millisecond); ``polling``
runs the real Updater long-polling the fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
from telegram import Update
from telegram.ext import Application

from adapters.telegram import TelegramAdapter, TelegramConfig
from moderation_bot.app import open_service
from moderation_bot.core.ports import PlatformActions
from moderation_bot.core.types import CommunitySettings, UserRef
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from tests.fakes import fake_telegram as ft
from tests.fakes.fake_service import FakeBotService, fake_notice

GROUP = ft.group_chat(-100123, "Teen coding club")
MODS_CHAT_ID = -100999
ALICE = ft.user(1001, "Alice", username="alice_k")
MALLORY = ft.user(1002, "Mallory", username="mal")
ADMIN = ft.user(1003, "Ada Admin", username="ada")
BOB = ft.user(1004, "Bob")


class TgService(FakeBotService):
    """The shared fake service, plus what these tests observe about data deletion."""

    def __init__(self, actions: Any) -> None:
        super().__init__(actions)
        self.deleted_communities: list[tuple[str, str]] = []

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        self.deleted_communities.append((platform, community_id))
        doomed = [case_id for case_id, case in self.cases.items()
                  if (case.platform, case.community_id) == (platform, community_id)]
        for case_id in doomed:
            del self.cases[case_id]
        self.settings.pop((platform, community_id), None)
        return len(doomed)


def make_config(fake: ft.FakeTelegram, **overrides: Any) -> TelegramConfig:
    values: dict[str, Any] = {
        "token": fake.token, "base_url": fake.base_url, "base_file_url": fake.base_file_url,
        "poll_timeout_s": 1, "rate_limit_max_retries": 2,
    }
    values.update(overrides)
    return TelegramConfig(**values)


@dataclass
class Harness:
    fake: ft.FakeTelegram
    adapter: TelegramAdapter
    service: TgService
    app: Application  # type: ignore[type-arg]

    async def process(self, update: dict[str, Any]) -> None:
        """Run one update through the Application and wait for its handlers to finish."""
        raw = self.fake.push_update(update) if "update_id" not in update else update
        await self.app.process_update(Update.de_json(raw, self.app.bot))

    async def link_moderators(self, community_id: str = str(GROUP["id"]),
                              chat_id: int = MODS_CHAT_ID, **settings: Any) -> None:
        await self.service.save_settings(
            CommunitySettings("telegram", community_id, moderator_channel_id=str(chat_id),
                              **settings),
            UserRef("telegram", str(ADMIN["id"]), "Ada Admin"))


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[ft.FakeTelegram]:
    async with ft.FakeTelegram() as server:
        server.set_member(GROUP["id"], ADMIN, "administrator")
        server.set_member(GROUP["id"], ALICE, "member")
        server.set_member(GROUP["id"], MALLORY, "member")
        yield server


def make_harness(fake: ft.FakeTelegram, **config: Any) -> Harness:
    adapter = TelegramAdapter(make_config(fake, **config), advice_renderer=fake_notice)
    service = TgService(adapter.actions)
    app = adapter.build(service)
    return Harness(fake, adapter, service, app)


@pytest_asyncio.fixture
async def tg(fake: ft.FakeTelegram) -> AsyncIterator[Harness]:
    """The fast tier: initialised Application, updates handed in with ``process``."""
    harness = make_harness(fake)
    async with harness.app:
        yield harness


@pytest_asyncio.fixture
async def polling(fake: ft.FakeTelegram) -> AsyncIterator[Harness]:
    """The end-to-end tier: the adapter started as in production, long-polling the fake."""
    harness = make_harness(fake)
    await harness.adapter.start(harness.service)
    try:
        yield harness
    finally:
        await harness.adapter.stop()


@dataclass
class PipelineHarness:
    """The fast tier with the real pipeline (SQLite, baseline classifier, policy packs) as the
    service: the group is set up with a moderators' chat."""

    fake: ft.FakeTelegram
    pipeline: Pipeline
    app: Application  # type: ignore[type-arg]

    async def process(self, update: dict[str, Any]) -> None:
        raw = self.fake.push_update(update)
        await self.app.process_update(Update.de_json(raw, self.app.bot))
        await self.pipeline.dispatcher.drain()


@asynccontextmanager
async def real_pipeline(actions: PlatformActions, folder: Path) -> AsyncIterator[Pipeline]:
    """The real pipeline (SQLite in ``folder``, keyword baseline, policy packs) sending through
    ``actions``, with the test group set up by its admin and a moderators' chat."""
    settings = Settings(database_url=f"sqlite:///{folder}/modbot.sqlite3",
                        classifier="baseline", _env_file=None)  # type: ignore[call-arg]
    async with open_service(settings, {"telegram": actions}) as pipeline:
        await pipeline.save_settings(
            CommunitySettings("telegram", str(GROUP["id"]),
                              moderator_channel_id=str(MODS_CHAT_ID)),
            UserRef("telegram", str(ADMIN["id"]), "Ada Admin"))
        yield pipeline


@pytest_asyncio.fixture
async def with_pipeline(fake: ft.FakeTelegram, tmp_path: Path) -> AsyncIterator[PipelineHarness]:
    adapter = TelegramAdapter(make_config(fake), advice_renderer=fake_notice)
    async with real_pipeline(adapter.actions, tmp_path) as pipeline:
        app = adapter.build(pipeline)
        async with app:
            yield PipelineHarness(fake, pipeline, app)
