"""The worker loop: stream entries in, decisions committed, entries acknowledged.

An entry is acknowledged only after ``service.handle`` returned, that is after the transaction
holding its verdict, case and outbox rows committed (or its quiet verdict's group commit). A
worker killed before that leaves the entry pending in the group; another worker takes it over
with XAUTOCLAIM once it has been idle for ``claim_idle_s``, and a restarted worker with the same
consumer name finishes its own pending entries first.

Deciding twice is harmless: the verdict's message key (the platform message id) is unique, so a
redelivered message is found decided and only acknowledged; two workers deciding the same
message at the same moment make one fail on that key (``IntegrityError``, its whole transaction
rolled back), which is then acknowledged as a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from moderation_bot.core.ports import BotService
from moderation_bot.logs import fields
from moderation_bot.scale.codec import MalformedEntry, decode
from moderation_bot.scale.streams import Entry, StreamConsumer
from moderation_bot.storage.database import IntegrityError

log = logging.getLogger(__name__)

MAX_DELIVERIES = 5
READ_BLOCK_MS = 1000
RETRY_PAUSE_S = 1.0
QUICK_RETRIES_S = (0.1, 0.5)  # a deadlock or a dropped connection: try again in hand first

Decided = Callable[[str], Awaitable[bool]]


class StreamWorker:
    def __init__(
        self, service: BotService, consumer: StreamConsumer, *, decided: Decided,
        concurrency: int = 64, claim_every_s: float = 30.0, max_deliveries: int = MAX_DELIVERIES,
    ) -> None:
        self._service = service
        self._consumer = consumer
        self._decided = decided
        self._concurrency = concurrency
        self._claim_every_s = claim_every_s
        self._max_deliveries = max_deliveries
        self._in_flight: set[asyncio.Task[None]] = set()
        self._in_hand: set[str] = set()
        self._stopping = asyncio.Event()
        self.acknowledged = 0

    def stop(self) -> None:
        """Finish the entries in hand, read no more."""
        self._stopping.set()

    async def run(self) -> None:
        """Until :meth:`stop`: finish this consumer's own pending entries, then read new ones
        and take over abandoned ones. Redis outages are waited out, not fatal."""
        from redis.exceptions import RedisError

        await self._consumer.ensure_group()
        await self._finish_own_pending()
        loop = asyncio.get_running_loop()
        next_claim = 0.0
        try:
            while not self._stopping.is_set():
                try:
                    if loop.time() >= next_claim:
                        await self._consumer.touch(sorted(self._in_hand))
                        for entry in await self._consumer.claim_abandoned(self._concurrency):
                            if entry.id not in self._in_hand:
                                self._spawn(entry, redelivered=True)
                        next_claim = loop.time() + self._claim_every_s
                    free = self._concurrency - len(self._in_flight)
                    if free <= 0:
                        await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                        continue
                    for entry in await self._consumer.read_new(free, READ_BLOCK_MS):
                        self._spawn(entry, redelivered=False)
                except (RedisError, OSError) as error:
                    log.warning("stream unavailable, retrying", extra=fields(
                        consumer=self._consumer.name, error=type(error).__name__))
                    await asyncio.sleep(RETRY_PAUSE_S)
                    if "NOGROUP" in str(error):  # Redis lost the stream (restart without AOF)
                        with contextlib.suppress(RedisError, OSError):
                            await self._consumer.ensure_group()
        finally:
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _finish_own_pending(self) -> None:
        seen: set[str] = set()
        while True:
            entries = [e for e in await self._consumer.own_pending(self._concurrency)
                       if e.id not in seen]
            if not entries:
                return
            seen.update(e.id for e in entries)
            log.info("finishing entries of a previous run", extra=fields(
                consumer=self._consumer.name, entries=len(entries)))
            await asyncio.gather(*(self._process(e, redelivered=True) for e in entries))

    def _spawn(self, entry: Entry, *, redelivered: bool) -> None:
        task = asyncio.create_task(self._process(entry, redelivered=redelivered),
                                   name=f"modbot-entry-{entry.id}")
        self._in_flight.add(task)
        self._in_hand.add(entry.id)
        task.add_done_callback(self._in_flight.discard)
        task.add_done_callback(lambda _: self._in_hand.discard(entry.id))

    async def _process(self, entry: Entry, *, redelivered: bool) -> None:
        """Decide one entry and acknowledge it; leave it pending when that failed."""
        from redis.exceptions import RedisError

        try:
            await self._decide(entry, redelivered=redelivered)
        except (RedisError, OSError) as error:
            log.warning("entry not acknowledged; it will be redelivered", extra=fields(
                entry_id=entry.id, error=type(error).__name__))

    async def _decide(self, entry: Entry, *, redelivered: bool) -> None:
        try:
            message = decode(entry.fields)
        except MalformedEntry as error:
            await self._consumer.dead_letter(entry, str(error))
            return
        if redelivered:
            deliveries = await self._consumer.deliveries(entry.id)
            if deliveries > self._max_deliveries:
                await self._consumer.dead_letter(
                    entry, f"not decided after {deliveries} deliveries")
                return
        ids = fields(entry_id=entry.id, platform=message.platform,
                     community=message.community_id, message_id=message.message_id)
        for pause in (*QUICK_RETRIES_S, None):
            try:
                await self._service.handle(message)
                break
            except IntegrityError:
                if await self._decided(message.idempotency_key):
                    log.info("message already decided by another worker", extra=ids)
                    break
                failure = "storing a decision was refused"
            except Exception:  # logged: one entry's failure must not stop the worker
                log.warning("deciding a message failed", exc_info=True, extra=ids)
                failure = "deciding a message failed"
            if pause is None:
                log.error(f"{failure}; left for redelivery", extra=ids)
                return
            await asyncio.sleep(pause)
        await self._consumer.ack(entry.id)
        self.acknowledged += 1
