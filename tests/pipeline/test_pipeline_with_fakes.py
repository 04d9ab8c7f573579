"""The pipeline against fakes of every port but the store: what it does with any classifier and
any policies, independent of the shipped model and packs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moderation_bot.app import open_service
from moderation_bot.core.types import Decision, Effect, EffectKind
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from tests.factories import message
from tests.fakes.fake_classifier import TableClassifier
from tests.fakes.fake_policies import ThresholdPolicies
from tests.fakes.recording_platform import RecordingPlatform
from tests.storage.backends import BACKENDS, database_url

SCORES = {"bad one": {"grooming": 0.8}, "bad two": {"image_request": 0.9},
          "meh": {"grooming": 0.3}}


@pytest.fixture
def platform() -> RecordingPlatform:
    return RecordingPlatform()


@pytest.fixture
async def service(tmp_path: Path, platform: RecordingPlatform) -> AsyncIterator[Pipeline]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", _env_file=None)
    async with open_service(settings, {"test": platform}, classifier=TableClassifier(SCORES),
                            policies=ThresholdPolicies()) as pipeline:
        yield pipeline


async def test_warning_and_advice_are_merged_per_recipient(service: Pipeline,
                                                           platform: RecordingPlatform) -> None:
    await service.handle(message("bad one"))
    await service.dispatcher.drain()
    (dm,) = platform.of("send_private")
    assert dm.args["notice"].headline == "warn_recipient:grooming"
    assert dm.args["notice"].advice == ("step",)
    assert len(platform.of("post_case")) == 1


async def test_quiet_and_risky_paths_give_the_same_kind_of_outcome(service: Pipeline) -> None:
    first, second = message("hello"), message("meh")
    quiet = await service.handle(first)
    weak = await service.handle(second)
    assert (quiet.message_key, weak.message_key) == (first.idempotency_key,
                                                     second.idempotency_key)
    assert quiet.flagged is weak.flagged is False
    assert quiet.case_id is weak.case_id is None
    checked = await service.status("test", "c1")
    assert checked.messages_checked_last_7_days == 2


class RiskAware(ThresholdPolicies):
    """Also escalates anything from a sender whose community risk is high, however quiet."""

    def evaluate(self, settings, message, classification, state):  # type: ignore[no-untyped-def]
        decision = super().evaluate(settings, message, classification, state)
        if decision.effects or state.sender_risk < 0.5:
            return decision
        return Decision(flagged=False, effects=(
            Effect(EffectKind.ESCALATE, "risk", target=message.sender),))


async def test_quiet_messages_skip_state_when_no_risk_could_make_a_policy_act(
    service: Pipeline
) -> None:
    await service.handle(message("bad one", sender="jay"))
    later = await service.handle(message("hello again", sender="jay"))
    state = await service.store.state.conversation("test", "c1", "general", "id-jay")
    assert later.effects == () and state is not None and state.message_count == 1


async def test_quiet_messages_from_a_risky_sender_take_the_full_path(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", _env_file=None)
    async with open_service(settings, {"test": RecordingPlatform()},
                            classifier=TableClassifier(SCORES), policies=RiskAware()) as service:
        await service.handle(message("bad one", sender="jay"))
        later = await service.handle(message("hello again", sender="jay"))
        state = await service.store.state.conversation("test", "c1", "general", "id-jay")
    assert [e.policy for e in later.effects] == ["risk"]
    assert state is not None and state.message_count == 2


async def test_the_risk_bound_survives_a_restart(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", _env_file=None)
    for text in ("bad one", "hello again"):
        async with open_service(settings, {"test": RecordingPlatform()},
                                classifier=TableClassifier(SCORES),
                                policies=RiskAware()) as service:
            outcome = await service.handle(message(text, sender="jay"))
    assert [e.policy for e in outcome.effects] == ["risk"]


async def test_redelivery_after_a_restart_is_decided_once(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", _env_file=None)
    incoming = [message("hello"), message("bad two")]
    platform = RecordingPlatform()
    for _ in range(2):  # the second process sees both messages again
        async with open_service(settings, {"test": platform}, classifier=TableClassifier(SCORES),
                                policies=ThresholdPolicies()) as service:
            outcomes = [await service.handle(m) for m in incoming]
            await service.dispatcher.drain()
    assert outcomes[1].duplicate
    assert len(platform.of("send_private")) == 1 and len(platform.of("post_case")) == 1


@pytest.mark.parametrize("backend", BACKENDS)
async def test_workers_sharing_a_store_see_each_others_senders(tmp_path: Path,
                                                               backend: str) -> None:
    """Two pipelines on one database (scale-out workers): the second has never seen the sender,
    yet a quiet message from them takes the full path because the store knows them."""
    async with database_url(backend, tmp_path) as url:
        settings = Settings(database_url=url, role="worker", _env_file=None)
        async with open_service(settings, {"test": RecordingPlatform()},
                                classifier=TableClassifier(SCORES),
                                policies=RiskAware()) as first, \
                open_service(settings, {"test": RecordingPlatform()},
                             classifier=TableClassifier(SCORES),
                             policies=RiskAware()) as second:
            await first.handle(message("bad one", sender="jay"))
            later = await second.handle(message("hello again", sender="jay"))
    assert [e.policy for e in later.effects] == ["risk"]
