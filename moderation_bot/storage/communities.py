"""Per-community settings chosen by admins."""

from __future__ import annotations

from moderation_bot.clock import to_iso, utcnow
from moderation_bot.core.types import CommunitySettings
from moderation_bot.storage.codec import dumps, loads
from moderation_bot.storage.database import Database


class CommunityRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, platform: str, community_id: str) -> CommunitySettings | None:
        row = await self._db.fetchone(
            "SELECT * FROM communities WHERE platform = ? AND community_id = ?",
            (platform, community_id),
        )
        if row is None:
            return None
        return CommunitySettings(
            platform=row["platform"],
            community_id=row["community_id"],
            policy_pack=row["policy_pack"],
            locale=row["locale"],
            has_minors=bool(row["has_minors"]),
            shadow=bool(row["shadow"]),
            moderator_channel_id=row["moderator_channel_id"],
            policy_overrides=loads(row["policy_overrides"]),
            moderator_role_id=row["moderator_role_id"],
        )

    async def save(self, settings: CommunitySettings) -> None:
        await self._db.execute(
            "INSERT INTO communities (platform, community_id, policy_pack, locale, has_minors,"
            " shadow, moderator_channel_id, policy_overrides, moderator_role_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, community_id) DO UPDATE SET"
            " policy_pack = excluded.policy_pack, locale = excluded.locale,"
            " has_minors = excluded.has_minors, shadow = excluded.shadow,"
            " moderator_channel_id = excluded.moderator_channel_id,"
            " policy_overrides = excluded.policy_overrides,"
            " moderator_role_id = excluded.moderator_role_id,"
            " updated_at = excluded.updated_at",
            (
                settings.platform, settings.community_id, settings.policy_pack, settings.locale,
                int(settings.has_minors), int(settings.shadow), settings.moderator_channel_id,
                dumps(dict(settings.policy_overrides)), settings.moderator_role_id,
                to_iso(utcnow()),
            ),
        )
