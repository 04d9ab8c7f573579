"""The dispatcher: backoff, giving up with an audit event, and platforms that are not running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moderation_bot.core.types import DeliveryResult, EffectKind, Notice, Severity
from moderation_bot.dispatch import MAX_BACKOFF_S, Dispatcher, backoff_seconds
from moderation_bot.storage import Store, open_store
from tests.factories import T0, message
from tests.fakes.recording_platform import Call, RecordingPlatform


def render(kind: EffectKind, topic: str, locale: str, minor: bool | None = None) -> Notice:
    return Notice(topic=topic, locale=locale, headline=str(kind), body="words",
                  advice=("step",) if kind is EffectKind.SEND_ADVICE else ())


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(f"sqlite:///{tmp_path / 'bot.sqlite3'}") as opened:
        yield opened


def test_backoff_grows_and_is_capped() -> None:
    assert 0.8 <= backoff_seconds(0) <= 1.2
    assert 6.4 <= backoff_seconds(3) <= 9.6
    assert backoff_seconds(30) <= MAX_BACKOFF_S * 1.2


async def test_gives_up_after_max_attempts_and_audits(store: Store) -> None:
    case_id, _ = await store.cases.open_or_update(message("x"), Severity.HIGH, (), ("p",), T0)
    await store.outbox.add(verdict_id=None, case_id=case_id, platform="elsewhere",
                           community_id="c1", kind="delete_message", policy="p", target_id=None,
                           payload={"message": {"channel_id": "c", "message_id": "m"}}, now=T0)
    dispatcher = Dispatcher(store, {}, render, max_attempts=2, clock=lambda: T0)
    await dispatcher.run_due()  # attempt 1: no adapter for the platform -> retry later
    await store.db.execute("UPDATE outbox SET next_attempt_at = ?", ("2000-01-01T00:00:00+00:00",))
    await dispatcher.run_due()  # attempt 2: gives up
    assert await store.outbox.statuses() == {"failed": 1}
    events = await store.cases.events(case_id)
    assert events[-1].action == "effect_failed" and "elsewhere" in events[-1].reason


async def test_warning_and_advice_for_one_person_become_one_message(store: Store) -> None:
    platform = RecordingPlatform()
    target = {"platform": "test", "id": "id-teen", "name": "teen"}
    for kind in ("warn_recipient", "send_advice"):
        await store.outbox.add(verdict_id=None, case_id=None, platform="test", community_id="c1",
                               kind=kind, policy="p", target_id="id-teen",
                               payload={"target": target, "topic": "grooming", "locale": "en"},
                               now=T0)
    dispatcher = Dispatcher(store, {"test": platform}, render, clock=lambda: T0)
    # Without a verdict the rows cannot be paired: each goes out on its own.
    assert await dispatcher.run_due() == 2
    assert len(platform.of("send_private")) == 2


class Refusing(RecordingPlatform):
    async def delete_message(self, message, *, idempotency_key):  # type: ignore[no-untyped-def]
        self.calls.append(Call("delete_message", idempotency_key, {}))
        return DeliveryResult(ok=False, detail=self.detail)


async def test_private_notices_pass_the_stored_hint_and_none_for_older_rows(
    store: Store,
) -> None:
    platform = RecordingPlatform()
    target = {"platform": "test", "id": "id-teen", "name": "teen"}
    hinted = {"target": target, "topic": "grooming", "locale": "en",
              "channel_id": "chan-1", "conversation_id": "chan-1:5"}
    older = {"target": target, "topic": "grooming", "locale": "en"}  # queued before the hint
    for payload in (hinted, older):
        await store.outbox.add(verdict_id=None, case_id=None, platform="test", community_id="c1",
                               kind="support_victim", policy="p", target_id="id-teen",
                               payload=payload, now=T0)
    dispatcher = Dispatcher(store, {"test": platform}, render, clock=lambda: T0)
    assert await dispatcher.run_due() == 2
    sent = [(c.args["channel_id"], c.args["conversation_id"])
            for c in platform.of("send_private")]
    assert sorted(sent, key=str) == sorted([("chan-1", "chan-1:5"), (None, None)], key=str)


@pytest.mark.parametrize(("detail", "expected"), [
    ("permanent: missing rights", {"failed": 1}),
    ("transient: flood wait", {"pending": 1}),
])
async def test_refusals_for_good_are_not_retried(store: Store, detail: str,
                                                 expected: dict[str, int]) -> None:
    platform = Refusing()
    platform.detail = detail  # type: ignore[attr-defined]
    await store.outbox.add(verdict_id=None, case_id=None, platform="test", community_id="c1",
                           kind="delete_message", policy="p", target_id=None,
                           payload={"message": {"channel_id": "c", "message_id": "m"}}, now=T0)
    await Dispatcher(store, {"test": platform}, render, clock=lambda: T0).run_due()
    assert await store.outbox.statuses() == expected
