"""A flagged group message: the warning, the deletion, the restriction and one case message."""

from __future__ import annotations

from tests.adapters.telegram.conftest import ALICE, BOB, GROUP, MALLORY, MODS_CHAT_ID, Harness
from tests.fakes import fake_telegram as ft

THREAT = "pay me 200 or i send the photos to everyone"


def _alice_said_hi(fake: ft.FakeTelegram) -> dict:
    return fake.message("hi, anyone here?", sender=ALICE, chat=GROUP)


async def test_flagged_message_warns_deletes_restricts_and_posts_case(polling: Harness) -> None:
    fake = polling.fake
    await polling.link_moderators()
    n0 = len(fake.calls)
    update = fake.group_message(THREAT, sender=MALLORY, reply_to=_alice_said_hi(fake))
    fake.push_update(update)

    case_post = await fake.wait_for("sendMessage", after=n0,
                                    where=lambda c: c.params["chat_id"] == MODS_CHAT_ID)
    # The DM to Alice is refused (she never started the bot), so she is warned in the group.
    warning = await fake.wait_for("sendMessage", after=n0,
                                  where=lambda c: c.params["chat_id"] == GROUP["id"])
    assert "tg://user?id=1001" in warning.params["text"]
    assert "200" not in warning.params["text"] and "photos" not in warning.params["text"]
    [[button]] = warning.params["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{ft.BOT_USERNAME}?start=advice_sextortion"

    delete = await fake.wait_for("deleteMessage", after=n0)
    assert delete.params == {"chat_id": GROUP["id"],
                             "message_id": update["message"]["message_id"], "_result": True}
    restrict = await fake.wait_for("restrictChatMember", after=n0)
    assert restrict.params["user_id"] == MALLORY["id"]
    assert restrict.params["permissions"]["can_send_messages"] is False
    assert restrict.params["until_date"] > update["message"]["date"]

    text = case_post.params["text"]
    assert "Case #1" in text and "sextortion" in text and "critical" in text
    assert "Mallory" in text and "Alice" in text
    assert "200" not in text and "photos" not in text  # evidence stays hidden
    buttons = [b for row in case_post.params["reply_markup"]["inline_keyboard"] for b in row]
    assert {b["callback_data"] for b in buttons} == {
        f"mb:1:{code}:{GROUP['id']}" for code in "ctbdvx"}
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)


async def test_member_who_started_the_bot_gets_the_advice_directly(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    await tg.link_moderators()
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY,
                                           reply_to=_alice_said_hi(tg.fake)))

    [dm] = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == ALICE["id"]]
    assert "Be careful with this person" in dm.params["text"]
    assert "Stop replying and block them." in dm.params["text"]
    assert not [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == GROUP["id"]]


async def test_new_evidence_edits_the_case_message_instead_of_posting_again(tg: Harness) -> None:
    await tg.link_moderators()
    await tg.process(tg.fake.group_message("send me a pic", sender=MALLORY,
                                           reply_to=_alice_said_hi(tg.fake)))
    [first] = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == MODS_CHAT_ID]
    card = tg.fake.sent_message(first)

    n1 = len(tg.fake.calls)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY,
                                           reply_to=_alice_said_hi(tg.fake)))
    assert not [c for c in tg.fake.calls_to("sendMessage", after=n1)
                if c.params["chat_id"] == MODS_CHAT_ID]
    [edit] = tg.fake.calls_to("editMessageText", after=n1)
    assert (edit.params["chat_id"], edit.params["message_id"]) == (MODS_CHAT_ID,
                                                                   card["message_id"])
    assert "2 message(s)" in edit.params["text"] and "sextortion" in edit.params["text"]


async def test_edited_message_is_checked_again(tg: Harness) -> None:
    await tg.link_moderators()
    original = tg.fake.group_message("hello there", sender=MALLORY,
                                     reply_to=_alice_said_hi(tg.fake))
    await tg.process(original)
    assert tg.fake.calls_to("sendMessage") == []

    await tg.process(tg.fake.edited_group_message(original, "hello, how old are you?"))
    outcomes = list(tg.service.handled.values())
    assert [o.flagged for o in outcomes] == [False, True]
    assert "@" in outcomes[1].message_key  # an edit is a new decision
    assert [c.params["chat_id"] for c in tg.fake.calls_to("sendMessage", ok=True)] == [
        GROUP["id"], MODS_CHAT_ID]


async def test_recipients_from_mentions_without_sender_or_bot(tg: Harness) -> None:
    await tg.process(tg.fake.group_message("morning all", sender=ALICE))  # learns @alice_k
    text = "@alice_k and Bob, how old are you? @modbot_test_bot"
    entities = [
        {"type": "mention", "offset": 0, "length": 8},
        {"type": "text_mention", "offset": 13, "length": 3, "user": BOB},
        {"type": "mention", "offset": 35, "length": 16},
    ]
    await tg.process(tg.fake.group_message(text, sender=MALLORY, entities=entities))
    warned = {c.params["text"].split('"')[1] for c in tg.fake.calls_to("sendMessage")
              if c.params["chat_id"] == GROUP["id"]}
    assert warned == {"tg://user?id=1001", "tg://user?id=1004"}


async def test_clean_messages_bots_and_service_messages_cause_no_calls(tg: Harness) -> None:
    n0 = len(tg.fake.calls)
    await tg.process(tg.fake.group_message("see you at the meetup", sender=ALICE))
    await tg.process(tg.fake.group_message("pay me or i send it", sender=ft.user(
        55, "Other bot", is_bot=True)))
    await tg.process(tg.fake.group_message(None, sender=ALICE, new_chat_members=[BOB]))
    assert tg.fake.calls[n0:] == []
    assert len(tg.service.handled) == 1


async def test_redelivered_update_is_decided_once(tg: Harness) -> None:
    await tg.link_moderators()
    update = tg.fake.group_message(THREAT, sender=MALLORY, reply_to=_alice_said_hi(tg.fake))
    await tg.process(update)
    n1 = len(tg.fake.calls)
    await tg.process(update)
    assert tg.fake.calls[n1:] == []


async def test_deep_link_gives_the_full_advice_privately(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    await tg.process(tg.fake.private_message(
        "/start advice_sextortion", sender=ALICE,
        entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
    [answer] = tg.fake.calls_to("sendMessage")
    assert answer.params["chat_id"] == ALICE["id"]
    assert "Be careful with this person" in answer.params["text"]
    assert "https://stopncii.org/" in answer.params["text"]


async def test_plain_start_says_what_the_bot_does(tg: Harness) -> None:
    tg.fake.start_private_chat(ALICE["id"])
    await tg.process(tg.fake.command("/start", sender=ALICE, chat=ft.private_chat(ALICE)))
    [answer] = tg.fake.calls_to("sendMessage")
    assert "forward it to me" in answer.params["text"]


async def test_membership_age_is_known_for_members_seen_joining(tg: Harness) -> None:
    await tg.link_moderators()
    now = tg.fake.message(None, sender=MALLORY, chat=GROUP)["date"]
    await tg.process({"chat_member": {
        "chat": GROUP, "from": MALLORY, "date": now,
        "old_chat_member": {"status": "left", "user": MALLORY},
        "new_chat_member": {"status": "member", "user": MALLORY},
    }})
    await tg.process(tg.fake.group_message("send me a pic", sender=MALLORY,
                                           reply_to=_alice_said_hi(tg.fake)))
    await tg.process(tg.fake.group_message("send me a pic", sender=BOB,
                                           reply_to=_alice_said_hi(tg.fake)))
    ages = {case.sender.id: case.sender_membership_age_s for case in tg.service.cases.values()}
    assert ages[str(MALLORY["id"])] is not None and ages[str(MALLORY["id"])] >= 0
    assert ages[str(BOB["id"])] is None
    card = tg.fake.calls_to("sendMessage", ok=True)
    assert any("Member for: 0.0 h" in c.params["text"] for c in card)


async def test_a_message_dressed_as_a_command_is_still_checked(tg: Harness) -> None:
    await tg.link_moderators()
    await tg.process(tg.fake.command("/note pay me 50 or i send the pics", sender=MALLORY,
                                     chat=GROUP))
    [outcome] = tg.service.handled.values()
    assert outcome.flagged


async def test_group_warning_lands_in_the_topic_of_the_message(tg: Harness) -> None:
    """In a forum group the fallback warning goes to the topic where the message was, not to
    General."""
    await tg.link_moderators()
    hi = tg.fake.message("hi, anyone here?", sender=ALICE, chat=GROUP, thread_id=7)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY, reply_to=hi, thread_id=7))

    [warning] = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == GROUP["id"]]
    assert "tg://user?id=1001" in warning.params["text"]
    assert warning.params["message_thread_id"] == 7
    assert "200" not in warning.params["text"] and "photos" not in warning.params["text"]


async def test_a_closed_topic_sends_the_group_warning_to_the_main_thread(tg: Harness) -> None:
    await tg.link_moderators()
    tg.fake.fail_next("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    tg.fake.fail_next("sendMessage", 400, "Bad Request: TOPIC_CLOSED")  # then the topic's reply
    hi = tg.fake.message("hi, anyone here?", sender=ALICE, chat=GROUP, thread_id=7)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY, reply_to=hi, thread_id=7))

    tries = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == GROUP["id"]]
    assert [c.params.get("message_thread_id") for c in tries][-2:] == [7, None]
    assert "tg://user?id=1001" in tries[-1].params["text"]


async def test_group_warning_outside_topics_goes_to_the_main_thread(tg: Harness) -> None:
    await tg.link_moderators()
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY,
                                           reply_to=_alice_said_hi(tg.fake)))

    [warning] = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == GROUP["id"]]
    assert "message_thread_id" not in warning.params
