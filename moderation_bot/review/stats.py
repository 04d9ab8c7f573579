"""Statistics for the review UI, computed from query rows (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from moderation_bot.core.types import LABELS
from moderation_bot.storage.review_queries import CaseOpening

UNLABELLED = "member_report"
"""Cases opened by a member's report carry no detector label; they are counted under this."""

FIRST_ACTION_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under 15 min", 15 * 60),
    ("15–60 min", 3600),
    ("1–4 h", 4 * 3600),
    ("4–24 h", 86400),
    ("over a day", float("inf")),
)


@dataclass(frozen=True, slots=True)
class DailyCases:
    days: tuple[date, ...]
    by_label: dict[str, list[int]]

    @property
    def totals(self) -> list[int]:
        return [sum(v[i] for v in self.by_label.values()) for i in range(len(self.days))]


def cases_per_day(openings: Sequence[CaseOpening], first_day: date, last_day: date) -> DailyCases:
    """Cases opened per UTC day, counted once under their first label."""
    days = tuple(first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1))
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, list[int]] = {label: [0] * len(days) for label in (*LABELS, UNLABELLED)}
    for opening in openings:
        i = index.get(opening.opened_at.date())
        if i is None:
            continue
        label = opening.labels[0] if opening.labels else UNLABELLED
        series.setdefault(label, [0] * len(days))[i] += 1
    return DailyCases(days, {k: v for k, v in series.items() if any(v)})


@dataclass(frozen=True, slots=True)
class FirstActionSummary:
    acted: int
    waiting: int
    median_s: float | None
    p90_s: float | None
    buckets: tuple[tuple[str, int], ...]


def time_to_first_action(openings: Sequence[CaseOpening]) -> FirstActionSummary:
    waits = sorted(
        (o.first_action_at - o.opened_at).total_seconds()
        for o in openings if o.first_action_at is not None
    )
    counts = [0] * len(FIRST_ACTION_BUCKETS)
    for wait in waits:
        for i, (_, upper) in enumerate(FIRST_ACTION_BUCKETS):
            if wait < upper:
                counts[i] += 1
                break
    p90 = waits[min(len(waits) - 1, int(0.9 * len(waits)))] if waits else None
    return FirstActionSummary(
        acted=len(waits),
        waiting=sum(1 for o in openings if o.first_action_at is None),
        median_s=median(waits) if waits else None,
        p90_s=p90,
        buckets=tuple((name, n) for (name, _), n in zip(FIRST_ACTION_BUCKETS, counts)),
    )


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    policy: str
    decided: int
    dismissed: int
    said_fine: int = 0

    @property
    def share_dismissed(self) -> float:
        return self.dismissed / self.decided if self.decided else 0.0


def dismissed_per_policy(
    feedback: Sequence[tuple[tuple[str, ...], str]],
    recipient_feedback: Sequence[tuple[tuple[str, ...], str]] = (),
) -> list[PolicyOutcome]:
    """For each policy that fired on decided cases: how many were dismissed as false positives;
    and for each policy whose warnings people answered: how many said "this was fine".

    A case counts for every policy that fired on it, an answer for every policy whose warning
    reached that person. Most-dismissed first.
    """
    decided: dict[str, int] = {}
    dismissed: dict[str, int] = {}
    said_fine: dict[str, int] = {}
    for policies, verdict in feedback:
        for policy in set(policies):
            decided[policy] = decided.get(policy, 0) + 1
            if verdict == "false_positive":
                dismissed[policy] = dismissed.get(policy, 0) + 1
    for policies, verdict in recipient_feedback:
        if verdict != "fine":
            continue
        for policy in set(policies):
            said_fine[policy] = said_fine.get(policy, 0) + 1
    outcomes = [PolicyOutcome(p, decided.get(p, 0), dismissed.get(p, 0), said_fine.get(p, 0))
                for p in {*decided, *said_fine}]
    return sorted(outcomes, key=lambda o: (-o.share_dismissed, -o.decided, -o.said_fine,
                                           o.policy))


def day_range(now: datetime, days: int) -> tuple[date, date]:
    last = now.date()
    return last - timedelta(days=days - 1), last
