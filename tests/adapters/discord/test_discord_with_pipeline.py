"""The adapter with the real pipeline (SQLite store, baseline classifier, policy packs,
dispatcher) instead of the fake service: both sides agree on the BotService and PlatformActions
contracts."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.adapters.discord.harness import World, bot_with_pipeline


async def test_a_threat_goes_through_the_real_pipeline_to_discord(world: World, tmp_path: Path):
    fake = world.fake
    async with bot_with_pipeline(world, tmp_path) as pipeline:
        n0 = len(fake.calls)
        await fake.user_says(
            world.general, world.mallory,
            f"<@{world.alice}> i have your nudes. send 200 dollars or i send them to your "
            "family", mentions=[world.alice])
        card = await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$", after=n0)
        await fake.wait_for("POST", r"^/users/@me/channels$", after=n0)
        assert card.json["embeds"][0]["title"].startswith("Case #")
        assert "nudes" not in str(card.json)

        # A moderator claims it: the real service audits and re-renders the card.
        (card_id,) = fake.messages[world.mods]
        case_id = card.json["embeds"][0]["title"].removeprefix("Case #")
        n1 = len(fake.calls)
        click = await fake.click_button(fake.messages[world.mods][card_id],
                                        f"modbot:case:{case_id}:claim", world.moderator)
        await fake.wait_for("POST", rf"^/webhooks/{fake.app_id}/{click['token']}$", after=n1)
        report = await pipeline.case_report("discord", str(world.guild), int(case_id))
        assert report is not None and report.claimed_by


async def test_a_campaign_card_names_every_sender_and_confirming_acts_on_all(world: World,
                                                                              tmp_path: Path):
    """Two new accounts send one threat: the one card lists both senders, its confirm buttons
    say they act on both, and banning bans both."""
    fake = world.fake
    second = fake.add_member(world.guild, "Mel", account_age=timedelta(days=1),
                             member_for=timedelta(hours=2))
    async with bot_with_pipeline(world, tmp_path):
        await _two_new_accounts_send_one_threat(world, second)
        await fake.wait_for("PATCH", rf"^/channels/{world.mods}/messages/\d+$")
        (card,) = fake.messages[world.mods].values()
        fields = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}
        aged = r"\(({name}), account \w+ \w+\)"  # each sender with their own account age
        assert re.fullmatch(rf"<@{world.mallory}> {aged.format(name='Mallory')}, "
                            rf"<@{second}> {aged.format(name='Mel')}", fields["Senders (2)"])
        assert "Sender" not in fields
        labels = [c["label"] for row in card["components"] for c in row["components"]]
        assert "Confirm ban (all 2 senders)" in labels
        assert "Confirm timeout (all 2 senders)" in labels

        case_id = card["embeds"][0]["title"].removeprefix("Case #")
        n1 = len(fake.calls)
        click = await fake.click_button(card, f"modbot:case:{case_id}:ban", world.moderator)
        ack = await fake.wait_for(
            "POST", rf"^/webhooks/{fake.app_id}/{click['token']}$", after=n1)
        assert f"Case #{case_id} confirmed: all 2 senders will be banned." == (
            ack.json["content"])
        for banned in (world.mallory, second):
            await fake.wait_for("PUT", rf"^/guilds/{world.guild}/bans/{banned}$", after=n1)



async def test_dismissing_a_case_lifts_the_automatic_timeout(world: World, tmp_path: Path):
    """A second new account sends the same threat and the bot times it out; moderators find it
    a false alarm: the dispatcher lifts that timeout through the real adapter, once."""
    fake = world.fake
    second = fake.add_member(world.guild, "Mel", account_age=timedelta(days=1),
                             member_for=timedelta(hours=2))
    async with bot_with_pipeline(world, tmp_path) as pipeline:
        await _two_new_accounts_send_one_threat(world, second)
        await fake.wait_until(lambda: bool(
            fake.member(world.guild, second)["communication_disabled_until"]))
        (card,) = fake.messages[world.mods].values()
        case_id = card["embeds"][0]["title"].removeprefix("Case #")

        n1 = len(fake.calls)
        await fake.click_button(card, f"modbot:case:{case_id}:dismiss", world.moderator)
        lift = await fake.wait_for("PATCH", rf"^/guilds/{world.guild}/members/{second}$",
                                   after=n1)
        assert lift.json == {"communication_disabled_until": None}
        assert fake.member(world.guild, second)["communication_disabled_until"] is None
        await pipeline.dispatcher.drain()
        rows = await pipeline.store.db.fetchall(
            "SELECT status, target_id FROM outbox WHERE kind = 'lift_timeout'")
        assert [(r["status"], r["target_id"]) for r in rows] == [("done", str(second))]
        members = [c for c in fake.calls[n1:] if c.method == "PATCH" and "/members/" in c.path]
        assert len(members) == 1  # the first sender was never timed out: nothing to lift


async def _two_new_accounts_send_one_threat(world: World, second: int) -> None:
    """Mallory threatens Alice and ``second`` sends Bob the same threat; both are deleted."""
    fake = world.fake
    n0 = len(fake.calls)
    for sender, target in ((world.mallory, world.alice), (second, world.bob)):
        await fake.user_says(
            world.general, sender,
            f"<@{target}> i have your nudes. pay 300 in gift cards tonight or i send "
            "them to all your followers", mentions=[target])
        await fake.wait_for("DELETE", rf"^/channels/{world.general}/messages/", after=n0)
        n0 = len(fake.calls)
