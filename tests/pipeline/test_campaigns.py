"""Campaigns: the same or near-same threat sent to many people, or by many (new) accounts, is
one case that lists every account and every person reached, and everyone is warned. The real
store (SQLite and PostgreSQL), the keyword baseline and the real packs."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from classifiers.baseline import BaselineClassifier
from classifiers.normalize import normalize
from moderation_bot.app import open_service
from moderation_bot.conversation import campaign_bands
from moderation_bot.core.types import (
    CaseReport,
    CaseStatus,
    EffectKind,
    IncomingMessage,
    ModeratorAction,
)
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings
from moderation_bot.storage import open_store
from tests.factories import message, user
from tests.fakes.recording_platform import RecordingPlatform
from tests.storage.backends import BACKENDS, database_url

DAY = 86400.0
# One blackmail script, as four new accounts send it: names, amounts and emoji differ.
THREATS = [
    "Hey Emma, i have your nudes. pay $300 in gift cards tonight or i send them to all your "
    "followers",
    "hey @liam_07 i have your nudes!! pay 450 in gift cards tonight or i send them to all your "
    "followers 😈",
    "Hi Zoe. I have your nudes, pay £250 in gift cards tonight or I send them to all your "
    "followers",
    "yo noah i have your nudes... pay 500$ in gift cards tonight or i send them to all your "
    "followers!!",
]
OTHER_THREAT = "i have your pics pay me or everyone sees"
# The keyword baseline reads this as a possible picture request (0.55).
REQUEST = "hey cutie send me a pic of you, i am a photographer and i pay {n} for it"


def bands(text: str) -> set[str]:
    return set(campaign_bands(normalize(text)))


def test_copies_of_one_script_share_a_fingerprint_band() -> None:
    first = bands(THREATS[0])
    assert len(first) == 6
    assert all(first & bands(other) for other in THREATS[1:])
    assert bands(THREATS[0].upper()) == first  # case, punctuation, numbers: the same bands
    script = "i have your pics. pay at {} or mail {} by {} tonight or {} sees them all"
    assert bands(script.format("https://pay.example/abc", "x@y.com", "9pm", "@mum")) == bands(
        script.format("www.other.io/zz", "me@here.net", "11pm", "@dad_1"))
    assert not first & bands(OTHER_THREAT)
    assert not first & bands("see you at practice tomorrow, bring the gift cards for coach")


@pytest.mark.parametrize("text", ["", "pay me now", "lol lol lol lol lol", "12345 678 91011 12"])
def test_short_texts_have_no_fingerprint(text: str) -> None:
    assert campaign_bands(normalize(text)) == ()


def threat_from(index: int, *, text: str | None = None, account_age: float = DAY,
                conversation: str | None = None) -> IncomingMessage:
    return message(text or THREATS[index], sender=f"acct{index}", to=f"member{index}",
                   conversation=conversation or f"dm{index}", private=True,
                   account_age=account_age)


async def test_four_new_accounts_one_threat_one_case_four_people_warned(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    outcomes = []
    for index in range(4):
        outcomes.append(await service.handle(threat_from(index)))
        await service.dispatcher.drain()
    case_id = outcomes[0].case_id
    assert case_id is not None and all(o.case_id == case_id for o in outcomes)
    policies = [{e.policy for e in o.effects} for o in outcomes]
    assert "new-accounts-campaign" not in policies[0]
    assert all({"new-accounts-campaign", "sextortion-campaign-accounts"} & p for p in policies[1:])
    assert all(EffectKind.TIMEOUT_SENDER in {e.kind for e in o.effects} for o in outcomes[1:])

    warned = [call.args["user"] for call in platform.of("send_private")]
    assert sorted(w.id for w in warned) == [f"id-member{i}" for i in range(4)]  # once each
    posts = platform.of("post_case")  # one case message, updated
    assert posts[0].args["existing_ref"] is None
    assert all(p.args["existing_ref"] == "case-message-1" for p in posts[1:])

    report = await service.case_report("test", "c1", case_id)
    assert report is not None
    assert report.senders == tuple(user(f"acct{i}") for i in range(4))
    assert report.recipients == tuple(user(f"member{i}") for i in range(4))
    assert [item.sender for item in report.evidence] == list(report.senders)
    assert report.severity.name == "CRITICAL"
    assert "sextortion-campaign-accounts" in report.policies
    assert len(posts[-1].args["report"].senders) == 4


async def test_confirming_a_campaign_case_acts_on_every_account(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    case_ids = {(await service.handle(threat_from(i))).case_id
                for i in range(3)}
    (case_id,) = case_ids
    assert case_id is not None
    report = await service.resolve("test", "c1", case_id, ModeratorAction.CONFIRM_BAN, user("mod"))
    await service.dispatcher.drain()
    assert report is not None and report.status is CaseStatus.CONFIRMED
    banned = sorted(call.args["user"].id for call in platform.of("ban_user"))
    assert banned == ["id-acct0", "id-acct1", "id-acct2"]
    assert await service._store.feedback.for_case(case_id) == ["confirmed"]  # noqa: SLF001


async def test_different_threats_from_different_accounts_stay_separate_cases(
    service: Pipeline,
) -> None:
    first = await service.handle(threat_from(0))
    other = await service.handle(threat_from(1, text=OTHER_THREAT))
    assert first.case_id and other.case_id and first.case_id != other.case_id
    assert not {e.policy for e in other.effects} & {"new-accounts-campaign",
                                                     "sextortion-campaign-accounts"}


async def test_a_closed_campaign_case_is_not_joined(service: Pipeline) -> None:
    first = await service.handle(threat_from(0))
    assert first.case_id is not None
    await service.resolve("test", "c1", first.case_id, ModeratorAction.DISMISS, user("mod"))
    second = await service.handle(threat_from(1))
    assert second.case_id is not None and second.case_id != first.case_id


async def test_people_reached_before_the_campaign_was_recognised_are_warned_once(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    settings = await service.get_settings("test", "c1")
    await service.save_settings(replace(settings, policy_overrides={
        "min_scores": {"new-accounts-campaign": {"image_request": 0.5}}}), changed_by=user("admin"))
    first = await service.handle(message(REQUEST.format(n=50), sender="acct0", to="member0",
                                         conversation="general", account_age=DAY))
    await service.dispatcher.drain()
    assert not first.effects and platform.calls == []  # one request alone: nothing to do
    second = await service.handle(message(REQUEST.format(n=80), sender="acct1", to="member1",
                                          conversation="general", account_age=DAY))
    await service.dispatcher.drain()
    warned = [call.args["user"].id for call in platform.of("send_private")]
    assert sorted(warned) == ["id-member0", "id-member1"]
    third = await service.handle(message(REQUEST.format(n=20), sender="acct2", to="member2",
                                         conversation="general", account_age=DAY))
    await service.dispatcher.drain()
    warned = [call.args["user"].id for call in platform.of("send_private")]
    assert sorted(warned) == ["id-member0", "id-member1", "id-member2"]  # nobody twice
    assert second.case_id is not None and third.case_id == second.case_id
    report = await service.case_report("test", "c1", second.case_id)
    assert report is not None
    assert {r.id for r in report.recipients} == {"id-member0", "id-member1", "id-member2"}
    assert [s.id for s in report.senders] == ["id-acct1", "id-acct2"]  # acct0's had no case


async def test_one_person_sent_the_threat_by_several_accounts_is_warned_once(
    service: Pipeline, platform: RecordingPlatform
) -> None:
    for index in range(3):
        outcome = await service.handle(message(THREATS[index], sender=f"acct{index}",
                                               to="member0", conversation=f"dm{index}",
                                               private=True, account_age=DAY))
        await service.dispatcher.drain()
        assert outcome.case_id is not None
    assert [call.args["user"].id for call in platform.of("send_private")] == ["id-member0"]


async def test_ordinary_chat_still_takes_the_fast_path(service: Pipeline) -> None:
    for index in range(3):
        await service.handle(threat_from(index))
    before = service.paths["quiet"]
    for index in range(3):
        await service.handle(message("see you at practice tomorrow, bring snacks",
                                     sender=f"acct{index}", to=f"member{index}"))
    assert service.paths["quiet"] == before + 3


@pytest.mark.parametrize("backend", BACKENDS)
async def test_workers_deciding_a_campaign_at_once_open_one_case(tmp_path: Path,
                                                                 backend: str) -> None:
    """Two pipelines on one database (scale-out workers) decide the copies of one threat at the
    same moment: the campaign lock makes them count each other and join one case."""
    async with database_url(backend, tmp_path) as url:
        settings = Settings(database_url=url, role="worker", _env_file=None)
        async with open_service(settings, {"test": RecordingPlatform()},
                                classifier=BaselineClassifier()) as first, \
                open_service(settings, {"test": RecordingPlatform()},
                             classifier=BaselineClassifier()) as second:
            workers = (first, second)
            outcomes = await asyncio.gather(*(
                workers[i % 2].handle(threat_from(i % 4, conversation=f"dm{i}"))
                for i in range(8)
            ))
            report = await first.case_report("test", "c1", outcomes[0].case_id or 0)
    assert len({o.case_id for o in outcomes}) == 1
    assert report is not None and len(report.senders) == 4


def test_replay_four_new_accounts_one_threat(tmp_path: Path) -> None:
    """The example in policies/README.md: ``moderation-bot replay`` of four new accounts sending
    one threat to four people gives one case, and each person is warned."""
    lines = [{"conversation": f"dm-{i}", "sender": f"new{i}", "recipient": f"member{i}",
              "private": True, "sender_account_age_s": 3600 * (i + 1), "text": text}
             for i, text in enumerate(THREATS)]
    replay = tmp_path / "campaign.jsonl"
    replay.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    db = tmp_path / "replay.sqlite3"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_")}
    environment.update({"MODBOT_CLASSIFIER": "baseline",
                        "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    result = subprocess.run([sys.executable, "-m", "moderation_bot", "replay", str(replay),
                             "--db", str(db)], capture_output=True, text=True, env=environment,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["case"] for line in out] == [1, 1, 1, 1]
    assert all("warn_recipient" in {e["kind"] for e in line["effects"]} for line in out)
    assert all("timeout_sender" in {e["kind"] for e in line["effects"]} for line in out[1:])

    async def the_case() -> CaseReport | None:
        async with open_store(f"sqlite:///{db}") as store:
            return await store.cases.report(1)

    report = asyncio.run(the_case())
    assert report is not None
    assert [s.id for s in report.senders] == ["new0", "new1", "new2", "new3"]
    assert [r.id for r in report.recipients] == [f"member{i}" for i in range(4)]
