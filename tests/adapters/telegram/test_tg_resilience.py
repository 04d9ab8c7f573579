"""Flood limits, outages, malformed updates and webhook mode, with the real PTB networking."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import httpx
import pytest

from adapters.telegram import TelegramStartError
from adapters.telegram.request import sanitize_updates
from moderation_bot.core.types import MessageRef, UserRef
from tests.adapters.telegram.conftest import (
    ALICE,
    GROUP,
    MALLORY,
    MODS_CHAT_ID,
    Harness,
    make_harness,
)
from tests.fakes import fake_telegram as ft

THREAT = "pay me 200 or i send the photos to everyone"
SECRET = "s3cret-token_for-tests"

# PTB 22.8 itself warns when it builds a RetryAfter (a deprecation notice about a future type).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


async def test_429_is_retried_by_the_rate_limiter_and_nothing_is_lost(tg: Harness) -> None:
    await tg.link_moderators()
    tg.fake.fail_next("sendMessage", 429, retry_after=1)
    reply_to = tg.fake.message("hi", sender=ALICE, chat=GROUP)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY, reply_to=reply_to))

    sends = tg.fake.calls_to("sendMessage")
    assert [c.status for c in sends[:2]] == [429, 403]  # the DM: retried, then refused
    assert [c.params["chat_id"] for c in sends if c.ok] == [GROUP["id"], MODS_CHAT_ID]
    assert len(tg.fake.calls_to("deleteMessage", ok=True)) == 1
    assert len(tg.fake.calls_to("restrictChatMember", ok=True)) == 1
    assert tg.service.cases[1].card_ref is not None


async def test_permanent_failures_are_reported_not_raised(tg: Harness) -> None:
    await tg.link_moderators()
    tg.fake.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted")
    tg.fake.fail_next("restrictChatMember", 400, "Bad Request: not enough rights")
    results = []
    ref = tg.fake.message(THREAT, sender=MALLORY, chat=GROUP)
    actions = tg.adapter.actions
    results.append(await actions.delete_message(
        MessageRef("telegram", "-100123", "-100123", str(ref["message_id"])), idempotency_key="k1"))
    results.append(await actions.timeout_user("-100123", UserRef("telegram", "1002", "Mallory"),
                                              60, reason="test", idempotency_key="k2"))
    assert [r.ok for r in results] == [False, False]
    assert all(r.detail.startswith("permanent:") for r in results)

    tg.fake.fail_next("deleteMessage", 400, "Bad Request: message to delete not found")
    gone = await actions.delete_message(MessageRef("telegram", "-100123", "-100123", "5"),
                                        idempotency_key="k3")
    assert gone.ok  # already deleted counts as done


async def test_outage_recovers_without_losing_updates(polling: Harness) -> None:
    fake = polling.fake
    await polling.link_moderators()
    polling_failed = asyncio.Event()

    class _Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "polling error" in record.getMessage():
                polling_failed.set()

    watch = _Watch()
    logging.getLogger("adapters.telegram.app").addHandler(watch)
    try:
        await fake.stop()  # Telegram unreachable: polling fails and backs off
        fake.push_update(fake.group_message(THREAT, sender=MALLORY))
        fake.push_update(fake.group_message("how old are you? our secret", sender=ALICE))
        await asyncio.wait_for(polling_failed.wait(), 10)
    finally:
        logging.getLogger("adapters.telegram.app").removeHandler(watch)
    await fake.start()  # back on the same port
    await fake.wait_for("restrictChatMember", timeout=15)
    await fake.wait_for("sendMessage", where=lambda c: c.params["chat_id"] == MODS_CHAT_ID
                        and "Alice" in c.params["text"])
    keys = [o.message_key for o in polling.service.handled.values()]
    assert len(keys) == 2 and len(set(keys)) == 2


async def test_malformed_update_is_skipped_while_polling(polling: Harness,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    fake = polling.fake
    caplog.set_level(logging.INFO)
    await polling.link_moderators()
    bad = fake.group_message("secret words in a broken update", sender=MALLORY)
    bad["message"]["date"] = "not a timestamp"
    bad = fake.push_update(bad)
    fake.push_update(fake.group_message(THREAT, sender=MALLORY))
    await fake.wait_for("restrictChatMember")
    assert len(polling.service.handled) == 1
    assert f"telegram update {bad['update_id']} is malformed and was skipped" in caplog.text
    assert "secret words" not in caplog.text


async def test_malformed_message_fields_are_skipped_in_handlers(tg: Harness,
                                                                caplog: pytest.LogCaptureFixture
                                                                ) -> None:
    no_sender = tg.fake.group_message("pay me or i send it", sender=MALLORY)
    del no_sender["message"]["from"]
    await tg.process(no_sender)
    await tg.process({"callback_query": {"id": "q", "from": ALICE, "chat_instance": "c"}})
    await tg.process(tg.fake.command("/modbot_setup link=abc", sender=ALICE, chat=GROUP))
    assert tg.service.handled == {}
    assert "failed" not in caplog.text


def test_sanitize_updates_keeps_good_ones_and_ids() -> None:
    good = {"update_id": 7, "message": {"message_id": 1, "date": 1, "chat": {
        "id": 1, "type": "private"}}}
    bad = {"update_id": 8, "message": {"message_id": 1, "date": "x", "chat": {}}}
    body = {"ok": True, "result": [good, bad, "garbage"]}
    clean = json.loads(sanitize_updates(json.dumps(body).encode()))
    assert clean["result"] == [good, {"update_id": 8}]
    untouched = json.dumps({"ok": True, "result": [good]}).encode()
    assert sanitize_updates(untouched) is untouched
    assert sanitize_updates(b"not json") == b"not json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_checks_the_secret_token(fake: ft.FakeTelegram,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = _free_port()
    harness = make_harness(fake, webhook_url=f"http://127.0.0.1:{port}/telegram",
                           webhook_secret=SECRET, webhook_listen="127.0.0.1",
                           webhook_port=port)
    await harness.link_moderators()
    await harness.adapter.start(harness.service)
    try:
        assert fake.webhook is not None
        assert fake.webhook["secret_token"] == SECRET
        assert "business_message" in fake.webhook["allowed_updates"]
        update = fake.group_message("pay me or i send it", sender=MALLORY)
        update["update_id"] = 41
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/telegram"
            refused = await client.post(url, json=update)
            wrong = await client.post(url, json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            accepted = await client.post(url, json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        await fake.wait_for("restrictChatMember")
        assert len(harness.service.handled) == 1
        assert fake.webhook["url"] == f"http://127.0.0.1:{port}/telegram"

        broken = fake.group_message("private words in a broken update", sender=MALLORY)
        broken["message"]["date"] = "not a timestamp"
        async with httpx.AsyncClient() as client:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            rejected = await client.post(url, json={"update_id": 42, **broken}, headers=headers)
            later = fake.group_message("send me a pic", sender=MALLORY)
            await client.post(url, json={"update_id": 43, **later}, headers=headers)
        assert rejected.status_code == 400
        await fake.wait_for("editMessageText")  # the second message joins the open case
        assert len(harness.service.handled) == 2
        ours = "\n".join(r.getMessage() for r in caplog.records
                         if r.name.startswith(("telegram", "adapters")))
        assert "private words" not in ours and "pay me or i send" not in ours
        assert fake.token not in ours and SECRET not in ours
    finally:
        await harness.adapter.stop()


async def test_a_refused_token_stops_start_with_a_plain_error(fake: ft.FakeTelegram) -> None:
    harness = make_harness(fake, token="42:not-the-fakes-token")
    with pytest.raises(TelegramStartError) as raised:
        await harness.adapter.start(harness.service)
    assert "not-the-fakes-token" not in str(raised.value)
    assert type(raised.value).__module__.startswith("adapters.")
    await harness.adapter.stop()  # safe after a failed start


async def test_a_revoked_token_never_reaches_the_delivery_detail(fake: ft.FakeTelegram) -> None:
    harness = make_harness(fake, token="42:revoked-token")
    actions = harness.adapter.actions
    try:
        result = await actions.ban_user("-100123", UserRef("telegram", "1002", "Mallory"),
                                        reason="test", idempotency_key="k")
    finally:
        await harness.adapter.stop()
    assert not result.ok and result.detail.startswith("permanent: InvalidToken")
    assert "revoked-token" not in result.detail
