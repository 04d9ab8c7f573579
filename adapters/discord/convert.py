"""Discord payloads to platform-neutral values: the only place a discord.py model is read.

Everything the pipeline learns about a Discord message comes through :func:`to_incoming`:
platform ``discord``, the guild as the community, the channel or thread as the conversation,
the people it is aimed at (mentions and the replied-to author), and the sender's account and
membership ages at the time of sending. Case card references are ``"<channel_id>:<message_id>"``.
"""

from __future__ import annotations

from collections.abc import Iterable

import discord

from moderation_bot.core.types import IncomingMessage, UserRef

PLATFORM = "discord"

_CHECKED_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def user_ref(user: discord.abc.User) -> UserRef:
    return UserRef(PLATFORM, str(user.id), user.display_name)


def format_ref(channel_id: int | str, message_id: int | str) -> str:
    return f"{channel_id}:{message_id}"


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"<channel_id>:<message_id>"`` to ints, or ``None`` when it is not one of ours."""
    channel, sep, message = ref.partition(":")
    if not sep or not channel.isdigit() or not message.isdigit():
        return None
    return int(channel), int(message)


def is_checkable(message: discord.Message) -> bool:
    """A person's ordinary message in a server (bots, system messages and DMs are not checked)."""
    return (
        message.guild is not None
        and not message.author.bot
        and message.type in _CHECKED_TYPES
        and bool(message.content.strip())
    )


def to_incoming(
    message: discord.Message, *, participants: Iterable[UserRef] = (),
    community_id: str | None = None,
) -> IncomingMessage:
    """Translate one server message. ``participants`` are the other recent people in a small
    channel, used as recipients only when the message mentions or replies to nobody.
    ``community_id`` overrides the guild when the payload lacks it (context-menu targets)."""
    guild_id = message.guild.id if message.guild is not None else None
    sender = user_ref(message.author)
    recipients = _recipients(message) or tuple(p for p in participants if p.id != sender.id)
    reference = message.reference
    return IncomingMessage(
        platform=PLATFORM,
        community_id=community_id or str(guild_id or ""),
        channel_id=str(message.channel.id),
        conversation_id=str(message.channel.id),
        message_id=str(message.id),
        sender=sender,
        text=message.content,
        sent_at=message.created_at,
        private=message.guild is None and community_id is None,
        recipients=recipients,
        reply_to_message_id=(
            str(reference.message_id) if reference and reference.message_id else None
        ),
        edited_at=message.edited_at,
        sender_account_age_s=_seconds_between(message.author.created_at, message.created_at),
        sender_membership_age_s=(
            _seconds_between(message.author.joined_at, message.created_at)
            if isinstance(message.author, discord.Member) and message.author.joined_at
            else None
        ),
    )


def _recipients(message: discord.Message) -> tuple[UserRef, ...]:
    people: dict[int, UserRef] = {}
    for user in message.mentions:
        if not user.bot and user.id != message.author.id:
            people[user.id] = user_ref(user)
    reference = message.reference
    replied = reference.resolved if reference is not None else None
    if isinstance(replied, discord.Message):
        author = replied.author
        if not author.bot and author.id != message.author.id:
            people[author.id] = user_ref(author)
    return tuple(people.values())


def _seconds_between(earlier: object, later: object) -> float | None:
    if earlier is None or later is None:
        return None
    seconds: float = (later - earlier).total_seconds()  # type: ignore[operator]
    return max(0.0, seconds)
