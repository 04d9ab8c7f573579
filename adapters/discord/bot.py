"""The Discord client, assembled: intents, events, persistent buttons and commands.

``build_client(service, actions, config=...)`` returns a ready-to-start ``discord.Client`` (or
``discord.AutoShardedClient`` for large bots); :class:`DiscordAdapter` wraps it with ``start()``
and ``close()`` so the composition root can run it inside its own event loop beside the other
services.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.actions import DiscordActions
from adapters.discord.catalog import Strings
from adapters.discord.commands import register_commands
from adapters.discord.config import DiscordConfig
from adapters.discord.context import AdapterContext
from adapters.discord.handlers import MessageHandlers
from adapters.discord.moderator_channels import ModeratorChannels
from adapters.discord.translator import CatalogTranslator
from adapters.discord.views import CaseButton, FineButton
from moderation_bot.core.ports import BotService

log = logging.getLogger(__name__)


def intents_for(config: DiscordConfig) -> discord.Intents:
    """Server messages with their text (privileged: message content) and member joins and
    updates (privileged: members). No DMs (people ask through "Check this message"), no
    presences, no voice."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.members = config.members_intent
    return intents


class _ModBotMixin:
    """What our client adds to discord.py's: the adapter context, the handlers and the tree."""

    modbot: AdapterContext
    tree: app_commands.CommandTree[Any]

    def _init_modbot(self, context: AdapterContext) -> None:
        self.modbot = context
        self._modbot_handlers = MessageHandlers(context)
        self.tree = app_commands.CommandTree(self)
        register_commands(self.tree)

    async def setup_hook(self) -> None:
        # Clicks on case cards and warnings sent before a restart are rebuilt from their
        # custom_id.
        self.add_dynamic_items(CaseButton, FineButton)  # type: ignore[attr-defined]
        # Before syncing: the sync sends each command's translations with it.
        await self.tree.set_translator(CatalogTranslator(self.modbot.strings))
        if self.modbot.config.sync_commands:
            commands = await self.tree.sync()
            log.info("application commands synced", extra={"count": len(commands)})

    async def on_message(self, message: discord.Message) -> None:
        await self._modbot_handlers.on_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self._modbot_handlers.on_raw_message_edit(payload)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self._modbot_handlers.on_guild_remove(guild)


class ModBotClient(_ModBotMixin, discord.Client):
    """One gateway connection: right for bots in up to a couple of thousand servers."""

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        super().__init__(**options)
        self._init_modbot(context)


class ShardedModBotClient(_ModBotMixin, discord.AutoShardedClient):
    """Several shards in one process (``discord.AutoShardedClient``), for large bots."""

    def __init__(self, context: AdapterContext, **options: Any) -> None:
        super().__init__(**options)
        self._init_modbot(context)


def build_client(
    service: BotService, actions: DiscordActions, *, config: DiscordConfig,
    strings: Strings | None = None,
) -> ModBotClient | ShardedModBotClient:
    """A client wired to ``service``; ``actions`` is attached to it for the dispatcher's use."""
    context = AdapterContext(service, actions, config, strings or Strings.load(),
                             ModeratorChannels(service))
    options: dict[str, Any] = {
        "intents": intents_for(config),
        "chunk_guilds_at_startup": False,
        "guild_ready_timeout": config.guild_ready_timeout,
        "allowed_mentions": discord.AllowedMentions.none(),
        "enable_debug_events": False,
    }
    client: ModBotClient | ShardedModBotClient
    if config.uses_shards:
        if config.shard_count is not None:
            options["shard_count"] = config.shard_count
        if config.shard_ids is not None:
            options["shard_ids"] = list(config.shard_ids)
        client = ShardedModBotClient(context, **options)
    else:
        client = ModBotClient(context, **options)
    actions.attach(client)
    return client


class DiscordAdapter:
    """Runs the client as a task in the current event loop.

    ``await adapter.start()`` returns once the bot is connected and its cache is ready, or
    raises what stopped it (a bad token, missing privileged intents). ``await adapter.close()``
    disconnects. Usable as ``async with DiscordAdapter(...)``.
    """

    def __init__(self, service: BotService, config: DiscordConfig, *,
                 actions: DiscordActions | None = None, strings: Strings | None = None) -> None:
        self.config = config
        strings = strings or Strings.load()
        self.actions = actions or DiscordActions(strings, moderator_locale=config.moderator_locale)
        self.client = build_client(service, self.actions, config=config, strings=strings)
        self._task: asyncio.Task[None] | None = None

    @property
    def platform(self) -> str:
        return self.actions.platform

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The running client; done when it stopped (its exception says why)."""
        return self._task

    async def start(self, *, ready_timeout: float | None = 120.0) -> None:
        if self._task is not None:
            raise RuntimeError("the Discord adapter is already started")
        self._task = asyncio.create_task(self.client.start(self.config.token),
                                         name="discord-client")
        ready = asyncio.create_task(self.client.wait_until_ready(), name="discord-ready")
        try:
            done, _ = await asyncio.wait({self._task, ready}, timeout=ready_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not ready.done():
                ready.cancel()
        if self._task in done:
            self._task.result()  # raises why it stopped
            raise RuntimeError("the Discord client stopped before it was ready")
        if not done:
            await self.close()
            raise TimeoutError("the Discord client did not become ready in time")
        log.info("discord connected", extra={"guilds": len(self.client.guilds)})

    async def close(self) -> None:
        await self.client.close()
        if self._task is not None:
            try:
                await self._task
            except (discord.DiscordException, OSError) as error:
                log.warning("discord client ended with an error",
                            extra={"error": type(error).__name__})
            self._task = None

    async def __aenter__(self) -> DiscordAdapter:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
