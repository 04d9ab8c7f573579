"""One IncomingMessage as one stream entry, and back, without losing anything.

The entry has one field, ``m``: the message as JSON with ``ensure_ascii`` (so lone surrogates,
NUL and any other hostile text survive the trip as escapes) and a version number. Datetimes keep
their offset and microseconds (ISO-8601). Decoding checks every field's type: a malformed entry
raises :class:`MalformedEntry`, whose message names the problem and never the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from moderation_bot.core.types import IncomingMessage, UserRef

VERSION = 1
FIELD = b"m"
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # well above the longest text a platform sends


class MalformedEntry(ValueError):
    """A stream entry that is not a message this version can read. Safe to log."""


def _user(user: UserRef) -> dict[str, str]:
    return {"platform": user.platform, "id": user.id, "name": user.name}


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def to_json(message: IncomingMessage) -> str:
    return json.dumps({
        "v": VERSION,
        "platform": message.platform,
        "community_id": message.community_id,
        "channel_id": message.channel_id,
        "conversation_id": message.conversation_id,
        "message_id": message.message_id,
        "sender": _user(message.sender),
        "text": message.text,
        "sent_at": _time(message.sent_at),
        "private": message.private,
        "recipients": [_user(r) for r in message.recipients],
        "reply_to_message_id": message.reply_to_message_id,
        "edited_at": _time(message.edited_at),
        "sender_account_age_s": message.sender_account_age_s,
        "sender_membership_age_s": message.sender_membership_age_s,
        "recipient_is_minor": message.recipient_is_minor,
    }, ensure_ascii=True, separators=(",", ":"))


def encode(message: IncomingMessage) -> dict[bytes, bytes]:
    """The fields of the stream entry for ``message``."""
    return {FIELD: to_json(message).encode("ascii")}


def _get(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *,
         optional: bool = False) -> Any:
    if key not in data:
        if optional:
            return None
        raise MalformedEntry(f"missing field '{key}'")
    value = data[key]
    if value is None and optional:
        return None
    # bool is an int: a flag must not pass as a number, nor a number as a flag.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise MalformedEntry(f"field '{key}' has the wrong type")
    if not isinstance(value, kind):
        raise MalformedEntry(f"field '{key}' has the wrong type")
    return value


def _user_from(value: Any, where: str) -> UserRef:
    if not isinstance(value, dict):
        raise MalformedEntry(f"field '{where}' is not a user")
    return UserRef(_get(value, "platform", str), _get(value, "id", str), _get(value, "name", str))


def _time_from(value: str | None, key: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise MalformedEntry(f"field '{key}' is not an ISO-8601 time") from None


def _number(data: Mapping[str, Any], key: str) -> float | None:
    value = _get(data, key, (int, float), optional=True)
    return None if value is None else float(value)


def from_json(raw: str | bytes) -> IncomingMessage:
    if len(raw) > MAX_ENTRY_BYTES:
        raise MalformedEntry(f"entry of {len(raw)} bytes is over the limit")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedEntry(f"not JSON ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise MalformedEntry("not a JSON object")
    if data.get("v") != VERSION:
        raise MalformedEntry("unknown version")
    recipients = _get(data, "recipients", list)
    sent_at = _time_from(_get(data, "sent_at", str), "sent_at")
    assert sent_at is not None
    return IncomingMessage(
        platform=_get(data, "platform", str),
        community_id=_get(data, "community_id", str),
        channel_id=_get(data, "channel_id", str),
        conversation_id=_get(data, "conversation_id", str),
        message_id=_get(data, "message_id", str),
        sender=_user_from(data.get("sender"), "sender"),
        text=_get(data, "text", str),
        sent_at=sent_at,
        private=_get(data, "private", bool),
        recipients=tuple(_user_from(r, "recipients") for r in recipients),
        reply_to_message_id=_get(data, "reply_to_message_id", str, optional=True),
        edited_at=_time_from(_get(data, "edited_at", str, optional=True), "edited_at"),
        sender_account_age_s=_number(data, "sender_account_age_s"),
        sender_membership_age_s=_number(data, "sender_membership_age_s"),
        recipient_is_minor=_get(data, "recipient_is_minor", bool, optional=True),
    )


def decode(fields: Mapping[bytes, bytes]) -> IncomingMessage:
    """The message in a stream entry's fields; raises :class:`MalformedEntry`."""
    raw = fields.get(FIELD)
    if raw is None:
        raise MalformedEntry("no message field")
    return from_json(raw)
