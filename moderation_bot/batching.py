"""Micro-batching in front of a synchronous classifier.

Requests arriving within ``max_wait_s`` of each other (or until ``max_batch`` are waiting) are
scored together on one dedicated model thread, so the event loop stays free for the platforms and
batches amortise the model's per-call cost.

Two batches may be in flight: while the model thread scores one, the next is already formed and
queued behind it, so the thread never waits for the (busy) event loop between batches. Only one
batch runs at a time: on two cores, scoring two batches in parallel only made them compete.

Chat repeats itself ("lol", "gg", "hi"), so results are cached by normalised text (a bounded LRU),
and a text already waiting for the model is not queued again: later callers share its result. A
model scores a text alone, so its result for a text never changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import Classification
from moderation_bot.logs import fields

log = logging.getLogger(__name__)

_IN_FLIGHT = 2
"""Batches handed to the model thread at once: one running, one ready behind it."""


class MicroBatcher:
    def __init__(self, classifier: Classifier, *, max_batch: int = 32, max_wait_s: float = 0.004,
                 cache_size: int = 50_000):
        self._classifier = classifier
        self._max_batch = max(1, max_batch)
        self._max_wait_s = max_wait_s
        self._cache: OrderedDict[str, Classification] = OrderedDict()
        self._cache_size = cache_size
        self._pending: dict[str, asyncio.Future[Classification]] = {}
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._model_thread: ThreadPoolExecutor | None = None
        self._slots = asyncio.Semaphore(_IN_FLIGHT)

    @property
    def model_id(self) -> str:
        return self._classifier.model_id

    async def classify(self, text: str) -> Classification:
        """Score one normalised text; waits for the batch it joins (unless cached)."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        future = self._pending.get(text)
        if future is None:
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._collect(), name="modbot-batcher")
            future = asyncio.get_running_loop().create_future()
            self._pending[text] = future
            self._queue.put_nowait(text)
        # Shielded: one caller giving up must not cancel the result others are waiting for.
        return await asyncio.shield(future)

    async def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        return list(await asyncio.gather(*(self.classify(text) for text in texts)))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        if self._model_thread is not None:
            self._model_thread.shutdown(wait=False, cancel_futures=True)
            self._model_thread = None

    async def _collect(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self._max_wait_s
            while len(batch) < self._max_batch:
                if not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            await self._slots.acquire()
            # Texts that queued while this batch waited for a slot ride along: the batch the
            # model thread is about to start is the only one that can take them this soon.
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if self._model_thread is None:
                self._model_thread = ThreadPoolExecutor(1, thread_name_prefix="modbot-model")
            scored = loop.run_in_executor(self._model_thread, self._classifier.classify_batch, batch)
            scored.add_done_callback(lambda done, texts=batch: self._deliver(texts, done))

    def _deliver(self, texts: list[str], done: asyncio.Future[list[Classification]]) -> None:
        self._slots.release()
        if done.cancelled():
            return
        error = done.exception()
        results = None if error else done.result()
        if results is not None and len(results) != len(texts):
            error = RuntimeError(f"classifier returned {len(results)} results for {len(texts)}")
        if error is not None:
            log.error("classifier batch failed", exc_info=error, extra=fields(batch=len(texts)))
        for index, text in enumerate(texts):
            future = self._pending.pop(text, None)
            if future is None or future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                assert results is not None
                self._remember(text, results[index])
                future.set_result(results[index])

    def _remember(self, text: str, result: Classification) -> None:
        if self._cache_size <= 0 or len(text) > 500:  # long texts rarely repeat
            return
        self._cache[text] = result
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
