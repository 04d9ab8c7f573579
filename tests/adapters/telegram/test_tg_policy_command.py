"""``/modbot_policy`` in the real PTB Application with the real pipeline behind it: group admins
change thresholds and switches, invalid changes come back with the pack's reason and hint and
nothing is saved, and every save is audited."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from moderation_bot.policy_book import PackPolicyBook
from tests.adapters.telegram.conftest import ADMIN, ALICE, GROUP, PipelineHarness
from tests.fakes import fake_telegram as ft


async def _policy(h: PipelineHarness, args: str, sender: dict = ADMIN,
                  chat: dict = GROUP) -> str:
    """Send ``/modbot_policy ARGS``; returns the text of the bot's answer."""
    n0 = len(h.fake.calls)
    await h.process(h.fake.command(f"/modbot_policy {args}".strip(), sender=sender, chat=chat))
    [answer] = h.fake.calls_to("sendMessage", after=n0)
    assert answer.params["chat_id"] == chat["id"]
    text: str = answer.params["text"]
    return text


async def _overrides(h: PipelineHarness) -> dict[str, Any]:
    return dict((await h.pipeline.get_settings("telegram", str(GROUP["id"]))).policy_overrides)


async def test_an_admin_changes_thresholds_and_switches_then_resets(
        with_pipeline: PipelineHarness, caplog: pytest.LogCaptureFixture) -> None:
    h = with_pipeline
    caplog.set_level(logging.INFO)
    listed = await _policy(h, "")
    assert listed.startswith("<b>Changes to the default policy pack:</b>\n"
                             "None: this group uses the pack as it is.")
    assert "threshold POLICY LABEL SCORE" in listed

    saved = await _policy(h, "threshold grooming 0.95")
    assert saved == ("Saved.\n<b>Changes to the default policy pack:</b>\n"
                     "Flag threshold for grooming: 0.95")
    await _policy(h, "threshold image-request-clear image_request 0,9")
    await _policy(h, "shadow grooming-pattern")
    await _policy(h, "disable sender-risk-high")
    assert await _overrides(h) == {
        "flag_thresholds": {"grooming": 0.95},
        "min_scores": {"image-request-clear": {"image_request": 0.9}},
        "shadow": ["grooming-pattern"],
        "disabled": ["sender-risk-high"],
    }
    assert (await _policy(h, "list")).splitlines()[1:5] == [
        "Flag threshold for grooming: 0.95",
        "image-request-clear acts from image_request 0.9",
        "sender-risk-high is switched off",
        "grooming-pattern is in shadow mode (decides and records, does nothing)",
    ]
    pack = PackPolicyBook().pack(await h.pipeline.get_settings("telegram", str(GROUP["id"])))
    assert pack.flag_thresholds["grooming"] == 0.95
    assert {p.id: p.shadow for p in pack.policies}["grooming-pattern"] is True

    await _policy(h, "enable grooming-pattern")
    await _policy(h, "reset image-request-clear")
    assert await _overrides(h) == {
        "flag_thresholds": {"grooming": 0.95}, "disabled": ["sender-risk-high"]}
    assert (await _policy(h, "reset")).endswith("None: this group uses the pack as it is.")
    assert await _overrides(h) == {}
    audited = [r for r in caplog.records if r.getMessage() == "community settings saved"]
    assert len(audited) == 7
    assert all(r.fields["changed_by"] == f"telegram:{ADMIN['id']}" for r in audited)


@pytest.mark.parametrize("args,answer", [
    ("threshold grooming 1.5",
     "That setting was not accepted: flag_thresholds.grooming: 1.5 is above the maximum 1.0"
     " (hint: scores and thresholds are between 0 and 1)"),
    ("threshold groming 0.5",
     "That setting was not accepted: flag_thresholds.groming: unknown label 'groming'"
     " (hint: did you mean 'grooming'?)"),
    ("disable groming-clear",
     "That setting was not accepted: unknown policy 'groming-clear'"
     " (hint: did you mean 'grooming-clear'?)"),
])
async def test_an_invalid_change_is_explained_and_nothing_is_saved(
        with_pipeline: PipelineHarness, args: str, answer: str) -> None:
    h = with_pipeline
    await _policy(h, "shadow grooming-pattern")
    assert await _policy(h, args) == answer
    assert await _overrides(h) == {"shadow": ["grooming-pattern"]}


@pytest.mark.parametrize("args", ["threshold grooming high", "threshold", "switch x",
                                  "disable", "reset a b"])
async def test_words_the_bot_does_not_know_get_the_help(
        with_pipeline: PipelineHarness, args: str) -> None:
    h = with_pipeline
    answer = await _policy(h, args)
    assert answer.startswith("I didn't understand")
    assert "Use /modbot_policy with:" in answer
    assert await _overrides(h) == {}


async def test_only_admins_and_only_in_the_group(with_pipeline: PipelineHarness) -> None:
    h = with_pipeline
    assert await _policy(h, "disable grooming-clear", sender=ALICE) == (
        "Only admins of this group can do that.")
    h.fake.start_private_chat(ADMIN["id"])
    assert await _policy(h, "disable grooming-clear", chat=ft.private_chat(ADMIN)) == (
        "Send /modbot_policy in the group whose policy pack you want to change.")
    assert await _overrides(h) == {}
