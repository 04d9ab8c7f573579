"""The Discord adapter: discord.py at the edge, platform-neutral values inside.

Only this package imports ``discord`` (the library; always imported absolutely, this package is
``adapters.discord`` and never shadows it). Entry points for the composition root:

- :class:`DiscordConfig`: token, sharding, moderator roles.
- :class:`DiscordActions`: the :class:`~moderation_bot.core.ports.PlatformActions` for "discord".
- :func:`build_client` / :class:`DiscordAdapter`: the client, and a start/close wrapper.
"""

from adapters.discord.actions import DiscordActions
from adapters.discord.bot import DiscordAdapter, build_client
from adapters.discord.config import DiscordConfig

__all__ = ["DiscordActions", "DiscordAdapter", "DiscordConfig", "build_client"]
