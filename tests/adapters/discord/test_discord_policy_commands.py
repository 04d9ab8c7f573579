"""``/modbot policy ...`` through the real client, with the real pipeline behind it (SQLite store,
the policy packs): admins change thresholds and switches, invalid changes come back with the
pack's reason and hint and nothing is saved, and every save is audited."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from moderation_bot.pipeline import Pipeline
from moderation_bot.policy_book import PackPolicyBook
from tests.adapters.discord.harness import World, bot_with_pipeline

EPHEMERAL = 64
SUBCOMMAND, GROUP, STRING, NUMBER = 1, 2, 3, 10

Run = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def pipeline(world: World, tmp_path: Path) -> AsyncIterator[Pipeline]:
    async with bot_with_pipeline(world, tmp_path) as service:
        yield service


@pytest.fixture
def policy(world: World, pipeline: Pipeline) -> Run:
    """Run ``/modbot policy <name> option=value ...`` as ``user`` (the admin by default);
    returns the answer the person sees (a callback for a refusal, else the follow-up)."""

    async def run(name: str, user: int | None = None, **options: Any) -> dict[str, Any]:
        fake = world.fake
        n0 = len(fake.calls)
        given = [{"name": key, "type": NUMBER if isinstance(value, float) else STRING,
                  "value": value} for key, value in options.items()]
        interaction = await fake.slash(
            world.guild, world.general, user or world.admin, "modbot", options=[
                {"name": "policy", "type": GROUP, "options": [
                    {"name": name, "type": SUBCOMMAND, "options": given}]}])
        callback = await fake.wait_for(
            "POST", rf"^/interactions/{interaction['id']}/[^/]+/callback$", after=n0)
        if callback.json["type"] == 4:
            return callback.json["data"]
        followup = await fake.wait_for(
            "POST", rf"^/webhooks/{fake.app_id}/{interaction['token']}$", after=n0)
        return followup.json

    return run


async def _overrides(pipeline: Pipeline, world: World) -> dict[str, Any]:
    return dict((await pipeline.get_settings("discord", str(world.guild))).policy_overrides)


async def test_the_policy_commands_are_synced(world: World, pipeline: Pipeline) -> None:
    (modbot,) = [c for c in world.fake.commands if c["name"] == "modbot"]
    (group,) = [o for o in modbot["options"] if o["name"] == "policy"]
    assert group["type"] == GROUP
    assert {o["name"] for o in group["options"]} == {
        "threshold", "disable", "enable", "shadow", "list", "reset"}
    (threshold,) = [o for o in group["options"] if o["name"] == "threshold"]
    (label,) = [o for o in threshold["options"] if o["name"] == "label"]
    assert [c["value"] for c in label["choices"]] == [
        "sextortion", "image_request", "grooming", "victim_disclosure"]


async def test_an_admin_changes_thresholds_and_switches_then_resets(
        world: World, pipeline: Pipeline, policy: Run, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    empty = await policy("list")
    assert empty["flags"] & EPHEMERAL
    assert empty["embeds"][0]["title"] == "Changes to the default policy pack"
    assert empty["embeds"][0]["description"] == "None: this server uses the pack as it is."

    answer = await policy("threshold", label="grooming", value=0.95)
    assert answer["flags"] & EPHEMERAL
    assert answer["content"] == "Saved. This server's changes to its policy pack:"
    assert answer["embeds"][0]["description"] == "Flag threshold for grooming: 0.95"
    await policy("threshold", label="image_request", value=0.9, policy="image-request-clear")
    await policy("shadow", policy="grooming-pattern")
    await policy("disable", policy="sender-risk-high")
    assert await _overrides(pipeline, world) == {
        "flag_thresholds": {"grooming": 0.95},
        "min_scores": {"image-request-clear": {"image_request": 0.9}},
        "shadow": ["grooming-pattern"],
        "disabled": ["sender-risk-high"],
    }
    listed = (await policy("list"))["embeds"][0]["description"].splitlines()
    assert listed == [
        "Flag threshold for grooming: 0.95",
        "image-request-clear acts from image_request 0.9",
        "sender-risk-high is switched off",
        "grooming-pattern is in shadow mode (decides and records, does nothing)",
    ]
    pack = PackPolicyBook().pack(await pipeline.get_settings("discord", str(world.guild)))
    assert pack.flag_thresholds["grooming"] == 0.95
    assert "sender-risk-high" not in {p.id for p in pack.policies}

    await policy("enable", policy="grooming-pattern")
    await policy("reset", policy="image-request-clear")
    assert await _overrides(pipeline, world) == {
        "flag_thresholds": {"grooming": 0.95}, "disabled": ["sender-risk-high"]}
    await policy("reset")
    assert await _overrides(pipeline, world) == {}
    saved = [r for r in caplog.records if r.getMessage() == "community settings saved"]
    assert len(saved) == 7  # every change audited, with who made it
    assert all(r.fields["changed_by"] == f"discord:{world.admin}" for r in saved)


@pytest.mark.parametrize("name,options,reason", [
    ("threshold", {"label": "grooming", "value": 1.5},
     "flag_thresholds.grooming: 1.5 is above the maximum 1.0 (hint: scores and thresholds are"
     " between 0 and 1)"),
    ("threshold", {"label": "sextortion", "value": 0.5, "policy": "grooming-clear"},
     "policy 'grooming-clear' has no score condition for 'sextortion' (hint: expected one of:"
     " grooming)"),
    ("disable", {"policy": "groming-clear"},
     "unknown policy 'groming-clear' (hint: did you mean 'grooming-clear'?)"),
])
async def test_an_invalid_change_is_explained_and_nothing_is_saved(
        world: World, pipeline: Pipeline, policy: Run, name: str, options: dict[str, Any],
        reason: str) -> None:
    await policy("shadow", policy="grooming-pattern")
    answer = await policy(name, **options)
    assert answer["flags"] & EPHEMERAL
    assert answer["content"] == f"I couldn't save that: {reason}"
    assert await _overrides(pipeline, world) == {"shadow": ["grooming-pattern"]}


async def test_members_and_moderators_may_not_change_the_pack(
        world: World, pipeline: Pipeline, policy: Run) -> None:
    for user in (world.bob, world.moderator):
        for name, options in (("disable", {"policy": "grooming-clear"}), ("list", {})):
            refusal = await policy(name, user=user, **options)
            assert refusal["flags"] & EPHEMERAL
            assert "Manage Server" in refusal["content"]
    assert await _overrides(pipeline, world) == {}
