"""Deleting a person's or a community's data, and purging evidence text past retention."""

from __future__ import annotations

from datetime import datetime

from moderation_bot.clock import to_iso
from moderation_bot.storage.codec import dumps, users_from_json, users_to_json
from moderation_bot.storage.database import Database
from moderation_bot.storage.sql import like_pattern

DELETED_ACTOR = "deleted-user"

_COMMUNITY_TABLES = (
    "outbox", "evidence", "feedback", "recipient_feedback", "campaign_marks", "cases",
    "verdicts", "conversation_state", "sender_state", "warnings_sent", "communities",
)


async def delete_user_data(db: Database, platform: str, user_id: str) -> int:
    """Remove everything about one user: cases on them (with their evidence and audit trail),
    messages they wrote kept as evidence elsewhere, verdicts, risk state, text hashes and their
    answers to warnings. Where they appear as a recipient or a moderator, their id is removed or
    replaced. A campaign case they opened that holds other accounts' messages is handed to the
    next of those accounts instead of deleted. Returns rows touched."""
    touched = 0
    async with db.transaction():
        case_ids = [r["id"] for r in await db.fetchall(
            "SELECT id FROM cases WHERE platform = ? AND sender_id = ?", (platform, user_id))]
        for case_id in case_ids:
            if await _hand_over(db, case_id, platform, user_id):
                touched += 1
                continue
            # Child rows go first so the count is honest; cascades would remove them anyway.
            for table in ("outbox", "evidence", "feedback", "recipient_feedback",
                          "case_events"):
                touched += await db.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,))
            touched += await db.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        for table, column in (
            ("evidence", "sender_id"), ("verdicts", "sender_id"),
            ("conversation_state", "sender_id"), ("sender_state", "sender_id"),
            ("campaign_marks", "sender_id"), ("campaign_marks", "recipient_id"),
            ("outbox", "target_id"),
            ("warnings_sent", "sender_id"), ("warnings_sent", "recipient_id"),
            ("recipient_feedback", "recipient_id"),
        ):
            touched += await db.execute(
                f"DELETE FROM {table} WHERE platform = ? AND {column} = ?", (platform, user_id)
            )
        touched += await _scrub_recipients(db, "cases", platform, user_id)
        touched += await _scrub_recipients(db, "evidence", platform, user_id)
        touched += await db.execute(
            "UPDATE cases SET claimed_by = NULL WHERE platform = ? AND claimed_by = ?",
            (platform, f"{platform}:{user_id}"),
        )
        touched += await db.execute(
            "UPDATE case_events SET actor = ? WHERE actor = ?",
            (DELETED_ACTOR, f"{platform}:{user_id}"),
        )
        touched += await db.execute(
            "UPDATE feedback SET moderator_id = ? WHERE platform = ? AND moderator_id = ?",
            (DELETED_ACTOR, platform, user_id),
        )
    return touched


async def _hand_over(db: Database, case_id: int, platform: str, user_id: str) -> bool:
    """Give a campaign case to the account whose message joined it first, unless there is none
    or that account has its own open case (one open case per sender). Their own messages are
    deleted by the caller."""
    case = await db.fetchone("SELECT community_id, status FROM cases WHERE id = ?", (case_id,))
    heir = await db.fetchone(
        "SELECT sender_id, sender_name FROM evidence WHERE case_id = ? AND sender_id != ?"
        " ORDER BY sent_at, id LIMIT 1", (case_id, user_id))
    if case is None or heir is None:
        return False
    if case["status"] == "open" and await db.fetchone(
        "SELECT 1 FROM cases WHERE platform = ? AND community_id = ? AND sender_id = ?"
        " AND status = 'open'", (platform, case["community_id"], heir["sender_id"])
    ):
        return False
    await db.execute(
        "UPDATE cases SET sender_id = ?, sender_name = ?, sender_account_age_s = NULL,"
        " sender_membership_age_s = NULL WHERE id = ?",
        (heir["sender_id"], heir["sender_name"], case_id),
    )
    return True


async def _scrub_recipients(db: Database, table: str, platform: str, user_id: str) -> int:
    lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
    rows = await db.fetchall(
        f"SELECT id, recipients FROM {table} WHERE platform = ? AND recipients LIKE ? ESCAPE '!'"
        + lock,
        (platform, like_pattern(f'"id":{dumps(user_id)}')),
    )
    touched = 0
    for row in rows:  # LIKE only narrows the search (SQLite's ignores case): compare exactly
        recipients = users_from_json(row["recipients"])
        kept = [u for u in recipients if u.id != user_id]
        if len(kept) == len(recipients):
            continue
        touched += await db.execute(
            f"UPDATE {table} SET recipients = ? WHERE id = ?", (users_to_json(kept), row["id"])
        )
    return touched


async def delete_community_data(db: Database, platform: str, community_id: str) -> int:
    touched = 0
    async with db.transaction():
        for table in _COMMUNITY_TABLES:
            touched += await db.execute(
                f"DELETE FROM {table} WHERE platform = ? AND community_id = ?",
                (platform, community_id),
            )
    return touched


async def purge_expired_text(db: Database, now: datetime) -> int:
    """Blank evidence text whose retention period has passed; hashes and scores stay."""
    return await db.execute(
        "UPDATE evidence SET text = NULL WHERE text IS NOT NULL AND purge_after <= ?",
        (to_iso(now),),
    )
