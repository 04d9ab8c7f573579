"""Which channel is each server's moderators' channel, remembered for a minute.

Moderators discuss cases in their channel, often quoting the very words that opened them; those
messages must not open cases against the moderators. Knowing the channel takes a settings read,
so it is cached briefly per server (``/modbot setup`` forgets the entry at once).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from adapters.discord.convert import PLATFORM
from moderation_bot.core.ports import BotService


class ModeratorChannels:
    def __init__(self, service: BotService, *, ttl_s: float = 60.0, max_servers: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._service = service
        self._ttl = ttl_s
        self._max = max_servers
        self._clock = clock
        self._cache: OrderedDict[str, tuple[str | None, float]] = OrderedDict()

    async def channel_of(self, guild_id: str) -> str | None:
        cached = self._cache.get(guild_id)
        now = self._clock()
        if cached is not None and cached[1] > now:
            return cached[0]
        settings = await self._service.get_settings(PLATFORM, guild_id)
        self._cache.pop(guild_id, None)
        self._cache[guild_id] = (settings.moderator_channel_id, now + self._ttl)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return settings.moderator_channel_id

    async def is_moderators(self, guild_id: str, *channel_ids: str | None) -> bool:
        """True when any of ``channel_ids`` (a channel, or a thread and its parent) is the
        server's moderators' channel."""
        channel = await self.channel_of(guild_id)
        return channel is not None and channel in channel_ids

    def forget(self, guild_id: str) -> None:
        self._cache.pop(guild_id, None)
