"""What the bot shows: message texts (HTML) and inline keyboards, built from core values.

Callback data carries everything a button needs (``mb:<case>:<action>:<community>``, and
``mbf:<case>:<community>`` for "This was fine" under a warning; at most 64 bytes), so buttons
keep working after a restart; case state lives in the database.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.overrides import changes
from adapters.telegram.words import Words
from moderation_bot.core.types import (
    Assessment,
    CaseReport,
    CaseStatus,
    CommunitySettings,
    CommunityStatus,
    Notice,
    UserRef,
)

MAX_TEXT = 4096
CASE_PREFIX = "mb"
FINE_PREFIX = "mbf"
SAVE_EVIDENCE = "mb-ev"
MAX_CALLBACK_BYTES = 64
MAX_SENDERS_SHOWN = 10

# Short codes keep callback data under Telegram's 64-byte limit.
CASE_OPERATIONS: dict[str, str] = {
    "c": "claim",
    "t": "confirm_timeout",
    "b": "confirm_ban",
    "d": "dismiss",
    "o": "reopen",
    "v": "reveal",
    "x": "export",
}
_CODES = {name: code for code, name in CASE_OPERATIONS.items()}


@dataclass(frozen=True, slots=True)
class CaseButton:
    """A decoded press on a case message button."""

    case_id: int
    operation: str
    community_id: str


def case_callback(case_id: int, operation: str, community_id: str) -> str:
    data = f"{CASE_PREFIX}:{case_id}:{_CODES[operation]}:{community_id}"
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data for case {case_id} exceeds 64 bytes")
    return data


def parse_case_callback(data: str | None) -> CaseButton | None:
    """The button pressed, or ``None`` for data this adapter did not make (or made malformed)."""
    if not data:
        return None
    parts = data.split(":", 3)
    if len(parts) != 4 or parts[0] != CASE_PREFIX or parts[2] not in CASE_OPERATIONS:
        return None
    if not parts[1].isdigit() or not parts[3]:
        return None
    return CaseButton(int(parts[1]), CASE_OPERATIONS[parts[2]], parts[3])


@dataclass(frozen=True, slots=True)
class FineButton:
    """A decoded press on "This was fine" under a warning."""

    case_id: int
    community_id: str


def fine_keyboard(notice: Notice, community_id: str, words: Words) -> InlineKeyboardMarkup | None:
    """"This was fine" for a warning that belongs to a case (``None`` otherwise, or when the
    callback data would not fit)."""
    if notice.case_id is None:
        return None
    data = f"{FINE_PREFIX}:{notice.case_id}:{community_id}"
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        words.get("button_fine", notice.locale), callback_data=data)]])


def parse_fine_callback(data: str | None) -> FineButton | None:
    """The warning answered, or ``None`` for data this adapter did not make."""
    parts = (data or "").split(":", 2)
    if len(parts) != 3 or parts[0] != FINE_PREFIX or not parts[1].isdigit() or not parts[2]:
        return None
    return FineButton(int(parts[1]), parts[2])


def case_keyboard(report: CaseReport, words: Words, locale: str) -> InlineKeyboardMarkup:
    def button(operation: str) -> InlineKeyboardButton:
        # A confirm button says so when it acts on every sender of a campaign case.
        several = operation.startswith("confirm_") and bool(report.other_senders)
        return InlineKeyboardButton(
            words.get(f"button_{operation}_several" if several else f"button_{operation}",
                      locale, count=len(report.senders)),
            callback_data=case_callback(report.case_id, operation, report.community_id))

    if report.status is CaseStatus.OPEN:
        rows = [[button("claim")], [button("confirm_timeout"), button("confirm_ban")],
                [button("dismiss")]]
    else:
        rows = [[button("reopen")]]
    rows.append([button("reveal"), button("export")])
    return InlineKeyboardMarkup(rows)


def case_text(report: CaseReport, words: Words, locale: str) -> str:
    """The case as moderators first see it: who, what kind, how sure; never the message text."""
    w = words.get
    labels = ", ".join(report.labels) or "-"
    scores = _top_scores(report)
    lines = [
        f"<b>{_e(w('case_title', locale, case_id=report.case_id))}</b>",
        f"{_e(w('case_status', locale))}: {_e(w('status_' + report.status.value, locale))}",
        f"{_e(w('case_severity', locale))}: {_e(report.severity.name.lower())}",
        f"{_e(w('case_labels', locale))}: {_e(labels)}",
        f"{_e(w('case_policies', locale))}: {_e(', '.join(report.policies) or '-')}",
        _senders_line(report, words, locale),
        f"{_e(w('case_recipients', locale))}: "
        + (", ".join(mention(r) for r in report.recipients) or _e(w("nobody", locale))),
        f"{_e(w('case_scores', locale))}: {_e(scores)}",
        f"{_e(w('case_account_age', locale))}: {_age(report.sender_account_age_s, words, locale)}",
        (f"{_e(w('case_membership_age', locale))}: "
         f"{_age(report.sender_membership_age_s, words, locale)}"),
    ]
    if report.said_fine:
        lines.append(f"{_e(w('case_said_fine', locale))}: "
                     + ", ".join(mention(r) for r in report.said_fine))
    if report.claimed_by:
        lines.append(f"{_e(w('case_claimed_by', locale))}: {_e(report.claimed_by)}")
    lines.append(f"{_e(w('case_evidence', locale))}: "
                 f"{_e(w('case_evidence_count', locale, count=len(report.evidence)))}")
    return _fit("\n".join(lines))


def _senders_line(report: CaseReport, words: Words, locale: str) -> str:
    """"Sender: X", or every sender of a campaign case, the first few then "+N more"."""
    if not report.other_senders:
        return f"{_e(words.get('case_sender', locale))}: {mention(report.sender)}"
    shown = report.senders[:MAX_SENDERS_SHOWN]
    names = [mention(person) for person in shown]
    if len(report.senders) > len(shown):
        names.append(_e(words.get("case_senders_more", locale,
                                  count=len(report.senders) - len(shown))))
    head = _e(words.get("case_senders", locale, count=len(report.senders)))
    return f"{head}: {', '.join(names)}"


def evidence_text(report: CaseReport, words: Words, locale: str) -> str:
    """The hidden evidence, for one moderator who asked to reveal it, in a private chat."""
    parts = [f"<b>{_e(words.get('reveal_header', locale, case_id=report.case_id))}</b>"]
    for item in report.evidence:
        text = item.text if item.text is not None else words.get("reveal_purged", locale)
        parts.append(f"\n<i>{_e(item.sent_at.isoformat(timespec='seconds'))}</i> "
                     f"{mention(item.sender)}:\n{_e(text)}")
    return _fit("\n".join(parts))


def notice_text(notice: Notice) -> str:
    """A Notice (headline, body, advice, links) as a Telegram HTML message."""
    parts = [f"<b>{_e(notice.headline)}</b>", _e(notice.body)]
    if notice.advice:
        parts.append("\n".join(f"• {_e(line)}" for line in notice.advice))
    if notice.links:
        parts.append("\n".join(f'<a href="{_attr(link.url)}">{_e(link.title)}</a>'
                               for link in notice.links))
    return _fit("\n\n".join(p for p in parts if p))


def assessment_text(assessment: Assessment, words: Words, locale: str) -> str:
    if assessment.flagged:
        labels = ", ".join(words.get(f"label_{label}", locale) for label in assessment.labels)
        head = words.get("assess_flagged", locale, labels=labels or "harmful")
    else:
        head = words.get("assess_clear", locale)
    parts = [_e(head)]
    if assessment.notice is not None:
        parts.append(notice_text(assessment.notice))
    return _fit("\n\n".join(parts))


def group_warning_text(person: UserRef, words: Words, locale: str) -> str:
    return _e(words.get("group_warning", locale, mention="{mention}")).replace(
        "{mention}", mention(person))


def advice_keyboard(bot_username: str, topic: str, words: Words,
                    locale: str) -> InlineKeyboardMarkup:
    """One button that opens a private chat with the bot, where ``/start advice_<topic>`` runs."""
    url = f"https://t.me/{bot_username}?start={advice_payload(topic)}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(words.get("button_open_advice", locale),
                                                       url=url)]])


def advice_payload(topic: str) -> str:
    """A deep-link start parameter: at most 64 characters of A-Z, a-z, 0-9, _ and -."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_" for ch in topic)
    return f"advice_{safe}"[:64]


def parse_advice_payload(payload: str) -> str | None:
    return payload[len("advice_"):] or None if payload.startswith("advice_") else None


def save_evidence_keyboard(words: Words, locale: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(words.get("button_save_evidence", locale),
                                                       callback_data=SAVE_EVIDENCE)]])


def settings_text(settings: CommunitySettings, words: Words, locale: str) -> str:
    w = words.get
    return _e(w("settings_line", locale, pack=settings.policy_pack, locale=settings.locale,
                minors=w("word_yes" if settings.has_minors else "word_no", locale),
                shadow=w("word_yes" if settings.shadow else "word_no", locale),
                mods=settings.moderator_channel_id or w("not_linked", locale)))


def overrides_text(settings: CommunitySettings, words: Words, locale: str) -> str:
    """The group's changes to its policy pack, one per line (HTML)."""
    lines = [_e(words.get(f"policy_{change.kind}", locale, policy=change.policy,
                          label=change.label, value=change.value))
             for change in changes(settings.policy_overrides)]
    title = f"<b>{_e(words.get('policy_title', locale, pack=settings.policy_pack))}</b>"
    return _fit("\n".join([title, *(lines or [_e(words.get("policy_none", locale))])]))


def status_text(status: CommunityStatus, words: Words, locale: str) -> str:
    counts = _e(words.get("status_counts", locale, open=status.open_cases,
                          cases=status.cases_last_7_days, flagged=status.flagged_last_7_days,
                          checked=status.messages_checked_last_7_days))
    return f"{settings_text(status.settings, words, locale)}\n\n{counts}"


def mention(person: UserRef) -> str:
    """A clickable mention that works without a username (Telegram's ``tg://user`` link)."""
    name = person.name or f"user {person.id}"
    if person.id.lstrip("-").isdigit():
        return f'<a href="tg://user?id={person.id}">{_e(name)}</a>'
    return _e(name)


def _top_scores(report: CaseReport) -> str:
    best: dict[str, float] = {}
    for item in report.evidence:
        for label, score in item.scores.items():
            best[label] = max(best.get(label, 0.0), float(score))
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    return ", ".join(f"{label} {score:.2f}" for label, score in ranked if score > 0) or "-"


def _age(seconds: float | None, words: Words, locale: str) -> str:
    if seconds is None:
        return _e(words.get("unknown", locale))
    days = seconds / 86400
    return f"{days:.0f} d" if days >= 1 else f"{seconds / 3600:.1f} h"


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _fit(text: str) -> str:
    """Telegram refuses messages over 4096 characters; cut cleanly (no half HTML tag)."""
    if len(text) <= MAX_TEXT:
        return text
    cut = text[: MAX_TEXT - 1]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return cut + "\n…"
