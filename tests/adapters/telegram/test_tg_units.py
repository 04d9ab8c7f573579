"""Pure parts of the adapter: conversion, callback data, texts, configuration, words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Update

from adapters.telegram import convert, views
from adapters.telegram.actions import _topic_in
from adapters.telegram.config import TelegramConfig
from adapters.telegram.words import Words
from moderation_bot.core.types import (
    CaseReport,
    CaseStatus,
    EvidenceItem,
    MessageRef,
    Notice,
    Severity,
    UserRef,
)
from tests.fakes import fake_telegram as ft

ALICE = ft.user(1001, "Alice", username="alice_k")
MALLORY = ft.user(1002, "Mallory")
FORUM = ft.group_chat(-100777, "Forum", forum=True)
WORDS = Words.load()


def _message(raw: dict) -> object:
    update = Update.de_json({"update_id": 1, **raw}, None)
    return update.effective_message


def test_group_message_conversion() -> None:
    fake = ft.FakeTelegram()
    replied = fake.message("hi", sender=ALICE, chat=FORUM)
    raw = fake.group_message("a question", sender=MALLORY, chat=FORUM, reply_to=replied,
                             thread_id=5)
    incoming = convert.group_message(_message(raw), bot_id=ft.BOT_ID,  # type: ignore[arg-type]
                                     membership_age_s=90.0)
    assert incoming is not None
    assert (incoming.platform, incoming.community_id, incoming.channel_id) == (
        "telegram", "-100777", "-100777")
    assert incoming.conversation_id == "-100777:5"
    assert incoming.sender == UserRef("telegram", "1002", "Mallory")
    assert incoming.recipients == (UserRef("telegram", "1001", "Alice"),)
    assert incoming.reply_to_message_id == str(replied["message_id"])
    assert incoming.sent_at.tzinfo is not None and incoming.edited_at is None
    assert incoming.sender_account_age_s is None and incoming.sender_membership_age_s == 90.0
    assert not incoming.private


def test_caption_counts_as_text_and_replies_to_self_are_no_recipient() -> None:
    fake = ft.FakeTelegram()
    own = fake.message("earlier", sender=MALLORY, chat=FORUM)
    raw = fake.group_message(None, sender=MALLORY, chat=FORUM, reply_to=own, caption="look")
    incoming = convert.group_message(_message(raw), bot_id=ft.BOT_ID)  # type: ignore[arg-type]
    assert incoming is not None and incoming.text == "look" and incoming.recipients == ()


def test_anonymous_admin_and_channel_messages_are_not_checked() -> None:
    fake = ft.FakeTelegram()
    raw = fake.group_message("hello", sender=ft.user(777000, "Telegram"), chat=FORUM,
                             sender_chat={"id": -100777, "type": "supergroup", "title": "F"})
    assert convert.group_message(_message(raw), bot_id=ft.BOT_ID) is None  # type: ignore[arg-type]


def test_business_ids_round_trip() -> None:
    assert convert.business_connection_id(convert.business_community_id("abc:1")) == "abc:1"
    assert convert.business_connection_id("-100123") is None


def test_callback_data_round_trip_and_limits() -> None:
    for operation in views.CASE_OPERATIONS.values():
        data = views.case_callback(123456789, operation, "-1001234567890")
        assert len(data.encode()) <= 64
        assert views.parse_case_callback(data) == views.CaseButton(123456789, operation,
                                                                   "-1001234567890")
    with pytest.raises(ValueError):
        views.case_callback(1, "claim", "business:" + "x" * 60)
    for junk in (None, "", "mb", "mb:1:c", "xx:1:c:-1", "mb:-1:c:-1", "mb:1:q:-1", "mb:1:c:"):
        assert views.parse_case_callback(junk) is None


def _report(status: CaseStatus = CaseStatus.OPEN) -> CaseReport:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    sender = UserRef("telegram", "1002", "Mal <script>")
    item = EvidenceItem(MessageRef("telegram", "-100", "-100", "5"), sender, (), "secret <b>",
                        "h", {"sextortion": 0.91, "grooming": 0.2}, now)
    return CaseReport(7, "telegram", "-100", status, Severity.HIGH, ("sextortion",),
                      ("p.one",), sender, (), (item, item), now, now)


def test_case_text_hides_evidence_and_escapes_names() -> None:
    text = views.case_text(_report(), WORDS, "en")
    assert "secret" not in text
    assert "Mal &lt;script&gt;" in text and "<script>" not in text
    assert "sextortion 0.91, grooming 0.20" in text
    assert "2 message(s)" in text and "Aimed at: nobody named" in text
    evidence = views.evidence_text(_report(), WORDS, "en")
    assert evidence.count("secret &lt;b&gt;") == 2


def test_keyboard_follows_status() -> None:
    def codes(report: CaseReport) -> list[str]:
        return [b.callback_data.split(":")[2]  # type: ignore[union-attr]
                for row in views.case_keyboard(report, WORDS, "en").inline_keyboard
                for b in row]

    assert codes(_report()) == ["c", "t", "b", "d", "v", "x"]
    assert codes(_report(CaseStatus.DISMISSED)) == ["o", "v", "x"]


def test_long_texts_are_cut_under_telegram_limit() -> None:
    notice = Notice("t", "en", "Head", "word\n" * 2000)
    assert len(views.notice_text(notice)) <= views.MAX_TEXT


def test_advice_payload_is_a_valid_deep_link_parameter() -> None:
    assert views.advice_payload("sextortion") == "advice_sextortion"
    payload = views.advice_payload("über topic/" + "x" * 80)
    assert len(payload) <= 64 and payload.replace("_", "").replace("-", "").isalnum()
    assert views.parse_advice_payload("advice_grooming") == "grooming"
    assert views.parse_advice_payload("advice_") is None
    assert views.parse_advice_payload("hello") is None


def test_config_validation_and_secret_hiding() -> None:
    config = TelegramConfig("123:abc", webhook_url="https://bot.example.org/tg",
                            webhook_secret="abc_DEF-123")
    assert config.uses_webhook
    assert "abc_DEF" not in repr(config) and "123:abc" not in repr(config)
    with pytest.raises(ValueError, match="token"):
        TelegramConfig("nonsense")
    with pytest.raises(ValueError, match="secret"):
        TelegramConfig("1:a", webhook_url="https://bot.example.org/tg")
    with pytest.raises(ValueError, match="secret"):
        TelegramConfig("1:a", webhook_url="https://x.org/tg", webhook_secret="has space")
    with pytest.raises(ValueError, match="https"):
        TelegramConfig("1:a", webhook_url="http://x.org/tg", webhook_secret="s")


def test_words_fall_back_to_english(tmp_path: Path) -> None:
    assert WORDS.get("button_claim", "pt-BR") == "Claim"
    custom = tmp_path / "w.yaml"
    custom.write_text("en: {a: 'Hi {name}'}\nde: {a: 'Hallo {name}'}\n", encoding="utf-8")
    words = Words.load(custom)
    assert words.get("a", "de_AT", name="Ada") == "Hallo Ada"
    with pytest.raises(KeyError):
        words.get("missing")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ValueError):
        Words.load(bad)


def test_every_word_used_by_the_views_exists() -> None:
    for operation in views.CASE_OPERATIONS.values():
        WORDS.get(f"button_{operation}")
        if operation not in ("reveal", "export"):
            WORDS.get(f"done_{operation}")
    for status in CaseStatus:
        WORDS.get(f"status_{status.value}")
    for label in ("sextortion", "image_request", "grooming", "victim_disclosure"):
        WORDS.get(f"label_{label}")


def test_a_campaign_case_names_its_senders_and_cuts_a_long_list() -> None:
    others = tuple(UserRef("telegram", str(2000 + n), f"Acct{n}") for n in range(12))
    text = views.case_text(replace(_report(), other_senders=others[:1]), WORDS, "en")
    assert ("Senders (2): <a href=\"tg://user?id=1002\">Mal &lt;script&gt;</a>, "
            "<a href=\"tg://user?id=2000\">Acct0</a>\n") in text
    many = views.case_text(replace(_report(), other_senders=others), WORDS, "en")
    assert "Senders (13): " in many and "Acct8</a>, +3 more\n" in many
    assert "Acct9" not in many


def test_the_fallback_topic_must_be_in_the_same_chat() -> None:
    assert _topic_in("-100123", "-100123:7") == 7
    assert _topic_in("-100123", "-100123") is None
    assert _topic_in("-100123", "-100999:7") is None
    assert _topic_in("-100123", None) is None
    assert _topic_in("-100123", "-100123:x") is None
