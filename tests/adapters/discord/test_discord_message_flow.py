"""A message in a server, end to end: gateway event -> service -> DM, deletion, timeout and
case card."""

from __future__ import annotations

from adapters.discord import DiscordActions
from moderation_bot.core.types import Notice, UserRef
from tests.adapters.discord.harness import World

MODS_POST = r"^/channels/{}/messages$"


def _embed_text(embed: dict) -> str:
    parts = [embed.get("title") or "", embed.get("description") or ""]
    for f in embed.get("fields") or []:
        parts += [f["name"], f["value"]]
    return "\n".join(parts)


async def test_flagged_message_warns_deletes_times_out_and_posts_case(world: World, start_bot):
    fake = world.fake
    await start_bot()
    n0 = len(fake.calls)
    text = "pay me 500 or i send the pics to everyone"
    said = await fake.user_says(world.general, world.mallory, f"<@{world.alice}> {text}",
                                mentions=[world.alice])

    card = await fake.wait_for("POST", MODS_POST.format(world.mods), after=n0)
    dm_open = await fake.wait_for("POST", r"^/users/@me/channels$", after=n0)
    assert int(dm_open.json["recipient_id"]) == world.alice
    dm_channel = fake.dm_channels[world.alice]
    dm = await fake.wait_for("POST", rf"^/channels/{dm_channel}/messages$", after=n0)
    deleted = await fake.wait_for("DELETE", rf"^/channels/{world.general}/messages/{said['id']}$",
                                  after=n0)
    timeout = await fake.wait_for("PATCH", rf"^/guilds/{world.guild}/members/{world.mallory}$",
                                  after=n0)

    # The warning: an embed with the advice, deduplicated by nonce.
    notice = dm.json["embeds"][0]
    assert notice["title"] == "Be careful with this person"
    assert "Stop replying and block them." in _embed_text(notice)
    assert "[CEOP](https://www.ceop.police.uk/safety-centre/)" in _embed_text(notice)
    assert dm.json["enforce_nonce"] is True and 0 < len(dm.json["nonce"]) <= 25
    assert deleted.status == 204
    assert timeout.json["communication_disabled_until"]
    assert fake.member(world.guild, world.mallory)["communication_disabled_until"]

    # The case card: facts and buttons, never the evidence text.
    embed = card.json["embeds"][0]
    shown = _embed_text(embed)
    assert embed["title"] == "Case #1"
    assert "sextortion" in shown and "critical" in shown
    assert f"<@{world.mallory}>" in shown and f"<@{world.alice}>" in shown
    assert "2d 3h" in shown  # account age from the snowflake
    assert "5h 0m" in shown  # membership age from joined_at
    assert "pay me" not in shown
    custom_ids = [c["custom_id"] for row in card.json["components"] for c in row["components"]]
    assert custom_ids == [
        "modbot:case:1:reveal", "modbot:case:1:claim", "modbot:case:1:export",
        "modbot:case:1:timeout", "modbot:case:1:ban", "modbot:case:1:dismiss",
    ]
    assert card.json["allowed_mentions"]["parse"] == []
    (card_message_id,) = fake.messages[world.mods]
    assert world.service.cases[1].card_ref == f"{world.mods}:{card_message_id}"


async def test_dms_closed_fall_back_to_a_short_channel_notice(world: World, start_bot):
    fake = world.fake
    fake.closed_dms.add(world.alice)
    await start_bot()
    n0 = len(fake.calls)
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> send me a pic",
                         mentions=[world.alice])

    await fake.wait_for("POST", r"^/channels/\d+/messages$", after=n0,
                        where=lambda c: c.status == 403)
    notice = await fake.wait_for("POST", rf"^/channels/{world.general}/messages$", after=n0)
    assert f"<@{world.alice}>" in notice.json["content"]
    assert "direct messages are closed" in notice.json["content"]
    assert "Be careful" not in notice.json["content"] and "embeds" not in notice.json
    assert [int(u) for u in notice.json["allowed_mentions"]["users"]] == [world.alice]
    assert notice.json["allowed_mentions"]["parse"] == []


async def test_dms_closed_without_memory_fall_back_to_the_hinted_channel(world: World,
                                                                         start_bot):
    """A fresh adapter (after a restart, or another process) has seen nobody: the channel of the
    message that caused the notice is where the short notice goes."""
    fake = world.fake
    fake.closed_dms.add(world.alice)
    client = await start_bot()
    fresh = DiscordActions()
    fresh.attach(client)
    alice = UserRef("discord", str(world.alice), "Alice")
    notice = Notice(topic="grooming", locale="en", headline="Be careful", body="words")
    n0 = len(fake.calls)

    sent = await fresh.send_private(alice, notice, community_id=str(world.guild),
                                    idempotency_key="k1", channel_id=str(world.general),
                                    conversation_id=str(world.general))

    assert sent.ok and sent.detail == "dms_closed"
    assert sent.ref is not None and sent.ref.startswith(f"{world.general}:")
    (notice_call,) = fake.find_calls("POST", rf"^/channels/{world.general}/messages$", after=n0)
    assert f"<@{world.alice}>" in notice_call.json["content"]
    assert "Be careful" not in notice_call.json["content"] and "embeds" not in notice_call.json


async def test_dms_closed_ignore_a_hint_from_another_server(world: World, start_bot):
    fake = world.fake
    fake.closed_dms.add(world.alice)
    elsewhere = fake.add_guild("Elsewhere")
    foreign = fake.add_channel(elsewhere, "lobby")
    client = await start_bot()
    fresh = DiscordActions()
    fresh.attach(client)
    alice = UserRef("discord", str(world.alice), "Alice")
    notice = Notice(topic="grooming", locale="en", headline="Be careful", body="words")

    sent = await fresh.send_private(alice, notice, community_id=str(world.guild),
                                    idempotency_key="k2", channel_id=str(foreign))
    unknown = await fresh.send_private(alice, notice, community_id=str(world.guild),
                                       idempotency_key="k3", channel_id="123456789")
    none = await fresh.send_private(alice, notice, community_id=str(world.guild),
                                    idempotency_key="k4")

    assert not sent.ok and sent.detail == "dms_closed"
    assert not unknown.ok and unknown.detail == "dms_closed;fallback_failed:10003"
    assert not none.ok and none.detail == "dms_closed"
    assert not fake.find_calls("POST", rf"^/channels/{foreign}/messages$")


async def test_people_not_messages_are_checked(world: World, start_bot):
    """Bots (including the bot's own echoed posts) and empty messages never reach the service."""
    fake = world.fake
    await start_bot()
    await fake.user_says(world.general, world.bob, "hello everyone")
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me now",
                         mentions=[world.alice])
    await fake.wait_for("POST", MODS_POST.format(world.mods))
    await fake.wait_until(lambda: len(world.service.handle_calls) >= 2)
    senders = {key.split(":")[2] for key in world.service.handle_calls}
    assert len(world.service.handle_calls) == 2
    assert str(fake.app_id) not in {c.sender.id for c in world.service.cases.values()}
    assert all(k.startswith(f"discord:{world.guild}:") for k in world.service.handle_calls)
    assert len(senders) == 2


async def test_reply_and_small_channel_find_the_target(world: World, start_bot):
    fake = world.fake
    await start_bot()
    first = await fake.user_says(world.general, world.alice, "hi, new here")
    n0 = len(fake.calls)
    await fake.user_says(world.general, world.mallory, "how old are you?",
                         reply_to=int(first["id"]))
    await fake.wait_for("POST", r"^/users/@me/channels$", after=n0,
                        where=lambda c: int(c.json["recipient_id"]) == world.alice)

    # No mention, no reply: in a quiet channel the other recent participant is the target.
    quiet = fake.add_channel(world.guild, "quiet")
    await fake.dispatch("CHANNEL_CREATE", fake.channels[quiet])
    await fake.user_says(quiet, world.bob, "anyone around?")
    n1 = len(fake.calls)
    await fake.user_says(quiet, world.mallory, "this is our secret ok")
    await fake.wait_for("POST", r"^/users/@me/channels$", after=n1,
                        where=lambda c: int(c.json["recipient_id"]) == world.bob)


async def test_an_edited_message_is_checked_again(world: World, start_bot):
    fake = world.fake
    await start_bot()
    said = await fake.user_says(world.general, world.mallory, f"<@{world.alice}> hey there",
                                mentions=[world.alice])
    await fake.wait_until(lambda: len(world.service.handle_calls) == 1)
    n0 = len(fake.calls)
    await fake.user_edits(said, f"<@{world.alice}> pay me or i send it")
    await fake.wait_for("DELETE", rf"^/channels/{world.general}/messages/{said['id']}$", after=n0)
    assert len(world.service.handle_calls) == 2
    assert "@" in world.service.handle_calls[1]  # an edit is a new decision


async def test_moderators_quoting_a_case_in_their_channel_open_no_case(world: World, start_bot):
    fake = world.fake
    await start_bot()
    await fake.user_says(world.mods, world.moderator, f"<@{world.alice}> got 'pay me or i send'",
                         mentions=[world.alice])
    hello = await fake.user_says(world.general, world.bob, "hello")
    await fake.wait_until(lambda: len(world.service.handle_calls) == 1)
    assert world.service.handle_calls == [f"discord:{world.guild}:{hello['id']}"]
    assert world.service.cases == {}


async def test_the_service_receives_a_faithful_platform_neutral_message(world: World, start_bot):
    fake = world.fake
    await start_bot()
    first = await fake.user_says(world.general, world.alice, "hi")
    reply = await fake.user_says(world.general, world.mallory, f"<@{world.bob}> hey you two",
                                 mentions=[world.bob], reply_to=int(first["id"]))
    await fake.wait_until(lambda: len(world.service.received) == 2)
    message = world.service.received[1]
    assert (message.platform, message.community_id, message.channel_id) == (
        "discord", str(world.guild), str(world.general))
    assert message.conversation_id == str(world.general)
    assert message.message_id == reply["id"] and message.reply_to_message_id == first["id"]
    assert message.sender.id == str(world.mallory) and message.sender.name == "Mallory"
    assert {r.id for r in message.recipients} == {str(world.bob), str(world.alice)}
    assert message.text == f"<@{world.bob}> hey you two"
    assert not message.private and message.edited_at is None
    assert message.sent_at.tzinfo is not None
    assert message.sender_account_age_s is not None and message.sender_membership_age_s is not None
    assert 2 * 86400 < message.sender_account_age_s < 3 * 86400
    assert 4 * 3600 < message.sender_membership_age_s < 6 * 3600


async def test_threads_are_their_own_conversation(world: World, start_bot):
    fake = world.fake
    await start_bot()
    thread = await fake.add_thread(world.general, "chat")
    mod_thread = await fake.add_thread(world.mods, "case 1 discussion")
    await fake.user_says(mod_thread, world.moderator, f"<@{world.alice}> 'pay me or i send'",
                         mentions=[world.alice])
    said = await fake.user_says(thread, world.mallory, f"<@{world.alice}> pay me or i send it",
                                mentions=[world.alice])
    await fake.wait_for("DELETE", rf"^/channels/{thread}/messages/{said['id']}$")
    (message,) = world.service.received
    assert message.channel_id == message.conversation_id == str(thread)
