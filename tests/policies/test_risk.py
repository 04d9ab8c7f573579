"""Risk over time: decays, stays bounded, and rewards different signs over repeats."""

from __future__ import annotations

import random

import pytest

from moderation_bot.core.types import LABELS, Classification, RiskState
from policies.loader import load_pack
from policies.risk import advance, decay
from policies.schema import RiskParams
from tests.policies.builders import scores

PARAMS = load_pack("default").risk
HOUR = 3600.0


def run(
    messages: list[Classification], *, gap_s: float = 60.0, params: RiskParams = PARAMS
) -> list[RiskState]:
    """The state after each message of one sender, ``gap_s`` apart."""
    states: list[RiskState] = []
    current = RiskState()
    for i, classification in enumerate(messages):
        since = None if i == 0 else gap_s
        current = advance(
            current,
            classification,
            seconds_since_conversation=since,
            seconds_since_sender=since,
            params=params,
        )
        states.append(current)
    return states


def test_decay_halves_after_one_half_life() -> None:
    assert decay(0.8, 6 * HOUR, 6 * HOUR) == pytest.approx(0.4)
    assert decay(0.8, None, 6 * HOUR) == 0.8
    assert decay(0.8, -5, 6 * HOUR) == 0.8  # clocks that go backwards do not add risk


def test_harmless_chat_adds_nothing() -> None:
    final = run([scores()] * 200)[-1]
    assert final.conversation_risk == 0.0
    assert final.signals == frozenset()
    assert final.message_count == 200


def test_one_ambiguous_line_stays_low() -> None:
    after = run([scores(grooming=0.55)])[-1]
    assert 0.0 < after.conversation_risk < 0.4
    assert after.signals == {"grooming"}


def test_different_signs_add_up_more_than_repeats() -> None:
    probe_secrecy_picture = run(
        [scores(grooming=0.55), scores(grooming=0.6), scores(image_request=0.6)]
    )
    same_thing_three_times = run([scores(grooming=0.55)] * 3)
    assert (
        probe_secrecy_picture[-1].conversation_risk > same_thing_three_times[-1].conversation_risk
    )
    assert probe_secrecy_picture[-1].signals == {"grooming", "image_request"}
    risks = [s.conversation_risk for s in probe_secrecy_picture]
    assert risks == sorted(risks)  # each sign raises it


def test_repeats_count_less_each_time() -> None:
    risks = [s.conversation_risk for s in run([scores(grooming=0.6)] * 4)]
    steps = [b - a for a, b in zip([0.0, *risks[:-1]], risks, strict=True)]
    assert steps == sorted(steps, reverse=True)


def test_risk_fades_and_a_cold_conversation_forgets_its_signals() -> None:
    hot = run([scores(grooming=0.9)])[-1]
    later = advance(
        hot,
        scores(),
        seconds_since_conversation=6 * HOUR,
        seconds_since_sender=6 * HOUR,
        params=PARAMS,
    )
    assert later.conversation_risk == pytest.approx(hot.conversation_risk / 2)
    assert later.signals == {"grooming"}
    weeks = advance(
        hot,
        scores(),
        seconds_since_conversation=30 * 24 * HOUR,
        seconds_since_sender=30 * 24 * HOUR,
        params=PARAMS,
    )
    assert weeks.conversation_risk < PARAMS.forget_below
    assert weeks.signals == frozenset()
    assert weeks.sender_risk > weeks.conversation_risk  # the sender's memory is longer


def test_a_disclosure_adds_no_risk_to_the_person_disclosing() -> None:
    # A victim quoting the threat made against them scores high on several labels.
    after = run([scores(victim_disclosure=0.9, sextortion=0.9, image_request=0.6)])[-1]
    assert after.conversation_risk < 0.15
    assert after.signals == frozenset()


def test_fields_filled_by_the_conversation_module_are_carried_through() -> None:
    prev = RiskState(campaign_size=3, other_communities_flagged=2)
    after = advance(
        prev,
        scores(sextortion=0.9),
        seconds_since_conversation=None,
        seconds_since_sender=None,
        params=PARAMS,
    )
    assert (after.campaign_size, after.other_communities_flagged) == (3, 2)


@pytest.mark.parametrize("pack", ["default", "teen", "adult-dating"])
def test_risk_stays_between_zero_and_one(pack: str) -> None:
    params = load_pack(pack).risk
    rng = random.Random(7)
    current = RiskState()
    for _ in range(500):
        given = {label: rng.choice([0.0, 0.02, 0.5, 0.99, 1.0, rng.random()]) for label in LABELS}
        gap = rng.choice([None, 0.0, 1.0, 1e9, float("inf"), float("nan")])
        current = advance(
            current,
            Classification(given, "m"),
            seconds_since_conversation=gap,
            seconds_since_sender=gap,
            params=params,
        )
        assert 0.0 <= current.conversation_risk <= 1.0
        assert 0.0 <= current.sender_risk <= 1.0
        assert current.signals <= set(LABELS) - {"victim_disclosure"}


def test_nan_scores_do_not_poison_the_state() -> None:
    after = run([Classification({"grooming": float("nan")}, "m"), scores(grooming=0.6)])[-1]
    assert 0.0 < after.conversation_risk <= 1.0
