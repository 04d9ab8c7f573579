""""This was fine" through the real pipeline and store (SQLite and PostgreSQL): a warning names its
case, only the person it warned is heard, once; the answer is audited and shown to moderators, and
changes nothing the bot does."""

from __future__ import annotations

import pytest

from moderation_bot.core.types import CaseStatus, EffectKind, UserRef
from moderation_bot.pipeline import Pipeline
from moderation_bot.storage.review_queries import recipient_feedback_since
from tests.factories import T0, message, user
from tests.fakes.recording_platform import RecordingPlatform

IMAGE_REQUEST = "send me a pic of you in your underwear"
THREAT = "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers"
DISCLOSURE = "im scared, he is blackmailing me with my pics"


async def _warned_case(service: Pipeline, text: str = IMAGE_REQUEST) -> int:
    outcome = await service.handle(message(text))
    await service.dispatcher.drain()
    assert outcome.case_id is not None
    assert any(e.kind is EffectKind.WARN_RECIPIENT for e in outcome.effects)
    return outcome.case_id


async def test_a_warning_names_its_case_and_support_does_not(
        service: Pipeline, platform: RecordingPlatform) -> None:
    case_id = await _warned_case(service)
    await service.handle(message(DISCLOSURE, sender="teen", to="friend"))
    await service.dispatcher.drain()
    warning, support = (call.args["notice"] for call in platform.of("send_private"))
    assert warning.case_id == case_id and warning.advice  # warning and advice, merged
    assert support.topic == "victim_disclosure" and support.case_id is None


async def test_the_person_warned_is_heard_once_and_the_case_stays_open(
        service: Pipeline, platform: RecordingPlatform) -> None:
    case_id = await _warned_case(service)
    posts = len(platform.of("post_case"))

    assert await service.record_recipient_feedback("test", "c1", case_id, user("teen"))
    assert await service.record_recipient_feedback("test", "c1", case_id, user("teen"))
    await service.dispatcher.drain()

    report = await service.case_report("test", "c1", case_id)
    assert report is not None
    assert report.status is CaseStatus.OPEN
    assert report.said_fine == (user("teen"),)
    events = [e for e in await service.store.cases.events(case_id)
              if e.action == "recipient_said_fine"]
    assert len(events) == 1
    assert events[0].actor == "test:id-teen"
    assert events[0].data == {"verdict": "fine", "policies": ["image-request-clear"]}
    assert await service.store.feedback.for_case(case_id) == []  # not a moderator's label
    (card,) = platform.of("post_case")[posts:]  # the moderators' card, updated once
    assert card.args["report"].said_fine == (user("teen"),)
    assert card.args["existing_ref"] == "case-message-1"


@pytest.mark.parametrize("who,community,case_offset", [
    ("stranger", "c1", 0),   # the sender of the message
    ("bystander", "c1", 0),  # never warned on this case
    ("teen", "c2", 0),       # the right person, another community
    ("teen", "c1", 1000),    # no such case
])
async def test_nobody_else_is_heard(service: Pipeline, who: str, community: str,
                                    case_offset: int) -> None:
    case_id = await _warned_case(service)
    assert not await service.record_recipient_feedback(
        "test", community, case_id + case_offset, user(who))
    assert await service.store.feedback.recipient_answers(case_id) == []
    report = await service.case_report("test", "c1", case_id)
    assert report is not None and report.said_fine == ()


async def test_an_unknown_verdict_is_a_programming_error(service: Pipeline) -> None:
    case_id = await _warned_case(service)
    with pytest.raises(ValueError, match="unknown verdict"):
        await service.record_recipient_feedback("test", "c1", case_id, user("teen"), "meh")


async def test_a_later_more_dangerous_message_still_warns(
        service: Pipeline, platform: RecordingPlatform) -> None:
    case_id = await _warned_case(service)
    assert await service.record_recipient_feedback("test", "c1", case_id, user("teen"))
    later = await service.handle(message(THREAT))
    await service.dispatcher.drain()
    assert later.case_id == case_id
    notices = [call.args["notice"] for call in platform.of("send_private")]
    assert [n.topic for n in notices] == ["image_request", "sextortion"]
    assert notices[-1].case_id == case_id


async def test_answers_are_counted_per_policy_for_the_review_statistics(
        service: Pipeline) -> None:
    first = await _warned_case(service)
    second = await _warned_case(service, THREAT)
    assert first == second  # one open case per sender: both warnings belong to it
    assert await service.record_recipient_feedback("test", "c1", first, user("teen"))
    rows = await recipient_feedback_since(service.store.db, [("test", "c1")], T0)
    assert rows == [(("image-request-clear", "sextortion-clear"), "fine")]
    assert await recipient_feedback_since(service.store.db, [("test", "c2")], T0) == []


async def test_deleting_the_person_or_the_community_removes_their_answer(
        service: Pipeline) -> None:
    case_id = await _warned_case(service)
    other = await _warned_case(service, THREAT)
    assert other == case_id
    assert await service.record_recipient_feedback("test", "c1", case_id, user("teen"))
    await service.delete_user_data("test", "id-teen")
    assert await service.store.feedback.recipient_answers(case_id) == []
    events = [e for e in await service.store.cases.events(case_id)
              if e.action == "recipient_said_fine"]
    assert [e.actor for e in events] == ["deleted-user"]
    # Their warnings are gone too, so the button no longer counts.
    assert not await service.record_recipient_feedback("test", "c1", case_id, user("teen"))

    elsewhere = await service.handle(message(IMAGE_REQUEST, sender="other", community="c9"))
    await service.dispatcher.drain()
    assert elsewhere.case_id is not None
    assert await service.record_recipient_feedback("test", "c9", elsewhere.case_id,
                                                   user("teen"))
    await service.delete_community_data("test", "c9")
    assert await service.store.feedback.recipient_answers(elsewhere.case_id) == []


async def test_the_sender_being_deleted_takes_the_answers_with_the_case(
        service: Pipeline) -> None:
    case_id = await _warned_case(service)
    assert await service.record_recipient_feedback("test", "c1", case_id,
                                                   UserRef("test", "id-teen", "Teen"))
    await service.delete_user_data("test", "id-stranger")
    assert await service.case_report("test", "c1", case_id) is None
    assert await service.store.feedback.recipient_answers(case_id) == []
