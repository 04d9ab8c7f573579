""""This was fine" under a private warning: a real INTERACTION_CREATE from the DM, answered by the
real client; only the person warned is heard, and the button survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

from moderation_bot.core.types import CaseStatus
from tests.adapters.discord.harness import World, bot_with_pipeline

EPHEMERAL = 64
UPDATE_MESSAGE = 7


async def _warning(world: World) -> dict:
    """Mallory threatens Alice in #general; returns the DM the bot sent Alice."""
    fake = world.fake
    n0 = len(fake.calls)
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me or i send it",
                         mentions=[world.alice])
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$", after=n0)
    dm_channel = fake.dm_channels[world.alice]
    await fake.wait_for("POST", rf"^/channels/{dm_channel}/messages$", after=n0)
    (warning,) = fake.messages[dm_channel].values()
    return warning


def _buttons(message: dict) -> list[dict]:
    return [c for row in message.get("components") or [] for c in row["components"]]


async def test_the_person_warned_says_it_was_fine(world: World, start_bot):
    fake = world.fake
    await start_bot()
    warning = await _warning(world)
    (button,) = _buttons(warning)
    assert button["label"] == "This was fine"
    assert button["custom_id"] == f"modbot:fine:{world.guild}:1"

    n0 = len(fake.calls)
    click = await fake.click_button(warning, button["custom_id"], world.alice)
    answer = await fake.wait_for("POST", rf"^/interactions/{click['id']}/[^/]+/callback$",
                                 after=n0)
    assert answer.json["type"] == UPDATE_MESSAGE
    assert answer.json["data"]["components"] == []  # the button goes away
    thanks = await fake.wait_for("POST", rf"^/webhooks/{fake.app_id}/{click['token']}$",
                                 after=n0)
    assert thanks.json["content"] == ("Thanks for telling us. If anything changes, the advice "
                                      "above is still here.")
    dm_channel = fake.dm_channels[world.alice]
    assert _buttons(fake.messages[dm_channel][int(warning["id"])]) == []
    assert world.service.recipient_feedback == [(1, str(world.alice), "fine")]
    assert world.service.cases[1].status is CaseStatus.OPEN
    # The moderators' card now says so.
    (card_id,) = fake.messages[world.mods]
    await fake.wait_until(lambda: "Said the warning was fine" in json.dumps(
        fake.messages[world.mods][card_id]["embeds"]))


async def test_someone_not_warned_gets_a_neutral_answer(world: World, start_bot):
    fake = world.fake
    await start_bot()
    warning = await _warning(world)
    (button,) = _buttons(warning)
    n0 = len(fake.calls)
    click = await fake.click_button(warning, button["custom_id"], world.bob)
    answer = await fake.wait_for("POST", rf"^/interactions/{click['id']}/[^/]+/callback$",
                                 after=n0)
    assert answer.json["type"] == 4
    assert answer.json["data"]["flags"] & EPHEMERAL
    assert answer.json["data"]["content"] == "Thanks, but there is nothing to answer here."
    assert "pay me" not in json.dumps(answer.json)
    assert world.service.recipient_feedback == []
    dm_channel = fake.dm_channels[world.alice]
    assert _buttons(fake.messages[dm_channel][int(warning["id"])]) == [button]


async def test_the_button_still_works_after_a_restart(world: World, start_bot):
    fake = world.fake
    first = await start_bot()
    warning = await _warning(world)
    await first.close()

    await start_bot()  # no view in memory: the registered dynamic item rebuilds it
    n0 = len(fake.calls)
    click = await fake.click_button(warning, f"modbot:fine:{world.guild}:1", world.alice)
    await fake.wait_for("POST", rf"^/webhooks/{fake.app_id}/{click['token']}$", after=n0)
    assert world.service.recipient_feedback == [(1, str(world.alice), "fine")]


async def test_a_failing_service_gets_an_apology(world: World, start_bot):
    fake = world.fake
    await start_bot()
    warning = await _warning(world)
    (button,) = _buttons(warning)
    world.service.broken = {"record_recipient_feedback"}
    n0 = len(fake.calls)
    click = await fake.click_button(warning, button["custom_id"], world.alice)
    sorry = await fake.wait_for("POST", rf"^/interactions/{click['id']}/[^/]+/callback$",
                                after=n0)
    assert "something went wrong" in sorry.json["data"]["content"]


async def test_through_the_real_pipeline(world: World, tmp_path: Path):
    fake = world.fake
    async with bot_with_pipeline(world, tmp_path, locale="de") as pipeline:
        n0 = len(fake.calls)
        await fake.user_says(
            world.general, world.mallory,
            f"<@{world.alice}> i have your nudes. send 200 dollars or i send them to your "
            "family", mentions=[world.alice])
        await fake.wait_for("POST", r"^/users/@me/channels$", after=n0)
        dm_channel = fake.dm_channels[world.alice]
        await fake.wait_for("POST", rf"^/channels/{dm_channel}/messages$", after=n0)
        (warning,) = fake.messages[dm_channel].values()
        (button,) = _buttons(warning)
        assert button["label"] == "Das war in Ordnung"  # the community's language
        case_id = int(button["custom_id"].rsplit(":", 1)[1])

        n1 = len(fake.calls)
        click = await fake.click_button(warning, button["custom_id"], world.alice)
        await fake.wait_for("POST", rf"^/webhooks/{fake.app_id}/{click['token']}$",
                            after=n1)
        await pipeline.dispatcher.drain()
        report = await pipeline.case_report("discord", str(world.guild), case_id)
        assert report is not None and report.status is CaseStatus.OPEN
        assert [p.id for p in report.said_fine] == [str(world.alice)]
        (card_id,) = fake.messages[world.mods]
        assert "Said the warning was fine" in json.dumps(
            fake.messages[world.mods][card_id]["embeds"])
