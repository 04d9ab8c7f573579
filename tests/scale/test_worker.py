"""The worker loop on real Redis, with a working fake service: acknowledged only after the
decision, malformed entries dead-lettered (logged by id, never text), a message delivered twice
decided once, a refused duplicate acknowledged, a failed decision left for redelivery."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from moderation_bot.core.types import IncomingMessage, Outcome
from moderation_bot.scale.streams import StreamConfig, StreamConsumer, StreamPublisher
from moderation_bot.scale.worker import StreamWorker
from moderation_bot.storage.database import IntegrityError
from tests.factories import message
from tests.scale.services import REDIS_URL, delete_streams, redis_client, stream_name


class DecidingService:
    """Decides each message key once; a second decision of a key is refused like the verdicts
    table's unique key; ``fail`` keys raise as a database outage would."""

    def __init__(self) -> None:
        self.decided: list[str] = []
        self.fail: set[str] = set()

    async def handle(self, incoming: IncomingMessage) -> Outcome:
        await asyncio.sleep(0)
        if incoming.message_id in self.fail:
            raise ConnectionError("database unavailable")
        if incoming.idempotency_key in self.decided:
            raise IntegrityError("duplicate key value violates unique constraint")
        self.decided.append(incoming.idempotency_key)
        return Outcome(message_key=incoming.idempotency_key, flagged=False, labels=(), scores={})

    async def is_decided(self, key: str) -> bool:
        return key in self.decided


@pytest.fixture
async def redis() -> AsyncIterator[Any]:
    async with redis_client() as client:
        yield client


async def _run_until_idle(worker: StreamWorker, redis: Any, config: StreamConfig,
                          expected_acks: int) -> None:
    task = asyncio.create_task(worker.run())
    for _ in range(500):
        if worker.acknowledged >= expected_acks:
            break
        await asyncio.sleep(0.01)
    worker.stop()
    await asyncio.wait_for(task, 10)


async def test_entries_are_decided_once_acked_and_bad_ones_dead_lettered(
    redis: Any, caplog: pytest.LogCaptureFixture,
) -> None:
    config = StreamConfig(url=REDIS_URL, stream=stream_name(), claim_idle_s=1)
    try:
        publisher = StreamPublisher(redis, config)
        messages = [message(f"hello {n}") for n in range(5)]
        for incoming in messages + messages[:2]:  # two delivered twice by the gateway
            await publisher.publish(incoming)
        await redis.xadd(config.stream, {b"m": b'{"v": 1, "text": "secret words"}'})
        failing = message("the database is down for this one")
        await publisher.publish(failing)

        service = DecidingService()
        service.fail.add(failing.message_id)
        consumer = StreamConsumer(redis, config, "w1")
        worker = StreamWorker(service, consumer, decided=service.is_decided, concurrency=4,
                              claim_every_s=0.2)
        with caplog.at_level(logging.INFO):
            await _run_until_idle(worker, redis, config, expected_acks=7)

        assert sorted(service.decided) == sorted(m.idempotency_key for m in messages)
        assert worker.acknowledged == 7  # five decided, two duplicates acknowledged
        pending = await redis.xpending(config.stream, config.group)
        assert pending["pending"] == 1, "the failed decision waits for redelivery"
        dead = await redis.xrange(config.dead_letters)
        assert len(dead) == 1 and dead[0][1][b"reason"].startswith(b"missing field")
        assert "secret" not in caplog.text and "database is down" not in caplog.text

        # Later the database is back: another worker takes the abandoned entry over.
        service.fail.clear()
        await asyncio.sleep(1.1)
        other = StreamWorker(service, StreamConsumer(redis, config, "w2"),
                             decided=service.is_decided, concurrency=4, claim_every_s=0.2)
        await _run_until_idle(other, redis, config, expected_acks=1)
        assert failing.idempotency_key in service.decided
        assert (await redis.xpending(config.stream, config.group))["pending"] == 0
    finally:
        await delete_streams(redis, config.stream)


async def test_a_restarted_worker_finishes_its_own_pending_entries_first(redis: Any) -> None:
    config = StreamConfig(url=REDIS_URL, stream=stream_name(), claim_idle_s=3600)
    try:
        await StreamPublisher(redis, config).publish(message("left behind"))
        first = StreamConsumer(redis, config, "w1")
        await first.ensure_group()
        assert len(await first.read_new(10, 100)) == 1  # then the worker is killed: no ack
        service = DecidingService()
        restarted = StreamWorker(service, StreamConsumer(redis, config, "w1"),
                                 decided=service.is_decided)
        await _run_until_idle(restarted, redis, config, expected_acks=1)
        assert len(service.decided) == 1
    finally:
        await delete_streams(redis, config.stream)
