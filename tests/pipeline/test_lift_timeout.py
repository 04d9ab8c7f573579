"""Dismissing a case lifts the timeouts the bot applied automatically for it: queued like every
effect (decided, stored, sent once), sent after the timeout it undoes, and never undoing a
moderator's confirmed timeout. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.discord.actions import DiscordActions
from adapters.sandbox.actions import SandboxActions
from adapters.telegram.actions import TelegramActions
from moderation_bot.app import open_service
from moderation_bot.core.ports import PlatformActions
from moderation_bot.core.types import Effect, EffectKind, ModeratorAction
from moderation_bot.pipeline import Pipeline
from moderation_bot.scale.bench import AcknowledgingPlatform
from moderation_bot.settings import Settings
from tests.factories import message, user
from tests.fakes.fake_classifier import TableClassifier
from tests.fakes.fake_policies import ThresholdPolicies
from tests.fakes.recording_platform import RecordingPlatform
from tests.pipeline.crash_child import FilePlatform
from tests.storage.backends import BACKENDS, database_url

SCORES = {"threat": {"sextortion": 0.9}, "request": {"image_request": 0.8}}
MOD = user("mod")


class TimesOutThreats(ThresholdPolicies):
    """Also times the sender out (one hour) for a sextortion threat."""

    def evaluate(self, settings, message, classification, state):  # type: ignore[no-untyped-def]
        decision = super().evaluate(settings, message, classification, state)
        if classification.scores["sextortion"] < self.threshold:
            return decision
        timeout = Effect(EffectKind.TIMEOUT_SENDER, "auto-timeout", target=message.sender,
                         duration_s=3600)
        return replace(decision, effects=(*decision.effects, timeout))


@pytest.fixture(params=BACKENDS)
async def service(request: pytest.FixtureRequest, tmp_path: Path,
                  platform: RecordingPlatform) -> AsyncIterator[Pipeline]:
    async with database_url(request.param, tmp_path) as url:
        settings = Settings(database_url=url, _env_file=None)
        async with open_service(settings, {"test": platform}, classifier=TableClassifier(SCORES),
                                policies=TimesOutThreats()) as pipeline:
            yield pipeline


async def _rows(service: Pipeline, kind: EffectKind) -> list[dict]:
    rows = await service.store.db.fetchall(
        "SELECT id, case_id, status, policy, target_id FROM outbox WHERE kind = ? ORDER BY id",
        (str(kind),))
    return [dict(r) for r in rows]


async def test_dismiss_lifts_the_automatic_timeout_once(service: Pipeline,
                                                        platform: RecordingPlatform) -> None:
    case_id = (await service.handle(message("threat"))).case_id
    await service.dispatcher.drain()
    assert case_id is not None and len(platform.of("timeout_user")) == 1

    await service.resolve("test", "c1", case_id, ModeratorAction.DISMISS, MOD)
    await service.dispatcher.drain()
    (lift,) = platform.of("lift_timeout")
    assert lift.args["user"] == user("stranger") and "dismissed" in lift.args["reason"]
    (row,) = await _rows(service, EffectKind.LIFT_TIMEOUT)
    assert (row["case_id"], row["status"], row["target_id"]) == (case_id, "done", "id-stranger")
    assert lift.key == f"modbot-outbox-{row['id']}"

    # Redelivered (a crash before "done" was recorded): the platform sees the same key again.
    await service.store.db.execute("UPDATE outbox SET status = 'pending' WHERE id = ?",
                                   (row["id"],))
    await service.dispatcher.run_due()
    assert len(platform.of("lift_timeout")) == 1

    events = await service.store.cases.events(case_id)
    (dismiss,) = [e for e in events if e.action == "dismiss"]
    assert dismiss.data == {"lift_timeout": ["id-stranger"]}
    # Dismissing again (after a reopen) lifts nothing new: the timeout is already lifted.
    await service.resolve("test", "c1", case_id, ModeratorAction.REOPEN, MOD)
    await service.resolve("test", "c1", case_id, ModeratorAction.DISMISS, MOD)
    await service.dispatcher.drain()
    assert len(await _rows(service, EffectKind.LIFT_TIMEOUT)) == 1


async def test_a_pending_timeout_is_lifted_only_after_it_is_sent(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    platform.fail_next(100)  # the platform is down: the timeout stays pending
    case_id = (await service.handle(message("threat"))).case_id
    await service.dispatcher.drain()
    assert case_id is not None
    await service.resolve("test", "c1", case_id, ModeratorAction.DISMISS, MOD)
    platform.failures_left = 0
    # The lift is due now; the timeout still waits for its backoff: the lift must wait too.
    await service.dispatcher.run_due()
    assert not platform.of("lift_timeout") and not platform.of("timeout_user")

    await service.store.db.execute(
        "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00+00:00' WHERE status = 'pending'")
    await service.dispatcher.run_due()
    order = [c.method for c in platform.calls if c.method in ("timeout_user", "lift_timeout")]
    assert order == ["timeout_user", "lift_timeout"]


async def test_dismissing_a_case_without_automatic_timeout_lifts_nothing(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    case_id = (await service.handle(message("request"))).case_id
    assert case_id is not None
    await service.resolve("test", "c1", case_id, ModeratorAction.DISMISS, MOD)
    await service.dispatcher.drain()
    assert not platform.of("lift_timeout")
    assert await _rows(service, EffectKind.LIFT_TIMEOUT) == []


async def test_a_confirmed_timeout_is_not_lifted_by_a_later_dismiss(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    case_id = (await service.handle(message("threat"))).case_id
    assert case_id is not None
    await service.resolve("test", "c1", case_id, ModeratorAction.CONFIRM_TIMEOUT, MOD)
    await service.resolve("test", "c1", case_id, ModeratorAction.REOPEN, MOD)
    await service.resolve("test", "c1", case_id, ModeratorAction.DISMISS, MOD)
    await service.dispatcher.drain()
    assert len(platform.of("timeout_user")) == 2
    assert not platform.of("lift_timeout")


async def test_only_this_cases_automatic_timeouts_are_lifted(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    """Another sender's case keeps its timeout; the dismissed case's sender is lifted."""
    kept = (await service.handle(message("threat", sender="other"))).case_id
    dismissed = (await service.handle(message("threat"))).case_id
    assert kept is not None and dismissed is not None and kept != dismissed
    await service.resolve("test", "c1", dismissed, ModeratorAction.DISMISS, MOD)
    await service.dispatcher.drain()
    assert [c.args["user"] for c in platform.of("lift_timeout")] == [user("stranger")]



@pytest.mark.parametrize("implementation", [RecordingPlatform, AcknowledgingPlatform, FilePlatform,
                                            SandboxActions, DiscordActions, TelegramActions])
def test_every_platform_implements_every_action(implementation: type) -> None:
    wanted = {name for name in vars(PlatformActions) if not name.startswith("_")}
    assert wanted <= set(dir(implementation)), wanted - set(dir(implementation))
