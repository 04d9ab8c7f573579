"""Who may press the moderators' buttons and change the server's configuration.

Discord's own permissions decide first (Administrator, Manage Server, Moderate Members); a
moderator role configured for the bot counts too. Both checks are pure: they read the
permissions and roles that arrive with the interaction and do no I/O.
"""

from __future__ import annotations

import discord

from adapters.discord.config import DiscordConfig
from moderation_bot.core.types import CommunitySettings


def configured_role_ids(settings: CommunitySettings, config: DiscordConfig) -> frozenset[int]:
    """Moderator roles: the adapter-wide ones plus the server's own, when it chose one."""
    role_ids = set(config.moderator_role_ids)
    per_server = settings.moderator_role_id
    if per_server is not None and per_server.isdigit():
        role_ids.add(int(per_server))
    return frozenset(role_ids)


def _has_role(user: discord.abc.User, role_ids: frozenset[int]) -> bool:
    roles = getattr(user, "roles", ())
    return any(role.id in role_ids for role in roles)


def may_configure(
    interaction: discord.Interaction, settings: CommunitySettings, config: DiscordConfig
) -> bool:
    """Manage Server (or Administrator), or a configured moderator role; only in a server."""
    if interaction.guild_id is None:
        return False
    perms = interaction.permissions
    return perms.administrator or perms.manage_guild or _has_role(
        interaction.user, configured_role_ids(settings, config)
    )


def may_moderate(
    interaction: discord.Interaction, settings: CommunitySettings, config: DiscordConfig
) -> bool:
    """Anyone who may configure, plus members who may time others out (Moderate Members)."""
    if may_configure(interaction, settings, config):
        return True
    return interaction.guild_id is not None and interaction.permissions.moderate_members
