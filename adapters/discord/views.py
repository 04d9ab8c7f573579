"""The bot's buttons, persistent across restarts: the case card's, and "This was fine".

Every case card button is a :class:`CaseButton` whose ``custom_id`` carries the case and the
action (``modbot:case:42:claim``). The client registers the class once (``add_dynamic_items``),
so a click on any card, even one posted before the last restart, is rebuilt from its id; the case
itself lives in the database. Every click checks the clicker's permission first; the service
audits every action.

A private warning that belongs to a case carries a :class:`FineButton`
(``modbot:fine:<server>:<case>``; a DM has no server, so the id names it). The service hears
only the person it warned on that case; the button then goes away and they are thanked.
"""

from __future__ import annotations

import enum
import io
import logging
import re
from typing import Any

import discord

from adapters.discord.catalog import Strings, normalise_locale
from adapters.discord.context import AdapterContext, context_of
from adapters.discord.convert import PLATFORM, user_ref
from adapters.discord.embeds import case_embed, evidence_embed
from adapters.discord.permissions import may_moderate
from moderation_bot.core.types import CaseReport, CaseStatus, ModeratorAction, Notice

log = logging.getLogger(__name__)

class CaseAction(enum.StrEnum):
    """What a case button does; all but ``export`` are moderator actions of the service."""

    REVEAL = "reveal"
    CLAIM = "claim"
    TIMEOUT = "timeout"
    BAN = "ban"
    DISMISS = "dismiss"
    EXPORT = "export"
    REOPEN = "reopen"


CUSTOM_ID_TEMPLATE = (
    r"modbot:case:(?P<id>[1-9]\d{0,17}):(?P<action>" + "|".join(a.value for a in CaseAction) + ")"
)
"""``modbot:case:<id>:<action>``; any other custom_id is not ours and never reaches a callback."""

_MODERATOR_ACTIONS = {
    CaseAction.REVEAL: ModeratorAction.REVEAL,
    CaseAction.CLAIM: ModeratorAction.CLAIM,
    CaseAction.TIMEOUT: ModeratorAction.CONFIRM_TIMEOUT,
    CaseAction.BAN: ModeratorAction.CONFIRM_BAN,
    CaseAction.DISMISS: ModeratorAction.DISMISS,
    CaseAction.REOPEN: ModeratorAction.REOPEN,
}

_STYLES = {
    CaseAction.REVEAL: discord.ButtonStyle.secondary,
    CaseAction.CLAIM: discord.ButtonStyle.primary,
    CaseAction.TIMEOUT: discord.ButtonStyle.danger,
    CaseAction.BAN: discord.ButtonStyle.danger,
    CaseAction.DISMISS: discord.ButtonStyle.success,
    CaseAction.EXPORT: discord.ButtonStyle.secondary,
    CaseAction.REOPEN: discord.ButtonStyle.secondary,
}

_ON_EVERY_SENDER = frozenset({CaseAction.TIMEOUT, CaseAction.BAN})

_OPEN_LAYOUT = (
    (CaseAction.REVEAL, CaseAction.CLAIM, CaseAction.EXPORT),
    (CaseAction.TIMEOUT, CaseAction.BAN, CaseAction.DISMISS),
)
_CLOSED_LAYOUT = ((CaseAction.REVEAL, CaseAction.EXPORT, CaseAction.REOPEN),)


def custom_id(case_id: int, action: CaseAction) -> str:
    return f"modbot:case:{case_id}:{action.value}"


class CaseButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CUSTOM_ID_TEMPLATE):
    """One button of one case card; everything it needs is in its ``custom_id``."""

    def __init__(self, case_id: int, action: CaseAction, *, label: str | None = None,
                 row: int | None = None) -> None:
        super().__init__(discord.ui.Button(
            label=label or action.value, style=_STYLES[action],
            custom_id=custom_id(case_id, action), row=row,
        ))
        self.case_id = case_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str],
        /,
    ) -> CaseButton:
        return cls(int(match["id"]), CaseAction(match["action"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        context = context_of(interaction)
        locale = normalise_locale(interaction.locale)
        if interaction.guild_id is None:
            await _refuse(interaction, context.strings.text("server_only", locale))
            return False
        try:
            settings = await context.service.get_settings(PLATFORM, str(interaction.guild_id))
        except Exception:
            # discord.py would swallow this silently and leave the click unanswered.
            log.exception("reading settings for a click failed",
                          extra={"guild_id": interaction.guild_id, "case_id": self.case_id})
            await _apologise(interaction, context.strings.text("something_went_wrong", locale))
            return False
        if not may_moderate(interaction, settings, context.config):
            await _refuse(interaction, context.strings.text("not_a_moderator", locale))
            await context.service.record_refusal(PLATFORM, str(interaction.guild_id), self.case_id,
                                                 user_ref(interaction.user), str(self.action))
            return False
        return True

    async def callback(self, interaction: discord.Interaction) -> None:
        context = context_of(interaction)
        try:
            await handle_case_click(context, interaction, self.case_id, self.action)
        except Exception:
            # Top-level boundary of one click: log ids, then tell the moderator kindly.
            log.exception("case button failed", extra={
                "case_id": self.case_id, "action": self.action.value,
                "interaction_id": interaction.id})
            await _apologise(interaction, context.strings.text(
                "something_went_wrong", normalise_locale(interaction.locale)))


def case_view(report: CaseReport, strings: Strings, locale: str = "en") -> discord.ui.View:
    """The buttons for a case card: the full set while open, reveal/export/reopen once closed."""
    layout = _OPEN_LAYOUT if report.status is CaseStatus.OPEN else _CLOSED_LAYOUT
    view = discord.ui.View(timeout=None)
    for row, actions in enumerate(layout):
        for action in actions:
            view.add_item(CaseButton(
                report.case_id, action, label=_label(action, report, strings, locale), row=row,
            ))
    return view


def _label(action: CaseAction, report: CaseReport, strings: Strings, locale: str) -> str:
    """A confirm button says so when it acts on every sender of a campaign case."""
    if action in _ON_EVERY_SENDER and report.other_senders:
        return strings.text(f"button_{action.value}_several", locale, count=len(report.senders))
    return strings.text(f"button_{action.value}", locale)


_SERVER_ID = r"[1-9]\d{0,19}"
FINE_TEMPLATE = rf"modbot:fine:(?P<community>{_SERVER_ID}):(?P<id>[1-9]\d{{0,17}})"
"""``modbot:fine:<server id>:<case id>``, the "This was fine" button under a private warning."""


class FineButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FINE_TEMPLATE):
    """"This was fine" under one warning; the server and case are in its ``custom_id``."""

    def __init__(self, community_id: str, case_id: int, *, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(
            label=label or "fine", style=discord.ButtonStyle.secondary,
            custom_id=f"modbot:fine:{community_id}:{case_id}",
        ))
        self.community_id = community_id
        self.case_id = case_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str],
        /,
    ) -> FineButton:
        return cls(match["community"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        context = context_of(interaction)
        try:
            await handle_fine_click(context, interaction, self.community_id, self.case_id)
        except Exception:
            # Top-level boundary of one click: log ids, then answer the person kindly.
            log.exception("fine button failed", extra={
                "case_id": self.case_id, "interaction_id": interaction.id})
            await _apologise(interaction, context.strings.text(
                "something_went_wrong", normalise_locale(interaction.locale)))


def fine_view(notice: Notice, community_id: str, strings: Strings) -> discord.ui.View | None:
    """The "This was fine" button for a warning that belongs to a case, else ``None``."""
    if notice.case_id is None or re.fullmatch(_SERVER_ID, community_id) is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(FineButton(community_id, notice.case_id,
                             label=strings.text("button_fine", notice.locale)))
    return view


async def handle_fine_click(context: AdapterContext, interaction: discord.Interaction,
                            community_id: str, case_id: int) -> None:
    """Tell the service; thank the person and take the button away, or, when they were not
    warned on that case, answer neutrally and record nothing."""
    locale = normalise_locale(interaction.locale)
    heard = await context.service.record_recipient_feedback(
        PLATFORM, community_id, case_id, user_ref(interaction.user))
    if not heard:
        await _refuse(interaction, context.strings.text("fine_not_recorded", locale))
        return
    await interaction.response.edit_message(view=None)
    await interaction.followup.send(context.strings.text("fine_thanks", locale))
    log.info("recipient said fine", extra={"case_id": case_id})


async def _refuse(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True)


async def _apologise(interaction: discord.Interaction, text: str) -> None:
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not report a failed click", extra={"interaction_id": interaction.id})


async def handle_case_click(
    context: AdapterContext, interaction: discord.Interaction, case_id: int, action: CaseAction
) -> None:
    """Carry out a permitted click: reveal and export answer privately; the others update the
    card in place and confirm privately to the moderator who clicked."""
    strings, locale = context.strings, normalise_locale(interaction.locale)
    community = str(interaction.guild_id)
    moderator = user_ref(interaction.user)
    service = context.service
    if action is CaseAction.EXPORT:
        await interaction.response.defer(ephemeral=True, thinking=True)
        bundle = await service.export_case(PLATFORM, community, case_id, moderator)
        if bundle is None:
            await interaction.followup.send(
                strings.text("case_not_found", locale, case_id=case_id), ephemeral=True)
            return
        await interaction.followup.send(
            strings.text("export_ready", locale, case_id=case_id, sha256=bundle.sha256),
            file=discord.File(io.BytesIO(bundle.content), filename=bundle.filename),
            ephemeral=True,
        )
        log.info("case exported", extra={"case_id": case_id, "moderator_id": moderator.id})
        return

    moderator_action = _MODERATOR_ACTIONS[action]
    if action is CaseAction.REVEAL:
        await interaction.response.defer(ephemeral=True, thinking=True)
    else:
        await interaction.response.defer()
    report = await service.resolve(PLATFORM, community, case_id, moderator_action, moderator)
    if report is None:
        await interaction.followup.send(
            strings.text("case_not_found", locale, case_id=case_id), ephemeral=True)
        return
    if action is CaseAction.REVEAL:
        await interaction.followup.send(
            embed=evidence_embed(report, strings, locale), ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
    else:
        card_locale = context.config.moderator_locale
        await interaction.edit_original_response(
            embed=case_embed(report, strings, card_locale),
            view=case_view(report, strings, card_locale),
        )
        several = action in _ON_EVERY_SENDER and bool(report.other_senders)
        key = f"ack_{action.value}_several" if several else f"ack_{action.value}"
        await interaction.followup.send(
            strings.text(key, locale, case_id=case_id, count=len(report.senders)),
            ephemeral=True)
    log.info("case action", extra={"case_id": case_id, "action": action.value,
                                   "moderator_id": moderator.id})
