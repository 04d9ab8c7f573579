"""DiscordAdapter.start()/close() inside the caller's event loop, as the composition root
uses it."""

from __future__ import annotations

import pytest

from adapters.discord import DiscordAdapter, DiscordConfig
from tests.adapters.discord.harness import World


async def test_start_returns_when_ready_and_close_disconnects(world: World):
    fake = world.fake
    adapter = DiscordAdapter(world.service, DiscordConfig(
        token=fake.token, guild_ready_timeout=0.05, sync_commands=False))
    world.service.actions = adapter.actions
    async with adapter:
        assert adapter.platform == "discord"
        assert adapter.client.is_ready()
        assert [g.id for g in adapter.client.guilds] == [world.guild]
        await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me",
                             mentions=[world.alice])
        await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$")
    assert adapter.client.is_closed() and adapter.task is None
    assert not fake.find_calls("PUT", r"/commands$")  # sync_commands=False


async def test_a_bad_token_fails_start_with_the_reason(world: World):
    import discord

    adapter = DiscordAdapter(world.service, DiscordConfig(token="not-the-token"))
    with pytest.raises(discord.LoginFailure):
        await adapter.start()
    await adapter.close()


async def test_removing_the_bot_from_a_server_deletes_that_servers_data(world: World, start_bot):
    fake = world.fake
    await start_bot()
    await fake.user_says(world.general, world.mallory, f"<@{world.alice}> pay me now",
                         mentions=[world.alice])
    await fake.wait_for("POST", rf"^/channels/{world.mods}/messages$")
    assert world.service.cases

    await fake.dispatch("GUILD_DELETE", {"id": str(world.guild), "unavailable": True})  # outage
    await fake.dispatch("GUILD_CREATE", fake._guild_create(world.guild))
    await fake.user_says(world.general, world.bob, "back again")  # handled after the outage
    await fake.wait_until(lambda: len(world.service.handle_calls) == 2)
    assert world.service.cases

    await fake.dispatch("GUILD_DELETE", {"id": str(world.guild)})  # removed
    await fake.wait_until(lambda: not world.service.cases)
    assert ("discord", str(world.guild)) not in world.service.settings
