"""Small builders for the policy tests: core values made directly, no I/O."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from moderation_bot.core.types import (
    LABELS,
    Classification,
    CommunitySettings,
    IncomingMessage,
    RiskState,
    UserRef,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def person(name: str) -> UserRef:
    return UserRef("test", f"id-{name}", name)


def msg(
    *,
    sender: str = "stranger",
    to: tuple[str, ...] = ("teen",),
    private: bool = False,
    **extra: Any,
) -> IncomingMessage:
    """A message; its text is irrelevant to the engine, which only sees scores."""
    return IncomingMessage(
        platform="test",
        community_id="c1",
        channel_id="ch1",
        conversation_id="conv1",
        message_id=f"m{next(_ids)}",
        sender=person(sender),
        text="(not read by the engine)",
        sent_at=T0,
        private=private,
        recipients=tuple(person(n) for n in to),
        **extra,
    )


def scores(**given: float) -> Classification:
    """Scores for each label; labels not given score 0.02, like a clearly harmless message."""
    unknown = set(given) - set(LABELS)
    assert not unknown, unknown
    return Classification({label: given.get(label, 0.02) for label in LABELS}, "test-model")


def community(pack: str = "default", **extra: Any) -> CommunitySettings:
    return CommunitySettings(platform="test", community_id="c1", policy_pack=pack, **extra)


def state(**fields: Any) -> RiskState:
    return RiskState(**fields)
