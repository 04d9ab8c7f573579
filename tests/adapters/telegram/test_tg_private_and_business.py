"""Private chats with the bot (forwarded or pasted messages) and Telegram Business chats."""

from __future__ import annotations

import hashlib
import json

from tests.adapters.telegram.conftest import ALICE, MALLORY, Harness
from tests.fakes import fake_telegram as ft

OWNER = ft.user(2001, "Olivia Owner")
STRANGER = ft.user(2002, "Stranger")


async def test_forwarded_message_gets_assessment_advice_and_evidence_offer(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    forwarded = tg.fake.forwarded_private_message("send me a pic, it's our secret",
                                                  sender=ALICE, original_sender=MALLORY)
    await tg.process(forwarded)
    [answer] = tg.fake.calls_to("sendMessage")
    assert answer.params["chat_id"] == ALICE["id"]
    text = answer.params["text"]
    assert "pressure to send intimate pictures" in text and "You are not in trouble" in text
    assert "Stop replying and block them." in text
    assert answer.params["reply_parameters"]["message_id"] == forwarded["message"]["message_id"]
    [[save]] = answer.params["reply_markup"]["inline_keyboard"]

    await tg.process(tg.fake.callback_query(save["callback_data"], presser=ALICE,
                                            message=tg.fake.sent_message(answer)))
    [document] = tg.fake.calls_to("sendDocument")
    assert document.params["chat_id"] == ALICE["id"]
    record = json.loads(document.files["document"])
    assert record["text"] == "send me a pic, it's our secret"
    assert record["from"] == {"type": "user", "id": MALLORY["id"], "name": "Mallory",
                              "username": "mal"}
    assert record["text_sha256"] == hashlib.sha256(record["text"].encode()).hexdigest()
    assert tg.service.cases == {}  # asking the bot opens no case and stores nothing


async def test_pasted_harmless_message_is_reassured(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    await tg.process(tg.fake.private_message("want to play chess later?", sender=ALICE))
    [answer] = tg.fake.calls_to("sendMessage")
    assert "I don't see signs" in answer.params["text"]


async def test_message_without_text_asks_for_the_words(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    await tg.process(tg.fake.private_message(None, sender=ALICE, sticker={
        "file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 1, "height": 1,
        "is_animated": False, "is_video": False}))
    [answer] = tg.fake.calls_to("sendMessage")
    assert "can't see the text" in answer.params["text"]


async def test_save_evidence_when_the_original_is_gone(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    bot_message = tg.fake.message("an earlier answer", sender=tg.fake.bot_user,
                                  chat=ft.private_chat(ALICE))
    await tg.process(tg.fake.callback_query("mb-ev", presser=ALICE, message=bot_message))
    [answer] = tg.fake.calls_to("answerCallbackQuery")
    assert "forward it to me again" in answer.params["text"]


async def test_business_message_warns_the_owner_only(tg: Harness) -> None:
    tg.fake.start_private_chat(OWNER["id"])
    await tg.process(tg.fake.business_connection("bc-1", OWNER))
    [hello] = tg.fake.calls_to("sendMessage")
    assert hello.params["chat_id"] == OWNER["id"] and "never the other person" in (
        hello.params["text"])

    n0 = len(tg.fake.calls)
    await tg.process(tg.fake.business_message(
        "bc-1", "pay me or i send your photos to everyone", sender=STRANGER, owner=OWNER))
    calls = tg.fake.calls[n0:]
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].params["chat_id"] == OWNER["id"]
    assert "About a message you received" in calls[0].params["text"]
    assert all(c.params.get("chat_id") != STRANGER["id"] for c in tg.fake.calls)
    [outcome] = tg.service.handled.values()
    assert outcome.flagged and outcome.message_key.startswith("telegram:business:bc-1:")


async def test_owners_own_business_messages_are_not_checked(tg: Harness) -> None:
    await tg.process(tg.fake.business_connection("bc-1", OWNER))
    await tg.process(tg.fake.business_message("bc-1", "pay me back the 5 pounds",
                                              sender=OWNER, owner=OWNER))
    assert tg.service.handled == {}


async def test_business_owner_learnt_from_telegram_after_a_restart(tg: Harness) -> None:
    tg.fake.start_private_chat(OWNER["id"])
    tg.fake.business_connection("bc-2", OWNER)  # known to Telegram, not yet to this process
    await tg.process(tg.fake.business_message("bc-2", "how old are you? our secret ok",
                                              sender=STRANGER, owner=OWNER))
    assert tg.fake.calls_to("getBusinessConnection")
    [warning] = tg.fake.calls_to("sendMessage")
    assert warning.params["chat_id"] == OWNER["id"]


async def test_business_disconnect_deletes_the_connections_data(tg: Harness) -> None:
    tg.fake.start_private_chat(OWNER["id"])
    await tg.process(tg.fake.business_connection("bc-1", OWNER))
    await tg.process(tg.fake.business_message("bc-1", "send me a pic", sender=STRANGER,
                                              owner=OWNER))
    assert len(tg.service.cases) == 1

    await tg.process(tg.fake.business_connection("bc-1", OWNER, enabled=False))
    assert tg.service.deleted_communities == [("telegram", "business:bc-1")]
    assert tg.service.cases == {}
    assert "deleted" in tg.fake.calls_to("sendMessage")[-1].params["text"]

    del tg.fake.business_connections["bc-1"]  # Telegram forgets it too
    n0 = len(tg.service.handled)
    await tg.process(tg.fake.business_message("bc-1", "send me a pic", sender=STRANGER,
                                              owner=OWNER))
    assert len(tg.service.handled) == n0  # no consent, no checking
