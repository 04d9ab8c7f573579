"""A worker process for the multi-process test: ``app.run_worker`` with a recording platform.

usage: worker_child.py DATABASE_URL REDIS_URL STREAM NAME CALLS_FILE

Every platform call is appended to CALLS_FILE as a JSON line {"key", "method", "pid",
"delivered"}. Like a platform that honours idempotency keys, a key already delivered (by any
process: the file is locked while it is checked) is acknowledged without a second delivery, and
the line says ``"delivered": false``.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import sys
from pathlib import Path
from typing import Any

from classifiers.baseline import BaselineClassifier
from moderation_bot.app import run_worker
from moderation_bot.core.types import DeliveryResult
from moderation_bot.logs import configure_logging
from moderation_bot.settings import Settings


class FilePlatform:
    platform = "test"

    def __init__(self, path: Path) -> None:
        self._path = path

    async def _deliver(self, method: str, key: str, ref: str | None = None) -> DeliveryResult:
        await asyncio.sleep(0.002)  # a platform call takes a moment: kills land mid-send too
        with self._path.open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            seen = {json.loads(line)["key"] for line in handle if line.strip()}
            handle.write(json.dumps({"key": key, "method": method, "pid": os.getpid(),
                                     "delivered": key not in seen}) + "\n")
            handle.flush()
        return DeliveryResult(ok=True, ref=ref or f"ref-{key}")

    async def send_private(self, user: Any, notice: Any, **kw: Any) -> DeliveryResult:
        return await self._deliver("send_private", kw["idempotency_key"])

    async def delete_message(self, message: Any, **kw: Any) -> DeliveryResult:
        return await self._deliver("delete_message", kw["idempotency_key"])

    async def timeout_user(self, *args: Any, **kw: Any) -> DeliveryResult:
        return await self._deliver("timeout_user", kw["idempotency_key"])

    async def lift_timeout(self, *args: Any, **kw: Any) -> DeliveryResult:
        return await self._deliver("lift_timeout", kw["idempotency_key"])

    async def ban_user(self, *args: Any, **kw: Any) -> DeliveryResult:
        return await self._deliver("ban_user", kw["idempotency_key"])

    async def post_case(self, report: Any, *, existing_ref: str | None,
                        **kw: Any) -> DeliveryResult:
        return await self._deliver("post_case" if existing_ref is None else "update_case",
                                   kw["idempotency_key"], existing_ref or f"case-{report.case_id}")


def main(database_url: str, redis_url: str, stream: str, name: str, calls: str) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, role="worker", database_url=database_url, redis_url=redis_url,
        stream_name=stream, stream_group=f"{stream}:workers", consumer_name=name,
        stream_claim_idle_s=1.5, dispatch_lease_s=2, dispatch_poll_s=0.2, host="127.0.0.1",
        port=0, worker_concurrency=32, log_level="WARNING", log_format="text",
    )
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(run_worker(settings, {"test": FilePlatform(Path(calls))},
                           classifier=BaselineClassifier()))
    print("STOPPED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
