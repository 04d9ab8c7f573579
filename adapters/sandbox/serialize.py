"""JSON shapes for core values, as the sandbox's feed and HTTP API show them.

Evidence text is left out of a case unless the caller asks for it (``with_text=True``): the page
shows evidence only after a moderator's audited Reveal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moderation_bot.core.types import (
    CaseReport,
    Effect,
    EvidenceItem,
    MessageRef,
    Notice,
    Outcome,
    UserRef,
)


def user_json(user: UserRef) -> dict[str, str]:
    return {"id": user.id, "name": user.name or user.id}


def scores_json(scores: Mapping[str, float]) -> dict[str, float]:
    return {label: round(float(score), 4) for label, score in scores.items()}


def message_ref_json(ref: MessageRef) -> dict[str, str]:
    return {
        "community_id": ref.community_id,
        "channel_id": ref.channel_id,
        "message_id": ref.message_id,
    }


def notice_json(notice: Notice) -> dict[str, Any]:
    return {
        "topic": notice.topic,
        "locale": notice.locale,
        "headline": notice.headline,
        "body": notice.body,
        "advice": list(notice.advice),
        "links": [{"title": link.title, "url": link.url} for link in notice.links],
        "case_id": notice.case_id,
    }


def effect_json(effect: Effect) -> dict[str, Any]:
    return {
        "kind": effect.kind.value,
        "policy": effect.policy,
        "severity": effect.severity.name.lower(),
        "target": user_json(effect.target) if effect.target else None,
        "duration_s": effect.duration_s,
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "message_key": outcome.message_key,
        "flagged": outcome.flagged,
        "labels": list(outcome.labels),
        "scores": scores_json(outcome.scores),
        "effects": [effect_json(effect) for effect in outcome.effects],
        "case_id": outcome.case_id,
        "duplicate": outcome.duplicate,
        "skipped": outcome.skipped,
    }


def evidence_json(item: EvidenceItem, *, with_text: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message": message_ref_json(item.message),
        "sender": user_json(item.sender),
        "recipients": [user_json(user) for user in item.recipients],
        "text_sha256": item.text_sha256,
        "text_available": item.text is not None,
        "scores": scores_json(item.scores),
        "sent_at": item.sent_at.isoformat(),
    }
    if with_text:
        data["text"] = item.text
    return data


def case_json(report: CaseReport, *, with_text: bool = False) -> dict[str, Any]:
    return {
        "case_id": report.case_id,
        "platform": report.platform,
        "community_id": report.community_id,
        "status": report.status.value,
        "severity": report.severity.name.lower(),
        "severity_level": int(report.severity),
        "labels": list(report.labels),
        "policies": list(report.policies),
        "sender": user_json(report.sender),
        "senders": [{**user_json(user), "account_age_s": report.ages(user)[0]}
                    for user in report.senders],
        "sender_account_age_s": report.sender_account_age_s,
        "sender_membership_age_s": report.sender_membership_age_s,
        "recipients": [user_json(user) for user in report.recipients],
        "evidence": [evidence_json(item, with_text=with_text) for item in report.evidence],
        "opened_at": report.opened_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "claimed_by": report.claimed_by,
        "said_fine": [user_json(user) for user in report.said_fine],
        "revealed": with_text,
    }
