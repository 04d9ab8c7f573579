"""Evidence bundles: a case exported for a police or CEOP report.

The bundle is canonical JSON (sorted keys, UTF-8) so its SHA-256 identifies it exactly; the
hash is given beside the file, not inside it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from moderation_bot.clock import to_iso
from moderation_bot.core.types import CaseReport, EvidenceBundle, UserRef
from moderation_bot.storage.cases import CaseEvent

FORMAT = "modbot-evidence/1"
EXPLANATION = (
    "Evidence exported by the moderation bot. 'evidence' lists each message kept for this case "
    "with its author, recipients, platform ids, time (UTC) and the detector's scores; "
    "'case.senders' lists every account whose messages are in the case (several for a campaign), "
    "'case.sender' the one who opened it; 'text' is "
    "null where the retention period removed it, and text_sha256 still identifies the original. "
    "'events' is the audit trail of what the bot and the moderators did. The SHA-256 of this "
    "file is given separately so anyone can check it has not been altered."
)


def _user(user: UserRef) -> dict[str, str]:
    return {"platform": user.platform, "id": user.id, "name": user.name}


def build_bundle(
    report: CaseReport, events: list[CaseEvent], requested_by: UserRef, now: datetime
) -> EvidenceBundle:
    document: dict[str, Any] = {
        "format": FORMAT,
        "explanation": EXPLANATION,
        "exported_at": to_iso(now),
        "exported_by": _user(requested_by),
        "case": {
            "id": report.case_id,
            "platform": report.platform,
            "community_id": report.community_id,
            "status": str(report.status),
            "severity": report.severity.name.lower(),
            "labels": list(report.labels),
            "policies": list(report.policies),
            "sender": _user(report.sender),
            "senders": [_user(s) for s in report.senders],
            "sender_account_age_s": report.sender_account_age_s,
            "sender_membership_age_s": report.sender_membership_age_s,
            "recipients": [_user(r) for r in report.recipients],
            "opened_at": to_iso(report.opened_at),
            "updated_at": to_iso(report.updated_at),
        },
        "evidence": [
            {
                "message_id": item.message.message_id,
                "channel_id": item.message.channel_id,
                "sender": _user(item.sender),
                "recipients": [_user(r) for r in item.recipients],
                "sent_at": to_iso(item.sent_at),
                "text": item.text,
                "text_sha256": item.text_sha256,
                "scores": dict(item.scores),
            }
            for item in report.evidence
        ],
        "events": [
            {"at": to_iso(e.at), "actor": e.actor, "action": e.action, "reason": e.reason,
             "policy": e.policy, "data": e.data}
            for e in events
        ],
    }
    content = json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2).encode("utf-8")
    return EvidenceBundle(
        case_id=report.case_id,
        filename=f"case-{report.case_id}-evidence.json",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
