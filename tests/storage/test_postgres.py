"""PostgreSQL with real concurrent writers: separate stores (pools) stand for separate worker
processes, and the rules the embedded bot keeps with one writer must still hold."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from moderation_bot.core.types import Severity
from moderation_bot.storage import DatabaseUnavailable, Store, open_store
from tests.factories import T0, message
from tests.storage.backends import postgres_url

WAIT_POLLS = 1000  # x 10 ms: a generous bound, only reached when something is broken


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with postgres_url() as fresh:
        yield fresh


async def _lock_waiters(watcher: Store, application_name: str) -> int:
    row = await watcher.db.fetchone(
        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = ?"
        " AND wait_event_type = 'Lock'", (application_name,))
    assert row is not None
    return int(row["n"])


async def test_a_writer_blocked_on_a_new_case_joins_it_instead_of_opening_another(
    url: str,
) -> None:
    name_b = f"modbot-test-b-{secrets.token_hex(4)}"
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(open_store(url))
        b = await stack.enter_async_context(open_store(f"{url}&application_name={name_b}"))
        watcher = await stack.enter_async_context(open_store(url))
        async with a.transaction():
            first, created_a = await a.cases.open_or_update(
                message("one"), Severity.MEDIUM, ("grooming",), ("p1",), T0)
            # B runs while A's new case is not committed: its insert must wait for A.
            second_task = asyncio.create_task(b.cases.open_or_update(
                message("two", to="other"), Severity.HIGH, ("sextortion",), ("p2",), T0))
            for _ in range(WAIT_POLLS):
                if await _lock_waiters(watcher, name_b) or second_task.done():
                    break
                await asyncio.sleep(0.01)
            assert not second_task.done(), "the second writer did not wait for the first"
        second, created_b = await second_task

        assert (created_a, created_b) == (True, False) and second == first
        open_rows = await watcher.db.fetchall("SELECT id FROM cases WHERE status = 'open'")
        assert [r["id"] for r in open_rows] == [first]
        report = await watcher.cases.report(first)
        assert report is not None
        assert report.severity is Severity.HIGH
        assert report.labels == ("grooming", "sextortion")
        assert [r.name for r in report.recipients] == ["teen", "other"]


async def test_many_simultaneous_writers_leave_one_open_case_per_sender(url: str) -> None:
    senders = [f"s{i}" for i in range(12)]
    async with AsyncExitStack() as stack:
        stores = [await stack.enter_async_context(open_store(url)) for _ in range(3)]

        async def write(store: Store, sender: str, n: int) -> tuple[int, bool]:
            async with store.transaction():
                return await store.cases.open_or_update(
                    message(f"m{n}", sender=sender), Severity.LOW, (), (f"p{n}",), T0)

        # Four writers per sender, two of them sharing one store's pool.
        results = await asyncio.gather(*(
            write(stores[n % 3], sender, n) for sender in senders for n in range(4)))

        by_sender: dict[int, list[bool]] = {}
        for case_id, created in results:
            by_sender.setdefault(case_id, []).append(created)
        assert len(by_sender) == len(senders)
        assert all(sorted(flags) == [False, False, False, True] for flags in by_sender.values())
        rows = await stores[0].db.fetchall(
            "SELECT sender_id, COUNT(*) AS n FROM cases WHERE status = 'open' GROUP BY sender_id")
        assert {r["sender_id"]: r["n"] for r in rows} == {f"id-{s}": 1 for s in senders}
        for case_id in by_sender:
            report = await stores[0].cases.report(case_id)
            assert report is not None and sorted(report.policies) == ["p0", "p1", "p2", "p3"]


async def test_concurrent_transactions_in_one_process_use_their_own_connections(
    url: str,
) -> None:
    async with open_store(url) as store:
        both_inside = asyncio.Barrier(2)

        async def write(sender: str) -> int:
            async with store.transaction():
                case_id, _ = await store.cases.open_or_update(
                    message("x", sender=sender), Severity.LOW, (), ("p",), T0)
                # Both transactions are open at once: impossible with one shared connection.
                await asyncio.wait_for(both_inside.wait(), timeout=30)
                return case_id

        first, second = await asyncio.gather(write("one"), write("two"))
        assert first != second
        rows = await store.db.fetchall("SELECT id FROM cases ORDER BY id")
        assert [r["id"] for r in rows] == sorted([first, second])


async def test_migrations_run_once_when_processes_start_together(url: str) -> None:
    async with AsyncExitStack() as stack:
        stores = await asyncio.gather(*(stack.enter_async_context(open_store(url))
                                        for _ in range(3)))
        rows = await stores[0].db.fetchall(
            "SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version")
        assert rows and all(r["n"] == 1 for r in rows)


async def test_a_task_started_inside_a_transaction_gets_its_own_connection(url: str) -> None:
    async with open_store(url) as store:
        async with store.transaction():
            case_id, _ = await store.cases.open_or_update(message("x"), Severity.LOW, (), ("p",),
                                                          T0)
            # Inherits the context of the open transaction; must not reuse its connection.
            child = asyncio.create_task(store.outbox.add(
                verdict_id=None, case_id=None, platform="test", community_id="c1",
                kind="delete_message", policy="p", target_id=None, payload={}, now=T0))
            # Parent and child talk to the database at the same moment. (The parent's call is
            # not in gather: gather would run it as a task of its own, outside the transaction.)
            await store.cases.add_event(case_id, "a", "b", T0)
            row_id = await child
        assert row_id > 0 and len(await store.cases.events(case_id)) == 1
        assert await store.outbox.statuses() == {"pending": 1}


async def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    pytest.importorskip("asyncpg")
    with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:1/modbot") as caught:
        async with open_store("postgresql://bot:s3cret-pw@127.0.0.1:1/modbot?sslmode=disable"):
            pass
    assert "s3cret-pw" not in str(caught.value)
    assert "bot@" not in str(caught.value)


async def test_the_pool_size_setting_caps_a_process_connections(url: str) -> None:
    async with open_store(url, pool_size=3) as store:
        assert store.db._pool.get_max_size() == 3  # type: ignore[attr-defined]
