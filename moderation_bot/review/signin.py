"""Password-less sign-in for the review UI: one-time links and browser sessions.

The bot hands a moderator a link (``/modbot dashboard`` on Discord, ``/modbot_dashboard`` on
Telegram, the moderator persona in the sandbox). The link is bound to that moderator and that
community, expires after a few minutes and works once. Using it opens a session whose cookie
holds a random token; the database keeps only SHA-256 hashes of links and session tokens, so a
copy of the database signs nobody in.

A session holds *grants*: the communities it may see, each with the moderator identity that acts
there. Signing in with a second link (another community) in the same browser adds a grant to a
fresh session that replaces the old one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from moderation_bot.clock import from_iso, to_iso, utcnow
from moderation_bot.core.types import UserRef
from moderation_bot.storage import Store

LINK_TTL_S = 600
MAX_LINK_TTL_S = 24 * 3600
SESSION_TTL = timedelta(hours=12)
KEEP_USED_LINKS = timedelta(days=7)
"""Used and expired links stay this long (who signed in when), then are deleted."""

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    """Whether a string could be a link or session token at all (cheap check before SQL)."""
    return bool(_TOKEN.match(token))


@dataclass(frozen=True, slots=True)
class Grant:
    """One community a session may see, and who the moderator is there."""

    platform: str
    community_id: str
    moderator: UserRef

    @property
    def actor(self) -> str:
        """The audit trail's actor id, as the pipeline writes it."""
        return f"{self.moderator.platform}:{self.moderator.id}"

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, self.community_id


@dataclass(frozen=True, slots=True)
class Session:
    session_sha256: str
    expires_at: datetime
    grants: tuple[Grant, ...]

    def grant_for(self, platform: str, community_id: str) -> Grant | None:
        return next((g for g in self.grants if g.key == (platform, community_id)), None)

    @property
    def scope(self) -> tuple[tuple[str, str], ...]:
        return tuple(g.key for g in self.grants)


@dataclass(frozen=True, slots=True)
class PendingLink:
    """An unused, unexpired link, as shown on the "sign in?" page before it is used."""

    grant: Grant
    expires_at: datetime


async def issue_signin_link(
    store: Store, platform: str, community_id: str, moderator: UserRef, *, base_url: str,
    ttl_s: int = LINK_TTL_S, clock: Callable[[], datetime] = utcnow,
) -> str:
    """Create a one-time sign-in link for ``moderator`` in one community; returns its URL.

    ``base_url`` is the public URL where the review app is mounted (e.g.
    ``http://127.0.0.1:8080/review``). The caller has already checked that ``moderator`` is a
    moderator of that community on that platform.
    """
    if not platform or not community_id or not moderator.id:
        raise ValueError("platform, community_id and moderator.id must not be empty")
    if moderator.platform != platform:
        raise ValueError("the moderator must belong to the link's platform")
    if not 1 <= ttl_s <= MAX_LINK_TTL_S:
        raise ValueError(f"ttl_s must be between 1 and {MAX_LINK_TTL_S} seconds")
    now = clock()
    token = secrets.token_urlsafe(32)
    async with store.transaction():
        await store.db.execute(
            "DELETE FROM review_signin_links WHERE expires_at < ?",
            (to_iso(now - KEEP_USED_LINKS),),
        )
        await store.db.execute(
            "DELETE FROM review_sessions WHERE expires_at < ?", (to_iso(now),)
        )
        await store.db.execute(
            "INSERT INTO review_signin_links (token_sha256, platform, community_id, moderator_id,"
            " moderator_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash(token), platform, community_id, moderator.id, moderator.name[:200],
             to_iso(now), to_iso(now + timedelta(seconds=ttl_s))),
        )
    return f"{base_url.rstrip('/')}/signin/{token}"


async def pending_link(store: Store, token: str, now: datetime) -> PendingLink | None:
    """The link if it can still be used; ``None`` when unknown, expired or already used."""
    if not well_formed(token):
        return None
    row = await store.db.fetchone(
        "SELECT * FROM review_signin_links WHERE token_sha256 = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (token_hash(token), to_iso(now)),
    )
    if row is None:
        return None
    grant = Grant(row["platform"], row["community_id"],
                  UserRef(row["platform"], row["moderator_id"], row["moderator_name"]))
    return PendingLink(grant, from_iso(row["expires_at"]))


async def redeem_link(
    store: Store, token: str, now: datetime, *, current: Session | None = None,
) -> tuple[str, Session] | None:
    """Use a link once: returns (new session cookie token, session), or ``None`` when the link
    is unknown, expired or used. The grants of ``current`` carry over to the new session."""
    if not well_formed(token):
        return None
    db = store.db
    async with store.transaction():
        used = await db.execute(
            "UPDATE review_signin_links SET used_at = ? WHERE token_sha256 = ?"
            " AND used_at IS NULL AND expires_at > ?",
            (to_iso(now), token_hash(token), to_iso(now)),
        )
        if used != 1:
            return None
        link = await pending_or_used(store, token)
        assert link is not None
        grants = [g for g in (current.grants if current else ()) if g.key != link.key]
        grants.append(link)
        session_token = secrets.token_urlsafe(32)
        session_sha = token_hash(session_token)
        expires_at = now + SESSION_TTL
        await db.execute(
            "INSERT INTO review_sessions (session_sha256, created_at, expires_at)"
            " VALUES (?, ?, ?)",
            (session_sha, to_iso(now), to_iso(expires_at)),
        )
        for grant in grants:
            await db.execute(
                "INSERT INTO review_session_grants (session_sha256, platform, community_id,"
                " moderator_id, moderator_name, granted_at) VALUES (?, ?, ?, ?, ?, ?)",
                (session_sha, grant.platform, grant.community_id, grant.moderator.id,
                 grant.moderator.name, to_iso(now)),
            )
        if current is not None:
            await _delete_session(store, current.session_sha256)
    return session_token, Session(session_sha, expires_at, tuple(grants))


async def pending_or_used(store: Store, token: str) -> Grant | None:
    row = await store.db.fetchone(
        "SELECT platform, community_id, moderator_id, moderator_name FROM review_signin_links"
        " WHERE token_sha256 = ?",
        (token_hash(token),),
    )
    if row is None:
        return None
    return Grant(row["platform"], row["community_id"],
                 UserRef(row["platform"], row["moderator_id"], row["moderator_name"]))


async def load_session(store: Store, session_token: str, now: datetime) -> Session | None:
    """The live session for a cookie value, or ``None``."""
    if not well_formed(session_token):
        return None
    session_sha = token_hash(session_token)
    row = await store.db.fetchone(
        "SELECT expires_at FROM review_sessions WHERE session_sha256 = ? AND expires_at > ?",
        (session_sha, to_iso(now)),
    )
    if row is None:
        return None
    rows = await store.db.fetchall(
        "SELECT platform, community_id, moderator_id, moderator_name FROM review_session_grants"
        " WHERE session_sha256 = ? ORDER BY platform, community_id",
        (session_sha,),
    )
    grants = tuple(
        Grant(r["platform"], r["community_id"],
              UserRef(r["platform"], r["moderator_id"], r["moderator_name"]))
        for r in rows
    )
    if not grants:
        return None
    return Session(session_sha, from_iso(row["expires_at"]), grants)


async def end_session(store: Store, session: Session) -> None:
    async with store.transaction():
        await _delete_session(store, session.session_sha256)


async def _delete_session(store: Store, session_sha: str) -> None:
    # Grants first: PostgreSQL and SQLite both cascade, but not every SQLite connection turns
    # foreign keys on.
    await store.db.execute(
        "DELETE FROM review_session_grants WHERE session_sha256 = ?", (session_sha,)
    )
    await store.db.execute("DELETE FROM review_sessions WHERE session_sha256 = ?", (session_sha,))
