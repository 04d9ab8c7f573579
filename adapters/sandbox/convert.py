"""Translate sandbox input into :class:`IncomingMessage` at the edge.

Two sources: a line of a ``moderation-bot replay`` file (already parsed from JSON) and a message
posted from the local web page. Anything malformed raises :class:`ValueError` with a one-line
message that says what is wrong and never quotes the message text.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.sandbox.personas import (
    CHANNELS,
    COMMUNITY_ID,
    PLATFORM,
    Persona,
    dm_conversation_id,
    find_persona,
)
from moderation_bot.core.types import IncomingMessage, UserRef

DEFAULT_REPLAY_COMMUNITY = "sandbox"
MAX_ID_CHARS = 200
MAX_WEB_TEXT_BYTES = 100_000
MAX_MENTIONS = 10
_ALLOWED_CONTROLS = frozenset("\t\n\r")


# --- replay lines ---------------------------------------------------------------------------

def replay_line_to_message(obj: object, index: int) -> IncomingMessage:
    """Convert one parsed replay line into a message (the contract is in DESIGN.md).

    ``{"conversation", "sender", "recipient"?, "community"?, "private"?, "ts"?, "text"}``; also
    accepted: optional ``sender_account_age_s``, ``sender_membership_age_s`` (seconds) and
    ``recipient_is_minor`` (bool). ``ts`` is ISO-8601 or epoch seconds (default: now; a time
    without zone is UTC). ``recipient`` may be one id or a list of ids. The message id is derived
    from ``index`` and the line's content, so replaying the same file twice into one database is
    recognised as a redelivery while different files do not collide. Unknown keys are ignored.
    """
    if not isinstance(obj, Mapping):
        raise ValueError(f"line must be a JSON object, not {_json_type(obj)}")
    conversation = _required_id(obj, "conversation")
    sender = _required_id(obj, "sender")
    community = _optional_id(obj, "community") or DEFAULT_REPLAY_COMMUNITY
    recipients = _recipient_ids(obj.get("recipient"))
    private = _optional_bool(obj, "private", default=False)
    sent_at = _timestamp(obj.get("ts"))
    if "text" not in obj:
        raise ValueError("missing field 'text'")
    text = obj["text"]
    if not isinstance(text, str):
        raise ValueError(f"field 'text' must be a string, not {_json_type(text)}")
    text = _replace_surrogates(text)
    account_age = _optional_age(obj, "sender_account_age_s")
    membership_age = _optional_age(obj, "sender_membership_age_s")
    recipient_is_minor = obj.get("recipient_is_minor")
    if recipient_is_minor is not None and not isinstance(recipient_is_minor, bool):
        raise ValueError("field 'recipient_is_minor' must be true, false or absent")

    return IncomingMessage(
        platform=PLATFORM,
        community_id=community,
        channel_id=conversation,
        conversation_id=conversation,
        message_id=_replay_message_id(index, obj),
        sender=UserRef(PLATFORM, sender, sender),
        text=text,
        sent_at=sent_at,
        private=private,
        recipients=tuple(UserRef(PLATFORM, rid, rid) for rid in recipients),
        sender_account_age_s=account_age,
        sender_membership_age_s=membership_age,
        recipient_is_minor=recipient_is_minor,
    )


def _replay_message_id(index: int, obj: Mapping[str, object]) -> str:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError("index must be a non-negative integer")
    canonical = json.dumps(
        [obj.get(key) for key in ("community", "conversation", "sender", "ts", "text")],
        ensure_ascii=True, default=str,
    )
    digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()[:12]
    return f"replay-{index}-{digest}"


def _required_id(obj: Mapping[str, object], name: str) -> str:
    if name not in obj or obj[name] is None:
        raise ValueError(f"missing field '{name}'")
    return _check_id(obj[name], f"field '{name}'")


def _optional_id(obj: Mapping[str, object], name: str) -> str | None:
    value = obj.get(name)
    return None if value is None else _check_id(value, f"field '{name}'")


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, not {_json_type(value)}")
    if not value.strip():
        raise ValueError(f"{what} must not be empty")
    if len(value) > MAX_ID_CHARS:
        raise ValueError(f"{what} is longer than {MAX_ID_CHARS} characters")
    if _has_surrogates(value) or any(_is_bad_control(ch) for ch in value):
        raise ValueError(f"{what} contains control characters or invalid Unicode")
    return value


def _recipient_ids(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (_check_id(value, "field 'recipient'"),)
    if isinstance(value, list):
        if len(value) > MAX_MENTIONS:
            raise ValueError(f"field 'recipient' lists more than {MAX_MENTIONS} people")
        ids = [_check_id(item, "each 'recipient'") for item in value]
        return tuple(dict.fromkeys(ids))
    raise ValueError(f"field 'recipient' must be a string or a list of strings, not "
                     f"{_json_type(value)}")


def _optional_bool(obj: Mapping[str, object], name: str, *, default: bool) -> bool:
    value = obj.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValueError(f"field '{name}' must be true or false, not {_json_type(value)}")
    return value


def _optional_age(obj: Mapping[str, object], name: str) -> float | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0:
        raise ValueError(f"field '{name}' must be a non-negative number of seconds")
    return float(value)


def _timestamp(value: object) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, bool):
        raise ValueError("field 'ts' must be an ISO-8601 string or epoch seconds, not boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("field 'ts' must be a finite number of epoch seconds")
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError("field 'ts' is out of range for epoch seconds") from None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("field 'ts' is not a valid ISO-8601 date-time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"field 'ts' must be an ISO-8601 string or epoch seconds, not "
                     f"{_json_type(value)}")


# --- messages from the web page -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class WebPost:
    """A message a persona writes on the sandbox page, validated.

    Exactly one of ``channel`` (a public channel) and ``dm_with`` (a private chat) is set.
    ``reply_to`` is the id of an earlier sandbox message.
    """

    persona: Persona
    text: str
    channel: str | None = None
    dm_with: Persona | None = None
    mentions: tuple[Persona, ...] = ()
    reply_to: str | None = None

    @property
    def conversation_id(self) -> str:
        if self.dm_with is not None:
            return dm_conversation_id(self.persona.id, self.dm_with.id)
        return self.channel or CHANNELS[0]


def parse_web_post(payload: object) -> WebPost:
    """Validate the JSON body of ``POST /api/messages``.

    ``{"persona", "channel"? | "dm_with"?, "text", "mention"?: id | [id], "reply_to"?: id}``;
    with neither ``channel`` nor ``dm_with`` the message goes to the first public channel.
    """
    if not isinstance(payload, Mapping):
        raise ValueError(f"the request body must be a JSON object, not {_json_type(payload)}")
    persona = _persona_field(payload, "persona")
    if persona is None:
        raise ValueError("missing field 'persona'")
    dm_with = _persona_field(payload, "dm_with")
    channel_value = payload.get("channel")
    if dm_with is not None and channel_value is not None:
        raise ValueError("give either 'channel' or 'dm_with', not both")
    channel: str | None = None
    if dm_with is not None:
        if dm_with.id == persona.id:
            raise ValueError("a persona cannot open a private chat with themselves")
    else:
        channel = _channel(channel_value)
    text = _web_text(payload.get("text"))
    mentions = _mentions(payload.get("mention"))
    reply_to = payload.get("reply_to")
    if reply_to is not None:
        reply_to = _check_id(reply_to, "field 'reply_to'")
    return WebPost(persona=persona, text=text, channel=channel, dm_with=dm_with,
                   mentions=mentions, reply_to=reply_to)


def web_post_to_message(
    post: WebPost, *, message_id: str, sent_at: datetime, reply_author: Persona | None = None,
) -> IncomingMessage:
    """The :class:`IncomingMessage` for a validated post.

    Recipients are the mentioned personas, else the author of the message replied to, else in a
    private chat the other person; a channel message with no target has none. The sender is
    never their own recipient.
    """
    targets: tuple[Persona, ...]
    if post.mentions:
        targets = post.mentions
    elif reply_author is not None:
        targets = (reply_author,)
    elif post.dm_with is not None:
        targets = (post.dm_with,)
    else:
        targets = ()
    targets = tuple(p for p in dict.fromkeys(targets) if p.id != post.persona.id)
    conversation = post.conversation_id
    return IncomingMessage(
        platform=PLATFORM,
        community_id=COMMUNITY_ID,
        channel_id=conversation,
        conversation_id=conversation,
        message_id=message_id,
        sender=post.persona.user,
        text=post.text,
        sent_at=sent_at,
        private=post.dm_with is not None,
        recipients=tuple(p.user for p in targets),
        reply_to_message_id=post.reply_to,
        sender_account_age_s=post.persona.account_age_s,
        sender_membership_age_s=post.persona.membership_age_s,
        recipient_is_minor=any(p.is_minor for p in targets) if targets else None,
    )


def _persona_field(payload: Mapping[str, object], name: str) -> Persona | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"field '{name}' must be a persona id string, not {_json_type(value)}")
    persona = find_persona(value)
    if persona is None:
        raise ValueError(f"field '{name}' names an unknown persona")
    return persona


def _channel(value: object) -> str:
    if value is None:
        return CHANNELS[0]
    if not isinstance(value, str):
        raise ValueError(f"field 'channel' must be a string, not {_json_type(value)}")
    name = value.strip().lstrip("#").lower()
    if name not in CHANNELS:
        raise ValueError(f"unknown channel; the sandbox has: {', '.join(CHANNELS)}")
    return name


def _web_text(value: object) -> str:
    if value is None:
        raise ValueError("missing field 'text'")
    if not isinstance(value, str):
        raise ValueError(f"field 'text' must be a string, not {_json_type(value)}")
    if not value.strip():
        raise ValueError("the message is empty")
    if _has_surrogates(value):
        raise ValueError("the message contains invalid Unicode")
    if len(value.encode("utf-8")) > MAX_WEB_TEXT_BYTES:
        raise ValueError(f"the message is longer than {MAX_WEB_TEXT_BYTES // 1000} kB")
    if any(_is_bad_control(ch) for ch in value):
        raise ValueError("the message contains control characters (binary data?)")
    return value


def _mentions(value: object) -> tuple[Persona, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("field 'mention' must be a persona id or a list of persona ids")
    if len(items) > MAX_MENTIONS:
        raise ValueError(f"field 'mention' lists more than {MAX_MENTIONS} people")
    personas: list[Persona] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("field 'mention' must be a persona id or a list of persona ids")
        persona = find_persona(item)
        if persona is None:
            raise ValueError("field 'mention' names an unknown persona")
        personas.append(persona)
    return tuple(dict.fromkeys(personas))


# --- shared helpers -------------------------------------------------------------------------

def _json_type(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "boolean"
        case int() | float():
            return "number"
        case str():
            return "string"
        case list() | tuple():
            return "array"
        case Mapping():
            return "object"
    return type(value).__name__


def _is_bad_control(ch: str) -> bool:
    code = ord(ch)
    return (code < 0x20 and ch not in _ALLOWED_CONTROLS) or code == 0x7F


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _replace_surrogates(value: str) -> str:
    """Lone surrogates (legal in JSON, not in UTF-8) become U+FFFD so storage never fails."""
    if not _has_surrogates(value):
        return value
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)
