"""The micro-batcher gathers concurrent requests into one classifier call, off the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from moderation_bot.batching import MicroBatcher
from moderation_bot.core.types import Classification
from tests.fakes.fake_classifier import TableClassifier


async def test_concurrent_requests_share_a_batch() -> None:
    fake = TableClassifier({"bad": {"sextortion": 0.9}})
    batcher = MicroBatcher(fake, max_batch=8, max_wait_s=0.05)
    results = await asyncio.gather(*(batcher.classify(t) for t in ["bad", "ok", "ok", "bad"]))
    await batcher.close()
    assert [r.scores["sextortion"] for r in results] == [0.9, 0.0, 0.0, 0.9]
    assert fake.batches == [2]  # a text already waiting is not scored twice


async def test_repeated_texts_are_scored_once() -> None:
    fake = TableClassifier({"lol": {"grooming": 0.1}})
    batcher = MicroBatcher(fake, max_wait_s=0)
    first = await batcher.classify("lol")
    again = await batcher.classify("lol")
    await batcher.close()
    assert first == again and sum(fake.batches) == 1


async def test_batches_are_capped_at_max_batch() -> None:
    fake = TableClassifier()
    batcher = MicroBatcher(fake, max_batch=3, max_wait_s=0.05)
    await batcher.classify_many([str(i) for i in range(7)])
    await batcher.close()
    assert sum(fake.batches) == 7 and max(fake.batches) <= 3


class ThreadRecorder(TableClassifier):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        self.threads.add(threading.get_ident())
        return super().classify_batch(texts)


async def test_the_model_runs_off_the_event_loop() -> None:
    fake = ThreadRecorder()
    batcher = MicroBatcher(fake, max_wait_s=0)
    await batcher.classify("x")
    await batcher.close()
    assert threading.get_ident() not in fake.threads


class Broken(TableClassifier):
    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        raise RuntimeError("model crashed")


async def test_a_failing_model_fails_its_callers_and_the_batcher_goes_on() -> None:
    batcher = MicroBatcher(Broken(), max_wait_s=0)
    with pytest.raises(RuntimeError, match="model crashed"):
        await batcher.classify("x")
    with pytest.raises(RuntimeError, match="model crashed"):
        await batcher.classify("y")
    await batcher.close()


class Gated(TableClassifier):
    """Blocks each batch until the test opens the gate, recording the batches it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.seen: list[list[str]] = []

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        self.seen.append(list(texts))
        self.started.set()
        self.gate.wait(5)
        return super().classify_batch(texts)


async def test_one_caller_giving_up_does_not_cancel_the_shared_result() -> None:
    fake = Gated()
    batcher = MicroBatcher(fake, max_wait_s=0)
    impatient = asyncio.create_task(batcher.classify("same"))
    patient = asyncio.create_task(batcher.classify("same"))
    await asyncio.to_thread(fake.started.wait, 5)
    impatient.cancel()
    fake.gate.set()
    result = await patient
    await batcher.close()
    assert result.model_id == fake.model_id and fake.seen == [["same"]]


async def test_the_next_batch_is_formed_while_the_model_is_busy() -> None:
    fake = Gated()
    batcher = MicroBatcher(fake, max_batch=8, max_wait_s=0)
    first = asyncio.create_task(batcher.classify("first"))
    await asyncio.to_thread(fake.started.wait, 5)
    rest = asyncio.gather(*(batcher.classify(f"t{i}") for i in range(5)))
    await asyncio.sleep(0.05)  # the model thread is still busy with the first batch
    fake.gate.set()
    await first
    await rest
    await batcher.close()
    assert fake.seen[0] == ["first"] and sorted(sum(fake.seen[1:], [])) == [f"t{i}" for i in range(5)]
    assert len(fake.seen) <= 3  # queued behind the running batch, not one call per text
