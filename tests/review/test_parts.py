"""The review UI's pure parts: charts, statistics, display helpers and link validation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import pytest

from moderation_bot.core.types import UserRef
from moderation_bot.review import charts, formatting, issue_signin_link
from moderation_bot.review import stats as statistics
from moderation_bot.storage import Store
from moderation_bot.storage.review_queries import CaseOpening, QueueFilters

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML, or this raises


def test_score_timeline_is_an_accessible_svg_with_one_line_per_label() -> None:
    points = [{"sextortion": 0.1 * i, "grooming": 0.05} for i in range(8)]
    svg = str(charts.score_timeline(points, [i > 5 for i in range(8)], ident="t",
                                    title="Scores <for> \"x\""))
    root = _parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "chart-tt chart-dt"
    assert "Scores &lt;for&gt;" in svg
    assert svg.count("<polyline") == 4
    assert svg.count('class="chart-flag"') == 2


def test_a_single_point_timeline_still_draws() -> None:
    _parse(str(charts.score_timeline([{"sextortion": 0.9}], [True], ident="one", title="t")))


def test_bar_charts_escape_names_and_survive_empty_or_odd_data() -> None:
    svg = str(charts.horizontal_bars([("<script>alert(1)</script>", 0.5, "50%"),
                                      ("p" * 80, 2.0, "200%")], ident="h", title="t", desc="d"))
    _parse(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    _parse(str(charts.horizontal_bars([], ident="e", title="t", desc="d")))
    stacked = charts.stacked_bars(["a", "b"], {"sextortion": [0, 3], "other<>": [1, 0]},
                                  ident="s", title="t", desc="d")
    _parse(str(stacked))
    _parse(str(charts.stacked_bars([], {}, ident="z", title="t", desc="d")))


def test_cases_per_day_counts_each_case_once_under_its_first_label() -> None:
    openings = [
        CaseOpening(T0, ("sextortion", "grooming"), None),
        CaseOpening(T0 + timedelta(hours=1), ("grooming",), None),
        CaseOpening(T0 + timedelta(days=1), (), None),
        CaseOpening(T0 - timedelta(days=30), ("grooming",), None),  # outside the range
    ]
    daily = statistics.cases_per_day(openings, date(2026, 11, 20), date(2026, 11, 21))
    assert daily.by_label == {"sextortion": [1, 0], "grooming": [1, 0], "member_report": [0, 1]}
    assert daily.totals == [2, 1]


def test_time_to_first_action_summary_and_buckets() -> None:
    waits = [5, 20, 90, 300, 2000]  # minutes
    openings = [CaseOpening(T0, ("sextortion",), T0 + timedelta(minutes=m)) for m in waits]
    openings.append(CaseOpening(T0, ("grooming",), None))
    summary = statistics.time_to_first_action(openings)
    assert summary.acted == 5 and summary.waiting == 1
    assert summary.median_s == 90 * 60
    assert dict(summary.buckets) == {"under 15 min": 1, "15–60 min": 1, "1–4 h": 1,
                                     "4–24 h": 1, "over a day": 1}
    empty = statistics.time_to_first_action([])
    assert empty.median_s is None and empty.p90_s is None


def test_dismissed_share_per_policy() -> None:
    outcomes = statistics.dismissed_per_policy([
        (("a", "b"), "false_positive"), (("a",), "confirmed"), (("b", "b"), "false_positive"),
    ])
    assert [(o.policy, o.decided, o.dismissed) for o in outcomes] == [("b", 2, 2), ("a", 2, 1)]
    assert outcomes[1].share_dismissed == 0.5


def test_answers_from_the_people_warned_are_counted_beside_dismissals() -> None:
    outcomes = statistics.dismissed_per_policy(
        [(("a",), "false_positive")],
        [(("a", "c"), "fine"), (("c", "c"), "fine"), (("a",), "something else")],
    )
    assert [(o.policy, o.decided, o.dismissed, o.said_fine) for o in outcomes] == [
        ("a", 1, 1, 1), ("c", 0, 0, 2)]
    assert outcomes[1].share_dismissed == 0.0


def test_queue_filters_ignore_what_they_do_not_know() -> None:
    assert QueueFilters.parse({}) == QueueFilters()
    odd = QueueFilters.parse({"status": "'; DROP", "severity": "9", "label": "%"})
    assert odd.status is not None and odd.min_severity is None and odd.label is None
    assert QueueFilters.parse({"status": "all"}).status is None
    parsed = QueueFilters.parse({"severity": "High", "label": "grooming", "community": " c1 "})
    assert parsed.min_severity is not None and parsed.min_severity.name == "HIGH"
    assert parsed.label == "grooming" and parsed.community_id == "c1"


@pytest.mark.parametrize("seconds,words", [
    (None, "unknown"), (-5, "0 s"), (42, "42 s"), (600, "10 min"), (3600, "1 h"),
    (5400, "1.5 h"), (86400, "1 day"), (2 * 86400, "2 days"), (90 * 86400, "3 months"),
    (3 * 365 * 86400, "3 years"),
])
def test_durations_in_words(seconds: float | None, words: str) -> None:
    assert formatting.duration(seconds) == words


async def test_a_link_names_one_moderator_of_one_community(store: Store) -> None:
    kim = UserRef("test", "id-kim", "Kim")
    link = await issue_signin_link(store, "test", "c1", kim, base_url="https://x.example/review/")
    assert re.fullmatch(r"https://x\.example/review/signin/[A-Za-z0-9_-]{43}", link)
    for platform, community in (("", "c1"), ("test", ""), ("other", "c1")):
        with pytest.raises(ValueError):
            await issue_signin_link(store, platform, community, kim, base_url="http://x")
    with pytest.raises(ValueError):
        await issue_signin_link(store, "test", "c1", kim, base_url="http://x", ttl_s=0)
