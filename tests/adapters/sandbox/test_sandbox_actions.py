"""SandboxActions and SandboxFeed: recorded effects, idempotency, one card per case, live waits."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime

import pytest

from adapters.sandbox.actions import SandboxActions, case_card_ref
from adapters.sandbox.feed import SandboxFeed
from moderation_bot.core.ports import PlatformActions
from moderation_bot.core.types import (
    AdviceLink,
    CaseReport,
    CaseStatus,
    EvidenceItem,
    MessageRef,
    Notice,
    Severity,
    UserRef,
)

SAM = UserRef("sandbox", "sam", "Sam")
JORDAN = UserRef("sandbox", "jordan", "Jordan")
NOTICE = Notice(
    topic="grooming", locale="en", headline="Take care", body="Something looked wrong.",
    advice=("Stop replying.", "Keep evidence."), links=(AdviceLink("Help", "https://example.org"),),
)


def make_report(case_id: int = 7, *, evidence: int = 1, status: CaseStatus = CaseStatus.OPEN,
                claimed_by: str | None = None) -> CaseReport:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    items = tuple(
        EvidenceItem(
            message=MessageRef("sandbox", "c", "dm:jordan:sam", f"m{n}"), sender=JORDAN,
            recipients=(SAM,), text=f"evidence text number {n}", text_sha256="ab" * 32,
            scores={"grooming": 0.9}, sent_at=now,
        )
        for n in range(evidence)
    )
    return CaseReport(
        case_id=case_id, platform="sandbox", community_id="c", status=status,
        severity=Severity.HIGH, labels=("grooming",), policies=("p1",), sender=JORDAN,
        recipients=(SAM,), evidence=items, opened_at=now, updated_at=now,
        sender_account_age_s=172800.0, sender_membership_age_s=3600.0, claimed_by=claimed_by,
    )


def test_sandbox_actions_has_every_platform_actions_method_with_the_same_parameters() -> None:
    for name, member in inspect.getmembers(PlatformActions):
        if name.startswith("_"):
            continue
        ours = getattr(SandboxActions, name)
        if isinstance(member, property):
            assert isinstance(ours, property)
            continue
        assert inspect.iscoroutinefunction(ours) == inspect.iscoroutinefunction(member), name
        assert list(inspect.signature(ours).parameters) == list(
            inspect.signature(member).parameters), name
    assert SandboxActions().platform == "sandbox"


async def test_send_private_records_the_notice_once_per_idempotency_key() -> None:
    actions = SandboxActions()
    first = await actions.send_private(SAM, NOTICE, community_id="c", idempotency_key="k1")
    again = await actions.send_private(SAM, NOTICE, community_id="c", idempotency_key="k1")
    other = await actions.send_private(SAM, NOTICE, community_id="c", idempotency_key="k2")

    assert first.ok and first == again
    assert other.ref != first.ref
    events = actions.feed.events()
    assert [e.kind for e in events] == ["private_notice", "private_notice"]
    data = events[0].data
    assert data["user"] == {"id": "sam", "name": "Sam"}
    assert data["notice"]["headline"] == "Take care"
    assert data["notice"]["advice"] == ["Stop replying.", "Keep evidence."]
    assert data["notice"]["links"] == [{"title": "Help", "url": "https://example.org"}]


async def test_delete_timeout_and_ban_are_recorded_once_each() -> None:
    actions = SandboxActions()
    ref = MessageRef("sandbox", "c", "general", "m1")
    for _ in range(2):
        await actions.delete_message(ref, idempotency_key="del")
        await actions.timeout_user("c", JORDAN, 600, reason="p", idempotency_key="to")
        await actions.ban_user("c", JORDAN, reason="p", idempotency_key="ban")

    kinds = [e.kind for e in actions.feed.events()]
    assert kinds == ["message_removed", "timeout", "ban"]
    removed, timeout, ban = actions.feed.events()
    assert removed.data["message"]["message_id"] == "m1"
    assert timeout.data["seconds"] == 600 and timeout.data["user"]["id"] == "jordan"
    assert ban.data["community_id"] == "c"


async def test_a_lifted_timeout_is_recorded_once() -> None:
    actions = SandboxActions()
    for _ in range(2):
        result = await actions.lift_timeout("c", JORDAN, reason="dismissed", idempotency_key="l")
        assert result.ok
    (lifted,) = actions.feed.events()
    assert lifted.kind == "timeout_lifted"
    assert lifted.data == {"community_id": "c", "user": {"id": "jordan", "name": "Jordan"},
                           "reason": "dismissed"}


async def test_post_case_returns_a_stable_ref_and_an_update_replaces_the_card() -> None:
    actions = SandboxActions()
    first = await actions.post_case(make_report(evidence=1), channel_id="mods", existing_ref=None,
                                    idempotency_key="a")
    assert first.ok and first.ref == case_card_ref(7)
    first_seq = actions.feed.last_seq

    update = await actions.post_case(make_report(evidence=3), channel_id="mods",
                                     existing_ref=first.ref, idempotency_key="b")
    assert update.ref == first.ref

    cards = [e for e in actions.feed.events() if e.kind == "case"]
    assert len(cards) == 1
    assert cards[0].seq > first_seq, "a reader polling after the first card sees the update"
    assert len(cards[0].data["case"]["evidence"]) == 3
    assert cards[0].data["channel_id"] == "mods"


async def test_post_case_with_a_repeated_key_adds_nothing() -> None:
    actions = SandboxActions()
    first = await actions.post_case(make_report(), channel_id=None, existing_ref=None,
                                    idempotency_key="same")
    seq = actions.feed.last_seq
    again = await actions.post_case(make_report(evidence=5), channel_id=None, existing_ref=None,
                                    idempotency_key="same")
    assert again == first
    assert actions.feed.last_seq == seq


async def test_case_cards_in_the_feed_never_carry_evidence_text() -> None:
    actions = SandboxActions()
    await actions.post_case(make_report(evidence=2), channel_id=None, existing_ref=None,
                            idempotency_key="k")
    card = actions.feed.events()[0].to_json()
    assert "evidence text" not in repr(card)
    assert all("text" not in item for item in card["data"]["case"]["evidence"])
    assert card["data"]["case"]["evidence"][0]["text_available"] is True


async def test_refresh_case_replaces_an_existing_card_only() -> None:
    actions = SandboxActions()
    assert actions.refresh_case(make_report()) is False
    assert actions.feed.events() == []

    await actions.post_case(make_report(), channel_id="mods", existing_ref=None,
                            idempotency_key="k")
    assert actions.refresh_case(make_report(status=CaseStatus.CONFIRMED, claimed_by="Kim"))
    cards = [e for e in actions.feed.events() if e.kind == "case"]
    assert len(cards) == 1
    assert cards[0].data["case"]["status"] == "confirmed"
    assert cards[0].data["case"]["claimed_by"] == "Kim"
    assert cards[0].data["channel_id"] == "mods"


async def test_reset_clears_the_feed_but_sequence_numbers_go_on() -> None:
    actions = SandboxActions()
    await actions.ban_user("c", JORDAN, reason="p", idempotency_key="k")
    before = actions.feed.last_seq
    actions.reset()
    events = actions.feed.events()
    assert [e.kind for e in events] == ["reset"]
    assert events[0].seq == before + 1


def test_feed_is_bounded_and_ordered() -> None:
    feed = SandboxFeed(max_events=3)
    for n in range(5):
        feed.publish("message", {"n": n})
    assert [e.data["n"] for e in feed.events()] == [2, 3, 4]
    assert [e.seq for e in feed.events(after=3)] == [4, 5]
    assert feed.last_seq == 5


def test_feed_rejects_a_zero_size() -> None:
    with pytest.raises(ValueError):
        SandboxFeed(max_events=0)


async def test_wait_after_returns_at_once_when_events_exist() -> None:
    feed = SandboxFeed()
    feed.publish("message", {})
    assert len(await feed.wait_after(0, timeout=30)) == 1


async def test_wait_after_wakes_when_an_event_is_published() -> None:
    feed = SandboxFeed()
    waiting = asyncio.create_task(feed.wait_after(0, timeout=30))
    await asyncio.sleep(0)
    assert not waiting.done()
    feed.publish("message", {"n": 1})
    events = await waiting
    assert [e.data["n"] for e in events] == [1]


async def test_wait_after_times_out_empty_and_close_releases_waiters() -> None:
    feed = SandboxFeed()
    assert await feed.wait_after(0, timeout=0.01) == []
    waiting = asyncio.create_task(feed.wait_after(0, timeout=30))
    await asyncio.sleep(0)
    feed.close()
    assert await waiting == []
    assert await feed.wait_after(0, timeout=30) == []  # closed: never waits again
