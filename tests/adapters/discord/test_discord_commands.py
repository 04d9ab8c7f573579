"""Slash commands and context menus, dispatched by discord.py's CommandTree from
INTERACTION_CREATE events."""

from __future__ import annotations

from tests.adapters.discord.harness import World

EPHEMERAL = 64
GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2


def _callback(fake, interaction: dict, after: int):
    return fake.wait_for("POST", rf"^/interactions/{interaction['id']}/[^/]+/callback$",
                         after=after)


def _followup(fake, interaction: dict, after: int):
    return fake.wait_for("POST", rf"^/webhooks/{fake.app_id}/{interaction['token']}$",
                         after=after)


def _fields(embed: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}


async def test_commands_are_synced_with_installs_and_contexts(world: World, start_bot):
    await start_bot()
    commands = {c["name"]: c for c in world.fake.commands}
    assert set(commands) == {"modbot", "Report to moderators", "Check this message"}
    assert commands["modbot"]["contexts"] == [GUILD]
    assert {o["name"] for o in commands["modbot"]["options"]} == {
        "setup", "status", "case", "policy"}
    check = commands["Check this message"]
    assert check["type"] == 3
    assert sorted(check["integration_types"]) == [GUILD_INSTALL, USER_INSTALL]
    assert sorted(check["contexts"]) == [GUILD, BOT_DM, PRIVATE_CHANNEL]
    assert commands["Report to moderators"]["integration_types"] == [GUILD_INSTALL]


async def test_setup_saves_the_servers_settings(world: World, start_bot):
    fake = world.fake
    await start_bot()
    n0 = len(fake.calls)
    interaction = await fake.slash(
        world.guild, world.general, world.admin, "modbot", "setup", options=[
            {"name": "moderator_channel", "type": 7, "value": str(world.general)},
            {"name": "has_minors", "type": 5, "value": True},
            {"name": "locale", "type": 3, "value": "pt-BR"},
        ], resolved={"channels": {str(world.general): {
            **fake.channels[world.general], "permissions": str((1 << 41) - 1)}}},
    )
    answer = await _followup(fake, interaction, n0)
    assert answer.json["flags"] & EPHEMERAL
    fields = _fields(answer.json["embeds"][0])
    assert fields["Moderators' channel"] == f"<#{world.general}>"
    assert fields["Members under 18"] == "yes"
    saved, changed_by = world.service.settings_changes[-1]
    assert saved.moderator_channel_id == str(world.general)
    assert saved.has_minors is True and saved.locale == "pt"
    assert changed_by.id == str(world.admin)


async def test_setup_is_refused_to_members_and_bad_values_are_explained(world: World, start_bot):
    fake = world.fake
    await start_bot()
    n0 = len(fake.calls)
    interaction = await fake.slash(world.guild, world.general, world.bob, "modbot", "setup",
                                   options=[{"name": "shadow", "type": 5, "value": True}])
    refusal = await _callback(fake, interaction, n0)
    assert refusal.json["data"]["flags"] & EPHEMERAL
    assert "Manage Server" in refusal.json["data"]["content"]

    n1 = len(fake.calls)
    interaction = await fake.slash(world.guild, world.general, world.admin, "modbot", "setup",
                                   options=[{"name": "locale", "type": 3, "value": "???"}])
    answer = await _callback(fake, interaction, n1)
    assert "couldn't save that" in answer.json["data"]["content"]
    assert world.service.settings_changes == []


async def test_status_and_case_for_moderators(world: World, start_bot):
    fake = world.fake
    await start_bot()
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me now",
                         mentions=[world.alice])
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$")

    n0 = len(fake.calls)
    interaction = await fake.slash(world.guild, world.general, world.moderator, "modbot", "status")
    status = await _callback(fake, interaction, n0)
    assert status.json["data"]["flags"] & EPHEMERAL
    counts = _fields(status.json["data"]["embeds"][0])["Last 7 days"]
    assert counts == "1 messages checked, 1 flagged, 1 cases (1 open now)"

    n1 = len(fake.calls)
    interaction = await fake.slash(world.guild, world.general, world.moderator, "modbot", "case",
                                   options=[{"name": "case_id", "type": 4, "value": 1}])
    case = await _callback(fake, interaction, n1)
    assert case.json["data"]["embeds"][0]["title"] == "Case #1"
    assert "pay me" not in str(case.json)
    assert case.json["data"]["components"]

    n2 = len(fake.calls)
    interaction = await fake.slash(world.guild, world.general, world.bob, "modbot", "case",
                                   options=[{"name": "case_id", "type": 4, "value": 1}])
    refusal = await _callback(fake, interaction, n2)
    assert "only this server's moderators" in refusal.json["data"]["content"]


async def test_report_to_moderators_opens_a_case_with_the_reporter(world: World, start_bot):
    fake = world.fake
    await start_bot()
    target = await fake.user_says(world.general, world.mallory, "nice profile pic")
    n0 = len(fake.calls)
    interaction = await fake.message_command("Report to moderators", target, world.alice,
                                             guild_id=world.guild)
    thanks = await _followup(fake, interaction, n0)
    assert thanks.json["flags"] & EPHEMERAL
    assert "moderators have been told" in thanks.json["content"]
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$", after=n0)
    message_id, reporter = world.service.reports[-1]
    assert message_id == target["id"] and reporter.id == str(world.alice)


async def test_check_this_message_works_in_a_private_chat(world: World, start_bot):
    """A user install: Alice asks about a DM she received; the bot answers only her."""
    fake = world.fake
    await start_bot()
    dm_channel = fake.new_id()
    received = fake._message_payload(dm_channel, world.mallory,
                                     "send me a pic, it's our secret")
    n0 = len(fake.calls)
    interaction = await fake.message_command("Check this message", received, world.alice,
                                             context=PRIVATE_CHANNEL)
    await _callback(fake, interaction, n0)
    advice = await _followup(fake, interaction, n0)
    assert advice.json["flags"] & EPHEMERAL
    assert advice.json["embeds"][0]["title"] == "Be careful with this person"
    assert world.service.handle_calls == []  # asked about, not moderated

    n1 = len(fake.calls)
    harmless = fake._message_payload(dm_channel, world.bob, "see you at practice")
    interaction = await fake.message_command("Check this message", harmless, world.alice,
                                             context=PRIVATE_CHANNEL)
    clear = await _followup(fake, interaction, n1)
    assert "didn't find warning signs" in clear.json["content"]


async def test_a_failing_check_gets_a_kind_answer(world: World, start_bot):
    fake = world.fake
    await start_bot()
    world.service.broken = {"assess"}
    target = await fake.user_says(world.general, world.mallory, "hello there")
    n0 = len(fake.calls)
    interaction = await fake.message_command("Check this message", target, world.alice,
                                             guild_id=world.guild)
    sorry = await _followup(fake, interaction, n0)
    assert sorry.json["flags"] & EPHEMERAL and "something went wrong" in sorry.json["content"]
