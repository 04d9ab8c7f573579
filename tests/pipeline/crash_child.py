"""A bot process for the crash test: decides one message, then gets killed while sending.

usage: crash_child.py DB CALLS_FILE MODE
  MODE "block-before-send": the platform blocks before delivering anything (kill -> nothing sent)
  MODE "block-after-send":  the platform delivers, then blocks before the bot records it
  MODE "restart":           no new message; send whatever is pending, then exit
Deliveries are appended to CALLS_FILE as JSON lines. Like a platform that honours idempotency
keys, a key already in the file is not delivered twice.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from classifiers.baseline import BaselineClassifier
from moderation_bot.app import open_service
from moderation_bot.core.types import DeliveryResult
from moderation_bot.settings import Settings
from tests.factories import message

THREAT = "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers"


class FilePlatform:
    platform = "test"

    def __init__(self, path: Path, mode: str) -> None:
        self._path = path
        self._mode = mode

    async def _deliver(self, method: str, key: str) -> DeliveryResult:
        if self._mode == "block-before-send":
            print("SENDING", flush=True)
            await asyncio.Event().wait()
        seen = {json.loads(line)["key"] for line in self._path.read_text().splitlines()} \
            if self._path.exists() else set()
        if key not in seen:
            with self._path.open("a") as handle:
                handle.write(json.dumps({"method": method, "key": key}) + "\n")
        if self._mode == "block-after-send":
            print("SENT", flush=True)
            await asyncio.Event().wait()
        return DeliveryResult(ok=True, ref=f"ref-{key}")

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

    async def post_case(self, report: Any, **kw: Any) -> DeliveryResult:
        return await self._deliver("post_case", kw["idempotency_key"])


async def main(db: str, calls: str, mode: str) -> None:
    settings = Settings(database_url=f"sqlite:///{db}", _env_file=None)  # type: ignore[call-arg]
    platform = FilePlatform(Path(calls), mode)
    async with open_service(settings, {"test": platform}, classifier=BaselineClassifier()) as bot:
        if mode == "restart":
            await bot.dispatcher.run_due()
            print("DONE", flush=True)
            return
        outcome = await bot.handle(message(THREAT))
        print(f"STORED {outcome.case_id}", flush=True)
        await bot.dispatcher.drain()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
