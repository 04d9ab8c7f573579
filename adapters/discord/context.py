"""What every Discord handler needs, bundled once and reachable from any interaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from adapters.discord.catalog import Strings
from adapters.discord.config import DiscordConfig
from adapters.discord.moderator_channels import ModeratorChannels
from moderation_bot.core.ports import BotService

if TYPE_CHECKING:
    from adapters.discord.actions import DiscordActions


@dataclass(frozen=True, slots=True)
class AdapterContext:
    service: BotService
    actions: DiscordActions
    config: DiscordConfig
    strings: Strings
    moderator_channels: ModeratorChannels


class HasContext:
    """Mixed into our client classes: ``client.modbot`` is the :class:`AdapterContext`."""

    modbot: AdapterContext


def context_of(interaction: discord.Interaction) -> AdapterContext:
    """The adapter context of the client that received ``interaction``."""
    context = getattr(interaction.client, "modbot", None)
    if not isinstance(context, AdapterContext):
        raise RuntimeError("interaction arrived at a client that build_client did not create")
    return context
