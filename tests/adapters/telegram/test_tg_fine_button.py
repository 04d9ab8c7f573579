""""This was fine" under a private warning, pressed in the real PTB Application against the fake
Bot API: heard only from the person warned, once; the button goes away and they are thanked."""

from __future__ import annotations

import json

from moderation_bot.core.types import CaseStatus
from tests.adapters.telegram.conftest import (
    ALICE,
    BOB,
    GROUP,
    MALLORY,
    MODS_CHAT_ID,
    Harness,
    PipelineHarness,
)
from tests.fakes import fake_telegram as ft

THREAT = "pay me 200 or i send the photos to everyone"


async def _warning(tg: Harness, presser: dict = ALICE) -> dict:
    """Mallory threatens someone who started the bot; returns the DM the bot sent them."""
    tg.fake.start_private_chat(presser["id"])
    await tg.link_moderators()
    said = tg.fake.message("hi", sender=presser, chat=GROUP)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY, reply_to=said))
    [dm] = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == presser["id"]]
    return tg.fake.sent_message(dm)


async def test_the_person_warned_says_it_was_fine(tg: Harness) -> None:
    warning = await _warning(tg)
    [[button]] = warning["reply_markup"]["inline_keyboard"]
    assert button == {"text": "This was fine", "callback_data": f"mbf:1:{GROUP['id']}"}

    n0 = len(tg.fake.calls)
    await tg.process(tg.fake.callback_query(button["callback_data"], presser=ALICE,
                                            message=warning))
    [removed] = tg.fake.calls_to("editMessageReplyMarkup", after=n0)
    assert removed.params["message_id"] == warning["message_id"]
    assert "reply_markup" not in removed.params  # no keyboard any more
    [answer] = tg.fake.calls_to("answerCallbackQuery", after=n0)
    assert "text" not in answer.params
    [thanks] = [c for c in tg.fake.calls_to("sendMessage", after=n0)
                if c.params["chat_id"] == ALICE["id"]]
    assert thanks.params["text"] == ("Thanks for telling us. If anything changes, the advice "
                                     "above is still here.")
    assert tg.service.recipient_feedback == [(1, str(ALICE["id"]), "fine")]
    assert tg.service.cases[1].status is CaseStatus.OPEN
    [card] = tg.fake.calls_to("editMessageText", after=n0)
    assert card.params["chat_id"] == MODS_CHAT_ID
    assert "Said the warning was fine (their word, not a decision): " in card.params["text"]
    assert "tg://user?id=1001" in card.params["text"]


async def test_someone_not_warned_gets_a_neutral_answer(tg: Harness) -> None:
    warning = await _warning(tg)
    [[button]] = warning["reply_markup"]["inline_keyboard"]
    n0 = len(tg.fake.calls)
    await tg.process(tg.fake.callback_query(button["callback_data"], presser=BOB,
                                            message=warning))
    assert [c.method for c in tg.fake.calls[n0:]] == ["answerCallbackQuery"]
    [answer] = tg.fake.calls_to("answerCallbackQuery", after=n0)
    assert answer.params["text"] == "Thanks, but there is nothing to answer here."
    assert "photos" not in json.dumps(answer.params)
    assert tg.service.recipient_feedback == []


async def test_the_thanks_are_in_the_persons_language(tg: Harness) -> None:
    anna = ft.user(1010, "Anna", language_code="de")
    tg.fake.set_member(GROUP["id"], anna, "member")
    warning = await _warning(tg, anna)
    [[button]] = warning["reply_markup"]["inline_keyboard"]
    n0 = len(tg.fake.calls)
    await tg.process(tg.fake.callback_query(button["callback_data"], presser=anna,
                                            message=warning))
    [thanks] = [c for c in tg.fake.calls_to("sendMessage", after=n0)
                if c.params["chat_id"] == anna["id"]]
    assert thanks.params["text"].startswith("Danke, dass du es uns sagst.")


async def test_malformed_data_is_answered_and_ignored(tg: Harness) -> None:
    warning = await _warning(tg)
    n0 = len(tg.fake.calls)
    for data in ("mbf:x:-100123", "mbf:1", "mbf:1:"):
        await tg.process(tg.fake.callback_query(data, presser=ALICE, message=warning))
    assert {c.method for c in tg.fake.calls[n0:]} == {"answerCallbackQuery"}
    assert tg.service.recipient_feedback == []


async def test_a_warning_in_the_group_has_no_button(tg: Harness) -> None:
    await tg.link_moderators()
    said = tg.fake.message("hi", sender=ALICE, chat=GROUP)
    await tg.process(tg.fake.group_message(THREAT, sender=MALLORY, reply_to=said))
    [public] = [c for c in tg.fake.calls_to("sendMessage") if c.params["chat_id"] == GROUP["id"]]
    [[button]] = public.params["reply_markup"]["inline_keyboard"]
    assert "callback_data" not in button  # only "Read it privately": nobody else answers


async def test_through_the_real_pipeline(with_pipeline: PipelineHarness) -> None:
    h = with_pipeline
    h.fake.start_private_chat(ALICE["id"])
    said = h.fake.message("hi", sender=ALICE, chat=GROUP)
    await h.process(h.fake.group_message(
        "i have your nudes. send 200 dollars or i send them to your family", sender=MALLORY,
        reply_to=said))
    [dm] = [c for c in h.fake.calls_to("sendMessage") if c.params["chat_id"] == ALICE["id"]]
    warning = h.fake.sent_message(dm)
    [[button]] = warning["reply_markup"]["inline_keyboard"]
    case_id = int(button["callback_data"].split(":")[1])

    n0 = len(h.fake.calls)
    await h.process(h.fake.callback_query(button["callback_data"], presser=ALICE,
                                          message=warning))
    report = await h.pipeline.case_report("telegram", str(GROUP["id"]), case_id)
    assert report is not None and report.status is CaseStatus.OPEN
    assert [p.id for p in report.said_fine] == [str(ALICE["id"])]
    [card] = h.fake.calls_to("editMessageText", after=n0)
    assert card.params["chat_id"] == MODS_CHAT_ID
    assert "Said the warning was fine" in card.params["text"]
