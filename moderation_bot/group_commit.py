"""Group commit for messages that need nothing: many verdicts, one transaction.

Most chat is harmless. Its verdicts still have to be stored before ``handle`` returns (they are
the record that a message was checked), but one transaction per "lol" would make the database
the bottleneck. Callers wait here until the batch holding their row has committed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from moderation_bot.core.types import Classification, IncomingMessage
from moderation_bot.logs import fields
from moderation_bot.storage import Store

log = logging.getLogger(__name__)

QuietRow = tuple[IncomingMessage, str, Classification, datetime]


class QuietVerdicts:
    def __init__(self, store: Store, *, max_rows: int = 512, max_wait_s: float = 0.002) -> None:
        self._store = store
        self._max_rows = max_rows
        self._max_wait_s = max_wait_s
        self._pending: list[tuple[QuietRow, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writes: set[asyncio.Task[None]] = set()

    async def add(self, row: QuietRow) -> None:
        """Store one verdict; returns once it is committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._pending.append((row, done))
        if len(self._pending) >= self._max_rows:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._max_wait_s, self._flush)
        await done

    async def close(self) -> None:
        self._flush()
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._write(batch))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, batch: list[tuple[QuietRow, asyncio.Future[None]]]) -> None:
        try:
            await self._store.verdicts.add_quiet([row for row, _ in batch])
        except Exception as error:  # noqa: BLE001 - every waiting caller gets the failure
            log.exception("storing verdicts failed", extra=fields(rows=len(batch)))
            for _, done in batch:
                if not done.done():
                    done.set_exception(error)
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)
