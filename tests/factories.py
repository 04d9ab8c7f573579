"""Builders for realistic core values in tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from moderation_bot.core.types import IncomingMessage, UserRef

_ids = itertools.count(1)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def user(name: str, platform: str = "test") -> UserRef:
    return UserRef(platform, f"id-{name}", name)


def message(text: str, *, sender: str = "stranger", to: str | None = "teen",
            platform: str = "test", community: str = "c1", conversation: str = "general",
            private: bool = False, at: datetime | None = None, **extra: Any) -> IncomingMessage:
    number = next(_ids)
    return IncomingMessage(
        platform=platform,
        community_id=community,
        channel_id=conversation,
        conversation_id=conversation,
        message_id=f"m{number}",
        sender=user(sender, platform),
        text=text,
        sent_at=at or T0 + timedelta(seconds=number),
        private=private,
        recipients=(user(to, platform),) if to else (),
        sender_account_age_s=extra.pop("account_age", 2 * 86400.0),
        sender_membership_age_s=extra.pop("membership_age", 3600.0),
        **extra,
    )
