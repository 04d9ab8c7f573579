"""Who has been talking recently in each channel, to find who a message is aimed at.

A message with no mention and no reply in a small, quiet channel is aimed at the other people
there. This keeps a short, bounded memory of recent authors per channel (ids and display names
only, never text) and answers "who else is here" when the channel is small enough to tell.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from moderation_bot.core.types import UserRef


class RecentParticipants:
    """Recent authors per channel, bounded in channels, authors and time."""

    def __init__(
        self, *, window: timedelta = timedelta(minutes=30), small_channel: int = 3,
        max_channels: int = 20_000, max_authors: int = 16,
    ) -> None:
        self._window = window
        self._small = small_channel
        self._max_channels = max_channels
        self._max_authors = max_authors
        self._channels: OrderedDict[str, OrderedDict[str, tuple[UserRef, datetime]]] = (
            OrderedDict()
        )

    def observe(self, channel_id: str, author: UserRef, at: datetime) -> None:
        authors = self._channels.pop(channel_id, None) or OrderedDict()
        authors.pop(author.id, None)
        authors[author.id] = (author, at)
        while len(authors) > self._max_authors:
            authors.popitem(last=False)
        self._channels[channel_id] = authors
        while len(self._channels) > self._max_channels:
            self._channels.popitem(last=False)

    def others(self, channel_id: str, sender_id: str, at: datetime) -> tuple[UserRef, ...]:
        """The other recent authors, if the channel is small; otherwise nobody (unknown)."""
        authors = self._channels.get(channel_id)
        if not authors:
            return ()
        recent = [ref for ref, seen in authors.values()
                  if ref.id != sender_id and at - seen <= self._window]
        return tuple(recent) if len(recent) <= self._small else ()
