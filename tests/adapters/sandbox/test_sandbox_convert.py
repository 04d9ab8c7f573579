"""Replay lines and web posts become IncomingMessage; malformed input is a one-line ValueError."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from adapters.sandbox.convert import (
    MAX_WEB_TEXT_BYTES,
    parse_web_post,
    replay_line_to_message,
    web_post_to_message,
)
from adapters.sandbox.personas import PERSONAS, dm_conversation_id
from moderation_bot.core.types import IncomingMessage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# --- replay lines ---------------------------------------------------------------------------

def test_a_minimal_replay_line_gets_the_documented_defaults() -> None:
    before = datetime.now(UTC)
    message = replay_line_to_message({"conversation": "c1", "sender": "u1", "text": "hello"}, 0)

    assert message.platform == "sandbox"
    assert message.community_id == "sandbox"
    assert message.channel_id == message.conversation_id == "c1"
    assert message.sender.id == "u1" and message.sender.platform == "sandbox"
    assert message.text == "hello"
    assert message.private is False
    assert message.recipients == ()
    assert message.sent_at >= before and message.sent_at.tzinfo is not None


def test_a_full_replay_line_is_converted() -> None:
    line = {
        "conversation": "dm-7", "sender": "stranger", "recipient": "teen", "community": "club",
        "private": True, "ts": "2026-02-03T04:05:06Z", "text": "hi",
        "sender_account_age_s": 3600, "sender_membership_age_s": 60.5,
        "recipient_is_minor": True, "unknown_key": "ignored",
    }
    message = replay_line_to_message(line, 3)

    assert message.community_id == "club"
    assert message.private is True
    assert [r.id for r in message.recipients] == ["teen"]
    assert message.sent_at == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert message.sender_account_age_s == 3600.0
    assert message.sender_membership_age_s == 60.5
    assert message.recipient_is_minor is True
    assert message.idempotency_key.startswith("sandbox:club:replay-3-")


@pytest.mark.parametrize(("ts", "expected"), [
    (0, datetime(1970, 1, 1, tzinfo=UTC)),
    (1_700_000_000.5, datetime.fromtimestamp(1_700_000_000.5, UTC)),
    ("2026-02-03T04:05:06", datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)),
    ("2026-02-03T05:05:06+01:00", datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)),
    ("2026-02-03", datetime(2026, 2, 3, tzinfo=UTC)),
])
def test_timestamps_are_iso_8601_or_epoch_seconds(ts: object, expected: datetime) -> None:
    message = replay_line_to_message({"conversation": "c", "sender": "u", "ts": ts, "text": "x"}, 0)
    assert message.sent_at == expected


def test_recipient_may_be_a_list_and_duplicates_are_dropped() -> None:
    message = replay_line_to_message(
        {"conversation": "c", "sender": "u", "recipient": ["a", "b", "a"], "text": "x"}, 0)
    assert [r.id for r in message.recipients] == ["a", "b"]


def test_message_ids_follow_the_index_and_the_content() -> None:
    line = {"conversation": "c", "sender": "u", "ts": 5, "text": "x"}
    same = replay_line_to_message(dict(line), 1).message_id
    assert replay_line_to_message(dict(line), 1).message_id == same
    assert replay_line_to_message(dict(line), 2).message_id != same
    assert replay_line_to_message({**line, "text": "y"}, 1).message_id != same


def test_huge_and_empty_texts_are_passed_on_for_the_pipeline_to_decide() -> None:
    big = "a" * 150_000
    assert replay_line_to_message({"conversation": "c", "sender": "u", "text": big}, 0).text == big
    assert replay_line_to_message({"conversation": "c", "sender": "u", "text": ""}, 0).text == ""


def test_lone_surrogates_in_text_are_replaced_so_storage_cannot_fail() -> None:
    obj = json.loads('{"conversation": "c", "sender": "u", "text": "a\\ud800b"}')
    message = replay_line_to_message(obj, 0)
    assert message.text == "a\ufffdb"
    message.text.encode("utf-8")


GOOD = {"conversation": "c", "sender": "u", "text": "hello"}


@pytest.mark.parametrize(("obj", "fragment"), [
    ([1, 2], "JSON object, not array"),
    ("text", "JSON object, not string"),
    (None, "JSON object, not null"),
    (42, "JSON object, not number"),
    ({"sender": "u", "text": "x"}, "missing field 'conversation'"),
    ({"conversation": "c", "text": "x"}, "missing field 'sender'"),
    ({"conversation": "c", "sender": "u"}, "missing field 'text'"),
    ({**GOOD, "text": 5}, "'text' must be a string, not number"),
    ({**GOOD, "text": None}, "'text' must be a string, not null"),
    ({**GOOD, "text": ["a"]}, "'text' must be a string, not array"),
    ({**GOOD, "conversation": 12}, "'conversation' must be a string"),
    ({**GOOD, "sender": "  "}, "'sender' must not be empty"),
    ({**GOOD, "sender": "u" * 201}, "longer than 200"),
    ({**GOOD, "sender": "a\x00b"}, "control characters"),
    ({**GOOD, "community": {}}, "'community' must be a string"),
    ({**GOOD, "recipient": 5}, "'recipient' must be a string or a list"),
    ({**GOOD, "recipient": ["a", 5]}, "each 'recipient' must be a string"),
    ({**GOOD, "private": "yes"}, "'private' must be true or false"),
    ({**GOOD, "private": 1}, "'private' must be true or false"),
    ({**GOOD, "ts": "yesterday"}, "'ts' is not a valid ISO-8601"),
    ({**GOOD, "ts": True}, "'ts' must be an ISO-8601 string or epoch seconds"),
    ({**GOOD, "ts": [2026]}, "'ts' must be an ISO-8601 string or epoch seconds"),
    ({**GOOD, "ts": 1e20}, "out of range"),
    ({**GOOD, "ts": math.nan}, "finite"),
    ({**GOOD, "sender_account_age_s": -1}, "non-negative number"),
    ({**GOOD, "sender_membership_age_s": "old"}, "non-negative number"),
    ({**GOOD, "recipient_is_minor": "no"}, "'recipient_is_minor' must be"),
])
def test_malformed_replay_lines_raise_a_clear_one_line_error(obj: object, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        replay_line_to_message(obj, 0)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_the_error_never_quotes_the_text() -> None:
    with pytest.raises(ValueError) as caught:
        replay_line_to_message({"conversation": "c", "sender": 7, "text": "secret words"}, 0)
    assert "secret words" not in str(caught.value)


def test_a_negative_index_is_rejected() -> None:
    with pytest.raises(ValueError, match="index"):
        replay_line_to_message(GOOD, -1)


# --- web posts ------------------------------------------------------------------------------

def to_message(payload: dict[str, object], reply_author: str | None = None) -> IncomingMessage:
    post = parse_web_post(payload)
    author = PERSONAS[reply_author] if reply_author else None
    return web_post_to_message(post, message_id="m1", sent_at=NOW, reply_author=author)


def test_a_channel_message_without_a_target_has_no_recipients() -> None:
    message = to_message({"persona": "alex", "channel": "#general", "text": "hi"})
    assert message.recipients == ()
    assert message.private is False
    assert message.conversation_id == message.channel_id == "general"
    assert message.community_id == "maple-hollow"
    assert message.sender.id == "alex"
    assert message.sender_account_age_s == PERSONAS["alex"].account_age_s
    assert message.sender_membership_age_s == PERSONAS["alex"].membership_age_s
    assert message.recipient_is_minor is None


def test_no_channel_and_no_dm_means_the_general_channel() -> None:
    assert to_message({"persona": "alex", "text": "hi"}).conversation_id == "general"


def test_a_private_message_is_aimed_at_the_other_person() -> None:
    message = to_message({"persona": "Jordan", "dm_with": "sam", "text": "hi"})
    assert [r.id for r in message.recipients] == ["sam"]
    assert message.private is True
    assert message.conversation_id == dm_conversation_id("sam", "jordan") == "dm:jordan:sam"
    assert message.recipient_is_minor is True


def test_mentions_win_over_the_reply_and_the_private_chat() -> None:
    message = to_message(
        {"persona": "jordan", "dm_with": "sam", "text": "hi", "mention": ["alex", "kim"],
         "reply_to": "m0"},
        reply_author="sam",
    )
    assert [r.id for r in message.recipients] == ["alex", "kim"]
    assert message.recipient_is_minor is False
    assert message.reply_to_message_id == "m0"


def test_a_reply_is_aimed_at_the_author_of_the_message_replied_to() -> None:
    message = to_message({"persona": "jordan", "channel": "general", "text": "hi",
                          "reply_to": "m0"}, reply_author="sam")
    assert [r.id for r in message.recipients] == ["sam"]


def test_the_sender_is_never_their_own_recipient() -> None:
    message = to_message({"persona": "sam", "text": "hi", "mention": "sam"})
    assert message.recipients == ()
    message = to_message({"persona": "sam", "text": "hi", "reply_to": "m0"}, reply_author="sam")
    assert message.recipients == ()


@pytest.mark.parametrize(("payload", "fragment"), [
    ([], "JSON object"),
    ({"text": "hi"}, "missing field 'persona'"),
    ({"persona": "nobody", "text": "hi"}, "unknown persona"),
    ({"persona": 3, "text": "hi"}, "persona id string"),
    ({"persona": "alex"}, "missing field 'text'"),
    ({"persona": "alex", "text": ""}, "empty"),
    ({"persona": "alex", "text": " \n\t "}, "empty"),
    ({"persona": "alex", "text": 12}, "must be a string"),
    ({"persona": "alex", "text": "x" * (MAX_WEB_TEXT_BYTES + 1)}, "longer than 100 kB"),
    ({"persona": "alex", "text": "é" * (MAX_WEB_TEXT_BYTES // 2 + 1)}, "longer than 100 kB"),
    ({"persona": "alex", "text": "bin\x00ary"}, "control characters"),
    ({"persona": "alex", "text": "a\ud800"}, "invalid Unicode"),
    ({"persona": "alex", "channel": "random", "text": "hi"}, "unknown channel"),
    ({"persona": "alex", "channel": 5, "text": "hi"}, "'channel' must be a string"),
    ({"persona": "alex", "channel": "general", "dm_with": "sam", "text": "hi"}, "not both"),
    ({"persona": "alex", "dm_with": "alex", "text": "hi"}, "themselves"),
    ({"persona": "alex", "dm_with": "ghost", "text": "hi"}, "unknown persona"),
    ({"persona": "alex", "text": "hi", "mention": "ghost"}, "unknown persona"),
    ({"persona": "alex", "text": "hi", "mention": 5}, "'mention' must be"),
    ({"persona": "alex", "text": "hi", "mention": [5]}, "'mention' must be"),
    ({"persona": "alex", "text": "hi", "mention": ["sam"] * 11}, "more than 10"),
    ({"persona": "alex", "text": "hi", "reply_to": 5}, "'reply_to' must be a string"),
])
def test_malformed_web_posts_raise_a_clear_error(payload: object, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_web_post(payload)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_web_post_may_be_exactly_100_kb_with_newlines_and_tabs() -> None:
    text = ("line\tone\r\n" * 20_000)[:MAX_WEB_TEXT_BYTES]
    assert parse_web_post({"persona": "alex", "text": text}).text == text
