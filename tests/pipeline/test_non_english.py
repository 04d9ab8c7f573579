"""Non-English messages through the whole pipeline: the real store (SQLite and PostgreSQL), the
real default policy pack, and a classifier that knows no other language than English (a table
fake that scores nothing) behind the multilingual routing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classifiers.multilingual import MultilingualClassifier
from classifiers.onnx_model import DEFAULT_MODEL_DIR
from moderation_bot.app import load_classifier, open_service
from moderation_bot.core.types import EffectKind, Severity
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from tests.factories import message, user
from tests.fakes.fake_classifier import TableClassifier
from tests.fakes.recording_platform import RecordingPlatform
from tests.storage.backends import BACKENDS, database_url

THREAT = "tengo tus fotos desnuda. págame 250 euros hoy o se las mando a toda tu familia"


@pytest.fixture(params=BACKENDS)
async def service(request: pytest.FixtureRequest, tmp_path: Path,
                  platform: RecordingPlatform) -> AsyncIterator[Pipeline]:
    async with database_url(request.param, tmp_path) as url:
        settings = Settings(database_url=url, _env_file=None)
        classifier = MultilingualClassifier(TableClassifier())
        async with open_service(settings, {"test": platform}, classifier=classifier) as pipeline:
            yield pipeline


async def test_a_spanish_threat_gets_the_sextortion_policy(service: Pipeline,
                                                           platform: RecordingPlatform) -> None:
    outcome = await service.handle(message(THREAT))
    await service.dispatcher.drain()
    assert outcome.flagged and "sextortion" in outcome.labels
    assert {e.policy for e in outcome.effects} == {"sextortion-clear"}
    assert {e.kind for e in outcome.effects} == {
        EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE, EffectKind.DELETE_MESSAGE,
        EffectKind.ESCALATE}
    (escalation,) = [e for e in outcome.effects if e.kind is EffectKind.ESCALATE]
    assert escalation.severity is Severity.CRITICAL
    (dm,) = platform.of("send_private")
    assert dm.args["user"] == user("teen")
    assert len(platform.of("delete_message")) == 1
    (post,) = platform.of("post_case")
    assert post.args["report"].evidence[0].text == THREAT


async def test_a_russian_disclosure_gets_support(service: Pipeline) -> None:
    outcome = await service.handle(message("меня шантажируют моими фото, что мне делать?",
                                           sender="teen", to=None))
    assert {e.kind for e in outcome.effects} == {EffectKind.SUPPORT_VICTIM}


async def test_everyday_spanish_does_nothing(service: Pipeline,
                                             platform: RecordingPlatform) -> None:
    for text in ("hola a todos, quién juega esta noche?", "mándame la foto de la tarea porfa",
                 "te devuelvo los 10 euros mañana"):
        outcome = await service.handle(message(text))
        assert not outcome.flagged and not outcome.effects
    await service.dispatcher.drain()
    assert platform.calls == []


@pytest.mark.parametrize("choice", ["model", "auto"])
def test_the_loader_routes_non_english_messages_for_the_model(choice: str) -> None:
    if not (DEFAULT_MODEL_DIR / "model.onnx").exists():
        pytest.skip("the shipped model is not built (python -m classifiers.train)")
    classifier = load_classifier(choice)
    assert isinstance(classifier, MultilingualClassifier)
    assert "+multilingual-keywords-v1-" in classifier.model_id
    (threat,) = classifier.classify_batch(["ich habe deine nacktbilder. zahl 300 euro oder "
                                           "deine familie bekommt sie"])
    assert threat.scores["sextortion"] >= 0.85


def test_the_baseline_stays_english_only() -> None:
    assert not isinstance(load_classifier("baseline"), MultilingualClassifier)
