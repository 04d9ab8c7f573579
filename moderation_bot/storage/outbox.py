"""The outbox: effects decided and stored with their verdict, sent later by the dispatcher.

A row is ``pending`` until a platform call succeeds (``done``), or until its attempts run out
(``failed``). Its id is the idempotency key of the platform call, so a row re-sent after a crash
carries the same key.

Several dispatcher processes may share one outbox. A pending row is sent only by the dispatcher
that holds its lease (``claimed_by``, ``claim_id``, ``claimed_until``): ``claim_due`` takes due,
unleased rows in one statement (on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two dispatchers
never wait on or take the same row; on SQLite the single writer serialises claims). Marking a
row done, retried or failed releases it. A lease that runs out (its process died) makes the row
claimable again, and a restarted process takes back at once what its previous run held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moderation_bot.clock import to_iso
from moderation_bot.storage.codec import dumps, loads
from moderation_bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    verdict_id: int | None
    case_id: int | None
    platform: str
    community_id: str
    kind: str
    policy: str
    target_id: str | None
    payload: dict[str, Any]
    attempts: int
    claim_id: str | None = None
    queued_at: str = ""
    """When the row was decided (ISO 8601)."""

    @property
    def idempotency_key(self) -> str:
        return f"modbot-outbox-{self.id}"


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        id=r["id"], verdict_id=r["verdict_id"], case_id=r["case_id"], platform=r["platform"],
        community_id=r["community_id"], kind=r["kind"], policy=r["policy"],
        target_id=r["target_id"], payload=loads(r["payload"]), attempts=r["attempts"],
        claim_id=r["claim_id"], queued_at=r["created_at"],
    )


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who claims rows: ``name`` is unique among live dispatchers (the worker's consumer name),
    ``run_id`` is new at every start of that process."""

    name: str
    run_id: str


_RELEASE = "claimed_by = NULL, claim_id = NULL, claimed_until = NULL"
_UNLEASED = "(claimed_until IS NULL OR claimed_until < ?)"


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, verdict_id: int | None, case_id: int | None, platform: str, community_id: str,
        kind: str, policy: str, target_id: str | None, payload: dict[str, Any], now: datetime,
    ) -> int:
        return await self._db.execute(
            "INSERT INTO outbox (verdict_id, case_id, platform, community_id, kind, policy,"
            " target_id, payload, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (verdict_id, case_id, platform, community_id, kind, policy, target_id,
             dumps(payload), to_iso(now), to_iso(now)),
        )

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
            " ORDER BY id LIMIT ?",
            (to_iso(now), limit),
        )
        return [_row(r) for r in rows]

    def _skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED" if self._db.dialect == "postgresql" else ""

    async def claim_due(
        self, claimant: Claimant, now: datetime, until: datetime, limit: int = 100, *,
        platforms: list[str] | None = None,
    ) -> list[OutboxRow]:
        """Lease up to ``limit`` due rows that nobody else holds; returns them in id order.

        Rows this run already holds are included: one run sends one pass at a time, so a row
        it holds at the start of a pass is not in flight (e.g. advice leased for a merge whose
        warning then failed). ``platforms``: only rows for these (``None``: any)."""
        if platforms is not None and not platforms:
            return []
        only = f" AND platform IN ({', '.join('?' * len(platforms))})" if platforms else ""
        rows = await self._db.fetchall(
            "UPDATE outbox SET claimed_by = ?, claim_id = ?, claimed_until = ?"
            " WHERE id IN (SELECT id FROM outbox WHERE status = 'pending'"
            f" AND next_attempt_at <= ? AND ({_UNLEASED} OR claim_id = ?){only}"
            f" ORDER BY id LIMIT ?{self._skip_locked()}) RETURNING *",
            (claimant.name, claimant.run_id, to_iso(until), to_iso(now), to_iso(now),
             claimant.run_id, *(platforms or ()), limit),
        )
        return sorted((_row(r) for r in rows), key=lambda row: row.id)

    async def claim(
        self, ids: list[int], claimant: Claimant, now: datetime, until: datetime
    ) -> set[int]:
        """Lease these pending rows where nobody else holds them; returns the ids now held by
        ``claimant`` (including those it already held)."""
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        rows = await self._db.fetchall(
            "UPDATE outbox SET claimed_by = ?, claim_id = ?, claimed_until = ?"
            f" WHERE id IN (SELECT id FROM outbox WHERE id IN ({marks}) AND status = 'pending'"
            f" AND ({_UNLEASED} OR claim_id = ?){self._skip_locked()}) RETURNING id",
            (claimant.name, claimant.run_id, to_iso(until), *ids, to_iso(now), claimant.run_id),
        )
        return {r["id"] for r in rows}

    async def renew(self, claimant: Claimant, until: datetime) -> int:
        """Extend every lease this run holds (rows still being sent); returns how many."""
        return await self._db.execute(
            "UPDATE outbox SET claimed_until = ? WHERE claim_id = ? AND status = 'pending'",
            (to_iso(until), claimant.run_id),
        )

    async def release(self, ids: list[int], claimant: Claimant,
                      next_attempt_at: datetime | None = None) -> None:
        """Give rows back without counting an attempt (e.g. another dispatcher is busy with
        the same case); ``next_attempt_at`` postpones them."""
        for row_id in ids:
            if next_attempt_at is None:
                await self._db.execute(
                    f"UPDATE outbox SET {_RELEASE} WHERE id = ? AND claim_id = ?",
                    (row_id, claimant.run_id),
                )
            else:
                await self._db.execute(
                    f"UPDATE outbox SET {_RELEASE}, next_attempt_at = ?"
                    " WHERE id = ? AND claim_id = ?",
                    (to_iso(next_attempt_at), row_id, claimant.run_id),
                )

    async def release_previous_runs(self, claimant: Claimant) -> int:
        """Free the rows held by earlier runs of this dispatcher (it was killed while sending),
        so a restart sends them now instead of when their leases run out."""
        return await self._db.execute(
            f"UPDATE outbox SET {_RELEASE} WHERE claimed_by = ? AND claim_id <> ?"
            " AND status = 'pending'",
            (claimant.name, claimant.run_id),
        )

    async def pending_for_verdict(self, verdict_id: int) -> list[OutboxRow]:
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND verdict_id = ? ORDER BY id",
            (verdict_id,),
        )
        return [_row(r) for r in rows]

    async def pending_escalations(self, case_id: int) -> list[OutboxRow]:
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND kind = 'escalate' AND case_id = ?"
            " ORDER BY id",
            (case_id,),
        )
        return [_row(r) for r in rows]

    async def member_restrictions(
        self, platform: str, community_id: str, member_ids: list[str]
    ) -> list[OutboxRow]:
        """The timeouts and lifts ever queued for these members of a community (not failed
        ones), oldest first."""
        if not member_ids:
            return []
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE platform = ?"
            " AND community_id = ? AND kind IN ('timeout_sender', 'lift_timeout')"
            f" AND status <> 'failed' AND target_id IN ({', '.join('?' * len(member_ids))})"
            " ORDER BY id",
            (platform, community_id, *member_ids),
        )
        return [_row(r) for r in rows]

    async def earlier_member_restriction_pending(self, row: OutboxRow) -> bool:
        """Whether a timeout or lift for the same member of the same community, queued before
        ``row``, is still pending (sent after ``row``, it would undo it)."""
        earlier = await self._db.fetchone(
            "SELECT id FROM outbox WHERE status = 'pending' AND platform = ? AND community_id = ?"
            " AND target_id = ? AND kind IN ('timeout_sender', 'lift_timeout') AND id < ? LIMIT 1",
            (row.platform, row.community_id, row.target_id, row.id),
        )
        return earlier is not None

    async def mark_done(self, ids: list[int], now: datetime, result_ref: str | None) -> None:
        for row_id in ids:
            await self._db.execute(
                "UPDATE outbox SET status = 'done', done_at = ?, result_ref = ?,"
                f" attempts = attempts + 1, {_RELEASE} WHERE id = ? AND status = 'pending'",
                (to_iso(now), result_ref, row_id),
            )

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
            f" {_RELEASE} WHERE id = ?",
            (error[:500], to_iso(next_attempt_at), row_id),
        )

    async def mark_failed(self, row_id: int, error: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,"
            f" done_at = ?, {_RELEASE} WHERE id = ?",
            (error[:500], to_iso(now), row_id),
        )

    async def statuses(self) -> dict[str, int]:
        rows = await self._db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}
