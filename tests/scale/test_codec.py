"""A message survives the stream unchanged, whatever its text; a malformed entry is a clear
error that never quotes the text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from moderation_bot.core.types import UserRef
from moderation_bot.scale.codec import FIELD, MalformedEntry, decode, encode, from_json, to_json
from tests.factories import message

HOSTILE = [
    "",
    "plain words",
    "\x00nul\x00 and \x1b[31mANSI\x1b[0m and \r\n line ends",
    "lone surrogates \ud800 \udfff",
    "zero\u200bwidth\u202eright-to-left\ufeff",
    "emoji 👩🏽‍💻 and combining é and 𝕗𝕒𝕟𝕔𝕪",
    '{"v": 1, "text": "json inside"} \\ backslashes \\u0000',
    "x" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_round_trip_is_lossless(text: str) -> None:
    original = replace(
        message(text, private=True, reply_to_message_id="m0", recipient_is_minor=True),
        edited_at=datetime(2026, 11, 1, 12, 0, 1, 123456, tzinfo=timezone(timedelta(hours=5))),
        recipients=(UserRef("test", "a", "Ä"), UserRef("test", "b", "\ud83d")),
    )
    fields = encode(original)
    assert set(fields) == {FIELD} and fields[FIELD].isascii()
    assert decode(fields) == original


def test_unknown_ages_and_naive_times_survive() -> None:
    original = replace(message("hi"), sender_account_age_s=None, sender_membership_age_s=1.5,
                       sent_at=datetime(2026, 1, 1, 0, 0), recipients=())
    assert decode(encode(original)) == original
    aware = replace(original, sent_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert decode(encode(aware)).sent_at.tzinfo is not None


def _broken(**changes: object) -> bytes:
    data = json.loads(to_json(message("secret words")))
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize("raw", [
    b"", b"\xff\xfe", b"not json", b"[]", b"null",
    _broken(v=2), _broken(text=5), _broken(private="yes"), _broken(sender="someone"),
    _broken(sent_at="yesterday"), _broken(recipients=[{"id": 1}]),
    _broken(sender_account_age_s=True), _broken(recipient_is_minor=1),
])
def test_malformed_entries_are_refused_without_quoting_the_text(raw: bytes) -> None:
    with pytest.raises(MalformedEntry) as error:
        from_json(raw)
    assert "secret" not in str(error.value)


def test_an_entry_without_the_message_field_is_refused() -> None:
    with pytest.raises(MalformedEntry):
        decode({b"other": b"1"})
    with pytest.raises(MalformedEntry):
        from_json(b" " * (5 * 1024 * 1024))
