"""Test-side helpers for the Discord adapter tests: the service double and the test world."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.discord import DiscordActions, DiscordAdapter, DiscordConfig
from adapters.discord.bot import ModBotClient, ShardedModBotClient
from moderation_bot.app import open_service
from moderation_bot.core.types import (
    CommunitySettings,
    IncomingMessage,
    Outcome,
    UserRef,
)
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from tests.fakes.fake_discord import MANAGE_GUILD, MODERATE_MEMBERS, FakeDiscord
from tests.fakes.fake_service import FakeBotService

Client = ModBotClient | ShardedModBotClient


class DiscordTestService(FakeBotService):
    """The shared fake service, plus records of what the adapter handed it (to prove "once")
    and switchable failures (to test the adapter's error boundaries)."""

    def __init__(self, actions: Any = None) -> None:
        super().__init__(actions)
        self.handle_calls: list[str] = []
        self.received: list[IncomingMessage] = []
        self.broken: set[str] = set()  # names of methods that raise, to test error boundaries
        self.reports: list[tuple[str, UserRef]] = []

    def _maybe_break(self, method: str) -> None:
        if method in self.broken:
            raise RuntimeError(f"{method} is broken for this test")

    async def handle(self, message: IncomingMessage) -> Outcome:
        self.handle_calls.append(message.idempotency_key)
        self.received.append(message)
        self._maybe_break("handle")
        return await super().handle(message)

    async def resolve(self, *args: Any, **kwargs: Any) -> Any:
        self._maybe_break("resolve")
        return await super().resolve(*args, **kwargs)

    async def assess(self, text: str, *, locale: str = "en") -> Any:
        self._maybe_break("assess")
        return await super().assess(text, locale=locale)

    async def record_recipient_feedback(self, *args: Any, **kwargs: Any) -> Any:
        self._maybe_break("record_recipient_feedback")
        return await super().record_recipient_feedback(*args, **kwargs)

    async def report(self, message: IncomingMessage, reporter: UserRef) -> int:
        self.reports.append((message.message_id, reporter))
        return await super().report(message, reporter)


@dataclass
class World:
    fake: FakeDiscord
    guild: int
    general: int
    mods: int
    mod_role: int
    admin: int
    moderator: int
    alice: int
    bob: int
    mallory: int
    service: DiscordTestService
    clients: list[Client] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def build_world(fake: FakeDiscord) -> dict[str, int]:
    guild = fake.add_guild("Safe Harbour")
    general = fake.add_channel(guild, "general")
    mods = fake.add_channel(guild, "mods")
    mod_role = fake.add_role(guild, "Moderators", MODERATE_MEMBERS)
    admin_role = fake.add_role(guild, "Admins", MANAGE_GUILD)
    return {
        "guild": guild, "general": general, "mods": mods, "mod_role": mod_role,
        "admin": fake.add_member(guild, "Ada", roles=[admin_role]),
        "moderator": fake.add_member(guild, "Mo", roles=[mod_role]),
        "alice": fake.add_member(guild, "Alice"),
        "bob": fake.add_member(guild, "Bob"),
        "mallory": fake.add_member(guild, "Mallory", account_age=timedelta(days=2, hours=3),
                                   member_for=timedelta(hours=5)),
    }


async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
    """Real clients wait 5 s between IDENTIFYs; the fake needs no pause."""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@asynccontextmanager
async def bot_with_pipeline(world: World, folder: Path, *, locale: str = "en"
                            ) -> AsyncIterator[Pipeline]:
    """The real adapter in front of the real pipeline (SQLite in ``folder``, keyword baseline,
    the policy packs), with the world's server set up by its admin; yields the pipeline."""
    settings = Settings(database_url=f"sqlite:///{folder}/modbot.sqlite3",
                        classifier="baseline", _env_file=None)  # type: ignore[call-arg]
    actions = DiscordActions()
    async with open_service(settings, {"discord": actions}) as pipeline:
        await pipeline.save_settings(CommunitySettings(
            "discord", str(world.guild), locale=locale, moderator_channel_id=str(world.mods)),
            UserRef("discord", str(world.admin), "Ada"))
        adapter = DiscordAdapter(pipeline, DiscordConfig(
            token=world.fake.token, guild_ready_timeout=0.05), actions=actions)
        async with adapter:
            yield pipeline
