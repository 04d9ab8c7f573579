"""The Redis Stream between gateways and workers (redis-py asyncio).

Gateways ``XADD`` each message, capped with ``MAXLEN ~`` so a stalled worker fleet cannot fill
Redis's memory. Workers read with ``XREADGROUP`` in one consumer group: each entry goes to one
worker, stays pending until that worker ``XACK``s it, and ``XAUTOCLAIM`` hands entries idle past
a timeout (their worker died) to a live one. Entries that cannot be decided go to a dead-letter
stream (``<stream>:dead``) with the reason, and are acknowledged.

redis is imported only here, and only when a gateway or worker starts, so the one-process bot
runs without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moderation_bot.core.types import IncomingMessage
from moderation_bot.logs import fields
from moderation_bot.scale import codec

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

DEAD_LETTER_MAXLEN = 100_000
PUBLISH_ATTEMPTS = 4


class StreamUnavailable(RuntimeError):
    """Redis cannot be reached or used; the message names the server, never a password."""


@dataclass(frozen=True, slots=True)
class StreamConfig:
    url: str = "redis://127.0.0.1:6379/0"
    stream: str = "modbot:messages"
    group: str = "modbot-workers"
    maxlen: int = 1_000_000
    claim_idle_s: float = 60.0

    @property
    def dead_letters(self) -> str:
        return f"{self.stream}:dead"


@dataclass(frozen=True, slots=True)
class Entry:
    """One stream entry as read: its id and raw fields (decoded by the worker)."""

    id: str
    fields: dict[bytes, bytes]


def describe(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}{parts.path or ''}"


@asynccontextmanager
async def open_redis(url: str) -> AsyncIterator[Redis]:
    """A connected client (checked with PING); closed on exit."""
    try:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError
    except ImportError:
        raise StreamUnavailable(
            "the redis package is not installed: pip install 'redis>=5,<7'") from None
    client = Redis.from_url(url, decode_responses=False, health_check_interval=30)
    try:
        try:
            await client.ping()
        except (RedisError, OSError) as error:
            raise StreamUnavailable(f"cannot reach Redis at {describe(url)} "
                                    f"({type(error).__name__})") from None
        yield client
    finally:
        await client.aclose()


class StreamPublisher:
    """What a gateway uses: one message in, one stream entry out."""

    def __init__(self, redis: Redis, config: StreamConfig) -> None:
        self._redis = redis
        self._config = config

    async def publish(self, message: IncomingMessage) -> str:
        """Append ``message``; returns the entry id. Retries a few times when Redis blips,
        then raises, so the platform (or its adapter) sees the failure."""
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        entry = codec.encode(message)
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                entry_id = await self._redis.xadd(self._config.stream, entry,  # type: ignore[arg-type]
                                                  maxlen=self._config.maxlen, approximate=True)
                return _text(entry_id)
            except (RedisConnectionError, RedisTimeoutError, OSError):
                if attempt == PUBLISH_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.2 * 2 ** attempt)
        raise AssertionError("unreachable")


    async def publish_many(self, messages: Iterable[IncomingMessage],
                           chunk: int = 500) -> int:
        """Append many messages with pipelined round trips (a replay, a benchmark)."""
        sent = 0
        batch: list[IncomingMessage] = []
        for message in messages:
            batch.append(message)
            if len(batch) >= chunk:
                sent += await self._send_batch(batch)
                batch = []
        if batch:
            sent += await self._send_batch(batch)
        return sent

    async def _send_batch(self, batch: list[IncomingMessage]) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            for message in batch:
                pipe.xadd(self._config.stream, codec.encode(message),  # type: ignore[arg-type]
                          maxlen=self._config.maxlen, approximate=True)
            await pipe.execute()
        return len(batch)


class StreamConsumer:
    """One worker's view of the consumer group."""

    def __init__(self, redis: Redis, config: StreamConfig, consumer: str) -> None:
        self._redis = redis
        self._config = config
        self._consumer = consumer
        self._autoclaim_cursor = "0-0"

    @property
    def name(self) -> str:
        return self._consumer

    async def ensure_group(self) -> None:
        """Create the group (and the stream) if this is the first worker ever."""
        from redis.exceptions import ResponseError

        try:
            await self._redis.xgroup_create(self._config.stream, self._config.group, id="0",
                                            mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def own_pending(self, count: int) -> list[Entry]:
        """Entries delivered to this consumer name and never acknowledged (a previous run of
        this worker was killed): they are this worker's to finish first."""
        return await self._read("0", count, block_ms=None)

    async def read_new(self, count: int, block_ms: int) -> list[Entry]:
        return await self._read(">", count, block_ms=block_ms)

    async def _read(self, start: str, count: int, block_ms: int | None) -> list[Entry]:
        reply = await self._redis.xreadgroup(
            self._config.group, self._consumer, {self._config.stream: start}, count=count,
            block=block_ms)
        entries: list[Entry] = []
        for _stream, items in reply or []:
            for entry_id, entry_fields in items:
                # An entry trimmed by MAXLEN while pending comes back with no fields.
                entries.append(Entry(_text(entry_id), dict(entry_fields or {})))
        return entries

    async def claim_abandoned(self, count: int) -> list[Entry]:
        """Take over entries other workers left unacknowledged for ``claim_idle_s``."""
        reply = await self._redis.xautoclaim(
            self._config.stream, self._config.group, self._consumer,
            min_idle_time=int(self._config.claim_idle_s * 1000),
            start_id=self._autoclaim_cursor, count=count)
        cursor, items = reply[0], reply[1]
        self._autoclaim_cursor = _text(cursor)
        return [Entry(_text(entry_id), dict(entry_fields or {}))
                for entry_id, entry_fields in items if entry_id is not None]

    async def touch(self, entry_ids: list[str]) -> None:
        """Reset the idle time of entries still being decided here, so a slow decision is not
        taken over by another worker (``XCLAIM ... JUSTID`` counts no delivery)."""
        if entry_ids:
            ids: list[Any] = list(entry_ids)
            await self._redis.xclaim(self._config.stream, self._config.group, self._consumer,
                                     min_idle_time=0, message_ids=ids, justid=True)

    async def deliveries(self, entry_id: str) -> int:
        """How many times the entry was delivered (1 = never retried)."""
        pending = await self._redis.xpending_range(
            self._config.stream, self._config.group, min=entry_id, max=entry_id, count=1)
        return int(pending[0]["times_delivered"]) if pending else 0

    async def ack(self, entry_id: str) -> None:
        await self._redis.xack(self._config.stream, self._config.group, entry_id)

    async def dead_letter(self, entry: Entry, reason: str) -> None:
        """Move an entry that cannot be decided aside (with its raw fields, for an operator),
        then acknowledge it. The log line carries ids and the reason only."""
        record: dict[Any, Any] = {**entry.fields, b"origin": entry.id.encode(),
                                  b"reason": reason.encode(), b"consumer": self._consumer.encode()}
        await self._redis.xadd(self._config.dead_letters, record,
                               maxlen=DEAD_LETTER_MAXLEN, approximate=True)
        await self.ack(entry.id)
        log.error("stream entry dead-lettered", extra=fields(
            entry_id=entry.id, reason=reason, consumer=self._consumer,
            dead_letters=self._config.dead_letters))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
