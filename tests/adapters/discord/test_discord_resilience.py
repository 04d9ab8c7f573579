"""Rate limits, dropped gateway connections and sharding, against the real discord.py machinery."""

from __future__ import annotations

from tests.adapters.discord.harness import World, build_world


async def test_a_rate_limited_send_is_retried_and_nothing_is_lost(world: World, start_bot):
    fake = world.fake
    await start_bot()
    fake.rate_limit_next("POST", rf"^/channels/{world.mods}/messages$", retry_after=0.05)
    fake.rate_limit_next("POST", r"^/users/@me/channels$", retry_after=0.05)
    n0 = len(fake.calls)
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me or else",
                         mentions=[world.alice])
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$", after=n0,
                        where=lambda c: c.status == 200)
    posts = fake.find_calls("POST", rf"^/channels/{world.mods}/messages$", after=n0)
    assert [c.status for c in posts] == [429, 200]
    assert len(fake.messages[world.mods]) == 1  # one card, not two
    opens = fake.find_calls("POST", r"^/users/@me/channels$", after=n0)
    assert [c.status for c in opens] == [429, 200]
    dm = fake.dm_channels[world.alice]
    assert len(fake.messages[dm]) == 1


async def test_a_dropped_gateway_resumes_and_handles_missed_events_once(world: World, start_bot):
    fake = world.fake
    await start_bot()
    await fake.user_says(world.general, world.bob, "before the drop")
    await fake.wait_until(lambda: len(world.service.handle_calls) == 1)

    await fake.drop_connections(hold_resume=True)
    missed = [
        await fake.user_says(world.general, world.bob, "while away, harmless"),
        await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me now",
                             mentions=[world.alice]),
    ]
    fake.release_resume()
    await fake.wait_until(lambda: len(world.service.handle_calls) >= 3)
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$")

    assert fake.resumes == 1 and fake.identifies == 1
    handled_ids = [key.split(":")[2] for key in world.service.handle_calls]
    assert handled_ids[1:] == [m["id"] for m in missed]
    assert len(handled_ids) == len(set(handled_ids)) == 3
    assert len(fake.messages[fake.dm_channels[world.alice]]) == 1


async def test_an_auto_sharded_client_serves_every_shard(world: World, start_bot):
    fake = world.fake
    fake.shards = 2
    # A second server, on whichever shard the first is not.
    while True:
        other = build_world(fake)
        if (other["guild"] >> 22) % 2 != (world.guild >> 22) % 2:
            break
    client = await start_bot(sharded=True)
    assert fake.find_calls("GET", r"^/gateway/bot$")
    assert client.shard_count == 2 and fake.identifies == 2
    assert {g.id for g in client.guilds} >= {world.guild, other["guild"]}

    await fake.user_says(world.general, world.bob, "hello from shard A")
    await fake.user_says(other["general"], other["bob"], "hello from shard B")
    await fake.wait_until(lambda: len(world.service.handle_calls) == 2)
    communities = {key.split(":")[1] for key in world.service.handle_calls}
    assert communities == {str(world.guild), str(other["guild"])}


async def test_refusals_are_reported_not_raised(world: World, start_bot):
    """Discord refusing (missing permission, unknown member) is a result the dispatcher records;
    a card that was deleted is posted again."""
    from moderation_bot.core.types import MessageRef, UserRef

    fake = world.fake
    client = await start_bot()
    actions = client.modbot.actions
    guild = str(world.guild)
    fake.fail_next("PATCH", r"/members/", status=403,
                   body={"message": "Missing Permissions", "code": 50013})
    result = await actions.timeout_user(guild, UserRef("discord", str(world.mallory)), 60,
                                        reason="test", idempotency_key="k1")
    assert (result.ok, result.detail) == (False, "forbidden:50013")
    result = await actions.timeout_user(guild, UserRef("discord", "424242"), 60,
                                        reason="test", idempotency_key="k2")
    assert (result.ok, result.detail) == (False, "unknown_member")
    result = await actions.delete_message(
        MessageRef("discord", guild, str(world.general), "999"), idempotency_key="k3")
    assert result.ok and result.detail == "already_deleted"

    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me now",
                         mentions=[world.alice])
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$")
    ((card_id, _),) = fake.messages[world.mods].items()
    del fake.messages[world.mods][card_id]
    report = await world.service.case_report("discord", guild, 1)
    assert report is not None
    result = await actions.post_case(report, channel_id=str(world.mods),
                                     existing_ref=f"{world.mods}:{card_id}", idempotency_key="k4")
    assert result.ok and result.ref != f"{world.mods}:{card_id}"
    assert len(fake.messages[world.mods]) == 1
