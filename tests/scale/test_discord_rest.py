"""A worker reaches Discord through the REST API only: the real discord.py client, logged in
without a gateway connection, against the local fake Discord."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator

import pytest

with warnings.catch_warnings():
    # discord.py imports audioop for voice (deprecated in 3.11+); we never use voice.
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord  # noqa: F401

from adapters.discord import DiscordActions
from moderation_bot.app import DiscordRestRunner
from moderation_bot.core.types import MessageRef, Notice, UserRef
from moderation_bot.settings import Settings
from tests.adapters.discord.harness import DiscordTestService, build_world
from tests.fakes import fake_discord
from tests.fakes.fake_discord import FakeDiscord

pytestmark = pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning")


async def _get_guild(fake: FakeDiscord, parts: list[str], body: object,
                     files: object) -> tuple[int, object]:
    """GET /guilds/{id} (what a client without a cache uses); the shared fake lacks it."""
    guild = fake.guilds.get(int(parts[1]))
    return (200, guild) if guild else (404, {"message": "Unknown Guild", "code": 10004})


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    monkeypatch.setitem(fake_discord._ROUTES, ("GET", "guilds", "{}"), _get_guild)
    server = FakeDiscord()
    await server.start()
    server.patch_library(monkeypatch)
    try:
        yield server
    finally:
        await server.stop()


async def test_a_worker_sends_effects_over_rest_without_a_gateway_session(
    fake: FakeDiscord,
) -> None:
    ids = build_world(fake)
    actions = DiscordActions()
    runner = await _rest_worker(fake, actions)
    try:
        guild = str(ids["guild"])
        alice = UserRef("discord", str(ids["alice"]), "Alice")
        notice = Notice(topic="sextortion", locale="en", headline="You are not alone",
                        body="words")
        sent = await actions.send_private(alice, notice, community_id=guild,
                                          idempotency_key="modbot-outbox-1")
        assert sent.ok and sent.ref
        said = await fake.user_says(ids["general"], ids["mallory"], "a message to remove")
        deleted = await actions.delete_message(
            MessageRef("discord", guild, str(ids["general"]), str(said["id"])),
            idempotency_key="modbot-outbox-2")
        assert deleted.ok
        mallory = UserRef("discord", str(ids["mallory"]), "Mallory")
        timed_out = await actions.timeout_user(guild, mallory, 3600, reason="case 1",
                                               idempotency_key="modbot-outbox-3")
        assert timed_out.ok
        assert fake.identifies == 0, "a worker must not open a gateway session"
        assert not fake.find_calls("PUT", r"/applications/\d+/commands"), "commands sync there"
    finally:
        await runner.close()


async def test_a_worker_falls_back_to_the_hinted_channel_when_dms_are_closed(
    fake: FakeDiscord,
) -> None:
    """A worker never sees messages, so it has no memory of where people were; the hint the
    dispatcher passes (the channel of the message) is enough for the public fallback."""
    ids = build_world(fake)
    fake.closed_dms.add(ids["alice"])
    actions = DiscordActions()
    runner = await _rest_worker(fake, actions)
    try:
        alice = UserRef("discord", str(ids["alice"]), "Alice")
        notice = Notice(topic="grooming", locale="en", headline="Be careful", body="words")
        sent = await actions.send_private(alice, notice, community_id=str(ids["guild"]),
                                          idempotency_key="modbot-outbox-9",
                                          channel_id=str(ids["general"]))
        assert sent.ok and sent.detail == "dms_closed"
        (posted,) = fake.find_calls("POST", rf"^/channels/{ids['general']}/messages$")
        assert f"<@{ids['alice']}>" in posted.json["content"]
        assert "Be careful" not in posted.json["content"]
        assert fake.identifies == 0
    finally:
        await runner.close()


async def _rest_worker(fake: FakeDiscord, actions: DiscordActions) -> DiscordRestRunner:
    """A started REST-only runner (a scale-out worker) sending ``actions`` to the fake."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, discord_token=fake.token, role="worker")
    runner = DiscordRestRunner(settings, actions)
    runner.attach(DiscordTestService(actions))
    await runner.start()
    return runner
