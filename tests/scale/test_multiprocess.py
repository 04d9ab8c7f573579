"""The scale-out on the real Redis and PostgreSQL: a gateway (a test feeder publishing through
the gateway's service) and two worker processes; one worker is SIGKILLed in the middle of a
burst. Afterwards every message is decided exactly once and every effect sent exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from moderation_bot.core.types import IncomingMessage
from moderation_bot.scale.gateway import StreamingService
from moderation_bot.scale.streams import StreamConfig, StreamPublisher
from moderation_bot.storage import Store, open_store
from tests.factories import message
from tests.scale.services import REDIS_URL, delete_streams, redis_client, stream_name
from tests.storage.backends import postgres_url

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("worker_child.py")
THREAT = "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers"
MESSAGES = 240
DEADLINE_S = 45.0

pytestmark = pytest.mark.slow


def _start(database_url: str, stream: str, name: str, calls: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), database_url, REDIS_URL, stream, name, str(calls)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _read_until(process: subprocess.Popen[str], marker: str) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if marker in line:
            return
    raise AssertionError(f"worker exited (code {process.wait()}) before printing {marker!r}")


def _burst() -> list[IncomingMessage]:
    """Harmless chatter, with threats from twelve senders (two each, so cases grow)."""
    burst = []
    for number in range(MESSAGES):
        if number % 10 == 3:
            sender = f"blackmailer-{number % 12}"
            burst.append(message(THREAT, sender=sender, to=f"teen-{number % 12}",
                                 conversation=f"dm-{number % 12}"))
        else:
            burst.append(message(f"see you at practice, it starts at {number % 7}",
                                 sender=f"friend-{number % 17}", to=f"mate-{number % 5}",
                                 conversation=f"chat-{number % 9}"))
    return burst


async def _scalar(store: Store, sql: str) -> int:
    row = await store.db.fetchone(sql)
    assert row is not None
    return int(row[0])


class _NoPipeline:
    """The gateway's other operations are not used by this test."""


async def test_a_worker_killed_mid_burst_loses_nothing_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    calls = tmp_path / "calls.jsonl"
    async with postgres_url() as database_url, redis_client() as redis:
        stream = stream_name()
        workers: list[subprocess.Popen[str]] = []
        try:
            async with open_store(database_url) as store:  # migrated once, before the workers
                workers = [_start(database_url, stream, name, calls)
                           for name in ("worker-a", "worker-b")]
                for worker in workers:
                    await asyncio.to_thread(_read_until, worker, "running")
                gateway = StreamingService(
                    StreamPublisher(redis, StreamConfig(url=REDIS_URL, stream=stream)),
                    _NoPipeline())  # type: ignore[arg-type]
                burst = _burst()
                for incoming in burst[:MESSAGES // 2]:
                    assert (await gateway.handle(incoming)).skipped == "queued"
                decided_at_kill = await _wait_for(
                    store, lambda n: n >= MESSAGES // 8, "SELECT COUNT(*) FROM verdicts")
                workers[0].send_signal(signal.SIGKILL)
                workers[0].wait(timeout=10)
                left = await redis.xpending_range(stream, f"{stream}:workers", min="-",
                                                  max="+", count=1000, consumername="worker-a")
                assert left, "the killed worker must leave entries for the other to take over"
                for incoming in burst[MESSAGES // 2:] + burst[:10]:  # ten delivered twice
                    await gateway.handle(incoming)
                await _wait_for(store, lambda n: n == MESSAGES, "SELECT COUNT(*) FROM verdicts")
                await _wait_for(store, lambda n: n == 0,
                                "SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
                pending = await redis.xpending(stream, f"{stream}:workers")
                assert pending["pending"] == 0, "an entry was never acknowledged"

                workers[1].send_signal(signal.SIGTERM)
                await asyncio.to_thread(_read_until, workers[1], "STOPPED")
                assert workers[1].wait(timeout=20) == 0

                assert decided_at_kill < MESSAGES, "the kill must land in the middle of the burst"
                keys = await _scalar(store, "SELECT COUNT(DISTINCT message_key) FROM verdicts")
                assert keys == MESSAGES
                await _check_effects(store, _deliveries(calls), killed=workers[0].pid)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait(timeout=10)
                if worker.stdout is not None:
                    worker.stdout.close()
            await delete_streams(redis, stream)


async def _wait_for(store: Store, done: Any, sql: str) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while True:
        value = await _scalar(store, sql)
        if done(value):
            return value
        assert loop.time() < deadline, f"gave up waiting: {sql} -> {value}"
        await asyncio.sleep(0.05)


def _deliveries(calls: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


async def _check_effects(store: Store, lines: list[dict[str, Any]], *, killed: int) -> None:
    delivered = [line for line in lines if line["delivered"]]
    by_key = Counter(line["key"] for line in delivered)
    assert by_key and max(by_key.values()) == 1
    # A repeat reaching the platform (dropped there by its idempotency key) is only allowed for
    # a call the killed worker made before it could record it.
    first = {line["key"]: line["pid"] for line in delivered}
    repeats = [line for line in lines if not line["delivered"]]
    assert all(first[line["key"]] == killed for line in repeats), repeats

    rows = await store.db.fetchall("SELECT id, kind, case_id FROM outbox ORDER BY id")
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["warn_recipient"] and kinds["escalate"], kinds
    sent = {int(key.rsplit("-", 1)[1]) for key in by_key}
    for row in rows:
        if row["kind"] in ("warn_recipient", "delete_message", "timeout_sender"):
            assert row["id"] in sent, f"{row['kind']} row {row['id']} was never sent"
    cases = await _scalar(store, "SELECT COUNT(*) FROM cases")
    methods = Counter(line["method"] for line in delivered)
    assert methods["post_case"] == cases, "each case is posted to the moderators once"
    assert methods["send_private"] == kinds["warn_recipient"] + kinds["support_victim"]
