"""Cases, their evidence and their audit trail.

A case is opened through :meth:`CaseRepository.open_or_update` only, which keeps the rule that a
sender has at most one open case per community: new evidence updates it. A campaign sent by
several accounts is one case: the first sender's, which the others' messages join
(:meth:`CaseRepository.join`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moderation_bot.clock import from_iso, to_iso
from moderation_bot.core.types import (
    CaseReport,
    CaseStatus,
    EvidenceItem,
    IncomingMessage,
    MessageRef,
    Severity,
    UserRef,
)
from moderation_bot.storage.codec import (
    dumps,
    loads,
    scores_to_json,
    users_from_json,
    users_to_json,
)
from moderation_bot.storage.database import Database, Row

_OPEN_ATTEMPTS = 3


class CaseConflict(RuntimeError):
    """Concurrent writers kept opening and closing this sender's case; the caller retries."""


@dataclass(frozen=True, slots=True)
class CaseEvent:
    case_id: int
    at: datetime
    actor: str
    action: str
    reason: str
    policy: str | None
    data: dict[str, Any]


def _merge_unique(old: list[str], new: tuple[str, ...] | list[str]) -> list[str]:
    return old + [item for item in new if item not in old]


def _unique(users: tuple[UserRef, ...]) -> tuple[UserRef, ...]:
    """Each person once (by platform and id), in first-seen order."""
    seen: dict[tuple[str, str], UserRef] = {}
    for person in users:
        seen.setdefault((person.platform, person.id), person)
    return tuple(seen.values())


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open_or_update(
        self, message: IncomingMessage, severity: Severity, labels: tuple[str, ...],
        policies: tuple[str, ...], now: datetime, *, recipients: tuple[UserRef, ...] | None = None,
    ) -> tuple[int, bool]:
        """The sender's open case in this community, updated with this message's findings, or a
        new one. Returns (case id, created). ``recipients`` (default: the message's) are added
        to the people the case lists.

        Safe under concurrent writers on PostgreSQL: the open case is read with a row lock, and
        when two writers try to open the same case at once the unique index lets one insert win
        (``ON CONFLICT DO NOTHING``) while the other re-reads and updates the winner's case.
        """
        lock = " FOR UPDATE" if self._db.dialect == "postgresql" else ""
        listed = message.recipients if recipients is None else recipients
        async with self._db.transaction():
            for _ in range(_OPEN_ATTEMPTS):
                row = await self._db.fetchone(
                    "SELECT * FROM cases WHERE platform = ? AND community_id = ? AND sender_id = ?"
                    " AND status = 'open'" + lock,
                    (message.platform, message.community_id, message.sender.id),
                )
                if row is not None:
                    await self._update(row, message, severity, labels, policies, listed, now,
                                       same_sender=True)
                    return int(row["id"]), False
                inserted = await self._db.fetchone(
                    "INSERT INTO cases (platform, community_id, sender_id, sender_name, status,"
                    " severity, labels, policies, recipients, sender_account_age_s,"
                    " sender_membership_age_s, opened_at, updated_at)"
                    " VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (platform, community_id, sender_id) WHERE status = 'open'"
                    " DO NOTHING RETURNING id",
                    (
                        message.platform, message.community_id, message.sender.id,
                        message.sender.name, int(severity), dumps(list(labels)),
                        dumps(list(policies)), users_to_json(_unique(listed)),
                        message.sender_account_age_s, message.sender_membership_age_s,
                        to_iso(now), to_iso(now),
                    ),
                )
                if inserted is not None:
                    return int(inserted["id"]), True
                # Another writer opened this sender's case after our read: update theirs.
        raise CaseConflict(
            f"no open case could be created or read after {_OPEN_ATTEMPTS} attempts"
        )

    async def join(
        self, case_id: int, message: IncomingMessage, severity: Severity, labels: tuple[str, ...],
        policies: tuple[str, ...], recipients: tuple[UserRef, ...], now: datetime,
    ) -> bool:
        """Add another sender's message of the same campaign to an open case: its severity,
        labels, policies and recipients (its evidence is added separately). ``False`` when the
        case is no longer open."""
        lock = " FOR UPDATE" if self._db.dialect == "postgresql" else ""
        async with self._db.transaction():
            row = await self._db.fetchone("SELECT * FROM cases WHERE id = ?" + lock, (case_id,))
            if row is None or row["status"] != str(CaseStatus.OPEN):
                return False
            await self._update(row, message, severity, labels, policies, recipients, now,
                               same_sender=row["sender_id"] == message.sender.id)
            return True

    async def _update(
        self, row: Row, message: IncomingMessage, severity: Severity, labels: tuple[str, ...],
        policies: tuple[str, ...], recipients: tuple[UserRef, ...], now: datetime, *,
        same_sender: bool,
    ) -> None:
        """Merge a message's findings into a case; the sender's name and ages only from the
        case's own sender."""
        listed = _unique((*users_from_json(row["recipients"]), *recipients))
        sender = message if same_sender else None
        await self._db.execute(
            "UPDATE cases SET severity = ?, labels = ?, policies = ?, recipients = ?,"
            " sender_name = ?, sender_account_age_s = COALESCE(?, sender_account_age_s),"
            " sender_membership_age_s = COALESCE(?, sender_membership_age_s), updated_at = ?"
            " WHERE id = ?",
            (
                max(int(row["severity"]), int(severity)),
                dumps(_merge_unique(loads(row["labels"]), labels)),
                dumps(_merge_unique(loads(row["policies"]), policies)),
                users_to_json(listed),
                (sender.sender.name if sender else "") or row["sender_name"],
                sender.sender_account_age_s if sender else None,
                sender.sender_membership_age_s if sender else None,
                to_iso(now), row["id"],
            ),
        )

    async def add_evidence(
        self, case_id: int, message: IncomingMessage, text: str, text_sha256: str,
        scores: dict[str, float], now: datetime, purge_after: datetime,
    ) -> None:
        await self._db.execute(
            "INSERT INTO evidence (case_id, platform, community_id, channel_id,"
            " message_id, sender_id, sender_name, recipients, text, text_sha256, scores, sent_at,"
            " stored_at, purge_after, sender_account_age_s, sender_membership_age_s)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (case_id, message_id) DO NOTHING",
            (
                case_id, message.platform, message.community_id, message.channel_id,
                message.message_id, message.sender.id, message.sender.name,
                users_to_json(message.recipients), text, text_sha256, scores_to_json(scores),
                to_iso(message.sent_at), to_iso(now), to_iso(purge_after),
                message.sender_account_age_s, message.sender_membership_age_s,
            ),
        )

    async def add_event(
        self, case_id: int, actor: str, action: str, now: datetime, *, reason: str = "",
        policy: str | None = None, data: dict[str, Any] | None = None,
    ) -> None:
        await self._db.execute(
            "INSERT INTO case_events (case_id, at, actor, action, reason, policy, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, to_iso(now), actor, action, reason, policy, dumps(data or {})),
        )

    async def events(self, case_id: int) -> list[CaseEvent]:
        rows = await self._db.fetchall(
            "SELECT * FROM case_events WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [
            CaseEvent(r["case_id"], from_iso(r["at"]), r["actor"], r["action"], r["reason"],
                      r["policy"], loads(r["data"]))
            for r in rows
        ]

    async def community_of(self, case_id: int) -> tuple[str, str] | None:
        row = await self._db.fetchone(
            "SELECT platform, community_id FROM cases WHERE id = ?", (case_id,)
        )
        return (row["platform"], row["community_id"]) if row else None

    async def report(self, case_id: int) -> CaseReport | None:
        row = await self._db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
        if row is None:
            return None
        evidence_rows = await self._db.fetchall(
            "SELECT * FROM evidence WHERE case_id = ? ORDER BY sent_at, id", (case_id,)
        )
        evidence = tuple(
            EvidenceItem(
                message=MessageRef(e["platform"], e["community_id"], e["channel_id"],
                                   e["message_id"]),
                sender=UserRef(e["platform"], e["sender_id"], e["sender_name"]),
                recipients=users_from_json(e["recipients"]),
                text=e["text"],
                text_sha256=e["text_sha256"],
                scores=loads(e["scores"]),
                sent_at=from_iso(e["sent_at"]),
            )
            for e in evidence_rows
        )
        others: dict[str, UserRef] = {}
        ages: dict[str, tuple[float | None, float | None]] = {}
        for item, e in zip(evidence, evidence_rows, strict=True):
            if item.sender.id != row["sender_id"]:
                others.setdefault(item.sender.id, item.sender)
                known = ages.get(item.sender.id, (None, None))
                ages[item.sender.id] = (
                    known[0] if known[0] is not None else e["sender_account_age_s"],
                    known[1] if known[1] is not None else e["sender_membership_age_s"],
                )
        return CaseReport(
            case_id=row["id"],
            platform=row["platform"],
            community_id=row["community_id"],
            status=CaseStatus(row["status"]),
            severity=Severity(row["severity"]),
            labels=tuple(loads(row["labels"])),
            policies=tuple(loads(row["policies"])),
            sender=UserRef(row["platform"], row["sender_id"], row["sender_name"]),
            recipients=users_from_json(row["recipients"]),
            evidence=evidence,
            opened_at=from_iso(row["opened_at"]),
            updated_at=from_iso(row["updated_at"]),
            sender_account_age_s=row["sender_account_age_s"],
            sender_membership_age_s=row["sender_membership_age_s"],
            claimed_by=row["claimed_by"],
            other_senders=tuple(others.values()),
            other_sender_ages=tuple((sid, *ages[sid]) for sid in others),
        )

    async def set_status(self, case_id: int, status: CaseStatus, now: datetime) -> None:
        """Close or reopen. Reopening raises
        :class:`~moderation_bot.storage.database.IntegrityError` if the sender has another open
        case (the unique index), which the caller reports."""
        closed = None if status is CaseStatus.OPEN else to_iso(now)
        await self._db.execute(
            "UPDATE cases SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?",
            (str(status), closed, to_iso(now), case_id),
        )

    async def claim(self, case_id: int, moderator: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE cases SET claimed_by = ?, claimed_at = ?, updated_at = ? WHERE id = ?",
            (moderator, to_iso(now), to_iso(now), case_id),
        )

    async def moderator_ref(self, case_id: int) -> str | None:
        row = await self._db.fetchone(
            "SELECT moderator_message_ref FROM cases WHERE id = ?", (case_id,)
        )
        return row["moderator_message_ref"] if row else None

    async def set_moderator_ref(self, case_id: int, ref: str) -> None:
        await self._db.execute(
            "UPDATE cases SET moderator_message_ref = ? WHERE id = ?", (ref, case_id)
        )

    async def counts(self, platform: str, community_id: str, since: datetime) -> tuple[int, int]:
        """(open cases, cases opened since a moment) in a community."""
        row = await self._db.fetchone(
            "SELECT SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open,"
            " SUM(CASE WHEN opened_at >= ? THEN 1 ELSE 0 END) AS recent FROM cases"
            " WHERE platform = ? AND community_id = ?",
            (to_iso(since), platform, community_id),
        )
        assert row is not None
        return int(row["open"] or 0), int(row["recent"] or 0)

    async def has_open_case(self, platform: str, community_id: str, sender_id: str) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM cases WHERE platform = ? AND community_id = ? AND sender_id = ?"
            " AND status = 'open'", (platform, community_id, sender_id))
        return row is not None

    async def open_elsewhere(self, platform: str, sender_id: str, community_id: str) -> int:
        """How many other communities have an open case on this sender: as its first sender, or
        as one of the accounts of a campaign that joined it."""
        row = await self._db.fetchone(
            "SELECT COUNT(DISTINCT community_id) AS n FROM cases WHERE platform = ?"
            " AND community_id != ? AND status = 'open' AND (sender_id = ? OR id IN"
            " (SELECT case_id FROM evidence WHERE platform = ? AND sender_id = ?))",
            (platform, community_id, sender_id, platform, sender_id),
        )
        return int(row["n"]) if row else 0
