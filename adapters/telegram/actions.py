"""``PlatformActions`` for Telegram: what the dispatcher asks of the platform, done with the Bot.

Failures come back as ``DeliveryResult(ok=False)`` whose ``detail`` starts with ``transient:``
(network, flood limits: worth retrying) or ``permanent:`` (missing rights, unknown chat: retrying
will not help). Actions that make no sense where they were asked (deleting a message in someone's
business chat) are skipped: ``ok=True`` with a ``detail`` starting with ``skipped:``.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, timedelta

from telegram import Bot, ChatPermissions, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from adapters.telegram import convert, views
from adapters.telegram.directory import BusinessDirectory
from adapters.telegram.words import Words
from moderation_bot.core.types import (
    CaseReport,
    DeliveryResult,
    MessageRef,
    Notice,
    UserRef,
)

log = logging.getLogger(__name__)

# Telegram treats a restriction shorter than 30 seconds as forever.
_MIN_RESTRICT_S = 31
# What a lifted member may send when the chat's default permissions are not known.
_SENDING = ChatPermissions(
    can_send_messages=True, can_send_audios=True, can_send_documents=True,
    can_send_photos=True, can_send_videos=True, can_send_video_notes=True,
    can_send_voice_notes=True, can_send_polls=True, can_send_other_messages=True,
    can_add_web_page_previews=True,
)


class TelegramActions:
    """Performs effects on Telegram. ``platform`` is ``"telegram"``."""

    def __init__(self, bot: Bot, *, business: BusinessDirectory, words: Words,
                 locale_of: dict[str, str] | None = None) -> None:
        self._bot = bot
        self._business = business
        self._words = words
        # Moderators' locale per community, learnt from settings the handlers read; English
        # until known. Only the adapter's own words use it; Notices arrive already localised.
        self.community_locale: dict[str, str] = locale_of if locale_of is not None else {}

    @property
    def platform(self) -> str:
        return convert.PLATFORM

    async def send_private(self, user: UserRef, notice: Notice, *, community_id: str,
                           idempotency_key: str, channel_id: str | None = None,
                           conversation_id: str | None = None) -> DeliveryResult:
        """A DM when the person has a private chat with the bot; otherwise a reply in the group
        that mentions them without repeating anything, with a button that opens the advice in a
        private chat. In a forum group that reply goes to the topic named by
        ``conversation_id`` ("<chat id>:<thread id>", the topic of the message that caused the
        notice), else to the group's main thread. For a business chat: only ever to the owner,
        in the bot's own chat."""
        connection_id = convert.business_connection_id(community_id)
        if connection_id is not None:
            return await self._tell_business_owner(connection_id, user, notice, community_id)
        try:
            sent = await self._bot.send_message(
                int(user.id), views.notice_text(notice), parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
                reply_markup=views.fine_keyboard(notice, community_id, self._words))
            return _delivered(sent.chat_id, sent.message_id)
        except Forbidden:
            pass  # they never started the bot, or blocked it: fall back to the group
        except (TelegramError, ValueError) as exc:
            return _failed("send_private", exc)
        topic = _topic_in(community_id, conversation_id)
        try:
            await self._ensure_ready()
            try:
                sent = await self._group_warning(community_id, user, notice, topic)
            except BadRequest:
                if topic is None:
                    raise
                # The topic was closed or deleted since: the group's main thread still reaches them.
                sent = await self._group_warning(community_id, user, notice, None)
            return _delivered(sent.chat_id, sent.message_id)
        except (TelegramError, ValueError) as exc:
            return _failed("send_private", exc)

    async def _group_warning(self, community_id: str, user: UserRef, notice: Notice,
                             topic: int | None) -> Message:
        return await self._bot.send_message(
            int(community_id), views.group_warning_text(user, self._words, notice.locale),
            parse_mode=ParseMode.HTML,
            reply_markup=views.advice_keyboard(self._bot.username, notice.topic,
                                               self._words, notice.locale),
            message_thread_id=topic)

    async def _tell_business_owner(self, connection_id: str, user: UserRef, notice: Notice,
                                   community_id: str) -> DeliveryResult:
        link = await self._business.link(connection_id)
        if link is None:
            return DeliveryResult(False, detail="permanent: business connection revoked")
        if user.id != link.owner.id:
            # Consent came from the owner only: the other party never hears from the bot.
            return DeliveryResult(True, detail="skipped: not the business account owner")
        text = (f"{html.escape(self._words.get('business_warning_intro', notice.locale))}"
                f"\n\n{views.notice_text(notice)}")
        try:
            sent = await self._bot.send_message(
                link.owner_chat_id, text, parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
                reply_markup=views.fine_keyboard(notice, community_id, self._words))
        except TelegramError as exc:
            return _failed("send_private", exc)
        return _delivered(sent.chat_id, sent.message_id)

    async def delete_message(self, message: MessageRef, *, idempotency_key: str) -> DeliveryResult:
        if convert.business_connection_id(message.community_id) is not None:
            return DeliveryResult(True, detail="skipped: the bot never acts in business chats")
        try:
            await self._bot.delete_message(int(message.channel_id), int(message.message_id))
        except BadRequest as exc:
            if "not found" in exc.message.lower():
                return DeliveryResult(True, detail="already deleted")
            return _failed("delete_message", exc)
        except (TelegramError, ValueError) as exc:
            return _failed("delete_message", exc)
        return DeliveryResult(True)

    async def timeout_user(self, community_id: str, user: UserRef, seconds: int, *, reason: str,
                           idempotency_key: str) -> DeliveryResult:
        """Restrict the member from sending anything until the time is up."""
        if convert.business_connection_id(community_id) is not None:
            return DeliveryResult(True, detail="skipped: the bot never acts in business chats")
        until = datetime.now(UTC) + timedelta(seconds=max(seconds, _MIN_RESTRICT_S))
        try:
            await self._bot.restrict_chat_member(int(community_id), int(user.id),
                                                 ChatPermissions.no_permissions(),
                                                 until_date=until)
        except (TelegramError, ValueError) as exc:
            return _failed("timeout_user", exc)
        return DeliveryResult(True)

    async def lift_timeout(self, community_id: str, user: UserRef, *, reason: str,
                           idempotency_key: str) -> DeliveryResult:
        """Give the member back the chat's usual permissions (its defaults when Telegram tells
        them, else every kind of message); a restriction equal to the defaults ends it."""
        if convert.business_connection_id(community_id) is not None:
            return DeliveryResult(True, detail="skipped: the bot never acts in business chats")
        try:
            chat_id, user_id = int(community_id), int(user.id)
        except ValueError as exc:
            return _failed("lift_timeout", exc)
        try:
            permissions = (await self._bot.get_chat(chat_id)).permissions or _SENDING
        except TelegramError:
            permissions = _SENDING  # the defaults are a nicety; lifting matters more
        try:
            await self._bot.restrict_chat_member(chat_id, user_id, permissions)
        except TelegramError as exc:
            return _failed("lift_timeout", exc)
        return DeliveryResult(True)

    async def ban_user(self, community_id: str, user: UserRef, *, reason: str,
                       idempotency_key: str) -> DeliveryResult:
        if convert.business_connection_id(community_id) is not None:
            return DeliveryResult(True, detail="skipped: the bot never acts in business chats")
        try:
            await self._bot.ban_chat_member(int(community_id), int(user.id))
        except (TelegramError, ValueError) as exc:
            return _failed("ban_user", exc)
        return DeliveryResult(True)

    async def post_case(self, report: CaseReport, *, channel_id: str | None,
                        existing_ref: str | None, idempotency_key: str) -> DeliveryResult:
        """One message per case in the moderators' chat, edited in place as evidence grows."""
        if channel_id is None:
            if convert.business_connection_id(report.community_id) is not None:
                return DeliveryResult(True, detail="skipped: business chats have no moderators")
            return DeliveryResult(False, detail="permanent: no moderators' chat linked "
                                                "(/modbot_setup)")
        locale = self.community_locale.get(report.community_id, "en")
        text = views.case_text(report, self._words, locale)
        keyboard = views.case_keyboard(report, self._words, locale)
        # A case message in another chat (the moderators' chat was changed since) is not edited:
        # the case is posted where moderators look now.
        if existing_ref is not None and existing_ref.split(":", 1)[0] == str(channel_id):
            edited = await self._edit_case(existing_ref, text, keyboard)
            if edited is not None:
                return edited
        try:
            sent = await self._bot.send_message(int(channel_id), text, parse_mode=ParseMode.HTML,
                                                reply_markup=keyboard)
        except (TelegramError, ValueError) as exc:
            return _failed("post_case", exc)
        return _delivered(sent.chat_id, sent.message_id)

    async def _edit_case(self, ref: str, text: str,
                         keyboard: InlineKeyboardMarkup) -> DeliveryResult | None:
        """Edit the case message; ``None`` when it is gone and a new one should be posted."""
        try:
            chat_id, message_id = (int(part) for part in ref.split(":", 1))
        except ValueError:
            return None
        try:
            await self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                              parse_mode=ParseMode.HTML,
                                              reply_markup=keyboard)
        except BadRequest as exc:
            detail = exc.message.lower()
            if "not modified" in detail:
                return DeliveryResult(True, ref=ref)
            if "not found" in detail or "can't be edited" in detail:
                return None
            return _failed("post_case", exc)
        except TelegramError as exc:
            return _failed("post_case", exc)
        return DeliveryResult(True, ref=ref)

    async def _ensure_ready(self) -> None:
        """The bot's username (for deep links) is known once ``getMe`` ran; it is cached."""
        await self._bot.initialize()


def _topic_in(community_id: str, conversation_id: str | None) -> int | None:
    """The forum topic (thread id) that ``conversation_id`` names in this chat, if any."""
    if not conversation_id:
        return None
    chat, _, thread = conversation_id.partition(":")
    if chat != community_id or not thread.isdigit():
        return None
    return int(thread)


def _delivered(chat_id: int, message_id: int) -> DeliveryResult:
    return DeliveryResult(True, ref=f"{chat_id}:{message_id}")


def _failed(action: str, exc: Exception) -> DeliveryResult:
    transient = isinstance(exc, (RetryAfter, NetworkError)) and not isinstance(exc, BadRequest)
    kind = "transient" if transient else "permanent"
    log.warning("telegram %s failed (%s): %s", action, kind, type(exc).__name__)
    # InvalidToken's message quotes the token; the detail is stored and logged by the dispatcher.
    reason = "the bot token was rejected" if isinstance(exc, InvalidToken) else str(exc)
    return DeliveryResult(False, detail=f"{kind}: {type(exc).__name__}: {reason}")
