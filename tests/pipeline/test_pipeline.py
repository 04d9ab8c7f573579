"""The pipeline end to end inside one process: the real store (SQLite and PostgreSQL), the
keyword baseline, the real policy packs and catalogs, and a recording fake platform."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest

from moderation_bot.core.types import CaseStatus, EffectKind, ModeratorAction
from moderation_bot.pipeline import Pipeline
from tests.factories import message, user
from tests.fakes.recording_platform import RecordingPlatform

THREAT = "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers"
GROOMING = ["how old are you?", "you are so mature for your age", "dont tell your parents ok",
            "send me a pic of you in your underwear"]


async def test_sextortion_warns_the_target_once_and_escalates(service: Pipeline,
                                                              platform: RecordingPlatform) -> None:
    incoming = message(THREAT)
    outcome = await service.handle(incoming)
    await service.dispatcher.drain()
    assert outcome.message_key == incoming.idempotency_key
    assert outcome.flagged and "sextortion" in outcome.labels
    assert outcome.case_id is not None
    kinds = {e.kind for e in outcome.effects}
    assert {EffectKind.WARN_RECIPIENT, EffectKind.ESCALATE} <= kinds

    (dm,) = platform.of("send_private")  # warning and advice merged into one private message
    assert dm.args["user"] == user("teen")
    notice = dm.args["notice"]
    assert notice.headline and notice.advice and notice.links
    assert THREAT not in json.dumps([notice.headline, notice.body, *notice.advice])
    (post,) = platform.of("post_case")
    report = post.args["report"]
    assert report.sender == user("stranger")
    assert report.evidence[0].text == THREAT


async def test_private_notice_carries_where_the_message_was(service: Pipeline,
                                                            platform: RecordingPlatform) -> None:
    """The channel and conversation of the message travel through the outbox to the platform,
    for a public fallback where no DM is possible (a worker has no other way to know them)."""
    incoming = replace(message(THREAT), channel_id="chan-7", conversation_id="chan-7:topic-3")
    await service.handle(incoming)
    await service.dispatcher.drain()

    (dm,) = platform.of("send_private")
    assert dm.args["channel_id"] == "chan-7"
    assert dm.args["conversation_id"] == "chan-7:topic-3"


async def test_new_evidence_updates_the_same_case_message(service: Pipeline,
                                                          platform: RecordingPlatform) -> None:
    first = await service.handle(message(THREAT))
    await service.dispatcher.drain()
    second = await service.handle(message("send more pics or everyone sees them", to="teen"))
    await service.dispatcher.drain()
    assert second.case_id == first.case_id
    posts = platform.of("post_case")
    assert posts[0].args["existing_ref"] is None
    assert all(p.args["existing_ref"] == "case-message-1" for p in posts[1:])
    report = await service.case_report("test", "c1", first.case_id or 0)
    assert report is not None and len(report.evidence) == 2


async def test_a_redelivered_message_is_decided_once(service: Pipeline,
                                                     platform: RecordingPlatform) -> None:
    incoming = message(THREAT)
    first = await service.handle(incoming)
    again = await service.handle(incoming)
    await service.dispatcher.drain()
    assert again.duplicate and again.case_id == first.case_id
    assert [e.kind for e in again.effects] == [e.kind for e in first.effects]
    assert len(platform.of("send_private")) == 1


async def test_grooming_builds_up_over_a_conversation(service: Pipeline) -> None:
    outcomes = [await service.handle(message(text)) for text in GROOMING]
    assert not outcomes[0].effects  # one ambiguous line is not enough
    assert any(o.case_id for o in outcomes[1:])


async def test_ordinary_chat_does_nothing(service: Pipeline, platform: RecordingPlatform) -> None:
    for text in ("gg that was a close game", "send me a pic of your dog!", "lol who's on tonight"):
        outcome = await service.handle(message(text))
        assert not outcome.flagged and not outcome.effects and outcome.case_id is None
    await service.dispatcher.drain()
    assert platform.calls == []


async def test_victim_disclosure_gets_support_never_punishment(service: Pipeline,
                                                                platform: RecordingPlatform) -> None:
    outcome = await service.handle(message(
        "someone is blackmailing me, he says he will send my pics to my mum. what do i do",
        sender="teen", to=None))
    await service.dispatcher.drain()
    kinds = {e.kind for e in outcome.effects}
    assert EffectKind.SUPPORT_VICTIM in kinds
    assert not kinds & {EffectKind.DELETE_MESSAGE, EffectKind.TIMEOUT_SENDER, EffectKind.BAN_SENDER}
    assert platform.of("send_private")[0].args["user"] == user("teen")
    assert not platform.of("timeout_user") and not platform.of("delete_message")


async def test_shadow_mode_records_but_does_not_act(service: Pipeline,
                                                    platform: RecordingPlatform) -> None:
    settings = await service.get_settings("test", "c1")
    await service.save_settings(replace(settings, shadow=True), changed_by=user("admin"))
    outcome = await service.handle(message(THREAT))
    await service.dispatcher.drain()
    assert outcome.flagged and outcome.effects == () and platform.calls == []


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x00"])
async def test_empty_messages_are_skipped(service: Pipeline, text: str) -> None:
    outcome = await service.handle(message(text))
    assert outcome.skipped == "empty" and not outcome.effects


@pytest.mark.parametrize("text", [
    "x" * 100_000 + " " + THREAT,
    "\ud800 lone surrogate \udfff " + THREAT,
    "\u202e\u200b\ufeff" + THREAT,
    bytes(range(256)).decode("latin-1"),
])
async def test_hostile_text_never_crashes_and_threats_survive(service: Pipeline, text: str) -> None:
    outcome = await service.handle(message(text))
    if THREAT in text:
        assert outcome.flagged and outcome.case_id is not None


async def test_platform_failures_are_retried_and_nothing_is_lost(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    platform.fail_next(100)
    await service.handle(message(THREAT))
    await service.dispatcher.drain()
    assert platform.calls == []
    statuses = await service._store.outbox.statuses()  # noqa: SLF001 - inspecting the store
    assert statuses.get("pending", 0) >= 2
    platform.failures_left = 0
    await service._store.db.execute(  # noqa: SLF001 - make the backoff due now
        "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00+00:00'")
    await service.dispatcher.run_due()
    assert platform.of("send_private") and platform.of("post_case")
    assert set(await service._store.outbox.statuses()) == {"done"}  # noqa: SLF001


async def test_moderator_actions_are_audited_and_become_feedback(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    case_id = (await service.handle(message(THREAT))).case_id
    assert case_id is not None
    mod = user("mod")
    assert await service.resolve("test", "other-community", case_id, ModeratorAction.CLAIM,
                                 mod) is None
    claimed = await service.resolve("test", "c1", case_id, ModeratorAction.CLAIM, mod)
    assert claimed is not None and claimed.claimed_by == "test:id-mod"
    await service.resolve("test", "c1", case_id, ModeratorAction.REVEAL, mod)
    confirmed = await service.resolve("test", "c1", case_id, ModeratorAction.CONFIRM_BAN, mod)
    await service.dispatcher.drain()
    assert confirmed is not None and confirmed.status is CaseStatus.CONFIRMED
    (ban,) = platform.of("ban_user")
    assert ban.args["user"] == user("stranger")
    events = [e.action for e in await service._store.cases.events(case_id)]  # noqa: SLF001
    assert events[1:] == ["claim", "revealed", "confirm_ban"]
    assert await service._store.feedback.for_case(case_id) == ["confirmed"]  # noqa: SLF001


async def test_dismiss_is_a_false_positive_label(service: Pipeline) -> None:
    case_id = (await service.handle(message(THREAT))).case_id
    assert case_id is not None
    report = await service.resolve("test", "c1", case_id, ModeratorAction.DISMISS, user("mod"))
    assert report is not None and report.status is CaseStatus.DISMISSED
    assert await service._store.feedback.for_case(case_id) == ["false_positive"]  # noqa: SLF001
    reopened = await service.resolve("test", "c1", case_id, ModeratorAction.REOPEN, user("mod"))
    assert reopened is not None and reopened.status is CaseStatus.OPEN


async def test_export_bundle_is_hashed_and_audited(service: Pipeline) -> None:
    import hashlib

    case_id = (await service.handle(message(THREAT))).case_id
    assert case_id is not None
    assert await service.export_case("test", "c2", case_id, user("mod")) is None
    bundle = await service.export_case("test", "c1", case_id, user("mod"))
    assert bundle is not None
    assert hashlib.sha256(bundle.content).hexdigest() == bundle.sha256
    document = json.loads(bundle.content)
    assert document["evidence"][0]["text"] == THREAT
    assert document["case"]["sender"]["id"] == "id-stranger"
    assert [e.action for e in await service._store.cases.events(case_id)][-1] == "exported"  # noqa: SLF001


async def test_member_report_opens_a_case_with_the_reporter(service: Pipeline,
                                                            platform: RecordingPlatform) -> None:
    case_id = await service.report(message("hey add me on snap"), reporter=user("witness"))
    await service.dispatcher.drain()
    events = await service._store.cases.events(case_id)  # noqa: SLF001
    assert events[0].action == "reported" and events[0].actor == "test:id-witness"
    assert platform.of("post_case")


async def test_assess_a_forwarded_message(service: Pipeline) -> None:
    assessment = await service.assess(THREAT, locale="en")
    assert assessment.flagged and assessment.notice is not None
    calm = await service.assess("see you at practice tomorrow")
    assert not calm.flagged and calm.notice is None


async def test_status_counts(service: Pipeline) -> None:
    await service.handle(message("hello there"))
    await service.handle(message(THREAT))
    status = await service.status("test", "c1")
    assert status.messages_checked_last_7_days == 2
    assert status.flagged_last_7_days == 1 and status.open_cases == 1


async def test_message_text_never_reaches_the_logs(service: Pipeline,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    canary = "purple-elephant-canary"
    await service.handle(message(f"{THREAT} {canary}"))
    await service.handle(message(f"hello {canary}"))
    await service.dispatcher.drain()
    assert caplog.records
    for record in caplog.records:
        assert canary not in record.getMessage()
        assert canary not in json.dumps(getattr(record, "fields", {}), default=str)


async def test_delete_user_data_through_the_service(service: Pipeline) -> None:
    case_id = (await service.handle(message(THREAT))).case_id
    assert await service.delete_user_data("test", "id-stranger") > 0
    assert await service.case_report("test", "c1", case_id or 0) is None


async def test_a_refused_button_press_is_audited(service: Pipeline) -> None:
    case_id = (await service.handle(message(THREAT))).case_id
    assert case_id is not None
    await service.record_refusal("test", "c1", case_id, user("nosy"), "confirm_ban")
    await service.record_refusal("test", "elsewhere", case_id, user("nosy"), "reveal")
    events = await service.store.cases.events(case_id)
    assert [(e.action, e.actor, e.data) for e in events[1:]] == [
        ("refused", "test:id-nosy", {"action": "confirm_ban"})]


async def test_a_frightened_person_is_not_warned_again_and_again(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    for text in (THREAT, "pay $300 in gift cards tonight or i send your nudes to your followers",
                 "i have your nudes. pay $300 in gift cards or i send them to your family"):
        await service.handle(message(text))
    await service.dispatcher.drain()
    assert len(platform.of("send_private")) == 1  # the same danger, the same sender: one warning
    assert len({c.args["report"].case_id for c in platform.of("post_case")}) == 1
    report = platform.of("post_case")[-1].args["report"]
    assert len(report.evidence) == 3  # the moderators still see every message


async def test_a_new_danger_is_warned_about_even_within_the_cooldown(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    await service.handle(message("send nudes"))
    await service.handle(message(THREAT))
    await service.dispatcher.drain()
    topics = [c.args["notice"].topic for c in platform.of("send_private")]
    assert topics == ["image_request", "sextortion"]


async def test_community_overrides_change_the_pack_and_bad_ones_are_refused(
    service: Pipeline
) -> None:
    settings = await service.get_settings("test", "c1")
    with pytest.raises(ValueError, match="unknown policy pack"):
        await service.save_settings(replace(settings, policy_pack="no-such-pack"), user("admin"))
    with pytest.raises(ValueError, match="hint"):
        await service.save_settings(replace(settings, policy_overrides={"flag_treshold": {}}),
                                    user("admin"))
    strict = replace(settings, policy_overrides={"flag_thresholds": {"sextortion": 0.99}},
                     moderator_role_id="42")
    await service.save_settings(strict, user("admin"))
    stored = await service.store.communities.get("test", "c1")
    assert stored == strict
    outcome = await service.handle(message("pay $300 in gift cards or i send your pics to your mum"))
    assert "sextortion" not in outcome.labels
