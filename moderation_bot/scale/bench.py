"""Scale-out throughput: the same chat mix as ``moderation-bot bench``, decided by 1, 2, 4 ...
worker processes on PostgreSQL and Redis.

For each worker count: start N real worker processes (``app.run_worker``, a platform that
acknowledges every effect at once, so the figure is deciding, not a platform's rate limits),
publish the messages to a fresh stream as a gateway does, and time from the first publish until
every message has its verdict stored. Figures are one run on one machine: nothing asserts them.

    python -m moderation_bot.scale.bench --workers 1,2,4 --messages 3000 \\
        --database-url postgresql://... --redis-url redis://127.0.0.1:6379/0

(The child mode, ``--child``, is how each worker process is started.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from moderation_bot.bench import BenchConfig, chat_mix
from moderation_bot.core.types import (
    CaseReport,
    DeliveryResult,
    IncomingMessage,
    MessageRef,
    Notice,
    UserRef,
)
from moderation_bot.scale.streams import StreamConfig, StreamPublisher, open_redis
from moderation_bot.settings import Settings, load_settings
from moderation_bot.storage import open_store

PLATFORM = "bench"
READY_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 600.0


class AcknowledgingPlatform:
    """Accepts every effect at once (PlatformActions for the benchmark's workers)."""

    platform = PLATFORM

    async def send_private(self, user: UserRef, notice: Notice, *, community_id: str,
                           idempotency_key: str, channel_id: str | None = None,
                           conversation_id: str | None = None) -> DeliveryResult:
        return DeliveryResult(ok=True)

    async def delete_message(self, message: MessageRef, *, idempotency_key: str) -> DeliveryResult:
        return DeliveryResult(ok=True)

    async def timeout_user(self, community_id: str, user: UserRef, seconds: int, *, reason: str,
                           idempotency_key: str) -> DeliveryResult:
        return DeliveryResult(ok=True)

    async def lift_timeout(self, community_id: str, user: UserRef, *, reason: str,
                           idempotency_key: str) -> DeliveryResult:
        return DeliveryResult(ok=True)

    async def ban_user(self, community_id: str, user: UserRef, *, reason: str,
                       idempotency_key: str) -> DeliveryResult:
        return DeliveryResult(ok=True)

    async def post_case(self, report: CaseReport, *, channel_id: str | None,
                        existing_ref: str | None, idempotency_key: str) -> DeliveryResult:
        return DeliveryResult(ok=True, ref=existing_ref or f"case-{report.case_id}")


def burst(run_id: str, count: int, seed: int = 7) -> list[IncomingMessage]:
    mix = chat_mix(BenchConfig(seed=seed))
    now = datetime.now(UTC)
    messages = []
    for number in range(count):
        conversation, sender, recipient, text = next(mix)
        messages.append(IncomingMessage(
            platform=PLATFORM, community_id="bench", channel_id=conversation,
            conversation_id=conversation, message_id=f"{run_id}-{number}",
            sender=UserRef(PLATFORM, sender, sender), text=text, sent_at=now,
            recipients=(UserRef(PLATFORM, recipient, recipient),),
            sender_account_age_s=30 * 86400.0, sender_membership_age_s=86400.0,
        ))
    return messages


def _start_worker(settings: Settings, stream: str, name: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MODBOT_DATABASE_URL": settings.database_url,
           "MODBOT_REDIS_URL": settings.redis_url, "MODBOT_STREAM_NAME": stream,
           "MODBOT_STREAM_GROUP": f"{stream}:workers", "MODBOT_CONSUMER_NAME": name,
           "MODBOT_ROLE": "worker", "MODBOT_HOST": "127.0.0.1", "MODBOT_PORT": "0",
           "MODBOT_CLASSIFIER": settings.classifier, "MODBOT_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "moderation_bot.scale.bench", "--child"],
                            stdout=subprocess.PIPE, text=True, env=env)


def _wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if "running" in line:
            return
    raise RuntimeError(f"a benchmark worker exited with code {process.wait()}")


async def _verdicts(store: Any, run_id: str) -> int:
    row = await store.db.fetchone(
        "SELECT COUNT(*) FROM verdicts WHERE platform = ? AND message_key LIKE ?",
        (PLATFORM, f"{PLATFORM}:bench:{run_id}-%"))
    return int(row[0]) if row else 0


async def measure(settings: Settings, workers: int, messages: int) -> dict[str, Any]:
    """Messages per second decided by ``workers`` worker processes, one fresh stream."""
    run_id = secrets.token_hex(4)
    stream = f"modbot-bench:{run_id}"
    processes = [_start_worker(settings, stream, f"bench-{run_id}-{n}") for n in range(workers)]
    try:
        for process in processes:
            await asyncio.to_thread(_wait_ready, process)
        async with open_redis(settings.redis_url) as redis, \
                open_store(settings.database_url,
                           pool_size=settings.database_pool_size) as store:
            publisher = StreamPublisher(redis, StreamConfig(url=settings.redis_url, stream=stream,
                                                            maxlen=max(messages * 2, 1000)))
            loop = asyncio.get_running_loop()
            started = loop.time()
            await publisher.publish_many(burst(run_id, messages))
            published = loop.time() - started
            while await _verdicts(store, run_id) < messages:
                if loop.time() - started > DRAIN_TIMEOUT_S:
                    raise TimeoutError(f"{workers} workers did not decide {messages} messages")
                await asyncio.sleep(0.05)
            elapsed = loop.time() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
            if process.stdout is not None:
                process.stdout.close()
        async with open_redis(settings.redis_url) as redis:
            await redis.delete(stream, f"{stream}:dead")
    return {"workers": workers, "messages": messages, "seconds": round(elapsed, 3),
            "messages_per_s": round(messages / elapsed, 1),
            "publish_messages_per_s": round(messages / published, 1)}


async def run_worker_benchmark(settings: Settings, counts: tuple[int, ...],
                               messages: int) -> dict[str, Any]:
    results = [await measure(settings, workers, messages) for workers in counts]
    return {"scale_out": results, "cpus": os.cpu_count(), "classifier": settings.classifier,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _child() -> None:
    from moderation_bot.app import run_worker
    from moderation_bot.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, "text")
    asyncio.run(run_worker(settings, {PLATFORM: AcknowledgingPlatform()}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--database-url", help="PostgreSQL (default MODBOT_DATABASE_URL)")
    parser.add_argument("--redis-url", help="default MODBOT_REDIS_URL")
    parser.add_argument("--classifier", choices=("auto", "model", "baseline"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child()
        return 0
    overrides = {key: value for key, value in (("database_url", args.database_url),
                                               ("redis_url", args.redis_url),
                                               ("classifier", args.classifier)) if value}
    settings = load_settings(**overrides)
    if not settings.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("the scale-out benchmark needs a PostgreSQL MODBOT_DATABASE_URL")
    counts = tuple(int(part) for part in args.workers.split(",") if part.strip())
    report = asyncio.run(run_worker_benchmark(settings, counts, args.messages))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
