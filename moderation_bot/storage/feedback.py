"""Moderator decisions kept as labels for evaluating and retraining the detector."""

from __future__ import annotations

from datetime import datetime

from moderation_bot.clock import to_iso
from moderation_bot.storage.codec import dumps
from moderation_bot.storage.database import Database


class FeedbackRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, case_id: int, platform: str, community_id: str, verdict: str,
        labels: tuple[str, ...], policies: tuple[str, ...], moderator_id: str, now: datetime,
    ) -> None:
        await self._db.execute(
            "INSERT INTO feedback (case_id, platform, community_id, verdict, labels, policies,"
            " moderator_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (case_id, platform, community_id, verdict, dumps(list(labels)),
             dumps(list(policies)), moderator_id, to_iso(now)),
        )

    async def for_case(self, case_id: int) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT verdict FROM feedback WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [r["verdict"] for r in rows]
