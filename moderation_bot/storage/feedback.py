"""Feedback on cases: moderators' decisions, kept as labels for evaluating and retraining the
detector, and what the people warned answered ("this was fine"), kept for the moderators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderation_bot.clock import from_iso, to_iso
from moderation_bot.core.types import EffectKind
from moderation_bot.storage.codec import dumps
from moderation_bot.storage.database import Database

_WARNING_KINDS = (str(EffectKind.WARN_RECIPIENT), str(EffectKind.SEND_ADVICE))


@dataclass(frozen=True, slots=True)
class RecipientAnswer:
    """One warned person's answer on a case (no names: the case's recipients carry those)."""

    recipient_id: str
    verdict: str
    at: datetime


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

    async def warning_policies(self, platform: str, community_id: str, case_id: int,
                               recipient_id: str) -> tuple[str, ...]:
        """The policies whose warning or advice was queued for this person on this case (in
        that community); empty when they were never warned on it."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT o.policy FROM outbox o JOIN cases c ON c.id = o.case_id"
            " WHERE o.case_id = ? AND c.platform = ? AND c.community_id = ?"
            " AND o.kind IN (?, ?) AND o.target_id = ? ORDER BY o.policy",
            (case_id, platform, community_id, *_WARNING_KINDS, recipient_id),
        )
        return tuple(r["policy"] for r in rows)

    async def add_recipient_answer(
        self, *, case_id: int, platform: str, community_id: str, recipient_id: str,
        verdict: str, policies: tuple[str, ...], now: datetime,
    ) -> bool:
        """Keep a warned person's answer; ``False`` when they had already answered on this case
        (the first answer stays)."""
        added = await self._db.execute(
            "INSERT INTO recipient_feedback (case_id, platform, community_id, recipient_id,"
            " verdict, policies, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (case_id, recipient_id) DO NOTHING",
            (case_id, platform, community_id, recipient_id, verdict, dumps(list(policies)),
             to_iso(now)),
        )
        return added > 0

    async def recipient_answers(self, case_id: int) -> list[RecipientAnswer]:
        rows = await self._db.fetchall(
            "SELECT recipient_id, verdict, at FROM recipient_feedback WHERE case_id = ?"
            " ORDER BY id",
            (case_id,),
        )
        return [RecipientAnswer(r["recipient_id"], r["verdict"], from_iso(r["at"])) for r in rows]
