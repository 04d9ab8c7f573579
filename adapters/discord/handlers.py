"""Gateway events to the pipeline: new messages and edits, translated and handed to the service.

The split mirrors ``check`` then ``handle``: :func:`~adapters.discord.convert.is_checkable` decides
without I/O whether a message is one to look at (a person's message in a server, with text);
:meth:`MessageHandlers.handle` converts it and awaits ``service.handle``. The service decides each
platform message once, so a replayed gateway event is harmless.
"""

from __future__ import annotations

import logging

import discord

from adapters.discord.context import AdapterContext
from adapters.discord.convert import PLATFORM, is_checkable, to_incoming, user_ref
from adapters.discord.participants import RecentParticipants
from moderation_bot.core.types import UserRef

log = logging.getLogger(__name__)


class MessageHandlers:
    """``on_message`` and ``on_raw_message_edit`` for the client."""

    def __init__(self, context: AdapterContext,
                 participants: RecentParticipants | None = None) -> None:
        self._context = context
        self._participants = participants or RecentParticipants()

    async def on_message(self, message: discord.Message) -> None:
        if not is_checkable(message):
            return
        channel_id = str(message.channel.id)
        sender = user_ref(message.author)
        others = self._participants.others(channel_id, sender.id, message.created_at)
        self._participants.observe(channel_id, sender, message.created_at)
        await self._handle(message, others)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        message = payload.message
        if message.edited_at is None or not is_checkable(message):
            return  # embeds unfurling, pins and other non-edits
        before = payload.cached_message
        if before is not None and before.content == message.content:
            return
        others = self._participants.others(
            str(message.channel.id), str(message.author.id), message.created_at)
        await self._handle(message, others)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from a server (not an outage): forget that community."""
        try:
            removed = await self._context.service.delete_community_data(
                PLATFORM, str(guild.id))
        except Exception:
            log.exception("deleting a removed server's data failed",
                          extra={"guild_id": guild.id})
            return
        self._context.moderator_channels.forget(str(guild.id))
        log.info("server removed, its data deleted", extra={"guild_id": guild.id,
                                                             "rows": removed})

    async def _handle(self, message: discord.Message, others: tuple[UserRef, ...]) -> None:
        incoming = to_incoming(message, participants=others)
        parent = getattr(message.channel, "parent_id", None)
        try:
            if await self._context.moderator_channels.is_moderators(
                incoming.community_id, incoming.channel_id, str(parent) if parent else None
            ):
                return  # moderators quoting a case are not a new case
            self._context.actions.remember(incoming)
            outcome = await self._context.service.handle(incoming)
        except Exception:
            # Top-level boundary for one gateway event: log ids only, keep the client running.
            log.exception("handling a Discord message failed", extra={
                "guild_id": incoming.community_id, "message_id": incoming.message_id})
            return
        if outcome.flagged:
            log.info("message flagged", extra={
                "guild_id": incoming.community_id, "message_id": incoming.message_id,
                "labels": list(outcome.labels), "case_id": outcome.case_id})
