"""The store through its real drivers, the same tests on SQLite and on PostgreSQL: migrations,
cases, outbox, privacy, retention."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from moderation_bot.core.types import CaseStatus, Severity
from moderation_bot.storage import IntegrityError, Store, open_store
from moderation_bot.storage.migrate import available_migrations, migrate
from moderation_bot.storage.state import CampaignSeen
from moderation_bot.storage.store import UnsupportedDatabase, sqlite_path, url_scheme
from tests.factories import T0, message, user
from tests.storage.backends import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with database_url(request.param, tmp_path) as url, open_store(url) as opened:
        yield opened


async def test_migrations_are_recorded_and_applied_once(store: Store) -> None:
    rows = await store.db.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    assert [r["version"] for r in rows] == [v for v, _, _ in available_migrations()]
    assert await migrate(store.db) == []
    if store.db.dialect == "sqlite":
        mode = await store.db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"


def test_database_urls() -> None:
    assert sqlite_path("sqlite:///data/x.db") == Path("data/x.db")
    assert sqlite_path("sqlite:////tmp/x.db") == Path("/tmp/x.db")
    assert sqlite_path("sqlite://:memory:") == ":memory:"
    with pytest.raises(UnsupportedDatabase, match="'mysql' is not supported"):
        sqlite_path("mysql://localhost/db")
    assert url_scheme("postgres://u@h/db") == "postgres" and url_scheme("data/x.db") == ""


async def test_one_open_case_per_sender_and_community(store: Store) -> None:
    first = message("one")
    case_id, created = await store.cases.open_or_update(first, Severity.MEDIUM, ("grooming",),
                                                         ("p1",), T0)
    again, created_again = await store.cases.open_or_update(
        message("two", to="other"), Severity.HIGH, ("image_request",), ("p2",), T0)
    assert created and not created_again and again == case_id
    report = await store.cases.report(case_id)
    assert report is not None
    assert report.severity is Severity.HIGH
    assert report.labels == ("grooming", "image_request")
    assert report.policies == ("p1", "p2")
    assert [r.name for r in report.recipients] == ["teen", "other"]
    other_community, _ = await store.cases.open_or_update(
        message("three", community="c2"), Severity.LOW, (), ("p1",), T0)
    assert other_community != case_id
    await store.cases.set_status(case_id, CaseStatus.DISMISSED, T0)
    reopened, created_new = await store.cases.open_or_update(message("four"), Severity.LOW, (),
                                                             ("p1",), T0)
    assert created_new and reopened != case_id


async def test_transaction_rolls_back_everything(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await store.cases.open_or_update(message("x"), Severity.LOW, (), ("p",), T0)
            raise RuntimeError("crash inside the transaction")
    assert await store.db.fetchall("SELECT * FROM cases") == []


async def test_outbox_rows_retry_then_finish(store: Store) -> None:
    row_id = await store.outbox.add(verdict_id=None, case_id=None, platform="test",
                                    community_id="c1", kind="delete_message", policy="p",
                                    target_id=None, payload={"a": 1}, now=T0)
    (row,) = await store.outbox.due(T0)
    assert row.id == row_id and row.payload == {"a": 1}
    assert row.idempotency_key == f"modbot-outbox-{row_id}"
    await store.outbox.mark_retry(row_id, "boom", T0 + timedelta(seconds=30))
    assert await store.outbox.due(T0 + timedelta(seconds=10)) == []
    (later,) = await store.outbox.due(T0 + timedelta(seconds=31))
    assert later.attempts == 1
    await store.outbox.mark_done([row_id], T0, "ref")
    assert await store.outbox.due(T0 + timedelta(days=1)) == []
    assert await store.outbox.statuses() == {"done": 1}


async def test_retention_purges_text_but_keeps_the_hash(store: Store) -> None:
    case_id, _ = await store.cases.open_or_update(message("x"), Severity.LOW, (), ("p",), T0)
    await store.cases.add_evidence(case_id, message("secret words"), "secret words", "h" * 64,
                                   {"grooming": 0.7}, T0, T0 + timedelta(days=30))
    assert await store.purge_expired_text(T0 + timedelta(days=29)) == 0
    assert await store.purge_expired_text(T0 + timedelta(days=31)) == 1
    report = await store.cases.report(case_id)
    assert report is not None
    (item,) = report.evidence
    assert item.text is None and item.text_sha256 == "h" * 64


async def test_delete_user_data_removes_the_user_everywhere(store: Store) -> None:
    offender = message("bad", sender="offender", to="teen")
    case_id, _ = await store.cases.open_or_update(offender, Severity.HIGH, (), ("p",), T0)
    await store.cases.add_evidence(case_id, offender, "bad", "a" * 64, {}, T0, T0)
    other = message("also bad", sender="someone", to="teen")
    other_case, _ = await store.cases.open_or_update(other, Severity.HIGH, (), ("p",), T0)
    await store.cases.add_event(other_case, "test:id-teen", "reported", T0)
    await store.state.record_campaign("test", "c1", "id-offender", "general", (user("teen"),),
                                      ("b1",), T0, timedelta(hours=1), reached_max=10)

    removed = await store.delete_user_data("test", "id-offender")
    assert removed == 3  # the case, its evidence, the campaign mark
    assert await store.cases.report(case_id) is None
    assert await store.db.fetchall("SELECT * FROM campaign_marks") == []

    await store.delete_user_data("test", "id-teen")
    report = await store.cases.report(other_case)
    assert report is not None and report.recipients == ()
    events = await store.cases.events(other_case)
    assert [e.actor for e in events] == ["deleted-user"]
    dump = ""
    for table in ("cases", "evidence", "case_events"):
        dump += "\n".join(str(tuple(r)) for r in await store.db.fetchall(f"SELECT * FROM {table}"))
    assert "id-teen" not in dump and "id-offender" not in dump


async def test_delete_community_data(store: Store) -> None:
    await store.cases.open_or_update(message("x", community="gone"), Severity.LOW, (), ("p",), T0)
    await store.cases.open_or_update(message("x", community="kept"), Severity.LOW, (), ("p",), T0)
    assert await store.delete_community_data("test", "gone") == 1
    rows = await store.db.fetchall("SELECT community_id FROM cases")
    assert [r["community_id"] for r in rows] == ["kept"]


async def record(store: Store, sender: str, conversation: str, to: tuple[str, ...],
                 bands: tuple[str, ...] = ("b1", "b2"), at: timedelta = timedelta(0),
                 community: str = "c1", reached_max: int = 10) -> CampaignSeen:
    return await store.state.record_campaign(
        "test", community, f"id-{sender}", conversation, tuple(user(n) for n in to), bands,
        T0 + at, timedelta(hours=24), reached_max=reached_max)


async def test_campaign_marks_count_conversations_senders_and_people_reached(
    store: Store,
) -> None:
    await record(store, "x", "a", ("p1",))
    await record(store, "x", "b", ("p2", "p3"), bands=("b2", "other"))
    await record(store, "x", "b", ("p2",), bands=("b2", "other"))  # the same again
    await record(store, "y", "c", ("p4",), bands=("b1",))
    await record(store, "z", "d", ("p9",), bands=("unrelated",))
    await record(store, "w", "e", ("p8",), community="c2")  # another community
    await record(store, "v", "f", ("p7",), at=timedelta(hours=-30))  # before the window
    seen = await record(store, "x", "g", (), bands=("b1",), at=timedelta(minutes=5))
    assert (seen.conversations, seen.senders) == (2, 2)  # x: a and g share b1 (b: b2 only)
    assert [p.id for p in seen.reached] == ["id-p1", "id-p4"]
    seen = await record(store, "y", "h", ("x",), bands=("b1", "b2"), at=timedelta(minutes=6))
    assert (seen.conversations, seen.senders) == (2, 2)
    assert [p.id for p in seen.reached] == ["id-p1", "id-p2", "id-p3", "id-p4", "id-x"]
    assert seen.reached[0] == user("p1")
    few = await record(store, "u", "i", (), bands=("b1", "b2"), at=timedelta(minutes=7),
                       reached_max=2)
    assert (few.senders, len(few.reached)) == (3, 2)


async def test_a_campaign_case_is_found_by_its_marks_while_open(store: Store) -> None:
    since = T0 - timedelta(hours=1)
    await record(store, "x", "a", ("p1",))
    assert await store.state.campaign_case("test", "c1", ("b1",), since) is None
    case_id, _ = await store.cases.open_or_update(message("t", sender="x", to="p1"),
                                                  Severity.HIGH, ("sextortion",), ("p",), T0)
    await store.state.link_campaign_case("test", "c1", "id-x", "a", ("b1", "b2"), case_id)
    assert await store.state.campaign_case("test", "c1", ("b2", "zz"), since) == case_id
    assert await store.state.campaign_case("test", "c2", ("b2",), since) is None
    assert await store.state.campaign_case("test", "c1", ("b2",), T0 + timedelta(1)) is None
    await store.cases.set_status(case_id, CaseStatus.DISMISSED, T0)
    assert await store.state.campaign_case("test", "c1", ("b1",), since) is None
    assert await store.state.forget_texts_before(T0 + timedelta(seconds=1)) == 2
    await store.lock_campaign("test", "c1", ("b1", "b2"))  # a no-op outside PostgreSQL's


async def test_another_sender_joins_a_campaign_case(store: Store) -> None:
    first = message("t", sender="x", to="p1")
    case_id, _ = await store.cases.open_or_update(first, Severity.MEDIUM, ("sextortion",),
                                                  ("p",), T0, recipients=(user("p1"),))
    await store.cases.add_evidence(case_id, first, "t", "a" * 64, {}, T0, T0 + timedelta(9))
    second = message("t", sender="y", to="p2", account_age=60.0)
    assert await store.cases.join(case_id, second, Severity.CRITICAL, ("sextortion",),
                                  ("campaign",), (user("p2"), user("p1"), user("p3")), T0)
    await store.cases.add_evidence(case_id, second, "t", "a" * 64, {}, T0, T0 + timedelta(9))
    report = await store.cases.report(case_id)
    assert report is not None
    assert report.sender == user("x") and report.other_senders == (user("y"),)
    assert report.senders == (user("x"), user("y"))
    assert report.severity is Severity.CRITICAL and report.policies == ("p", "campaign")
    assert report.recipients == (user("p1"), user("p2"), user("p3"))
    assert report.sender_account_age_s == 2 * 86400.0  # the first sender's, not the joiner's
    assert report.ages(user("y"))[0] == 60.0 and report.ages(user("x"))[0] == 2 * 86400.0
    assert report.ages(user("nobody")) == (None, None)
    await store.cases.set_status(case_id, CaseStatus.CONFIRMED, T0)
    assert not await store.cases.join(case_id, second, Severity.LOW, (), (), (), T0)


async def test_deleting_a_campaigns_first_sender_hands_the_case_on(store: Store) -> None:
    first = message("t", sender="x", to="p1")
    case_id, _ = await store.cases.open_or_update(first, Severity.HIGH, (), ("p",), T0)
    await store.cases.add_evidence(case_id, first, "t", "a" * 64, {}, T0, T0 + timedelta(9))
    for name in ("y", "z"):
        joined = message("t", sender=name, to=f"p-{name}")
        await store.cases.join(case_id, joined, Severity.HIGH, (), (), joined.recipients, T0)
        await store.cases.add_evidence(case_id, joined, "t", "a" * 64, {}, T0, T0 + timedelta(9))
    await store.delete_user_data("test", "id-x")
    report = await store.cases.report(case_id)
    assert report is not None and report.status is CaseStatus.OPEN
    assert report.senders == (user("y"), user("z"))
    assert [item.sender for item in report.evidence] == [user("y"), user("z")]
    # z has its own open case: y's deletion cannot hand this one to z, so it goes.
    await store.cases.open_or_update(message("u", sender="z"), Severity.LOW, (), ("p",), T0)
    await store.delete_user_data("test", "id-y")
    assert await store.cases.report(case_id) is None


async def test_execute_returns_new_ids_then_changed_rows(store: Store) -> None:
    first = await store.outbox.add(verdict_id=None, case_id=None, platform="test",
                                   community_id="c1", kind="delete_message", policy="p",
                                   target_id=None, payload={}, now=T0)
    second = await store.outbox.add(verdict_id=None, case_id=None, platform="test",
                                    community_id="c1", kind="delete_message", policy="p",
                                    target_id=None, payload={}, now=T0)
    assert second > first > 0
    assert await store.db.execute("UPDATE outbox SET attempts = attempts + 1") == 2
    assert await store.db.execute("DELETE FROM outbox WHERE id = ?", (first,)) == 1
    case_id, _ = await store.cases.open_or_update(message("x"), Severity.LOW, (), ("p",), T0)
    insert = ("INSERT INTO case_events (case_id, at, actor, action) VALUES (?, ?, 'a', 'b')"
              " ON CONFLICT (id) DO NOTHING")
    event_id = await store.db.execute(insert, (case_id, "t"))
    assert event_id > 0
    # An insert that inserts nothing reports 0 rows, never an earlier insert's id.
    clash = "INSERT INTO case_events (id, case_id, at, actor, action) VALUES (?, ?, ?, 'a', 'b')"
    assert await store.db.execute(clash + " ON CONFLICT (id) DO NOTHING",
                                  (event_id, case_id, "t")) == 0


async def test_constraint_violations_raise_one_error_type_and_roll_back(store: Store) -> None:
    first, _ = await store.cases.open_or_update(message("x"), Severity.LOW, (), ("p",), T0)
    await store.cases.set_status(first, CaseStatus.DISMISSED, T0)
    second, _ = await store.cases.open_or_update(message("y"), Severity.LOW, (), ("p",), T0)
    with pytest.raises(IntegrityError):
        async with store.transaction():
            await store.cases.add_event(first, "mod", "reopen", T0)
            await store.cases.set_status(first, CaseStatus.OPEN, T0)  # a second open case
    assert await store.cases.events(first) == []
    assert await store.cases.has_open_case("test", "c1", "id-stranger")
    report = await store.cases.report(first)
    assert report is not None and report.status is CaseStatus.DISMISSED and second != first


async def test_hostile_strings_and_large_numbers_round_trip(store: Store) -> None:
    name = "a\x00b\u202e\U0001f600" + "é" * 300
    odd = message("x", sender=name, account_age=123456789012.25)
    case_id, _ = await store.cases.open_or_update(odd, Severity.LOW, (), ("p",), T0)
    again, created = await store.cases.open_or_update(
        message("y", sender=name, account_age=None), Severity.LOW, (), ("p",), T0)
    assert again == case_id and not created
    report = await store.cases.report(case_id)
    assert report is not None
    assert report.sender_account_age_s == 123456789012.25  # 64-bit floats on both engines
    assert report.sender.name.endswith("\u202e\U0001f600" + "é" * 300)
    assert await store.delete_user_data("test", odd.sender.id) >= 1
    assert await store.cases.report(case_id) is None


async def test_recipient_scrub_matches_ids_literally(store: Store) -> None:
    case_id, _ = await store.cases.open_or_update(
        message("x", to="a_b"), Severity.LOW, (), ("p",), T0)
    await store.cases.open_or_update(message("y", to="axb"), Severity.LOW, (), ("p",), T0)
    await store.delete_user_data("test", "id-a%")  # wildcards in an id match nothing
    report = await store.cases.report(case_id)
    assert report is not None and [r.id for r in report.recipients] == ["id-a_b", "id-axb"]
    await store.delete_user_data("test", "id-a_b")
    report = await store.cases.report(case_id)
    assert report is not None and [r.id for r in report.recipients] == ["id-axb"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_transactions_on_two_stores_are_independent(backend: str, tmp_path: Path) -> None:
    async with (database_url(backend, tmp_path / "a") as url_a,
                database_url(backend, tmp_path / "b") as url_b,
                open_store(url_a) as a, open_store(url_b) as b):
        with pytest.raises(RuntimeError):
            async with a.transaction():
                await a.cases.open_or_update(message("x"), Severity.LOW, (), ("p",), T0)
                async with b.transaction():  # not a nested block of a's transaction
                    await b.cases.open_or_update(message("y"), Severity.LOW, (), ("p",), T0)
                    raise RuntimeError("crash inside b's transaction")
        assert await a.db.fetchall("SELECT id FROM cases") == []
        assert await b.db.fetchall("SELECT id FROM cases") == []


async def test_open_cases_elsewhere_count_every_sender_of_a_campaign(store: Store) -> None:
    first = message("t", sender="x", community="c1")
    case_id, _ = await store.cases.open_or_update(first, Severity.HIGH, (), ("p",), T0)
    joined = message("t", sender="y", community="c1")
    await store.cases.join(case_id, joined, Severity.HIGH, (), (), joined.recipients, T0)
    await store.cases.add_evidence(case_id, joined, "t", "a" * 64, {}, T0, T0 + timedelta(9))
    assert await store.cases.open_elsewhere("test", "id-y", "c2") == 1
    assert await store.cases.open_elsewhere("test", "id-x", "c2") == 1
    assert await store.cases.open_elsewhere("test", "id-y", "c1") == 0
    await store.cases.set_status(case_id, CaseStatus.DISMISSED, T0)
    assert await store.cases.open_elsewhere("test", "id-y", "c2") == 0
