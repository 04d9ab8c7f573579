"""Conversation and sender risk state, and recent text hashes for campaign detection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from moderation_bot.clock import from_iso, to_iso
from moderation_bot.storage.codec import dumps, loads
from moderation_bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class ConversationRow:
    risk: float
    signals: frozenset[str]
    message_count: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SenderRow:
    risk: float
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class WarningSent:
    """The last warning one person got about one sender."""

    topic: str
    severity: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SenderBound:
    """An upper bound of one sender's risk in a community (see ``risk_bounds``)."""

    conversation_risk: float
    sender_risk: float
    signals: frozenset[str]

    def widen(self, other: SenderBound) -> SenderBound:
        return SenderBound(max(self.conversation_risk, other.conversation_risk),
                           max(self.sender_risk, other.sender_risk),
                           self.signals | other.signals)


class StateRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def conversation(
        self, platform: str, community_id: str, conversation_id: str, sender_id: str
    ) -> ConversationRow | None:
        row = await self._db.fetchone(
            "SELECT * FROM conversation_state WHERE platform = ? AND community_id = ?"
            " AND conversation_id = ? AND sender_id = ?",
            (platform, community_id, conversation_id, sender_id),
        )
        if row is None:
            return None
        return ConversationRow(row["risk"], frozenset(loads(row["signals"])),
                               row["message_count"], from_iso(row["updated_at"]))

    async def save_conversation(
        self, platform: str, community_id: str, conversation_id: str, sender_id: str,
        state: ConversationRow,
    ) -> None:
        await self._db.execute(
            "INSERT INTO conversation_state (platform, community_id, conversation_id, sender_id,"
            " risk, signals, message_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, community_id, conversation_id, sender_id) DO UPDATE SET"
            " risk = excluded.risk, signals = excluded.signals,"
            " message_count = excluded.message_count, updated_at = excluded.updated_at",
            (platform, community_id, conversation_id, sender_id, state.risk,
             dumps(sorted(state.signals)), state.message_count, to_iso(state.updated_at)),
        )

    async def sender(self, platform: str, community_id: str, sender_id: str) -> SenderRow | None:
        row = await self._db.fetchone(
            "SELECT * FROM sender_state WHERE platform = ? AND community_id = ? AND sender_id = ?",
            (platform, community_id, sender_id),
        )
        return SenderRow(row["risk"], from_iso(row["updated_at"])) if row else None

    async def save_sender(
        self, platform: str, community_id: str, sender_id: str, state: SenderRow
    ) -> None:
        await self._db.execute(
            "INSERT INTO sender_state (platform, community_id, sender_id, risk, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, community_id, sender_id) DO UPDATE"
            " SET risk = excluded.risk, updated_at = excluded.updated_at",
            (platform, community_id, sender_id, state.risk, to_iso(state.updated_at)),
        )

    async def record_text(
        self, platform: str, community_id: str, sender_id: str, text_sha256: str,
        conversation_id: str, now: datetime, window: timedelta,
    ) -> int:
        """Remember that this sender sent this text here; return in how many distinct
        conversations they sent it within the window (1 = only here)."""
        await self._db.execute(
            "INSERT INTO recent_texts (platform, sender_id, text_sha256, conversation_id,"
            " community_id, at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, sender_id, text_sha256, conversation_id)"
            " DO UPDATE SET at = excluded.at",
            (platform, sender_id, text_sha256, conversation_id, community_id, to_iso(now)),
        )
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM recent_texts WHERE platform = ? AND sender_id = ?"
            " AND text_sha256 = ? AND at >= ?",
            (platform, sender_id, text_sha256, to_iso(now - window)),
        )
        return int(row["n"]) if row else 1

    async def risk_bounds(self) -> dict[tuple[str, str, str], SenderBound]:
        """For everyone with conversation state, keyed (platform, community, sender): the highest
        risk of any of their conversations, their community risk and every signal seen. Values
        as stored, not decayed: an upper bound of their risk now."""
        rows = await self._db.fetchall(
            "SELECT c.platform, c.community_id, c.sender_id, c.risk, c.signals,"
            " s.risk AS sender_risk FROM conversation_state c LEFT JOIN sender_state s"
            " ON s.platform = c.platform AND s.community_id = c.community_id"
            " AND s.sender_id = c.sender_id"
        )
        bounds: dict[tuple[str, str, str], SenderBound] = {}
        for r in rows:
            key = (r["platform"], r["community_id"], r["sender_id"])
            row = SenderBound(float(r["risk"]), float(r["sender_risk"] or 0.0),
                              frozenset(loads(r["signals"])))
            bounds[key] = bounds[key].widen(row) if key in bounds else row
        return bounds

    async def last_warning(
        self, platform: str, community_id: str, recipient_id: str, sender_id: str
    ) -> WarningSent | None:
        row = await self._db.fetchone(
            "SELECT topic, severity, at FROM warnings_sent WHERE platform = ? AND community_id = ?"
            " AND recipient_id = ? AND sender_id = ?",
            (platform, community_id, recipient_id, sender_id),
        )
        return WarningSent(row["topic"], int(row["severity"]), from_iso(row["at"])) if row else None

    async def record_warning(
        self, platform: str, community_id: str, recipient_id: str, sender_id: str,
        warning: WarningSent,
    ) -> None:
        await self._db.execute(
            "INSERT INTO warnings_sent (platform, community_id, recipient_id, sender_id, topic,"
            " severity, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, community_id, recipient_id, sender_id) DO UPDATE SET"
            " topic = excluded.topic, severity = excluded.severity, at = excluded.at",
            (platform, community_id, recipient_id, sender_id, warning.topic, warning.severity,
             to_iso(warning.at)),
        )

    async def forget_texts_before(self, moment: datetime) -> int:
        return await self._db.execute("DELETE FROM recent_texts WHERE at < ?", (to_iso(moment),))
