"""Case card buttons arrive as real INTERACTION_CREATE events; they check permission and survive a
restart of the bot."""

from __future__ import annotations

import json

from tests.adapters.discord.harness import World, build_world

EPHEMERAL = 64


async def _flag_and_get_card(world: World) -> dict:
    fake = world.fake
    n0 = len(fake.calls)
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me or i send it",
                         mentions=[world.alice])
    card = await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$", after=n0)
    await fake.wait_for("PATCH", rf"^/guilds/{world.guild}/members/{world.mallory}$", after=n0)
    assert card.status == 200
    (message_id,) = fake.messages[world.mods]
    return fake.messages[world.mods][message_id]


def _callback(fake, interaction: dict, after: int):
    return fake.wait_for("POST", rf"^/interactions/{interaction['id']}/[^/]+/callback$",
                         after=after)


def _followup(fake, interaction: dict, after: int):
    return fake.wait_for("POST", rf"^/webhooks/{fake.app_id}/{interaction['token']}$",
                         after=after)


async def test_a_moderator_claims_reveals_exports_and_confirms(world: World, start_bot):
    fake = world.fake
    await start_bot()
    card = await _flag_and_get_card(world)

    # Claim: the card is updated in place and the moderator gets a private acknowledgement.
    n0 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:claim", world.moderator)
    assert (await _callback(fake, click, n0)).json["type"] == 6
    edited = await fake.wait_for("PATCH", rf"/webhooks/{fake.app_id}/{click['token']}/messages/"
                                 r"@original$", after=n0)
    status = next(f for f in edited.json["embeds"][0]["fields"] if f["name"] == "Status")
    assert "handled by Mo" in status["value"]
    ack = await _followup(fake, click, n0)
    assert ack.json["flags"] & EPHEMERAL and "You are now handling case #1" in ack.json["content"]
    assert world.service.cases[1].claimed_by == "Mo"

    # Reveal: the evidence, only for the moderator who asked.
    n1 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:reveal", world.moderator)
    deferred = await _callback(fake, click, n1)
    assert deferred.json["type"] == 5 and deferred.json["data"]["flags"] & EPHEMERAL
    revealed = await _followup(fake, click, n1)
    assert revealed.json["flags"] & EPHEMERAL
    assert "pay me or i send it" in revealed.json["embeds"][0]["description"]

    # Export: a private file with the bundle and its hash.
    n2 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:export", world.moderator)
    exported = await _followup(fake, click, n2)
    (name, content), = exported.files
    assert name == "case-1-evidence.json" and b"pay me or i send it" in content
    assert exported.json["flags"] & EPHEMERAL
    import hashlib
    assert hashlib.sha256(content).hexdigest() in exported.json["content"]

    # Confirm ban: the service bans through the adapter; the card shows the case closed.
    n3 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:ban", world.moderator)
    await fake.wait_for("PUT", rf"^/guilds/{world.guild}/bans/{world.mallory}$", after=n3)
    edited = await fake.wait_for("PATCH", r"/messages/@original$", after=n3)
    ids = [c["custom_id"] for row in edited.json["components"] for c in row["components"]]
    assert ids == ["modbot:case:1:reveal", "modbot:case:1:export", "modbot:case:1:reopen"]
    assert [a.action for a in world.service.audit] == ["claim", "reveal", "export", "confirm_ban"]
    assert all(a.actor.id == str(world.moderator) for a in world.service.audit)


async def test_a_member_without_permission_is_politely_refused(world: World, start_bot):
    fake = world.fake
    await start_bot()
    card = await _flag_and_get_card(world)
    for action in ("reveal", "ban", "export"):
        n0 = len(fake.calls)
        click = await fake.click_button(card, f"modbot:case:1:{action}", world.bob)
        refusal = await _callback(fake, click, n0)
        assert refusal.json["type"] == 4
        assert refusal.json["data"]["flags"] & EPHEMERAL
        assert "only this server's moderators" in refusal.json["data"]["content"]
        assert "pay me" not in json.dumps(refusal.json)
    assert world.service.audit == []
    assert [(case, action) for case, action, _ in world.service.refusals] == [
        (1, "reveal"), (1, "ban"), (1, "export")]
    assert world.mallory not in fake.bans[world.guild]


async def test_a_restarted_bot_still_answers_old_buttons(world: World, start_bot):
    fake = world.fake
    first = await start_bot()
    card = await _flag_and_get_card(world)
    await first.close()

    await start_bot()  # a new client: no views in memory, only the registered dynamic item
    n0 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:dismiss", world.moderator)
    await fake.wait_for("PATCH", rf"/webhooks/{fake.app_id}/{click['token']}/messages/@original$",
                        after=n0)
    ack = await _followup(fake, click, n0)
    assert "dismissed as a false positive" in ack.json["content"]
    assert world.service.feedback == [(1, "dismissed")]
    assert fake.identifies == 2


async def test_another_servers_moderators_cannot_reach_a_case(world: World, start_bot):
    """A card copied into another server (same custom_id) finds nothing there."""
    fake = world.fake
    other = build_world(fake)
    await start_bot()
    card = await _flag_and_get_card(world)
    copied = fake._message_payload(other["mods"], fake.app_id, "", extra={
        "embeds": card["embeds"], "components": card["components"]})
    fake.messages[other["mods"]][int(copied["id"])] = copied
    n0 = len(fake.calls)
    click = await fake.click_button(copied, "modbot:case:1:reveal", other["moderator"])
    answer = await _followup(fake, click, n0)
    assert "couldn't find case #1" in answer.json["content"]
    assert "pay me" not in json.dumps(answer.json)
    assert world.service.audit == []


async def test_a_failing_service_gets_a_kind_answer_and_the_bot_keeps_running(
        world: World, start_bot, caplog):
    fake = world.fake
    await start_bot()
    card = await _flag_and_get_card(world)
    world.service.broken = {"resolve", "handle"}
    n0 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:claim", world.moderator)
    sorry = await _followup(fake, click, n0)
    assert sorry.json["flags"] & EPHEMERAL and "something went wrong" in sorry.json["content"]

    await fake.user_says(world.general, world.bob, "a message the service cannot take")
    await fake.wait_until(lambda: any("handling a Discord message failed" in r.message
                                      for r in caplog.records))
    assert "a message the service cannot take" not in caplog.text  # never log message text

    world.service.broken = set()
    n1 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:claim", world.moderator)
    ack = await _followup(fake, click, n1)
    assert "You are now handling case #1" in ack.json["content"]


async def test_a_configured_moderator_role_may_use_the_buttons(world: World, start_bot):
    fake = world.fake
    helpers = fake.add_role(world.guild, "Helpers", 0)
    helper = fake.add_member(world.guild, "Hana", roles=[helpers])
    await fake.dispatch("GUILD_MEMBER_ADD", {"guild_id": str(world.guild),
                                             **fake.member(world.guild, helper)})
    await start_bot(moderator_role_ids=frozenset({helpers}))
    card = await _flag_and_get_card(world)
    n0 = len(fake.calls)
    click = await fake.click_button(card, "modbot:case:1:claim", helper)
    ack = await _followup(fake, click, n0)
    assert "You are now handling case #1" in ack.json["content"]


async def test_dismissing_lifts_the_automatic_timeout(world: World, start_bot):
    """A false alarm: the member the bot timed out may write again at once."""
    fake = world.fake
    await start_bot()
    card = await _flag_and_get_card(world)
    assert fake.member(world.guild, world.mallory)["communication_disabled_until"]

    n0 = len(fake.calls)
    await fake.click_button(card, "modbot:case:1:dismiss", world.moderator)
    lift = await fake.wait_for("PATCH", rf"^/guilds/{world.guild}/members/{world.mallory}$",
                               after=n0)
    assert lift.status == 200 and lift.json == {"communication_disabled_until": None}
    assert fake.member(world.guild, world.mallory)["communication_disabled_until"] is None
    assert world.service.cases[1].timed_out == []
