"""One verdict per decided message, keyed by the platform message id (the idempotency key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderation_bot.clock import to_iso
from moderation_bot.core.types import Classification, Decision, Effect, IncomingMessage
from moderation_bot.storage.codec import dumps, loads, scores_to_json
from moderation_bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class StoredVerdict:
    id: int
    message_key: str
    flagged: bool
    labels: tuple[str, ...]
    scores: dict[str, float]
    effects: tuple[dict[str, str], ...]
    case_id: int | None


def effect_summaries(effects: tuple[Effect, ...]) -> list[dict[str, str]]:
    return [{"kind": str(e.kind), "policy": e.policy} for e in effects]


_COLUMNS = (
    "message_key, platform, community_id, conversation_id, message_id, sender_id, text_sha256,"
    " flagged, labels, scores, model_id, effects, shadow_effects, case_id, decided_at"
)
_QUIET_ROW = "(?, ?, ?, ?, ?, ?, ?, 0, '[]', ?, ?, '[]', '[]', NULL, ?)"


class VerdictRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def find(self, message_key: str) -> StoredVerdict | None:
        row = await self._db.fetchone(
            "SELECT * FROM verdicts WHERE message_key = ?", (message_key,)
        )
        if row is None:
            return None
        return StoredVerdict(
            id=row["id"],
            message_key=row["message_key"],
            flagged=bool(row["flagged"]),
            labels=tuple(loads(row["labels"])),
            scores=loads(row["scores"]),
            effects=tuple(loads(row["effects"])),
            case_id=row["case_id"],
        )

    async def add(
        self, message: IncomingMessage, text_sha256: str, classification: Classification,
        decision: Decision, case_id: int | None, decided_at: datetime,
    ) -> int:
        return await self._db.execute(
            f"INSERT INTO verdicts ({_COLUMNS}) VALUES ({', '.join(['?'] * 15)})",
            (
                message.idempotency_key, message.platform, message.community_id,
                message.conversation_id, message.message_id, message.sender.id, text_sha256,
                int(decision.flagged), dumps(list(decision.labels)),
                scores_to_json(classification.scores), classification.model_id,
                dumps(effect_summaries(decision.effects)),
                dumps(effect_summaries(decision.shadow_effects)), case_id, to_iso(decided_at),
            ),
        )

    async def add_quiet(
        self, rows: list[tuple[IncomingMessage, str, Classification, datetime]]
    ) -> None:
        """Record many messages that were decided to need nothing, in one statement.

        A message already recorded (a redelivery) is left as it was.
        """
        if not rows:
            return
        values = ", ".join([_QUIET_ROW] * len(rows))
        params: list[object] = []
        for message, text_sha256, classification, decided_at in rows:
            params += [message.idempotency_key, message.platform, message.community_id,
                       message.conversation_id, message.message_id, message.sender.id,
                       text_sha256, scores_to_json(classification.scores),
                       classification.model_id, to_iso(decided_at)]
        await self._db.execute(
            f"INSERT INTO verdicts ({_COLUMNS}) VALUES {values} ON CONFLICT (message_key) DO NOTHING",
            params,
        )

    async def counts_since(
        self, platform: str, community_id: str, since: datetime
    ) -> tuple[int, int]:
        """(messages checked, messages flagged) in a community since a moment."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS checked, COALESCE(SUM(flagged), 0) AS flagged FROM verdicts"
            " WHERE platform = ? AND community_id = ? AND decided_at >= ?",
            (platform, community_id, to_iso(since)),
        )
        assert row is not None
        return int(row["checked"]), int(row["flagged"])
