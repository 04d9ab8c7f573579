"""Sender-level evaluation of a pack: who gets escalated, and after how many of their messages.

Grooming shows over a conversation, so a message-level score says little about how the engine
behaves. This replays one sender's messages (already classified) through :func:`risk.advance`
and :func:`engine.evaluate`, exactly as the pipeline does, and reports the first message that
opened a case. Grouping streams (offenders, decoys, ordinary chat) gives the three numbers the
packs are tuned on: how many offenders are escalated, after how many messages, and how many
ordinary senders are wrongly escalated. Pure: the caller reads the corpora and runs the
classifier.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from moderation_bot.core.types import (
    Classification,
    CommunitySettings,
    IncomingMessage,
    RiskState,
    UserRef,
)
from policies.engine import evaluate
from policies.risk import advance
from policies.schema import PolicyPack


@dataclass(frozen=True, slots=True)
class SenderOutcome:
    group: str
    stream_id: str
    messages: int
    first_escalation: int | None
    """1-based index of the message that first opened a case, ``None`` if none did."""


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    group: str
    senders: int
    escalated: int
    median_messages_to_first: float | None

    @property
    def escalated_share(self) -> float:
        return self.escalated / self.senders if self.senders else 0.0

    def __str__(self) -> str:
        median = (
            "-" if self.median_messages_to_first is None else f"{self.median_messages_to_first:g}"
        )
        return (
            f"{self.group}: {self.escalated}/{self.senders} senders escalated "
            f"({100 * self.escalated_share:.1f}%), median messages to first escalation {median}"
        )


_SENDER = UserRef("eval", "sender", "sender")
_RECIPIENT = UserRef("eval", "recipient", "recipient")


def first_escalation(
    pack: PolicyPack,
    classifications: Iterable[Classification],
    *,
    gap_s: float = 60.0,
    private: bool = True,
    recipient_is_minor: bool | None = None,
) -> tuple[int, int | None]:
    """(messages seen, 1-based index of the first message that escalated or ``None``).

    Messages are taken as ``gap_s`` seconds apart in one private conversation (the corpora we
    tune on have no timestamps); replay stops at the first escalation.
    """
    settings = CommunitySettings(platform="eval", community_id="eval", policy_pack=pack.name)
    message = IncomingMessage(
        platform="eval",
        community_id="eval",
        channel_id="eval",
        conversation_id="eval",
        message_id="eval",
        sender=_SENDER,
        text="",
        sent_at=datetime(2000, 1, 1, tzinfo=UTC),
        private=private,
        recipients=(_RECIPIENT,),
        recipient_is_minor=recipient_is_minor,
    )
    state = RiskState()
    count = 0
    for count, classification in enumerate(classifications, start=1):
        since = None if count == 1 else gap_s
        state = advance(
            state,
            classification,
            seconds_since_conversation=since,
            seconds_since_sender=since,
            params=pack.risk,
        )
        if evaluate(pack, settings, message, classification, state).opens_case:
            return count, count
    return count, None


def summarize(outcomes: Iterable[SenderOutcome]) -> Mapping[str, GroupMetrics]:
    """Metrics per group, in the order groups first appear."""
    groups: dict[str, list[SenderOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.group, []).append(outcome)
    result: dict[str, GroupMetrics] = {}
    for group, items in groups.items():
        firsts = [o.first_escalation for o in items if o.first_escalation is not None]
        result[group] = GroupMetrics(
            group=group,
            senders=len(items),
            escalated=len(firsts),
            median_messages_to_first=float(statistics.median(firsts)) if firsts else None,
        )
    return result
