"""The one place where python-telegram-bot objects become core values.

Everything the rest of the adapter hands to the pipeline is built here: an ``IncomingMessage``
for a group or business message, ``UserRef`` for people, a ``BusinessLink`` for a business
connection, a ``MembershipChange`` for a chat member update. Ids become strings; a group's
community id is its chat id, a business chat's is ``business:<connection id>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import (
    BusinessConnection,
    ChatMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    User,
)

from moderation_bot.core.types import IncomingMessage, UserRef

PLATFORM = "telegram"
BUSINESS_PREFIX = "business:"

UsernameResolver = Callable[[str], UserRef | None]


def user_ref(user: User) -> UserRef:
    return UserRef(PLATFORM, str(user.id), user.full_name)


def message_text(message: Message) -> str | None:
    """The words of a message: its text, or a media caption; ``None`` when it has neither."""
    return message.text if message.text is not None else message.caption


def conversation_id(message: Message) -> str:
    """A chat, or one topic of a forum group (topics are separate conversations)."""
    if message.is_topic_message and message.message_thread_id is not None:
        return f"{message.chat.id}:{message.message_thread_id}"
    return str(message.chat.id)


def business_community_id(connection_id: str) -> str:
    return f"{BUSINESS_PREFIX}{connection_id}"


def business_connection_id(community_id: str) -> str | None:
    """The connection id inside a business community id, or ``None`` for a group."""
    if community_id.startswith(BUSINESS_PREFIX):
        return community_id[len(BUSINESS_PREFIX):]
    return None


def group_message(
    message: Message,
    *,
    bot_id: int,
    resolve_username: UsernameResolver | None = None,
    membership_age_s: float | None = None,
) -> IncomingMessage | None:
    """A group or supergroup message, or ``None`` when there is nothing to check (no sender,
    a bot's or anonymous message, no text)."""
    sender = message.from_user
    text = message_text(message)
    if sender is None or sender.is_bot or text is None or message.sender_chat is not None:
        return None
    return IncomingMessage(
        platform=PLATFORM,
        community_id=str(message.chat.id),
        channel_id=str(message.chat.id),
        conversation_id=conversation_id(message),
        message_id=str(message.message_id),
        sender=user_ref(sender),
        text=text,
        sent_at=_aware(message.date),
        private=False,
        recipients=_recipients(message, sender, bot_id, resolve_username),
        reply_to_message_id=(str(message.reply_to_message.message_id)
                             if message.reply_to_message else None),
        edited_at=_aware(message.edit_date) if message.edit_date else None,
        sender_account_age_s=None,  # Telegram does not tell bots when an account was created
        sender_membership_age_s=membership_age_s,
    )


def business_message(message: Message, owner: UserRef) -> IncomingMessage | None:
    """A message in a business account owner's private chat, when the other party sent it.

    The owner is the one it is aimed at; the owner's own messages are not checked.
    """
    sender = message.from_user
    text = message_text(message)
    connection = message.business_connection_id
    if sender is None or text is None or connection is None or str(sender.id) == owner.id:
        return None
    community = business_community_id(connection)
    return IncomingMessage(
        platform=PLATFORM,
        community_id=community,
        channel_id=str(message.chat.id),
        conversation_id=f"{community}:{message.chat.id}",
        message_id=str(message.message_id),
        sender=user_ref(sender),
        text=text,
        sent_at=_aware(message.date),
        private=True,
        recipients=(owner,),
        reply_to_message_id=(str(message.reply_to_message.message_id)
                             if message.reply_to_message else None),
        edited_at=_aware(message.edit_date) if message.edit_date else None,
    )


def _recipients(message: Message, sender: User, bot_id: int,
                resolve_username: UsernameResolver | None) -> tuple[UserRef, ...]:
    """The replied-to author and the mentioned people, without the sender or the bot."""
    found: list[UserRef] = []
    replied = message.reply_to_message.from_user if message.reply_to_message else None
    if replied is not None and not replied.is_bot:
        found.append(user_ref(replied))
    entities = message.parse_entities() if message.text is not None else (
        message.parse_caption_entities())
    for entity, value in entities.items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and not entity.user.is_bot:
            found.append(user_ref(entity.user))
        elif entity.type == MessageEntity.MENTION and resolve_username is not None:
            known = resolve_username(value.lstrip("@"))
            if known is not None:
                found.append(known)
    unique: dict[str, UserRef] = {}
    for person in found:
        if person.id not in (str(sender.id), str(bot_id)):
            unique.setdefault(person.id, person)
    return tuple(unique.values())


@dataclass(frozen=True, slots=True)
class BusinessLink:
    """A business account owner's consent for the bot to check their private chats."""

    connection_id: str
    owner: UserRef
    owner_chat_id: int
    enabled: bool

    @property
    def community_id(self) -> str:
        return business_community_id(self.connection_id)


def business_link(connection: BusinessConnection) -> BusinessLink:
    return BusinessLink(connection.id, user_ref(connection.user), connection.user_chat_id,
                        connection.is_enabled)


@dataclass(frozen=True, slots=True)
class MembershipChange:
    community_id: str
    user_id: str
    joined: bool
    at: datetime


_PRESENT = {ChatMember.MEMBER, ChatMember.RESTRICTED, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


def membership_change(update: ChatMemberUpdated) -> MembershipChange | None:
    """Someone joined or left a group, or ``None`` for other changes (a promotion...)."""
    was = update.old_chat_member.status in _PRESENT
    now = update.new_chat_member.status in _PRESENT
    if was == now:
        return None
    return MembershipChange(str(update.chat.id), str(update.new_chat_member.user.id), now,
                            _aware(update.date))


def joined_members(message: Message) -> list[MembershipChange]:
    """The people a "joined the group" service message announces."""
    return [MembershipChange(str(message.chat.id), str(member.id), True, _aware(message.date))
            for member in message.new_chat_members or ()]


def username_of(user: User) -> str | None:
    return user.username.lower() if user.username else None


def evidence_record(message: Message, saved_by: User) -> dict[str, object]:
    """What a person keeps when they ask the bot to save a message they received: the words,
    who it came from as far as Telegram tells, when, and a SHA-256 of the text."""
    text = message_text(message) or ""
    return {
        "kind": "telegram_message_evidence",
        "saved_at": datetime.now(UTC).isoformat(),
        "saved_by": {"id": saved_by.id, "name": saved_by.full_name},
        "from": _origin(message),
        "sent_at": _aware(message.forward_origin.date if message.forward_origin
                          else message.date).isoformat(),
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def _origin(message: Message) -> dict[str, object]:
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        person = origin.sender_user
        return {"type": "user", "id": person.id, "name": person.full_name,
                "username": person.username}
    if isinstance(origin, MessageOriginHiddenUser):
        return {"type": "hidden_user", "name": origin.sender_user_name}
    if isinstance(origin, MessageOriginChat):
        return {"type": "chat", "id": origin.sender_chat.id, "title": origin.sender_chat.title}
    if isinstance(origin, MessageOriginChannel):
        return {"type": "channel", "id": origin.chat.id, "title": origin.chat.title}
    return {"type": "pasted", "note": "pasted by the person who saved it"}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
