"""The fake BotService used by the sandbox tests really implements the port."""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import UTC, datetime

from adapters.sandbox.actions import SandboxActions
from moderation_bot.core.ports import BotService
from moderation_bot.core.types import (
    CaseStatus,
    CommunitySettings,
    IncomingMessage,
    ModeratorAction,
    UserRef,
)
from tests.fakes.fake_service import FakeBotService

KIM = UserRef("sandbox", "kim", "Kim")


def message(message_id: str, text: str, sender: str = "jordan") -> IncomingMessage:
    return IncomingMessage(
        platform="sandbox", community_id="c", channel_id="dm", conversation_id="dm",
        message_id=message_id, sender=UserRef("sandbox", sender, sender.title()), text=text,
        sent_at=datetime(2026, 1, 1, tzinfo=UTC), private=True,
        recipients=(UserRef("sandbox", "sam", "Sam"),),
    )


def test_the_fake_has_every_bot_service_method_with_the_same_parameters() -> None:
    for name, member in inspect.getmembers(BotService, inspect.isfunction):
        if name.startswith("_"):
            continue
        ours = getattr(FakeBotService, name)
        assert inspect.iscoroutinefunction(ours), name
        assert list(inspect.signature(ours).parameters) == list(
            inspect.signature(member).parameters), name


async def test_a_redelivered_message_is_decided_once() -> None:
    actions = SandboxActions()
    service = FakeBotService(actions)
    first = await service.handle(message("m1", "send me a pic"))
    events = actions.feed.last_seq
    again = await service.handle(message("m1", "send me a pic"))
    assert first.flagged and not first.duplicate
    assert again.duplicate and again.case_id == first.case_id
    assert actions.feed.last_seq == events


async def test_one_open_case_per_sender_grows_with_evidence() -> None:
    service = FakeBotService(SandboxActions())
    a = await service.handle(message("m1", "how old are you?"))
    b = await service.handle(message("m2", "send me a pic"))
    assert a.case_id == b.case_id == 1
    report = await service.case_report("sandbox", "c", 1)
    assert report is not None and len(report.evidence) == 2
    assert await service.case_report("sandbox", "other", 1) is None
    await service.resolve("sandbox", "c", 1, ModeratorAction.DISMISS, KIM)
    c = await service.handle(message("m3", "send a photo"))
    assert c.case_id == 2, "a closed case is not reused"


async def test_export_settings_status_and_user_deletion() -> None:
    service = FakeBotService()
    await service.handle(message("m1", "send me a pic"))
    bundle = await service.export_case("sandbox", "c", 1, KIM)
    assert bundle is not None
    assert bundle.sha256 == hashlib.sha256(bundle.content).hexdigest()
    assert json.loads(bundle.content)["case_id"] == 1

    assert (await service.get_settings("sandbox", "c")).policy_pack == "default"
    await service.save_settings(CommunitySettings("sandbox", "c", policy_pack="teen"), KIM)
    status = await service.status("sandbox", "c")
    assert status.settings.policy_pack == "teen"
    assert (status.open_cases, status.flagged_last_7_days) == (1, 1)

    assert await service.delete_user_data("sandbox", "jordan") == 1
    assert service.cases == {}


async def test_a_member_report_opens_a_case_and_community_data_can_be_deleted() -> None:
    actions = SandboxActions()
    service = FakeBotService(actions)
    await service.save_settings(CommunitySettings("sandbox", "c"), KIM)
    case_id = await service.report(message("m1", "an ordinary message"), KIM)
    assert case_id == 1
    assert [e.kind for e in actions.feed.events()] == ["case"]
    assert service.audit[-1].action == "report"
    assert await service.delete_community_data("sandbox", "c") == 2
    assert await service.case_report("sandbox", "c", case_id) is None


async def test_resolve_confirms_and_assess_scores() -> None:
    service = FakeBotService(SandboxActions())
    await service.handle(message("m1", "pay me or i send it"))
    report = await service.resolve("sandbox", "c", 1, ModeratorAction.CONFIRM_BAN, KIM)
    assert report is not None and report.status is CaseStatus.CONFIRMED
    assert await service.resolve("sandbox", "c", 9, ModeratorAction.CLAIM, KIM) is None
    assessment = await service.assess("they are blackmailing me")
    assert assessment.flagged and assessment.notice is not None
