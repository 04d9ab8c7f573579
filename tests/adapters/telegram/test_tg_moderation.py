"""The moderators' side: case buttons (admins only, audited), /modbot_setup, /modbot_status."""

from __future__ import annotations

import hashlib
import json

from moderation_bot.core.types import CaseStatus
from tests.adapters.telegram.conftest import (
    ADMIN,
    ALICE,
    GROUP,
    MALLORY,
    MODS_CHAT_ID,
    Harness,
    make_harness,
)
from tests.fakes import fake_telegram as ft

THREAT = "pay me 200 or i send the photos to everyone"
MODS_CHAT = ft.group_chat(MODS_CHAT_ID, "Moderators")


async def _open_case(tg: Harness) -> dict:
    """A flagged message; returns the case message the moderators got."""
    await tg.link_moderators()
    reply_to = tg.fake.message("hi", sender=ALICE, chat=GROUP)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY, reply_to=reply_to))
    [post] = [c for c in tg.fake.calls_to("sendMessage", ok=True)
              if c.params["chat_id"] == MODS_CHAT_ID]
    return tg.fake.sent_message(post)


def _press(tg: Harness, card: dict, code: str, presser: dict) -> dict:
    return tg.fake.callback_query(f"mb:1:{code}:{GROUP['id']}", presser=presser, message=card)


async def test_admin_confirms_restriction(tg: Harness) -> None:
    card = await _open_case(tg)
    n0 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "t", ADMIN))

    methods = [c.method for c in tg.fake.calls[n0:]]
    assert methods[0] == "getChatMember"
    assert "restrictChatMember" in methods
    edit = tg.fake.calls_to("editMessageText", after=n0)[-1]
    assert "confirmed" in edit.params["text"]
    assert [b["callback_data"][5] for row in edit.params["reply_markup"]["inline_keyboard"]
            for b in row] == ["o", "v", "x"]  # reopen, reveal, export once decided
    [answer] = tg.fake.calls_to("answerCallbackQuery", after=n0)
    assert "restricted" in answer.params["text"]
    assert tg.service.cases[1].status is CaseStatus.CONFIRMED
    [audit] = tg.service.audit
    assert (audit.action, audit.actor.id) == ("confirm_timeout", str(ADMIN["id"]))


async def test_non_admin_is_refused_politely_and_nothing_happens(tg: Harness) -> None:
    card = await _open_case(tg)
    n0 = len(tg.fake.calls)
    for code in "ctbdvx":
        await tg.process(_press(tg, card, code, ALICE))
    answers = tg.fake.calls_to("answerCallbackQuery", after=n0)
    assert len(answers) == 6
    assert all("only admins" in a.params["text"] and a.params["show_alert"] for a in answers)
    assert {c.method for c in tg.fake.calls[n0:]} == {"getChatMember", "answerCallbackQuery"}
    assert tg.service.audit == []
    assert len(tg.service.refusals) == 6  # every press is audited, refused ones too
    assert tg.service.cases[1].status is CaseStatus.OPEN


async def test_claim_and_dismiss_update_the_case_message(tg: Harness) -> None:
    card = await _open_case(tg)
    await tg.process(_press(tg, card, "c", ADMIN))
    await tg.process(_press(tg, card, "d", ADMIN))
    edits = tg.fake.calls_to("editMessageText")
    assert "Claimed by: Ada Admin" in edits[-1].params["text"]
    assert "dismissed" in edits[-1].params["text"]
    assert tg.service.feedback == [(1, "dismissed")]
    assert [a.action for a in tg.service.audit] == ["claim", "dismiss"]


async def test_reveal_sends_evidence_only_to_the_admin_privately(tg: Harness) -> None:
    card = await _open_case(tg)
    n0 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "v", ADMIN))  # no private chat yet
    [refusal] = tg.fake.calls_to("answerCallbackQuery", after=n0)
    assert "private chat" in refusal.params["text"] and refusal.params["show_alert"]

    tg.fake.start_private_chat(ADMIN["id"])
    n1 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "v", ADMIN))
    [dm] = tg.fake.calls_to("sendMessage", after=n1, ok=True)
    assert dm.params["chat_id"] == ADMIN["id"]
    assert "pay me 200" in dm.params["text"] and "Case #1" not in dm.params["text"]
    assert "Evidence for case #1" in dm.params["text"]
    assert [a.action for a in tg.service.audit] == ["reveal", "reveal"]


async def test_export_sends_the_bundle_privately_or_to_the_moderators_chat(tg: Harness) -> None:
    card = await _open_case(tg)
    n0 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "x", ADMIN))
    [failed, posted] = tg.fake.calls_to("sendDocument", after=n0)
    assert failed.params["chat_id"] == ADMIN["id"] and not failed.ok
    assert posted.params["chat_id"] == MODS_CHAT_ID and posted.ok
    content = posted.files["document"]
    assert json.loads(content)["case_id"] == 1
    assert hashlib.sha256(content).hexdigest() in posted.params["caption"]

    tg.fake.start_private_chat(ADMIN["id"])
    n1 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "x", ADMIN))
    [sent] = tg.fake.calls_to("sendDocument", after=n1)
    assert sent.params["chat_id"] == ADMIN["id"] and sent.ok


async def test_buttons_still_work_after_a_restart(fake: ft.FakeTelegram) -> None:
    first = make_harness(fake)
    async with first.app:
        card = await _open_case(first)
    restarted = make_harness(fake)
    restarted.service = first.service  # the database survives; the process does not
    restarted.service.actions = restarted.adapter.actions
    restarted.app = restarted.adapter.build(restarted.service)
    async with restarted.app:
        n0 = len(fake.calls)
        await restarted.process(_press(restarted, card, "b", ADMIN))
    assert fake.calls_to("banChatMember", after=n0)[0].params["user_id"] == MALLORY["id"]


async def test_foreign_or_broken_button_data_is_answered_and_ignored(tg: Harness) -> None:
    card = await _open_case(tg)
    n0 = len(tg.fake.calls)
    for data in ("mb:x:c:-100123", "mb:1:z:-100123", "nonsense", "mb:1:c:"):
        await tg.process(tg.fake.callback_query(data, presser=ADMIN, message=card))
    assert {c.method for c in tg.fake.calls[n0:]} == {"answerCallbackQuery"}
    assert tg.service.audit == []


async def test_case_from_another_group_is_not_found(tg: Harness) -> None:
    card = await _open_case(tg)
    other = ft.group_chat(-100555, "Other")
    tg.fake.set_member(other["id"], ADMIN, "creator")
    n0 = len(tg.fake.calls)
    await tg.process(tg.fake.callback_query("mb:1:b:-100555", presser=ADMIN, message=card))
    [answer] = tg.fake.calls_to("answerCallbackQuery", after=n0)
    assert "can't find" in answer.params["text"]
    assert tg.fake.calls_to("banChatMember") == []


async def test_setup_by_admin_saves_settings(tg: Harness) -> None:
    await tg.process(tg.fake.command(
        "/modbot_setup pack=teen locale=de minors=yes shadow=on", sender=ADMIN, chat=GROUP))
    [(settings, who)] = tg.service.settings_changes
    assert (settings.policy_pack, settings.locale, settings.has_minors, settings.shadow) == (
        "teen", "de", True, True)
    assert who.id == str(ADMIN["id"])
    [reply] = tg.fake.calls_to("sendMessage")
    assert "Saved" in reply.params["text"] and "Policy pack: teen" in reply.params["text"]


async def test_setup_refuses_non_admins_and_bad_arguments(tg: Harness) -> None:
    await tg.process(tg.fake.command("/modbot_setup shadow=on", sender=ALICE, chat=GROUP))
    await tg.process(tg.fake.command("/modbot_setup shadow=maybe", sender=ADMIN, chat=GROUP))
    replies = [c.params["text"] for c in tg.fake.calls_to("sendMessage")]
    assert "Only admins" in replies[0]
    assert "didn't understand \"shadow=maybe\"" in replies[1]
    assert tg.service.settings_changes == []


async def test_setup_without_arguments_shows_settings_and_help(tg: Harness) -> None:
    await tg.process(tg.fake.command("/modbot_setup", sender=ADMIN, chat=GROUP))
    [reply] = tg.fake.calls_to("sendMessage")
    assert "Moderators' chat: not linked yet" in reply.params["text"]
    assert "link=-100123" in reply.params["text"]


async def test_setup_mods_me_needs_a_private_chat_then_links_it(tg: Harness) -> None:
    await tg.process(tg.fake.command("/modbot_setup mods=me", sender=ADMIN, chat=GROUP))
    assert tg.service.settings_changes == []
    assert "press Start" in tg.fake.calls_to("sendMessage", ok=True)[-1].params["text"]

    tg.fake.start_private_chat(ADMIN["id"])
    await tg.process(tg.fake.command("/modbot_setup mods=me", sender=ADMIN, chat=GROUP))
    [(settings, _)] = tg.service.settings_changes
    assert settings.moderator_channel_id == str(ADMIN["id"])


async def test_setup_link_from_a_moderators_group(tg: Harness) -> None:
    await tg.process(tg.fake.command("/modbot_setup link=-100123", sender=ALICE, chat=MODS_CHAT))
    assert tg.service.settings_changes == []
    await tg.process(tg.fake.command("/modbot_setup link=-100123", sender=ADMIN, chat=MODS_CHAT))
    [(settings, _)] = tg.service.settings_changes
    assert (settings.community_id, settings.moderator_channel_id) == ("-100123",
                                                                      str(MODS_CHAT_ID))
    assert "now receives the cases" in tg.fake.calls_to("sendMessage")[-1].params["text"]


async def test_status_for_admins(tg: Harness) -> None:
    await _open_case(tg)
    await tg.process(tg.fake.command("/modbot_status", sender=ALICE, chat=GROUP))
    await tg.process(tg.fake.command("/modbot_status", sender=ADMIN, chat=GROUP))
    replies = [c.params["text"] for c in tg.fake.calls_to("sendMessage")
               if c.params["chat_id"] == GROUP["id"]]
    assert "Only admins" in replies[-2]
    assert "Open cases: 1" in replies[-1] and "Messages checked in the last 7 days: 1" in (
        replies[-1])


async def test_confirmed_ban_shows_in_the_members_status(tg: Harness) -> None:
    card = await _open_case(tg)
    restricted = await tg.app.bot.get_chat_member(GROUP["id"], MALLORY["id"])
    assert restricted.status == "restricted"  # the policy's automatic timeout
    await tg.process(_press(tg, card, "b", ADMIN))
    banned = await tg.app.bot.get_chat_member(GROUP["id"], MALLORY["id"])
    assert banned.status == "kicked"
    untouched = await tg.app.bot.get_chat_member(GROUP["id"], ALICE["id"])
    assert untouched.status == "member"


async def test_dismissing_lifts_the_automatic_restriction(tg: Harness) -> None:
    """A false alarm: the member gets the group's usual permissions back at once."""
    card = await _open_case(tg)
    assert tg.fake.status_of(GROUP["id"], MALLORY["id"]) == "restricted"
    n0 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "d", ADMIN))

    [lift] = tg.fake.calls_to("restrictChatMember", after=n0, ok=True)
    assert lift.params["user_id"] == MALLORY["id"]
    assert lift.params["permissions"] == ft.GROUP_DEFAULT_PERMISSIONS
    assert "until_date" not in lift.params
    assert tg.fake.status_of(GROUP["id"], MALLORY["id"]) == "member"
    assert tg.service.cases[1].status is CaseStatus.DISMISSED


async def test_lifting_without_known_defaults_lets_the_member_send_again(tg: Harness) -> None:
    tg.fake.group_permissions = None
    card = await _open_case(tg)
    n0 = len(tg.fake.calls)
    await tg.process(_press(tg, card, "d", ADMIN))

    [lift] = tg.fake.calls_to("restrictChatMember", after=n0, ok=True)
    granted = lift.params["permissions"]
    assert granted["can_send_messages"] is True and granted["can_send_photos"] is True
    assert not granted.get("can_change_info") and not granted.get("can_pin_messages")
    assert tg.fake.status_of(GROUP["id"], MALLORY["id"]) == "member"
