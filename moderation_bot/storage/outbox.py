"""The outbox: effects decided and stored with their verdict, sent later by the dispatcher.

A row is ``pending`` until a platform call succeeds (``done``), or until its attempts run out
(``failed``). Its id is the idempotency key of the platform call, so a row re-sent after a crash
carries the same key.
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

    @property
    def idempotency_key(self) -> str:
        return f"modbot-outbox-{self.id}"


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        id=r["id"], verdict_id=r["verdict_id"], case_id=r["case_id"], platform=r["platform"],
        community_id=r["community_id"], kind=r["kind"], policy=r["policy"],
        target_id=r["target_id"], payload=loads(r["payload"]), attempts=r["attempts"],
    )


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

    async def mark_done(self, ids: list[int], now: datetime, result_ref: str | None) -> None:
        for row_id in ids:
            await self._db.execute(
                "UPDATE outbox SET status = 'done', done_at = ?, result_ref = ?,"
                " attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
                (to_iso(now), result_ref, row_id),
            )

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
            " WHERE id = ?",
            (error[:500], to_iso(next_attempt_at), row_id),
        )

    async def mark_failed(self, row_id: int, error: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,"
            " done_at = ? WHERE id = ?",
            (error[:500], to_iso(now), row_id),
        )

    async def statuses(self) -> dict[str, int]:
        rows = await self._db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}
