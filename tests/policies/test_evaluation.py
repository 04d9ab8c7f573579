"""Sender-level replay used to tune the packs."""

from __future__ import annotations

from policies.evaluation import SenderOutcome, first_escalation, summarize
from policies.loader import load_pack
from tests.policies.builders import scores


def test_first_escalation_finds_the_message_where_signs_add_up() -> None:
    pack = load_pack("default")
    groomer = [
        scores(),
        scores(grooming=0.55),
        scores(),
        scores(grooming=0.6),
        scores(image_request=0.6),
        scores(),
    ]
    assert first_escalation(pack, groomer) == (5, 5)
    assert first_escalation(pack, [scores()] * 10) == (10, None)
    assert first_escalation(pack, []) == (0, None)


def test_summary_counts_senders_per_group() -> None:
    metrics = summarize(
        [
            SenderOutcome("offender", "a", 10, 3),
            SenderOutcome("offender", "b", 10, None),
            SenderOutcome("offender", "c", 10, 7),
            SenderOutcome("ordinary", "d", 5, None),
        ]
    )
    assert list(metrics) == ["offender", "ordinary"]
    offender = metrics["offender"]
    assert (offender.senders, offender.escalated, offender.median_messages_to_first) == (3, 2, 5.0)
    assert str(offender) == (
        "offender: 2/3 senders escalated (66.7%), median messages to first escalation 5"
    )
    assert metrics["ordinary"].escalated_share == 0.0
    assert "median messages to first escalation -" in str(metrics["ordinary"])
