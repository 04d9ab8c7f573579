"""The adapter with the real pipeline (SQLite store, baseline classifier, policy packs,
dispatcher) instead of the fake service: both sides agree on the BotService and PlatformActions
contracts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.telegram import TelegramAdapter
from moderation_bot.core.types import EffectKind, Notice
from policies.catalog import render
from tests.adapters.telegram.conftest import (
    ADMIN,
    ALICE,
    BOB,
    GROUP,
    MALLORY,
    MODS_CHAT_ID,
    make_config,
    real_pipeline,
)
from tests.fakes import fake_telegram as ft

THREAT = "i have your nudes. send 200 dollars or i send them to your family"


def advice(topic: str, locale: str) -> Notice:
    return render(EffectKind.SEND_ADVICE, topic, locale)


async def test_a_threat_goes_through_the_real_pipeline_to_telegram(fake: ft.FakeTelegram,
                                                                   tmp_path: Path) -> None:
    adapter = TelegramAdapter(make_config(fake), advice_renderer=advice)
    async with real_pipeline(adapter.actions, tmp_path) as pipeline:
        await adapter.start(pipeline)
        try:
            n0 = len(fake.calls)
            reply_to = fake.message("hi", sender=ALICE, chat=GROUP)
            fake.push_update(fake.group_message(THREAT, sender=MALLORY, reply_to=reply_to))
            card_call = await fake.wait_for(
                "sendMessage", after=n0, where=lambda c: c.params["chat_id"] == MODS_CHAT_ID)
            warning = await fake.wait_for(
                "sendMessage", after=n0, where=lambda c: c.params["chat_id"] == GROUP["id"])
            assert "nudes" not in card_call.params["text"] and "nudes" not in (
                warning.params["text"])
            assert "tg://user?id=1001" in warning.params["text"]
            await fake.wait_for("deleteMessage", after=n0)
            card = fake.sent_message(card_call)
            case_id = int(card_call.params["text"].split("Case #")[1].split("<")[0])

            # The deep link in the warning gives Alice the catalog's advice in private.
            fake.start_private_chat(ALICE["id"])
            [[button]] = warning.params["reply_markup"]["inline_keyboard"]
            payload = button["url"].split("?start=")[1]
            n1 = len(fake.calls)
            fake.push_update(fake.private_message(
                f"/start {payload}", sender=ALICE,
                entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
            dm = await fake.wait_for("sendMessage", after=n1)
            assert dm.params["chat_id"] == ALICE["id"] and len(dm.params["text"]) > 100

            # An admin claims the case: the real service audits it and the card is updated.
            n2 = len(fake.calls)
            fake.push_update(fake.callback_query(f"mb:{case_id}:c:{GROUP['id']}",
                                                 presser=ADMIN, message=card))
            await fake.wait_for("answerCallbackQuery", after=n2)
            report = await pipeline.case_report("telegram", str(GROUP["id"]), case_id)
            assert report is not None and report.claimed_by
            edit = await fake.wait_for("editMessageText", after=n2)
            assert edit.params["message_id"] == card["message_id"]

            # Reveal and export go to the admin privately, with the real evidence.
            fake.start_private_chat(ADMIN["id"])
            n3 = len(fake.calls)
            fake.push_update(fake.callback_query(f"mb:{case_id}:v:{GROUP['id']}",
                                                 presser=ADMIN, message=card))
            fake.push_update(fake.callback_query(f"mb:{case_id}:x:{GROUP['id']}",
                                                 presser=ADMIN, message=card))
            revealed = await fake.wait_for("sendMessage", after=n3)
            assert revealed.params["chat_id"] == ADMIN["id"] and "nudes" in (
                revealed.params["text"])
            exported = await fake.wait_for("sendDocument", after=n3)
            assert exported.params["chat_id"] == ADMIN["id"]
            assert b"nudes" in exported.files["document"]
        finally:
            await adapter.stop()


async def test_a_campaign_case_message_names_every_sender(fake: ft.FakeTelegram,
                                                          tmp_path: Path) -> None:
    """Two accounts send one threat: the one case message lists both, its confirm buttons say
    they act on both, and the admin's ban is confirmed for both."""
    adapter = TelegramAdapter(make_config(fake), advice_renderer=advice)
    async with real_pipeline(adapter.actions, tmp_path) as pipeline:
        await adapter.start(pipeline)
        try:
            first = await _threat(fake, MALLORY, ALICE, "sendMessage", _to_mods)
            edit = await _threat(fake, BOB, ALICE, "editMessageText", _to_mods)
            text = edit.params["text"]
            assert ("Senders (2): <a href=\"tg://user?id=1002\">Mallory</a>, "
                    "<a href=\"tg://user?id=1004\">Bob</a>") in text
            assert "Sender:" not in text
            labels = [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"]
                      for b in row]
            assert "Confirm: restrict all 2" in labels and "Confirm: ban all 2" in labels

            case_id = int(text.split("Case #")[1].split("<")[0])
            n0 = len(fake.calls)
            fake.push_update(fake.callback_query(f"mb:{case_id}:b:{GROUP['id']}", presser=ADMIN,
                                                 message=fake.sent_message(first)))
            answer = await fake.wait_for("answerCallbackQuery", after=n0)
            assert answer.params["text"] == "Confirmed. All 2 senders are banned."
            for banned in (MALLORY, BOB):
                await fake.wait_for("banChatMember", after=n0,
                                    where=lambda c, b=banned: c.params["user_id"] == b["id"])
        finally:
            await adapter.stop()


def _to_mods(call: ft.Call) -> bool:
    return bool(call.params["chat_id"] == MODS_CHAT_ID)


async def _threat(fake: ft.FakeTelegram, sender: dict, target: dict, method: str,
                  where: Callable[[ft.Call], bool]) -> ft.Call:
    n0 = len(fake.calls)
    reply_to = fake.message("hi", sender=target, chat=GROUP)
    fake.push_update(fake.group_message(
        "i have your nudes. pay 300 in gift cards tonight or i send them to all your followers",
        sender=sender, reply_to=reply_to))
    return await fake.wait_for(method, after=n0, where=where)
