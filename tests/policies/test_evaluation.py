"""Sender-level replay used to tune the packs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from moderation_bot.core.types import Classification
from policies.evaluation import (
    SenderOutcome,
    classify_streams,
    evaluate_pack,
    first_escalation,
    messages_with_effects,
    read_streams,
    summarize,
    table,
)
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


def test_adult_dating_acts_on_a_grooming_pattern_or_a_minor_not_on_sexting() -> None:
    pack = load_pack("adult-dating")
    # A long consensual chat, a message a minute: a picture request, and one line in ten that
    # the detector reads as grooming.
    sexting = [scores(image_request=0.9)] + ([scores(grooming=0.93)] + [scores()] * 9) * 20
    assert first_escalation(pack, sexting) == (201, None)
    persisting = [scores(grooming=0.93), scores(image_request=0.9), scores()] * 10
    assert first_escalation(pack, persisting)[1] == 25  # its ninth grooming line
    assert first_escalation(pack, sexting, recipient_is_minor=True) == (1, 1)


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


def test_messages_with_effects_counts_every_message_the_bot_acts_on() -> None:
    pack = load_pack("default")
    stream = [scores(), scores(sextortion=0.92), scores(), scores(victim_disclosure=0.8)]
    assert messages_with_effects(pack, stream) == (4, 2)
    assert messages_with_effects(pack, []) == (0, 0)


class _Fixed:
    """A classifier that scores a text by a fixed lookup (unknown texts are harmless)."""

    model_id = "fixed"

    def __init__(self, table: dict[str, Classification]) -> None:
        self._table = table

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        return [self._table.get(t, scores()) for t in texts]


def test_streams_are_read_per_sender_split_and_evaluated(tmp_path: Path) -> None:
    pj = tmp_path / "perverted-justice"
    (pj / "predators").mkdir(parents=True)
    (pj / "officers").mkdir()
    (pj / "predators" / "predator_a.txt").write_text("hi\n\nthreat\nhi\n", encoding="utf-8")
    (pj / "officers" / "officer_a.txt").write_text("hello\n", encoding="utf-8")
    (pj / "predators" / "predator_b.txt").write_text("hi\n", encoding="utf-8")
    (tmp_path / "chitchat").mkdir()
    chat = {"c1": {"messages": [[{"text": "Hey", "sender": "x"}], [{"text": "yo", "sender": "y"}]]}}
    (tmp_path / "chitchat" / "dataset.json").write_text(json.dumps(chat), encoding="utf-8")

    streams = read_streams(tmp_path, split_of=lambda key: "test" if key == "pj:b" else "dev")
    assert [(s.group, s.stream_id, s.split, s.texts) for s in streams] == [
        ("offender", "a", "dev", ("hi", "threat", "hi")),
        ("decoy", "a", "dev", ("hello",)),
        ("offender", "b", "test", ("hi",)),
        ("ordinary", "c1:x", "dev", ("Hey",)),
        ("ordinary", "c1:y", "dev", ("yo",)),
    ]
    dev = read_streams(tmp_path, split_of=lambda key: "test" if key == "pj:b" else "dev",
                       splits=("dev",))
    assert [s.stream_id for s in dev] == ["a", "a", "c1:x", "c1:y"]

    scored = classify_streams(dev, _Fixed({"threat": scores(sextortion=0.92)}), str.lower)
    metrics, ordinary = evaluate_pack(load_pack("default"), dev, scored)
    assert (metrics["offender"].escalated, metrics["offender"].median_messages_to_first) == (1, 2)
    assert metrics["decoy"].escalated == 0 and metrics["ordinary"].senders == 2
    assert ordinary == (2, 0)
    text = table({"default": (metrics, ordinary)})
    assert "| default | 1 / 1 (100.0%) | 2 | 0 / 1 (0.0%) | 0 / 2 (0.0%) | 0 / 2 (0.00%) |" in text
    scored = classify_streams(dev, _Fixed({"hey": scores(grooming=0.6)}), str.lower)
    minor, _ = evaluate_pack(load_pack("adult-dating"), dev, scored, recipient_is_minor=True)
    unknown, _ = evaluate_pack(load_pack("adult-dating"), dev, scored)
    assert (minor["ordinary"].escalated, unknown["ordinary"].escalated) == (1, 0)
