"""Read queries for the moderators' review web UI: the queue, a case's surroundings, statistics.

Every query is limited to a *scope*: the (platform, community) pairs a moderator's session was
granted. The SQL is portable (SQLite and PostgreSQL, ``?`` placeholders through ``Database``):
no JSON functions, no two-argument ``MAX``; JSON columns are decoded here in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moderation_bot.clock import from_iso, to_iso
from moderation_bot.core.types import LABELS, CaseStatus, Severity, UserRef
from moderation_bot.storage.codec import loads
from moderation_bot.storage.database import Database
from moderation_bot.storage.sql import like_pattern

Scope = Sequence[tuple[str, str]]
"""(platform, community_id) pairs a session may see."""

MAX_QUEUE_ROWS = 200
MAX_HISTORY_POINTS = 120


def _scope_clause(scope: Scope, prefix: str = "") -> tuple[str, list[Any]]:
    """``(p = ? AND c = ?) OR ...`` for the scope; a clause matching nothing when it is empty."""
    if not scope:
        return "1 = 0", []
    parts = [f"({prefix}platform = ? AND {prefix}community_id = ?)" for _ in scope]
    params: list[Any] = [value for pair in scope for value in pair]
    return "(" + " OR ".join(parts) + ")", params


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """Validated queue filters; ``None`` means "any". ``status`` defaults to open cases."""

    platform: str | None = None
    community_id: str | None = None
    min_severity: Severity | None = None
    status: CaseStatus | None = CaseStatus.OPEN
    label: str | None = None

    @classmethod
    def parse(cls, params: dict[str, str]) -> QueueFilters:
        """From query parameters; unknown or malformed values are ignored (treated as "any")."""
        severity = None
        raw = params.get("severity", "").strip().upper()
        if raw in Severity.__members__:
            severity = Severity[raw]
        status: CaseStatus | None = CaseStatus.OPEN
        raw_status = params.get("status", "open").strip().lower()
        if raw_status == "all":
            status = None
        elif raw_status in {s.value for s in CaseStatus}:
            status = CaseStatus(raw_status)
        label = params.get("label", "").strip()
        return cls(
            platform=params.get("platform", "").strip() or None,
            community_id=params.get("community", "").strip() or None,
            min_severity=severity,
            status=status,
            label=label if label in LABELS else None,
        )


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    platform: str
    community_id: str
    sender_id: str
    sender_name: str
    status: CaseStatus
    severity: Severity
    labels: tuple[str, ...]
    policies: tuple[str, ...]
    opened_at: datetime
    updated_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    evidence_count: int
    other_senders: tuple[UserRef, ...] = ()

    @property
    def senders(self) -> tuple[UserRef, ...]:
        """The case's sender, then the other accounts of a campaign, as on the case page."""
        return (UserRef(self.platform, self.sender_id, self.sender_name), *self.other_senders)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    by_status: dict[str, int]
    open_by_severity: dict[Severity, int]
    open_unclaimed: int

    @property
    def open(self) -> int:
        return self.by_status.get(str(CaseStatus.OPEN), 0)


async def queue(db: Database, scope: Scope, filters: QueueFilters,
                limit: int = MAX_QUEUE_ROWS) -> list[QueueRow]:
    """Cases in scope matching the filters, most severe first, then oldest first."""
    where, params = _scope_clause(scope)
    clauses = [where]
    if filters.platform is not None:
        clauses.append("platform = ?")
        params.append(filters.platform)
    if filters.community_id is not None:
        clauses.append("community_id = ?")
        params.append(filters.community_id)
    if filters.min_severity is not None:
        clauses.append("severity >= ?")
        params.append(int(filters.min_severity))
    if filters.status is not None:
        clauses.append("status = ?")
        params.append(str(filters.status))
    if filters.label is not None:  # labels is a JSON array: the quoted word matches exactly
        clauses.append("labels LIKE ? ESCAPE '!'")
        params.append(like_pattern(f'"{filters.label}"'))
    rows = await db.fetchall(
        "SELECT id, platform, community_id, sender_id, sender_name, status, severity, labels,"
        " policies, opened_at, updated_at, claimed_by, claimed_at,"
        " (SELECT COUNT(*) FROM evidence WHERE evidence.case_id = cases.id) AS evidence_count"
        f" FROM cases WHERE {' AND '.join(clauses)}"
        " ORDER BY severity DESC, opened_at ASC, id ASC LIMIT ?",
        (*params, limit),
    )
    others = await _other_senders(db, rows)
    return [
        QueueRow(
            id=int(r["id"]), platform=r["platform"], community_id=r["community_id"],
            sender_id=r["sender_id"], sender_name=r["sender_name"],
            status=CaseStatus(r["status"]), severity=Severity(r["severity"]),
            labels=tuple(loads(r["labels"])), policies=tuple(loads(r["policies"])),
            opened_at=from_iso(r["opened_at"]), updated_at=from_iso(r["updated_at"]),
            claimed_by=r["claimed_by"],
            claimed_at=from_iso(r["claimed_at"]) if r["claimed_at"] else None,
            evidence_count=int(r["evidence_count"]),
            other_senders=others.get(int(r["id"]), ()),
        )
        for r in rows
    ]


async def _other_senders(db: Database, cases: Sequence[Any]) -> dict[int, tuple[UserRef, ...]]:
    """For each case, the accounts other than its sender whose messages joined it (a campaign),
    in the order they joined."""
    if not cases:
        return {}
    senders = {int(r["id"]): (r["platform"], r["sender_id"]) for r in cases}
    marks = ", ".join("?" for _ in senders)
    rows = await db.fetchall(
        "SELECT case_id, sender_id, MIN(sender_name) AS sender_name, MIN(id) AS first"
        f" FROM evidence WHERE case_id IN ({marks}) GROUP BY case_id, sender_id"
        " ORDER BY case_id, first",
        tuple(senders),
    )
    others: dict[int, list[UserRef]] = {}
    for r in rows:
        platform, sender_id = senders[int(r["case_id"])]
        if r["sender_id"] != sender_id:
            others.setdefault(int(r["case_id"]), []).append(
                UserRef(platform, r["sender_id"], r["sender_name"]))
    return {case_id: tuple(people) for case_id, people in others.items()}


async def queue_counts(db: Database, scope: Scope) -> QueueCounts:
    where, params = _scope_clause(scope)
    rows = await db.fetchall(
        "SELECT status, severity, CASE WHEN claimed_by IS NULL THEN 0 ELSE 1 END AS claimed,"
        f" COUNT(*) AS n FROM cases WHERE {where}"
        " GROUP BY status, severity, CASE WHEN claimed_by IS NULL THEN 0 ELSE 1 END",
        params,
    )
    by_status: dict[str, int] = {str(s): 0 for s in CaseStatus}
    by_severity: dict[Severity, int] = {s: 0 for s in Severity}
    unclaimed = 0
    for r in rows:
        n = int(r["n"])
        by_status[r["status"]] = by_status.get(r["status"], 0) + n
        if r["status"] == str(CaseStatus.OPEN):
            by_severity[Severity(r["severity"])] += n
            if not int(r["claimed"]):
                unclaimed += n
    return QueueCounts(by_status, by_severity, unclaimed)


async def claim_state(db: Database, case_id: int) -> tuple[str | None, datetime | None]:
    """Who holds the case's claim and since when."""
    row = await db.fetchone("SELECT claimed_by, claimed_at FROM cases WHERE id = ?", (case_id,))
    if row is None or row["claimed_by"] is None:
        return None, None
    return row["claimed_by"], from_iso(row["claimed_at"]) if row["claimed_at"] else None


async def try_claim(db: Database, case_id: int, actor: str, now: datetime,
                    stale_before: datetime) -> bool:
    """Take the claim unless another moderator holds a claim made after ``stale_before``.

    One conditional UPDATE, so two moderators claiming at once cannot both win.
    """
    changed = await db.execute(
        "UPDATE cases SET claimed_by = ?, claimed_at = ? WHERE id = ? AND (claimed_by IS NULL"
        " OR claimed_by = ? OR claimed_at IS NULL OR claimed_at < ?)",
        (actor, to_iso(now), case_id, actor, to_iso(stale_before)),
    )
    return changed == 1


@dataclass(frozen=True, slots=True)
class ScorePoint:
    """One decided message of a sender (no text): when, its scores, whether it was flagged."""

    at: datetime
    scores: dict[str, float]
    flagged: bool
    case_id: int | None


async def sender_history(db: Database, platform: str, community_id: str, sender_id: str,
                         limit: int = MAX_HISTORY_POINTS) -> list[ScorePoint]:
    """The sender's most recent decided messages in the community, oldest first."""
    rows = await db.fetchall(
        "SELECT decided_at, scores, flagged, case_id FROM verdicts WHERE platform = ?"
        " AND community_id = ? AND sender_id = ? ORDER BY decided_at DESC, id DESC LIMIT ?",
        (platform, community_id, sender_id, limit),
    )
    points = [
        ScorePoint(from_iso(r["decided_at"]),
                   {k: float(v) for k, v in loads(r["scores"]).items()},
                   bool(r["flagged"]), r["case_id"])
        for r in rows
    ]
    points.reverse()
    return points


@dataclass(frozen=True, slots=True)
class EffectRow:
    """One outbox row of a case: what the bot (or a moderator) asked a platform to do."""

    id: int
    kind: str
    policy: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    done_at: datetime | None


async def case_effects(db: Database, case_id: int) -> list[EffectRow]:
    rows = await db.fetchall(
        "SELECT id, kind, policy, status, attempts, last_error, created_at, done_at FROM outbox"
        " WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [
        EffectRow(int(r["id"]), r["kind"], r["policy"], r["status"], int(r["attempts"]),
                  r["last_error"], from_iso(r["created_at"]),
                  from_iso(r["done_at"]) if r["done_at"] else None)
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    verdict: str
    labels: tuple[str, ...]
    policies: tuple[str, ...]
    moderator_id: str
    at: datetime


async def case_feedback(db: Database, case_id: int) -> list[FeedbackRow]:
    rows = await db.fetchall(
        "SELECT verdict, labels, policies, moderator_id, at FROM feedback WHERE case_id = ?"
        " ORDER BY id",
        (case_id,),
    )
    return [FeedbackRow(r["verdict"], tuple(loads(r["labels"])), tuple(loads(r["policies"])),
                        r["moderator_id"], from_iso(r["at"])) for r in rows]


async def last_event_by(db: Database, case_id: int, actor: str, action: str) -> datetime | None:
    """When ``actor`` last recorded ``action`` on the case (e.g. a reveal), if ever."""
    row = await db.fetchone(
        "SELECT MAX(at) AS at FROM case_events WHERE case_id = ? AND actor = ? AND action = ?",
        (case_id, actor, action),
    )
    return from_iso(row["at"]) if row is not None and row["at"] else None


async def moderator_names(db: Database, actors: Iterable[str]) -> dict[str, str]:
    """Display names for ``platform:id`` actors, from the sign-in links they were given."""
    names: dict[str, str] = {}
    for actor in set(actors):
        platform, _, moderator_id = actor.partition(":")
        if not moderator_id:
            continue
        row = await db.fetchone(
            "SELECT moderator_name FROM review_signin_links WHERE platform = ?"
            " AND moderator_id = ? ORDER BY created_at DESC LIMIT 1",
            (platform, moderator_id),
        )
        if row is not None and row["moderator_name"]:
            names[actor] = row["moderator_name"]
    return names


# -- statistics ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CaseOpening:
    opened_at: datetime
    labels: tuple[str, ...]
    first_action_at: datetime | None


MODERATOR_FIRST_ACTIONS = ("claim", "confirm_timeout", "confirm_ban", "dismiss", "note")


async def case_openings(db: Database, scope: Scope, since: datetime) -> list[CaseOpening]:
    """Cases opened since ``since``: labels and the time of the first moderator action."""
    where, params = _scope_clause(scope, "c.")
    marks = ", ".join("?" for _ in MODERATOR_FIRST_ACTIONS)
    rows = await db.fetchall(
        "SELECT c.id, c.opened_at, c.labels, MIN(e.at) AS first_action_at FROM cases c"
        f" LEFT JOIN case_events e ON e.case_id = c.id AND e.action IN ({marks})"
        f" WHERE {where} AND c.opened_at >= ? GROUP BY c.id, c.opened_at, c.labels",
        (*MODERATOR_FIRST_ACTIONS, *params, to_iso(since)),
    )
    return [
        CaseOpening(from_iso(r["opened_at"]), tuple(loads(r["labels"])),
                    from_iso(r["first_action_at"]) if r["first_action_at"] else None)
        for r in rows
    ]


async def feedback_since(db: Database, scope: Scope, since: datetime
                         ) -> list[tuple[tuple[str, ...], str]]:
    """(policies, verdict) of every moderator decision since ``since``."""
    where, params = _scope_clause(scope)
    rows = await db.fetchall(
        f"SELECT policies, verdict FROM feedback WHERE {where} AND at >= ?",
        (*params, to_iso(since)),
    )
    return [(tuple(loads(r["policies"])), r["verdict"]) for r in rows]


async def recipient_feedback_since(db: Database, scope: Scope, since: datetime
                                   ) -> list[tuple[tuple[str, ...], str]]:
    """(policies whose warnings reached them, verdict) of every answer from a warned person
    since ``since``."""
    where, params = _scope_clause(scope)
    rows = await db.fetchall(
        f"SELECT policies, verdict FROM recipient_feedback WHERE {where} AND at >= ?",
        (*params, to_iso(since)),
    )
    return [(tuple(loads(r["policies"])), r["verdict"]) for r in rows]


# -- privacy -------------------------------------------------------------------------------

async def delete_review_user_data(db: Database, platform: str, user_id: str) -> int:
    """Forget a moderator's sign-in links and session grants; returns the rows removed.
    (Their audit-trail entries stay with the cases, as the other moderator actions do.)"""
    removed = await db.execute(
        "DELETE FROM review_signin_links WHERE platform = ? AND moderator_id = ?",
        (platform, user_id),
    )
    return removed + await db.execute(
        "DELETE FROM review_session_grants WHERE platform = ? AND moderator_id = ?",
        (platform, user_id),
    )


async def delete_review_community_data(db: Database, platform: str, community_id: str) -> int:
    """Forget every sign-in link and session grant for one community; returns the rows removed."""
    removed = await db.execute(
        "DELETE FROM review_signin_links WHERE platform = ? AND community_id = ?",
        (platform, community_id),
    )
    return removed + await db.execute(
        "DELETE FROM review_session_grants WHERE platform = ? AND community_id = ?",
        (platform, community_id),
    )
