"""Outbox leases: several dispatchers (one per worker process) share one outbox, and each row is
sent by one of them, once. Separate stores stand for separate processes (separate connections
or pools), on both engines."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from moderation_bot.clock import utcnow
from moderation_bot.core.types import (
    CaseReport,
    Classification,
    Decision,
    DeliveryResult,
    EffectKind,
    MessageRef,
    Notice,
    Severity,
    UserRef,
)
from moderation_bot.dispatch import Dispatcher
from moderation_bot.storage import Store, open_store
from moderation_bot.storage.outbox import Claimant
from tests.factories import T0, message
from tests.storage.backends import BACKENDS, database_url


def render(kind: EffectKind, topic: str, locale: str, minor: bool | None = None) -> Notice:
    return Notice(topic=topic, locale=locale, headline=str(kind), body="words")


class CountingPlatform:
    """Records every call, repeats included (a platform that does NOT deduplicate), and takes a
    little time per call so that two dispatchers interleave."""

    platform = "test"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self._posted = 0

    async def _call(self, method: str, key: str, existing: str | None = None,
                    ref: str | None = None) -> DeliveryResult:
        await asyncio.sleep(random.uniform(0, 0.004))
        self.calls.append((method, key, existing))
        return DeliveryResult(ok=True, ref=ref)

    async def send_private(self, user: UserRef, notice: Notice, **kw: Any) -> DeliveryResult:
        return await self._call("send_private", kw["idempotency_key"])

    async def delete_message(self, message: MessageRef, **kw: Any) -> DeliveryResult:
        return await self._call("delete_message", kw["idempotency_key"])

    async def timeout_user(self, *args: Any, **kw: Any) -> DeliveryResult:
        return await self._call("timeout_user", kw["idempotency_key"])

    async def lift_timeout(self, *args: Any, **kw: Any) -> DeliveryResult:
        return await self._call("lift_timeout", kw["idempotency_key"])

    async def ban_user(self, *args: Any, **kw: Any) -> DeliveryResult:
        return await self._call("ban_user", kw["idempotency_key"])

    async def post_case(self, report: CaseReport, *, existing_ref: str | None,
                        **kw: Any) -> DeliveryResult:
        ref = existing_ref
        if ref is None:
            self._posted += 1
            ref = f"case-message-{self._posted}"
        return await self._call("post_case", kw["idempotency_key"], existing_ref, ref)


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url(request.param, tmp_path) as fresh:
        yield fresh


async def _fill(store: Store) -> dict[str, int]:
    """Deletions, warning + advice pairs (one verdict each), and cases with several pending
    escalations; returns how many of each were queued."""
    now = utcnow()
    delete = {"message": {"channel_id": "c", "message_id": "m"}}
    for _ in range(40):
        await store.outbox.add(verdict_id=None, case_id=None, platform="test", community_id="c1",
                               kind="delete_message", policy="p", target_id=None, payload=delete,
                               now=now)
    classification = Classification({"grooming": 0.9}, "test-model")
    for number in range(10):
        incoming = message(f"pair {number}")
        verdict = await store.verdicts.add(incoming, "sha", classification,
                                           Decision(flagged=True), None, now)
        target = {"platform": "test", "id": f"id-teen-{number}", "name": "teen"}
        for kind in ("warn_recipient", "send_advice"):
            await store.outbox.add(
                verdict_id=verdict, case_id=None, platform="test", community_id="c1", kind=kind,
                policy="p", target_id=target["id"],
                payload={"target": target, "topic": "grooming", "locale": "en"}, now=now)
    for number in range(6):
        case_id, _ = await store.cases.open_or_update(
            message("case", sender=f"sender-{number}"), Severity.HIGH, (), ("p",), now)
        for _ in range(3):
            await store.outbox.add(verdict_id=None, case_id=case_id, platform="test",
                                   community_id="c1", kind="escalate", policy="p",
                                   target_id=None, payload={}, now=now)
    return {"delete": 40, "pairs": 10, "cases": 6}


async def test_two_dispatchers_racing_send_every_effect_once(url: str) -> None:
    platform = CountingPlatform()
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(open_store(url))
        b = await stack.enter_async_context(open_store(url))
        queued = await _fill(a)
        dispatchers = [Dispatcher(a, {"test": platform}, render, name="worker-a"),
                       Dispatcher(b, {"test": platform}, render, name="worker-b")]
        for _ in range(40):  # passes until the outbox is empty; a step-back waits a moment
            await asyncio.gather(*(d.run_due() for d in dispatchers))
            if await a.outbox.statuses() == {"done": await _count(a)}:
                break
            await asyncio.sleep(0.2)
        assert await a.outbox.statuses() == {"done": await _count(a)}
        leftover = await a.db.fetchone(
            "SELECT COUNT(*) AS n FROM outbox WHERE claim_id IS NOT NULL")
        assert leftover is not None and int(leftover["n"]) == 0, "done rows keep no lease"

    keys = Counter(key for _, key, _ in platform.calls)
    assert max(keys.values()) == 1, "an outbox row was sent twice"
    methods = Counter(method for method, _, _ in platform.calls)
    assert methods["delete_message"] == queued["delete"]
    # Each warning goes out once (merged with its advice unless the advice was leased by the
    # other dispatcher, which then sends it on its own): never more than two messages a person.
    assert queued["pairs"] <= methods["send_private"] <= 2 * queued["pairs"]
    new_posts = [c for c in platform.calls if c[0] == "post_case" and c[2] is None]
    assert len(new_posts) == queued["cases"], "a case was posted to the moderators twice"


async def _count(store: Store) -> int:
    row = await store.db.fetchone("SELECT COUNT(*) AS n FROM outbox")
    assert row is not None
    return int(row["n"])


async def _one_row(store: Store) -> int:
    return await store.outbox.add(
        verdict_id=None, case_id=None, platform="test", community_id="c1",
        kind="delete_message", policy="p", target_id=None,
        payload={"message": {"channel_id": "c", "message_id": "m"}}, now=T0)


async def test_a_lease_excludes_others_until_it_runs_out(url: str) -> None:
    async with open_store(url) as store:
        row_id = await _one_row(store)
        first, second = Claimant("w1", "run-1"), Claimant("w2", "run-2")
        (claimed,) = await store.outbox.claim_due(first, T0, T0 + timedelta(seconds=60))
        assert claimed.id == row_id and claimed.claim_id == "run-1"
        assert await store.outbox.claim_due(second, T0 + timedelta(seconds=30),
                                            T0 + timedelta(seconds=90)) == []
        assert await store.outbox.claim([row_id], second, T0, T0 + timedelta(seconds=60)) == set()
        # The holder renews while it is busy; then it dies and the lease runs out.
        assert await store.outbox.renew(first, T0 + timedelta(seconds=120)) == 1
        assert await store.outbox.claim_due(second, T0 + timedelta(seconds=90),
                                            T0 + timedelta(seconds=150)) == []
        (taken,) = await store.outbox.claim_due(second, T0 + timedelta(seconds=121),
                                                T0 + timedelta(seconds=181))
        assert taken.claim_id == "run-2"
        await store.outbox.mark_done([row_id], T0, "ref")
        assert await store.outbox.claim_due(first, T0 + timedelta(days=1),
                                            T0 + timedelta(days=2)) == []


async def test_a_restarted_dispatcher_takes_back_its_killed_runs_rows_at_once(url: str) -> None:
    async with open_store(url) as store:
        await _one_row(store)
        killed = Claimant("worker-1", "old-run")
        assert len(await store.outbox.claim_due(killed, T0, T0 + timedelta(hours=1))) == 1
        platform = CountingPlatform()
        other = Dispatcher(store, {"test": platform}, render, name="worker-2", clock=lambda: T0)
        assert await other.run_due() == 0, "another worker must wait for the lease"
        restarted = Dispatcher(store, {"test": platform}, render, name="worker-1",
                               clock=lambda: T0)
        assert await restarted.run_due() == 1
        assert [method for method, _, _ in platform.calls] == ["delete_message"]


async def test_escalations_of_a_case_held_elsewhere_are_not_posted_twice(url: str) -> None:
    async with open_store(url) as store:
        case_id, _ = await store.cases.open_or_update(message("x"), Severity.HIGH, (), ("p",), T0)
        ids = [await store.outbox.add(verdict_id=None, case_id=case_id, platform="test",
                                      community_id="c1", kind="escalate", policy="p",
                                      target_id=None, payload={}, now=T0) for _ in range(2)]
        busy = Claimant("worker-b", "run-b")
        assert await store.outbox.claim([ids[1]], busy, T0, T0 + timedelta(minutes=5)) == {ids[1]}
        platform = CountingPlatform()
        dispatcher = Dispatcher(store, {"test": platform}, render, name="worker-a",
                                clock=lambda: T0)
        assert await dispatcher.run_due() == 0
        assert platform.calls == [], "the case is being posted by the other worker"
        row = await store.db.fetchone("SELECT claim_id, attempts, next_attempt_at FROM outbox"
                                      " WHERE id = ?", (ids[0],))
        assert row is not None and row["claim_id"] is None and row["attempts"] == 0
        assert row["next_attempt_at"] > T0.isoformat(), "stepped back, without an attempt"
