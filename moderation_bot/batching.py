"""Micro-batching in front of a synchronous classifier.

Requests arriving within ``max_wait_s`` of each other (or until ``max_batch`` are waiting) are
scored together in a worker thread, so the event loop stays free for the platforms and batches
amortise the model's per-call cost. Chat repeats itself ("lol", "gg", "hi"), so results are
cached by normalised text (a bounded LRU): a model scores a text alone, so its result for a text
never changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence

from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import Classification
from moderation_bot.logs import fields

log = logging.getLogger(__name__)


class MicroBatcher:
    def __init__(self, classifier: Classifier, *, max_batch: int = 32, max_wait_s: float = 0.004,
                 cache_size: int = 50_000):
        self._classifier = classifier
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._cache: OrderedDict[str, Classification] = OrderedDict()
        self._cache_size = cache_size
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[Classification]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    @property
    def model_id(self) -> str:
        return self._classifier.model_id

    async def classify(self, text: str) -> Classification:
        """Score one normalised text; waits for the batch it joins (unless cached)."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="modbot-batcher")
        future: asyncio.Future[Classification] = asyncio.get_running_loop().create_future()
        await self._queue.put((text, future))
        return await future

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

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self._max_wait_s
            while len(batch) < self._max_batch:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            live = [(text, fut) for text, fut in batch if not fut.cancelled()]
            if not live:
                continue
            try:
                results = await asyncio.to_thread(
                    self._classifier.classify_batch, [text for text, _ in live]
                )
                if len(results) != len(live):
                    raise RuntimeError(f"classifier returned {len(results)} results for {len(live)}")
            except Exception as error:  # noqa: BLE001 - the failure goes to every waiting caller
                log.exception("classifier batch failed", extra=fields(batch=len(live)))
                for _, fut in live:
                    if not fut.done():
                        fut.set_exception(error)
                continue
            for (text, fut), result in zip(live, results, strict=True):
                self._remember(text, result)
                if not fut.done():
                    fut.set_result(result)

    def _remember(self, text: str, result: Classification) -> None:
        if self._cache_size <= 0 or len(text) > 500:  # long texts rarely repeat
            return
        self._cache[text] = result
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
