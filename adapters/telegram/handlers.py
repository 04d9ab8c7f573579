"""Update handlers: group messages, moderators' buttons, commands, private chats, Business.

Each handler converts what it needs (``convert``), calls the ``BotService``, and answers with
``views``. Permissions are checked here, with ``getChatMember``, before any moderator operation.
Group admins configure the group with ``/modbot_setup`` and change its policy pack with
``/modbot_policy``; the service checks every change before it is saved.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    InputFile,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    Application,
    BusinessConnectionHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from adapters import overrides
from adapters.telegram import convert, views
from adapters.telegram.actions import TelegramActions
from adapters.telegram.directory import BusinessDirectory, MembershipTracker, UsernameDirectory
from adapters.telegram.words import Words
from moderation_bot.core.ports import BotService
from moderation_bot.core.types import (
    CaseReport,
    CommunitySettings,
    ModeratorAction,
    Notice,
    UserRef,
)

log = logging.getLogger(__name__)

AdviceRenderer = Callable[[str, str], Notice]
"""``(topic, locale) -> Notice``: the policies' advice catalog, injected by the composition root."""

Context = ContextTypes.DEFAULT_TYPE
PLATFORM = convert.PLATFORM

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_PACK = re.compile(r"^[a-z0-9_-]{1,40}$")
_TRUE = {"yes", "on", "true", "1"}
_FALSE = {"no", "off", "false", "0"}
_ADMIN = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_POLICY_MODES = {"disable": overrides.PolicyMode.OFF, "enable": overrides.PolicyMode.ON,
                 "shadow": overrides.PolicyMode.SHADOW}


class SetupError(ValueError):
    """An argument of /modbot_setup or /modbot_policy the bot did not understand."""


class TelegramHandlers:
    """The adapter's reactions to updates. ``register`` adds them to an ``Application``."""

    def __init__(self, service: BotService, actions: TelegramActions, *, words: Words,
                 business: BusinessDirectory, advice_renderer: AdviceRenderer | None = None,
                 usernames: UsernameDirectory | None = None,
                 membership: MembershipTracker | None = None) -> None:
        self._service = service
        self._actions = actions
        self._words = words
        self._business = business
        self._advice = advice_renderer
        self._usernames = usernames or UsernameDirectory()
        self._membership = membership or MembershipTracker()

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        private = filters.ChatType.PRIVATE
        groups = filters.ChatType.GROUPS
        # Group -1 only observes (joins), so the handlers below still run for the same update.
        app.add_handler(ChatMemberHandler(self.on_chat_member, ChatMemberHandler.CHAT_MEMBER),
                        group=-1)
        app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, self.on_joined),
                        group=-1)
        app.add_handlers([
            CommandHandler(["start", "help"], self.on_start, filters=private),
            CommandHandler("modbot_setup", self.on_setup),
            CommandHandler("modbot_status", self.on_status),
            CommandHandler("modbot_policy", self.on_policy),
            CallbackQueryHandler(self.on_case_button, pattern=f"^{views.CASE_PREFIX}:"),
            CallbackQueryHandler(self.on_fine_button, pattern=f"^{views.FINE_PREFIX}:"),
            CallbackQueryHandler(self.on_save_evidence, pattern=f"^{views.SAVE_EVIDENCE}$"),
            CallbackQueryHandler(self.on_unknown_button),
            BusinessConnectionHandler(self.on_business_connection),
            MessageHandler(filters.UpdateType.BUSINESS_MESSAGES, self.on_business_message),
            # Commands other than ours are checked too: "/x <threat>" must not slip through.
            MessageHandler(groups & (filters.UpdateType.MESSAGE
                                     | filters.UpdateType.EDITED_MESSAGE), self.on_group_message),
            MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                           self.on_private_message),
        ])
        app.add_error_handler(self.on_error)

    # -- groups ----------------------------------------------------------------------------

    async def on_group_message(self, update: Update, context: Context) -> None:
        """A new or edited group message goes through the pipeline (an edit is a new decision)."""
        message = update.effective_message
        if message is None:
            return
        sender = message.from_user
        if sender is not None:
            self._usernames.learn(sender.username, convert.user_ref(sender))
        incoming = convert.group_message(
            message, bot_id=context.bot.id, resolve_username=self._usernames.resolve,
            membership_age_s=(self._membership.age_s(str(message.chat.id), str(sender.id))
                              if sender else None))
        if incoming is None:
            return
        outcome = await self._service.handle(incoming)
        log.info("telegram update %s: flagged=%s case=%s duplicate=%s", update.update_id,
                 outcome.flagged, outcome.case_id, outcome.duplicate)

    async def on_joined(self, update: Update, context: Context) -> None:
        if update.effective_message is not None:
            for change in convert.joined_members(update.effective_message):
                self._membership.record(change)

    async def on_chat_member(self, update: Update, context: Context) -> None:
        if update.chat_member is not None:
            change = convert.membership_change(update.chat_member)
            if change is not None:
                self._membership.record(change)

    # -- moderators' buttons ---------------------------------------------------------------

    async def on_case_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None  # guaranteed by CallbackQueryHandler
        button = views.parse_case_callback(query.data)
        if button is None:
            await query.answer()
            return
        settings = await self._settings(button.community_id)
        locale = settings.locale
        if not await self._is_admin(context, button.community_id, query.from_user.id):
            log.info("telegram case %s: %s refused to non-admin %s", button.case_id,
                     button.operation, query.from_user.id)
            await query.answer(self._words.get("not_admin", locale), show_alert=True)
            await self._service.record_refusal(PLATFORM, button.community_id, button.case_id,
                                               convert.user_ref(query.from_user),
                                               button.operation)
            return
        moderator = convert.user_ref(query.from_user)
        if button.operation == "export":
            await self._export(query, context, button, moderator, locale)
            return
        report = await self._service.resolve(PLATFORM, button.community_id, button.case_id,
                                             ModeratorAction(button.operation), moderator)
        if report is None:
            await query.answer(self._words.get("case_missing", locale), show_alert=True)
            return
        if button.operation == "reveal":
            await self._reveal(query, context, report, locale)
            return
        try:
            await query.edit_message_text(views.case_text(report, self._words, locale),
                                          parse_mode=ParseMode.HTML,
                                          reply_markup=views.case_keyboard(report, self._words,
                                                                           locale))
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        several = button.operation.startswith("confirm_") and bool(report.other_senders)
        done = f"done_{button.operation}_several" if several else f"done_{button.operation}"
        await query.answer(self._words.get(done, locale, count=len(report.senders)))

    async def _reveal(self, query: CallbackQuery, context: Context, report: CaseReport,
                      locale: str) -> None:
        """Evidence goes only to the admin who asked, in their private chat with the bot."""
        try:
            await context.bot.send_message(
                query.from_user.id, views.evidence_text(report, self._words, locale),
                parse_mode=ParseMode.HTML, disable_web_page_preview=True)
        except Forbidden:
            await query.answer(self._words.get("reveal_need_private", locale), show_alert=True)
            return
        await query.answer(self._words.get("reveal_sent", locale))

    async def _export(self, query: CallbackQuery, context: Context, button: views.CaseButton,
                      moderator: UserRef, locale: str) -> None:
        bundle = await self._service.export_case(PLATFORM, button.community_id, button.case_id,
                                                 moderator)
        if bundle is None:
            await query.answer(self._words.get("case_missing", locale), show_alert=True)
            return
        caption = f"Case #{bundle.case_id} · SHA-256 {bundle.sha256}"
        try:
            await context.bot.send_document(query.from_user.id,
                                            InputFile(bundle.content, filename=bundle.filename),
                                            caption=caption)
            await query.answer(self._words.get("export_sent", locale))
            return
        except Forbidden:
            pass
        chat = query.message.chat if query.message is not None else None
        if chat is None:
            await query.answer(self._words.get("reveal_need_private", locale), show_alert=True)
            return
        await context.bot.send_document(chat.id, InputFile(bundle.content,
                                                           filename=bundle.filename),
                                        caption=caption)
        await query.answer(self._words.get("export_sent_here", locale))

    # -- the people warned ------------------------------------------------------------------

    async def on_fine_button(self, update: Update, context: Context) -> None:
        """"This was fine" under a warning: heard only from the person warned on that case; the
        button then goes away and they are thanked. Anyone else gets a neutral answer."""
        query = update.callback_query
        assert query is not None  # guaranteed by CallbackQueryHandler
        locale = query.from_user.language_code or "en"
        button = views.parse_fine_callback(query.data)
        if button is None:
            await query.answer()
            return
        heard = await self._service.record_recipient_feedback(
            PLATFORM, button.community_id, button.case_id, convert.user_ref(query.from_user))
        if not heard:
            await query.answer(self._words.get("fine_not_recorded", locale))
            return
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        await query.answer()
        await context.bot.send_message(query.from_user.id, self._words.get("fine_thanks", locale))
        log.info("telegram case %s: a recipient said fine", button.case_id)

    async def on_unknown_button(self, update: Update, context: Context) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()

    # -- commands --------------------------------------------------------------------------

    async def on_setup(self, update: Update, context: Context) -> None:
        """In a group: show or change its settings (admins only). Elsewhere (a moderators'
        group or a private chat with the bot): ``link=<group id>`` makes this chat the group's
        moderators' chat, if the sender is an admin of that group."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.from_user is None:
            return
        sender = message.from_user
        args = list(context.args or [])
        locale = sender.language_code or "en"
        if chat.type not in (Chat.GROUP, Chat.SUPERGROUP) or any(
                arg.startswith("link=") for arg in args):
            await self._link_moderators_chat(message, context, args, locale)
            return
        community = str(chat.id)
        settings = await self._settings_for_admin(message, context, community, locale)
        if settings is None:
            return
        locale = settings.locale
        help_text = self._words.get("setup_help", locale, group_id=community)
        if not args:
            await message.reply_text(
                f"{views.settings_text(settings, self._words, locale)}\n\n{_html(help_text)}",
                parse_mode=ParseMode.HTML)
            return
        try:
            updated, mods_to_sender = _apply_setup(settings, args)
        except SetupError as exc:
            await message.reply_text(self._words.get("setup_bad_argument", locale,
                                                     argument=str(exc), help=help_text))
            return
        if mods_to_sender:
            try:
                await context.bot.send_message(sender.id, self._words.get(
                    "setup_link_private_hello", locale, group_id=community))
            except Forbidden:
                await message.reply_text(self._words.get("setup_need_private", locale))
                return
            updated = replace(updated, moderator_channel_id=str(sender.id))
        await self._save(message, updated, sender, locale)

    async def _link_moderators_chat(self, message: Message, context: Context, args: list[str],
                                    locale: str) -> None:
        assert message.from_user is not None
        target = args[0].removeprefix("link=") if len(args) == 1 else ""
        if (not args or not args[0].startswith("link=") or not target.lstrip("-").isdigit()
                or target == str(message.chat.id)):  # a group is never its own moderators' chat
            await message.reply_text(self._words.get("setup_help", locale,
                                                     group_id="<group id>"))
            return
        if not await self._is_admin(context, target, message.from_user.id):
            await message.reply_text(self._words.get("admins_only", locale))
            return
        settings = await self._settings(target)
        updated = replace(settings, moderator_channel_id=str(message.chat.id))
        if await self._save(message, updated, message.from_user, settings.locale, quiet=True):
            await message.reply_text(self._words.get("setup_linked", settings.locale,
                                                     group_id=target))

    async def _save(self, message: Message, settings: CommunitySettings, sender: User,
                    locale: str, *, quiet: bool = False) -> bool:
        try:
            await self._service.save_settings(settings, convert.user_ref(sender))
        except ValueError as exc:
            await message.reply_text(self._words.get("setup_rejected", locale, reason=str(exc)))
            return False
        self._actions.community_locale[settings.community_id] = settings.locale
        log.info("telegram community %s settings changed by %s", settings.community_id,
                 sender.id)
        if not quiet:
            await message.reply_text(
                f"{_html(self._words.get('setup_saved', settings.locale))}\n"
                f"{views.settings_text(settings, self._words, settings.locale)}",
                parse_mode=ParseMode.HTML)
        return True

    async def on_policy(self, update: Update, context: Context) -> None:
        """In a group, admins only: list or change the group's changes to its policy pack
        (``list``, ``threshold [POLICY] LABEL SCORE``, ``disable|enable|shadow POLICY``,
        ``reset [POLICY]``). A change the pack does not accept is answered with its reason and
        hint, and nothing is saved."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.from_user is None:
            return
        sender = message.from_user
        locale = sender.language_code or "en"
        if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
            await message.reply_text(self._words.get("policy_in_group", locale))
            return
        community = str(chat.id)
        settings = await self._settings_for_admin(message, context, community, locale)
        if settings is None:
            return
        locale = settings.locale
        help_text = self._words.get("policy_help", locale)
        args = list(context.args or [])
        if not args or [arg.lower() for arg in args] == ["list"]:
            await message.reply_text(
                f"{views.overrides_text(settings, self._words, locale)}\n\n{_html(help_text)}",
                parse_mode=ParseMode.HTML)
            return
        try:
            changed = _apply_policy_command(settings.policy_overrides, args)
        except SetupError as exc:
            await message.reply_text(self._words.get("setup_bad_argument", locale,
                                                     argument=str(exc), help=help_text))
            return
        updated = replace(settings, policy_overrides=changed)
        try:
            await self._service.save_settings(updated, convert.user_ref(sender))
        except ValueError as exc:
            await message.reply_text(self._words.get("setup_rejected", locale, reason=str(exc)))
            return
        log.info("telegram community %s policy overrides changed by %s", community, sender.id)
        await message.reply_text(
            f"{_html(self._words.get('policy_saved', locale))}\n"
            f"{views.overrides_text(updated, self._words, locale)}",
            parse_mode=ParseMode.HTML)

    async def on_status(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.from_user is None:
            return
        locale = message.from_user.language_code or "en"
        if chat.type not in (Chat.GROUP, Chat.SUPERGROUP) or not await self._is_admin(
                context, str(chat.id), message.from_user.id):
            await message.reply_text(self._words.get("admins_only", locale))
            return
        status = await self._service.status(PLATFORM, str(chat.id))
        await message.reply_text(views.status_text(status, self._words, status.settings.locale),
                                 parse_mode=ParseMode.HTML)

    # -- private chat ----------------------------------------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        """``/start`` or a deep link: ``advice_<topic>`` gives the full advice in the person's
        language."""
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        locale = message.from_user.language_code or "en"
        payload = context.args[0] if context.args else ""
        topic = views.parse_advice_payload(payload)
        if topic is not None and self._advice is not None:
            try:
                notice = self._advice(topic, locale)
            except Exception as exc:  # noqa: BLE001 - injected catalog; still answer the person
                log.warning("telegram advice for a deep link failed: %s", type(exc).__name__)
            else:
                await message.reply_text(views.notice_text(notice), parse_mode=ParseMode.HTML,
                                         disable_web_page_preview=True)
                return
        await message.reply_text(self._words.get("welcome", locale))

    async def on_private_message(self, update: Update, context: Context) -> None:
        """A forwarded or pasted message: an assessment, the advice, and an offer to keep it."""
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        locale = message.from_user.language_code or "en"
        text = convert.message_text(message)
        if text is None or not text.strip():
            await message.reply_text(self._words.get("no_text", locale))
            return
        assessment = await self._service.assess(text, locale=locale)
        log.info("telegram private assessment: flagged=%s labels=%s", assessment.flagged,
                 ",".join(assessment.labels))
        await message.reply_text(views.assessment_text(assessment, self._words, locale),
                                 parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                                 reply_markup=views.save_evidence_keyboard(self._words, locale),
                                 do_quote=True)

    async def on_save_evidence(self, update: Update, context: Context) -> None:
        """Send the person a file with the message they asked about; the bot keeps nothing."""
        query = update.callback_query
        assert query is not None
        locale = query.from_user.language_code or "en"
        answer = query.message if isinstance(query.message, Message) else None
        original = answer.reply_to_message if answer is not None else None
        if original is None:
            await query.answer(self._words.get("evidence_gone", locale), show_alert=True)
            return
        record = convert.evidence_record(original, query.from_user)
        content = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        await context.bot.send_document(
            query.from_user.id, InputFile(content, filename=f"evidence-{original.message_id}.json"),
            caption=self._words.get("evidence_saved", locale))
        await query.answer()

    # -- Telegram Business -----------------------------------------------------------------

    async def on_business_connection(self, update: Update, context: Context) -> None:
        """Connected: remember who consented. Disconnected: delete what was stored for it."""
        if update.business_connection is None:
            return
        link = convert.business_link(update.business_connection)
        self._business.remember(link)
        locale = update.business_connection.user.language_code or "en"
        if link.enabled:
            note = self._words.get("business_connected", locale)
        else:
            removed = await self._service.delete_community_data(PLATFORM, link.community_id)
            log.info("telegram business connection %s revoked: %d rows deleted",
                     link.connection_id, removed)
            note = self._words.get("business_disconnected", locale)
        try:
            await context.bot.send_message(link.owner_chat_id, note)
        except Forbidden:
            log.info("telegram business owner %s cannot be told (no private chat)",
                     link.owner.id)

    async def on_business_message(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.business_connection_id is None:
            return
        link = await self._business.link(message.business_connection_id)
        if link is None:
            log.info("telegram business message for an unknown or revoked connection skipped")
            return
        incoming = convert.business_message(message, link.owner)
        if incoming is None:
            return
        outcome = await self._service.handle(incoming)
        log.info("telegram business update %s: flagged=%s", update.update_id, outcome.flagged)

    # -- shared ----------------------------------------------------------------------------

    async def on_error(self, update: object, context: Context) -> None:
        """The one place errors end up: logged with the update id, never the message text."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        if isinstance(error, InvalidToken):
            log.error("telegram update %s: the bot token was rejected", update_id)
        elif isinstance(error, TelegramError):
            log.warning("telegram update %s: %s: %s", update_id, type(error).__name__, error)
        else:
            log.error("telegram update %s failed: %s", update_id,
                      type(error).__name__ if error else "?", exc_info=error)

    async def _is_admin(self, context: Context, community_id: str, user_id: int) -> bool:
        """An admin or the creator of the group; for a business chat, its owner."""
        connection = convert.business_connection_id(community_id)
        if connection is not None:
            link = await self._business.link(connection)
            return link is not None and link.owner.id == str(user_id)
        try:
            member = await context.bot.get_chat_member(int(community_id), user_id)
        except (BadRequest, Forbidden, ValueError):
            return False
        return member.status in _ADMIN

    async def _settings_for_admin(self, message: Message, context: Context, community_id: str,
                                  locale: str) -> CommunitySettings | None:
        """The group's settings when the sender may change them; else ``None``, answered."""
        assert message.from_user is not None
        if not await self._is_admin(context, community_id, message.from_user.id):
            await message.reply_text(self._words.get("admins_only", locale))
            return None
        return await self._settings(community_id)

    async def _settings(self, community_id: str) -> CommunitySettings:
        settings = await self._service.get_settings(PLATFORM, community_id)
        self._actions.community_locale[community_id] = settings.locale
        return settings


def _apply_setup(settings: CommunitySettings,
                 args: list[str]) -> tuple[CommunitySettings, bool]:
    """The settings with ``key=value`` arguments applied, and whether ``mods=me`` was asked."""
    mods_to_sender = False
    for arg in args:
        key, sep, value = arg.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise SetupError(arg[:40])
        if key == "mods" and value.lower() == "me":
            mods_to_sender = True
        elif key == "pack" and _PACK.match(value):
            settings = replace(settings, policy_pack=value)
        elif key == "locale" and _LOCALE.match(value):
            settings = replace(settings, locale=value)
        elif key == "minors" and value.lower() in _TRUE | _FALSE:
            settings = replace(settings, has_minors=value.lower() in _TRUE)
        elif key == "shadow" and value.lower() in _TRUE | _FALSE:
            settings = replace(settings, shadow=value.lower() in _TRUE)
        else:
            raise SetupError(arg[:40])
    return settings, mods_to_sender


def _apply_policy_command(current: Mapping[str, Any], args: list[str]) -> dict[str, Any]:
    """The overrides after one ``/modbot_policy`` command (its arguments after the name)."""
    verb, rest = args[0].lower(), args[1:]
    if verb == "threshold" and len(rest) in (2, 3):
        *policy, label, value = rest
        try:
            score = overrides.parse_score(value)
        except ValueError:
            raise SetupError(value[:40]) from None
        return overrides.with_threshold(current, label.lower(), score,
                                        policy[0] if policy else None)
    if verb in _POLICY_MODES and len(rest) == 1:
        return overrides.with_mode(current, rest[0], _POLICY_MODES[verb])
    if verb == "reset" and len(rest) <= 1:
        return overrides.without(current, rest[0] if rest else None)
    raise SetupError(" ".join(args)[:40])


def _html(text: str) -> str:
    return views._e(text)
