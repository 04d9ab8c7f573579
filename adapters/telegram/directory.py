"""Small in-memory lookups the Bot API does not offer directly, bounded in size.

Nothing here is needed for correctness after a restart: a business connection is fetched again
with ``getBusinessConnection``; usernames and join times are re-learnt from new messages (until
then a mention by @username has no known recipient and the membership age is unknown).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import Generic, TypeVar

from telegram import Bot
from telegram.error import BadRequest

from adapters.telegram import convert
from moderation_bot.core.types import UserRef

K = TypeVar("K")
V = TypeVar("V")


class _Bounded(Generic[K, V]):
    def __init__(self, capacity: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._capacity = capacity

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)


class BusinessDirectory:
    """Who owns each business connection (asked of Telegram when not seen since start)."""

    def __init__(self, bot: Bot, capacity: int = 10_000) -> None:
        self._bot = bot
        self._links: _Bounded[str, convert.BusinessLink] = _Bounded(capacity)

    def remember(self, link: convert.BusinessLink) -> None:
        if link.enabled:
            self._links.put(link.connection_id, link)
        else:
            self._links.pop(link.connection_id)

    async def link(self, connection_id: str) -> convert.BusinessLink | None:
        """The connection, or ``None`` when Telegram does not know it (revoked)."""
        known = self._links.get(connection_id)
        if known is not None:
            return known
        try:
            connection = await self._bot.get_business_connection(connection_id)
        except BadRequest:
            return None
        link = convert.business_link(connection)
        self.remember(link)
        return link if link.enabled else None


class UsernameDirectory:
    """@username -> person, learnt from the senders the bot has seen."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._people: _Bounded[str, UserRef] = _Bounded(capacity)

    def learn(self, username: str | None, person: UserRef) -> None:
        if username:
            self._people.put(username.lower(), person)

    def resolve(self, username: str) -> UserRef | None:
        return self._people.get(username.lower())


class MembershipTracker:
    """When each member joined each group, as seen in join updates since the bot started."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._joined: _Bounded[tuple[str, str], datetime] = _Bounded(capacity)

    def record(self, change: convert.MembershipChange) -> None:
        key = (change.community_id, change.user_id)
        if change.joined:
            self._joined.put(key, change.at)
        else:
            self._joined.pop(key)

    def age_s(self, community_id: str, user_id: str) -> float | None:
        joined = self._joined.get((community_id, user_id))
        if joined is None:
            return None
        return max(0.0, (datetime.now(UTC) - joined).total_seconds())
