"""Slash commands (``/modbot setup|status|case``, ``/modbot policy ...``) and the two message
context menus.

``/modbot`` works in servers only and checks permissions at run time, so a moderator role
configured for the bot works even where Discord's default command permissions would hide it.
``/modbot policy threshold|disable|enable|shadow|list|reset`` changes the server's policy pack
(``CommunitySettings.policy_overrides``); the service checks each change against the pack before
saving it, and an admin sees its reason and hint when it does not fit.
"Report to moderators" opens a case with the reporter recorded (servers only). "Check this
message" classifies a message and answers privately with advice; it can be installed by a person
(user install), so it also works in their DMs: the only way the bot sees a DM is when asked.

Every word of the command picker (descriptions, option descriptions, choice names, context-menu
names) is a ``strings.yaml`` key marked with :func:`catalog_str`; the tree's
:class:`~adapters.discord.translator.CatalogTranslator` sends its translations when it syncs.
Command and option names stay English on purpose: moderators and the docs share one
``/modbot policy threshold label:...`` whatever language their Discord is in.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

import discord
from discord import app_commands

from adapters import overrides
from adapters.discord.catalog import normalise_locale
from adapters.discord.context import context_of
from adapters.discord.convert import PLATFORM, to_incoming, user_ref
from adapters.discord.embeds import case_embed, notice_embed, overrides_embed, status_embed
from adapters.discord.permissions import may_configure, may_moderate
from adapters.discord.translator import catalog_str
from adapters.discord.views import case_view
from moderation_bot.core.types import LABELS

log = logging.getLogger(__name__)

_LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z]{2,4})?$")
_MAX_CASE_ID = 2**53
_MAX_REASON = 1500
# The English choice name is the label's id (as in `/modbot policy list` and the docs); the
# translations name the signal and keep the id in brackets.
_LABEL_CHOICES = [app_commands.Choice(name=catalog_str(f"choice_label_{label}"), value=label)
                  for label in LABELS]
PolicyId = app_commands.Range[str, 1, 64]


class ModbotCommands(app_commands.Group):
    """``/modbot``: the server's configuration and its cases, for admins and moderators."""

    def __init__(self) -> None:
        super().__init__(
            # Names stay English (see the module's docstring); descriptions are translated.
            name="modbot", description=catalog_str("command_group"),
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            allowed_installs=app_commands.AppInstallationType(guild=True),
            default_permissions=discord.Permissions(moderate_members=True),
        )

    policy = app_commands.Group(name="policy", description=catalog_str("command_policy"))

    @app_commands.command(name="setup", description=catalog_str("command_setup"))
    @app_commands.describe(
        moderator_channel=catalog_str("option_setup_moderator_channel"),
        policy_pack=catalog_str("option_setup_policy_pack"),
        locale=catalog_str("option_setup_locale"),
        has_minors=catalog_str("option_setup_has_minors"),
        shadow=catalog_str("option_setup_shadow"),
        moderator_role=catalog_str("option_setup_moderator_role"),
    )
    async def setup(
        self, interaction: discord.Interaction,
        moderator_channel: discord.TextChannel | None = None,
        policy_pack: app_commands.Range[str, 1, 64] | None = None,
        locale: app_commands.Range[str, 2, 10] | None = None,
        has_minors: bool | None = None, shadow: bool | None = None,
        moderator_role: discord.Role | None = None,
    ) -> None:
        context = context_of(interaction)
        strings, shown_in = context.strings, normalise_locale(interaction.locale)
        community = str(interaction.guild_id)
        settings = await context.service.get_settings(PLATFORM, community)
        if not may_configure(interaction, settings, context.config):
            await _private(interaction, strings.text("not_an_admin", shown_in))
            return
        changes: dict[str, object] = {}
        if moderator_channel is not None:
            changes["moderator_channel_id"] = str(moderator_channel.id)
        if policy_pack is not None:
            changes["policy_pack"] = policy_pack.strip()
        if locale is not None:
            if not _LOCALE.match(locale.strip().lower()):
                await _private(interaction, strings.text(
                    "setup_bad_value", shown_in, reason=f"locale {locale!r}"))
                return
            changes["locale"] = normalise_locale(locale.strip())  # catalogs are per language
        if has_minors is not None:
            changes["has_minors"] = has_minors
        if shadow is not None:
            changes["shadow"] = shadow
        if moderator_role is not None:
            changes["moderator_role_id"] = str(moderator_role.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if changes:
            try:
                await context.service.save_settings(
                    dataclasses.replace(settings, **changes),  # type: ignore[arg-type]
                    user_ref(interaction.user))
            except ValueError as error:
                await interaction.followup.send(
                    strings.text("setup_bad_value", shown_in, reason=str(error)[:200]),
                    ephemeral=True)
                return
            context.moderator_channels.forget(community)
            log.info("settings changed", extra={"community_id": community,
                                                "fields": sorted(changes)})
        status = await context.service.status(PLATFORM, community)
        await interaction.followup.send(
            strings.text("setup_saved", shown_in), embed=status_embed(status, strings, shown_in),
            ephemeral=True,
        )

    @app_commands.command(name="status", description=catalog_str("command_status"))
    async def status(self, interaction: discord.Interaction) -> None:
        context = context_of(interaction)
        community = str(interaction.guild_id)
        settings = await context.service.get_settings(PLATFORM, community)
        if not may_moderate(interaction, settings, context.config):
            await _private(interaction, context.strings.text("not_a_moderator", interaction.locale))
            return
        status = await context.service.status(PLATFORM, community)
        await interaction.response.send_message(
            embed=status_embed(status, context.strings, normalise_locale(interaction.locale)),
            ephemeral=True)

    @app_commands.command(name="case", description=catalog_str("command_case"))
    @app_commands.describe(case_id=catalog_str("option_case_case_id"))
    async def case(
        self, interaction: discord.Interaction,
        case_id: app_commands.Range[int, 1, _MAX_CASE_ID],
    ) -> None:
        context = context_of(interaction)
        community = str(interaction.guild_id)
        settings = await context.service.get_settings(PLATFORM, community)
        if not may_moderate(interaction, settings, context.config):
            await _private(interaction, context.strings.text("not_a_moderator", interaction.locale))
            return
        report = await context.service.case_report(PLATFORM, community, case_id)
        if report is None:
            await _private(interaction, context.strings.text(
                "case_not_found", interaction.locale, case_id=case_id))
            return
        locale = context.config.moderator_locale
        await interaction.response.send_message(
            embed=case_embed(report, context.strings, locale),
            view=case_view(report, context.strings, locale), ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


    # -- /modbot policy: the server's changes to its policy pack ----------------------------

    @policy.command(name="threshold", description=catalog_str("command_policy_threshold"))
    @app_commands.describe(
        label=catalog_str("option_policy_threshold_label"),
        value=catalog_str("option_policy_threshold_value"),
        policy=catalog_str("option_policy_threshold_policy"),
    )
    @app_commands.choices(label=_LABEL_CHOICES)
    async def policy_threshold(self, interaction: discord.Interaction, label: str, value: float,
                               policy: PolicyId | None = None) -> None:
        await _change_overrides(interaction, lambda current: overrides.with_threshold(
            current, label, value, policy.strip() if policy else None))

    @policy.command(name="disable", description=catalog_str("command_policy_disable"))
    @app_commands.describe(policy=catalog_str("option_policy_disable_policy"))
    async def policy_disable(self, interaction: discord.Interaction, policy: PolicyId) -> None:
        await _set_mode(interaction, policy, overrides.PolicyMode.OFF)

    @policy.command(name="enable", description=catalog_str("command_policy_enable"))
    @app_commands.describe(policy=catalog_str("option_policy_enable_policy"))
    async def policy_enable(self, interaction: discord.Interaction, policy: PolicyId) -> None:
        await _set_mode(interaction, policy, overrides.PolicyMode.ON)

    @policy.command(name="shadow", description=catalog_str("command_policy_shadow"))
    @app_commands.describe(policy=catalog_str("option_policy_shadow_policy"))
    async def policy_shadow(self, interaction: discord.Interaction, policy: PolicyId) -> None:
        await _set_mode(interaction, policy, overrides.PolicyMode.SHADOW)

    @policy.command(name="reset", description=catalog_str("command_policy_reset"))
    @app_commands.describe(policy=catalog_str("option_policy_reset_policy"))
    async def policy_reset(self, interaction: discord.Interaction,
                           policy: PolicyId | None = None) -> None:
        await _change_overrides(interaction, lambda current: overrides.without(
            current, policy.strip() if policy else None))

    @policy.command(name="list", description=catalog_str("command_policy_list"))
    async def policy_list(self, interaction: discord.Interaction) -> None:
        context = context_of(interaction)
        shown_in = normalise_locale(interaction.locale)
        settings = await context.service.get_settings(PLATFORM, str(interaction.guild_id))
        if not may_configure(interaction, settings, context.config):
            await _private(interaction, context.strings.text("not_an_admin", shown_in))
            return
        await interaction.response.send_message(
            embed=overrides_embed(settings, context.strings, shown_in), ephemeral=True)


async def _set_mode(interaction: discord.Interaction, policy: str,
                    mode: overrides.PolicyMode) -> None:
    await _change_overrides(
        interaction, lambda current: overrides.with_mode(current, policy.strip(), mode))


async def _change_overrides(interaction: discord.Interaction,
                            change: Callable[[Mapping[str, Any]], dict[str, Any]]) -> None:
    """Apply one ``/modbot policy`` change: admins only; saved only when the pack accepts it
    (else its reason and hint, nothing saved); answered with the changes now in force."""
    context = context_of(interaction)
    strings, shown_in = context.strings, normalise_locale(interaction.locale)
    community = str(interaction.guild_id)
    settings = await context.service.get_settings(PLATFORM, community)
    if not may_configure(interaction, settings, context.config):
        await _private(interaction, strings.text("not_an_admin", shown_in))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    updated = dataclasses.replace(settings, policy_overrides=change(settings.policy_overrides))
    try:
        await context.service.save_settings(updated, user_ref(interaction.user))
    except ValueError as error:
        await interaction.followup.send(
            strings.text("setup_bad_value", shown_in, reason=str(error)[:_MAX_REASON]),
            ephemeral=True)
        return
    log.info("settings changed", extra={"community_id": community,
                                        "fields": ["policy_overrides"]})
    await interaction.followup.send(strings.text("policy_saved", shown_in),
                                    embed=overrides_embed(updated, strings, shown_in),
                                    ephemeral=True)


async def report_message(interaction: discord.Interaction, message: discord.Message) -> None:
    """Context menu "Report to moderators": open (or add to) a case on the message's sender."""
    context = context_of(interaction)
    strings, locale = context.strings, normalise_locale(interaction.locale)
    if interaction.guild_id is None:
        await _private(interaction, strings.text("server_only", locale))
        return
    if message.author.bot:
        await _private(interaction, strings.text("report_bot_message", locale))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    incoming = to_incoming(message, community_id=str(interaction.guild_id))
    case_id = await context.service.report(incoming, user_ref(interaction.user))
    log.info("message reported", extra={"case_id": case_id, "message_id": message.id})
    await interaction.followup.send(
        strings.text("report_thanks", locale, case_id=case_id), ephemeral=True)


async def check_message(interaction: discord.Interaction, message: discord.Message) -> None:
    """Context menu "Check this message": a private assessment with advice, anywhere."""
    context = context_of(interaction)
    strings, locale = context.strings, normalise_locale(interaction.locale)
    if not message.content.strip():
        await _private(interaction, strings.text("check_empty", locale))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    assessment = await context.service.assess(message.content, locale=locale)
    log.info("message checked", extra={"flagged": assessment.flagged,
                                       "labels": list(assessment.labels)})
    if assessment.notice is not None:
        await interaction.followup.send(
            embed=notice_embed(assessment.notice, strings), ephemeral=True)
    else:
        await interaction.followup.send(strings.text("check_clear", locale), ephemeral=True)


async def _private(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True)


def register_commands(tree: app_commands.CommandTree[discord.Client]) -> None:
    """Add ``/modbot`` and both context menus to ``tree`` (syncing is the client's job, after
    :meth:`~discord.app_commands.CommandTree.set_translator`)."""
    tree.add_command(ModbotCommands())
    # Unlike slash command names, context-menu names are words people read (up to 32
    # characters, spaces allowed), so they are translated too.
    tree.add_command(app_commands.ContextMenu(
        name=catalog_str("menu_report"), callback=report_message,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    ))
    tree.add_command(app_commands.ContextMenu(
        name=catalog_str("menu_check"), callback=check_message,
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=True, private_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    ))
    tree.error(_on_tree_error)


async def _on_tree_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """The commands' top-level boundary: log ids only, then tell the person kindly."""
    log.error("command failed", exc_info=error, extra={
        "command": interaction.command.name if interaction.command else None,
        "guild_id": interaction.guild_id, "interaction_id": interaction.id,
    })
    text = context_of(interaction).strings.text("something_went_wrong", interaction.locale)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the person about the error",
                    extra={"interaction_id": interaction.id})
