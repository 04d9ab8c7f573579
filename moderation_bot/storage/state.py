"""Conversation and sender risk state, warnings sent, and campaign marks (fingerprints of
recent messages, never their text) for campaign detection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from moderation_bot.clock import from_iso, to_iso
from moderation_bot.core.types import UserRef
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
class CampaignSeen:
    """What the campaign marks say about a message's same or near-same texts in the window."""

    conversations: int
    """Distinct conversations this sender sent it to (this one included)."""
    senders: int
    """Distinct accounts that sent it in the community (this one included)."""
    reached: tuple[UserRef, ...]
    """The people those messages reached, earliest first (at most ``reached_max``)."""


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

    async def record_campaign(
        self, platform: str, community_id: str, sender_id: str, conversation_id: str,
        recipients: tuple[UserRef, ...], bands: tuple[str, ...], now: datetime,
        window: timedelta, *, reached_max: int,
    ) -> CampaignSeen:
        """Mark that this sender sent a text with these fingerprint bands here, to these people,
        and say what was sent with any of the same bands in this community within the window.

        On PostgreSQL, hold :meth:`Store.lock_campaign` on the bands first, so that concurrent
        writers of one campaign count each other."""
        people = [(r.id, r.name) for r in recipients if r.id != sender_id] or [("", "")]
        rows = [(band, rid, name) for band in bands for rid, name in people]
        params: list[object] = []
        for band, rid, name in rows:
            params += [platform, community_id, band, sender_id, conversation_id, rid, name,
                       to_iso(now)]
        await self._db.execute(
            "INSERT INTO campaign_marks (platform, community_id, band, sender_id,"
            " conversation_id, recipient_id, recipient_name, at) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
            + " ON CONFLICT (platform, community_id, band, sender_id, conversation_id,"
            " recipient_id) DO UPDATE SET recipient_name = excluded.recipient_name,"
            " at = excluded.at",
            params,
        )
        where, args = _near(platform, community_id, bands, now - window)
        counts = await self._db.fetchone(
            "SELECT COUNT(DISTINCT sender_id) AS senders, COUNT(DISTINCT CASE WHEN sender_id = ?"
            " THEN conversation_id END) AS conversations FROM campaign_marks WHERE " + where,
            (sender_id, *args),
        )
        reached = await self._db.fetchall(
            "SELECT recipient_id, MIN(recipient_name) AS name, MIN(at) AS first"
            " FROM campaign_marks WHERE " + where + " AND recipient_id != ''"
            " GROUP BY recipient_id ORDER BY first, recipient_id LIMIT ?",
            (*args, reached_max),
        )
        assert counts is not None
        return CampaignSeen(
            conversations=int(counts["conversations"]), senders=int(counts["senders"]),
            reached=tuple(UserRef(platform, r["recipient_id"], r["name"]) for r in reached),
        )

    async def campaign_case(
        self, platform: str, community_id: str, bands: tuple[str, ...], since: datetime
    ) -> int | None:
        """The oldest open case holding a message with any of these bands since a moment."""
        where, args = _near(platform, community_id, bands, since, table="m.")
        row = await self._db.fetchone(
            "SELECT MIN(c.id) AS id FROM campaign_marks m JOIN cases c ON c.id = m.case_id"
            " WHERE " + where + " AND c.status = 'open'",
            args,
        )
        return int(row["id"]) if row and row["id"] is not None else None

    async def link_campaign_case(
        self, platform: str, community_id: str, sender_id: str, conversation_id: str,
        bands: tuple[str, ...], case_id: int,
    ) -> None:
        """Record that this sender's message with these bands went to this case."""
        await self._db.execute(
            "UPDATE campaign_marks SET case_id = ? WHERE platform = ? AND community_id = ?"
            " AND sender_id = ? AND conversation_id = ? AND band IN ("
            + ", ".join(["?"] * len(bands)) + ")",
            (case_id, platform, community_id, sender_id, conversation_id, *bands),
        )

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

    async def warned_since(
        self, platform: str, community_id: str, recipient_id: str, topic: str, severity: int,
        since: datetime,
    ) -> bool:
        """Whether this person was warned, about anyone, on this topic at this severity or
        higher since a moment."""
        row = await self._db.fetchone(
            "SELECT 1 FROM warnings_sent WHERE platform = ? AND community_id = ?"
            " AND recipient_id = ? AND topic = ? AND severity >= ? AND at >= ?",
            (platform, community_id, recipient_id, topic, severity, to_iso(since)),
        )
        return row is not None

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
        """Forget campaign marks older than a moment (retention of text fingerprints)."""
        return await self._db.execute("DELETE FROM campaign_marks WHERE at < ?",
                                      (to_iso(moment),))


def _near(
    platform: str, community_id: str, bands: tuple[str, ...], since: datetime, table: str = ""
) -> tuple[str, tuple[object, ...]]:
    """The condition for marks in a community sharing any of ``bands`` since a moment."""
    where = (f"{table}platform = ? AND {table}community_id = ? AND {table}band IN ("
             + ", ".join(["?"] * len(bands)) + f") AND {table}at >= ?")
    return where, (platform, community_id, *bands, to_iso(since))
