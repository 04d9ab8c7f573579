"""Core values rendered as Discord embeds: private notices, case cards, revealed evidence, status.

Pure functions (no I/O): a Notice or CaseReport in, a ``discord.Embed`` out, clipped to Discord's
limits. The case card never shows evidence text; only :func:`evidence_embed` does, and it is sent
ephemerally to the moderator who pressed "Reveal".
"""

from __future__ import annotations

from datetime import datetime

import discord

from adapters.discord.catalog import Strings
from adapters.overrides import changes
from moderation_bot.core.types import (
    CaseReport,
    CaseStatus,
    CommunitySettings,
    CommunityStatus,
    Notice,
    Severity,
    UserRef,
)

_TITLE_MAX = 256
_DESCRIPTION_MAX = 4096
_FIELD_MAX = 1024
_EMBED_TOTAL_MAX = 6000
_EVIDENCE_ITEM_MAX = 600
_SCORE_HISTORY = 6

_SEVERITY_COLOURS = {
    Severity.LOW: discord.Colour.light_grey(),
    Severity.MEDIUM: discord.Colour.gold(),
    Severity.HIGH: discord.Colour.orange(),
    Severity.CRITICAL: discord.Colour.red(),
}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(embed: discord.Embed) -> discord.Embed:
    """Shorten the longest field values until the embed fits Discord's total limit."""
    while len(embed) > _EMBED_TOTAL_MAX and embed.fields:
        index, longest = max(enumerate(embed.fields), key=lambda f: len(f[1].value or ""))
        value = longest.value or ""
        if len(value) <= 1:
            break
        keep = max(1, len(value) - (len(embed) - _EMBED_TOTAL_MAX))
        embed.set_field_at(index, name=longest.name or "", value=clip(value, keep),
                           inline=bool(longest.inline))
    return embed


def notice_embed(notice: Notice, strings: Strings) -> discord.Embed:
    """The private warning: headline, body, numbered advice and help links."""
    embed = discord.Embed(title=clip(notice.headline, _TITLE_MAX), colour=discord.Colour.blurple())
    if notice.advice:
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(notice.advice, start=1))
        embed.add_field(
            name=strings.text("notice_advice_title", notice.locale),
            value=clip(steps, _FIELD_MAX), inline=False,
        )
    if notice.links:
        links = "\n".join(f"[{link.title}]({link.url})" for link in notice.links)
        embed.add_field(
            name=strings.text("notice_links_title", notice.locale),
            value=clip(links, _FIELD_MAX), inline=False,
        )
    embed.set_footer(text=strings.text("notice_footer", notice.locale))
    # The body gets whatever room the advice leaves within Discord's 6,000-character total.
    room = min(_DESCRIPTION_MAX, _EMBED_TOTAL_MAX - len(embed))
    embed.description = clip(notice.body, max(room, 1))
    return embed


def mention(user: UserRef) -> str:
    return f"<@{user.id}>" if user.id.isdigit() else user.name or user.id


def _actor(actor: str) -> str:
    """The service records actors as ``discord:<id>``; show those as mentions."""
    platform, _, user_id = actor.partition(":")
    return f"<@{user_id}>" if platform == "discord" and user_id.isdigit() else actor


def describe_age(seconds: float | None, strings: Strings, locale: str) -> str:
    """A compact age: ``3y 2mo``, ``12d 4h``, ``35m``; unknown when not known."""
    if seconds is None:
        return strings.text("unknown", locale)
    minutes = int(seconds // 60)
    days, hours = divmod(minutes // 60, 24)
    if days >= 365:
        return f"{days // 365}y {(days % 365) // 30}mo"
    if days >= 1:
        return f"{days}d {hours}h"
    if hours >= 1:
        return f"{hours}h {minutes % 60}m"
    return f"{minutes}m"


def case_embed(report: CaseReport, strings: Strings, locale: str = "en") -> discord.Embed:
    """The moderators' case card. Evidence stays hidden behind the Reveal button."""
    t = strings.text
    embed = discord.Embed(
        title=t("case_title", locale, case_id=report.case_id),
        colour=_SEVERITY_COLOURS.get(report.severity, discord.Colour.orange()),
        timestamp=report.updated_at,
    )
    status = report.status.value
    if report.claimed_by and report.status is CaseStatus.OPEN:
        status += ", " + t("case_claimed_by", locale, moderator=_actor(report.claimed_by))
    embed.add_field(name=t("case_status", locale), value=clip(status, _FIELD_MAX))
    embed.add_field(name=t("case_severity", locale), value=report.severity.name.lower())
    embed.add_field(name=t("case_labels", locale),
                    value=clip(", ".join(report.labels) or "-", _FIELD_MAX))
    embed.add_field(name=t("case_policies", locale),
                    value=clip(", ".join(report.policies) or "-", _FIELD_MAX), inline=False)
    embed.add_field(name=t("case_scores", locale), value=_score_history(report), inline=False)
    if report.other_senders:
        embed.add_field(name=t("case_senders", locale, count=len(report.senders)),
                        value=_senders(report, strings, locale), inline=False)
    else:
        embed.add_field(
            name=t("case_sender", locale),
            value=clip(f"{mention(report.sender)} ({report.sender.name}, id {report.sender.id})",
                       _FIELD_MAX),
            inline=False,
        )
    embed.add_field(name=t("case_account_age", locale),
                    value=describe_age(report.sender_account_age_s, strings, locale))
    embed.add_field(name=t("case_member_for", locale),
                    value=describe_age(report.sender_membership_age_s, strings, locale))
    recipients = " ".join(mention(r) for r in report.recipients) or t("nobody", locale)
    embed.add_field(name=t("case_recipients", locale), value=clip(recipients, _FIELD_MAX),
                    inline=False)
    if report.said_fine:
        embed.add_field(name=t("case_said_fine", locale),
                        value=clip(" ".join(mention(r) for r in report.said_fine), _FIELD_MAX),
                        inline=False)
    embed.add_field(
        name=t("case_evidence", locale),
        value=t("case_evidence_hidden", locale, count=len(report.evidence)), inline=False,
    )
    return fit(embed)


def _senders(report: CaseReport, strings: Strings, locale: str) -> str:
    """Every sender of a campaign case with their account age when known, as many as fit in one
    field, then "+N more"."""
    senders = report.senders
    shown: list[str] = []
    room = _FIELD_MAX - len(strings.text("case_senders_more", locale, count=len(senders)))
    for person in senders:
        account_age = report.ages(person)[0]
        age = ("" if account_age is None else ", " + strings.text(
            "case_sender_account_age", locale, age=describe_age(account_age, strings, locale)))
        entry = f"{mention(person)} ({clip(person.name, 40)}{age})"
        if sum(len(s) + 2 for s in shown) + len(entry) > room:
            break
        shown.append(entry)
    hidden = len(senders) - len(shown)
    if hidden:
        shown.append(strings.text("case_senders_more", locale, count=hidden))
    return ", ".join(shown)


def _score_history(report: CaseReport) -> str:
    """Each flagged label's score over the last few pieces of evidence, oldest first."""
    lines = []
    recent = report.evidence[-_SCORE_HISTORY:]
    for label in report.labels:
        values = [item.scores.get(label) for item in recent]
        shown = " → ".join(f"{v:.2f}" for v in values if v is not None)
        if shown:
            lines.append(f"{label}: {shown}")
    return clip("\n".join(lines) or "-", _FIELD_MAX)


def evidence_embed(report: CaseReport, strings: Strings, locale: str = "en") -> discord.Embed:
    """The evidence itself, for the moderator who asked (sent ephemerally)."""
    t = strings.text
    blocks: list[str] = []
    used = 0
    shown = 0
    for item in report.evidence:
        text = item.text if item.text is not None else t("reveal_purged", locale)
        quoted = "\n".join("> " + line for line in clip(text, _EVIDENCE_ITEM_MAX).splitlines())
        to = " ".join(mention(r) for r in item.recipients) or "-"
        block = (
            f"{_timestamp(item.sent_at)} {mention(item.sender)} → {to}\n{quoted or '> '}\n"
            f"-# message {item.message.message_id} · sha256 {item.text_sha256[:16]}"
        )
        if used + len(block) > _DESCRIPTION_MAX - 200:
            break
        blocks.append(block)
        used += len(block) + 2
        shown += 1
    if shown < len(report.evidence):
        blocks.append(t("reveal_more", locale, count=len(report.evidence) - shown))
    return discord.Embed(
        title=t("reveal_title", locale, case_id=report.case_id),
        description=clip("\n\n".join(blocks), _DESCRIPTION_MAX),
        colour=_SEVERITY_COLOURS.get(report.severity, discord.Colour.orange()),
    )


def _timestamp(when: datetime) -> str:
    return f"<t:{int(when.timestamp())}:f>"


def status_embed(status: CommunityStatus, strings: Strings, locale: str = "en") -> discord.Embed:
    t = strings.text
    settings = status.settings
    channel = (f"<#{settings.moderator_channel_id}>" if settings.moderator_channel_id
               else t("status_not_set", locale))
    embed = discord.Embed(title=t("status_title", locale), colour=discord.Colour.blurple())
    embed.add_field(name=t("status_channel", locale), value=channel)
    embed.add_field(name=t("status_pack", locale), value=clip(settings.policy_pack, _FIELD_MAX))
    embed.add_field(name=t("status_locale", locale), value=settings.locale)
    embed.add_field(name=t("status_minors", locale),
                    value=t("yes" if settings.has_minors else "no", locale))
    embed.add_field(name=t("status_shadow", locale),
                    value=t("yes" if settings.shadow else "no", locale))
    embed.add_field(
        name=t("status_counts", locale),
        value=t("status_counts_value", locale, checked=status.messages_checked_last_7_days,
                flagged=status.flagged_last_7_days, cases=status.cases_last_7_days,
                open=status.open_cases),
        inline=False,
    )
    return fit(embed)


def overrides_embed(settings: CommunitySettings, strings: Strings,
                    locale: str = "en") -> discord.Embed:
    """The server's changes to its policy pack, one per line."""
    lines = [strings.text(f"policy_{change.kind}", locale, policy=change.policy,
                          label=change.label, value=change.value)
             for change in changes(settings.policy_overrides)]
    return discord.Embed(
        title=clip(strings.text("policy_title", locale, pack=settings.policy_pack), _TITLE_MAX),
        description=clip("\n".join(lines) or strings.text("policy_none", locale),
                         _DESCRIPTION_MAX),
        colour=discord.Colour.blurple(),
    )
