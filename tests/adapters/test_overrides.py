"""The pure editing of a community's policy overrides shared by the chat adapters' commands."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from adapters.overrides import (
    Change,
    PolicyMode,
    changes,
    parse_score,
    with_mode,
    with_threshold,
    without,
)


def test_thresholds_go_to_the_pack_or_to_one_policy_without_touching_the_original() -> None:
    original = MappingProxyType({"min_scores": {"p1": {"grooming": 0.5}}})
    changed = with_threshold(original, "grooming", 0.8)
    changed = with_threshold(changed, "image_request", 0.9, "p1")
    assert changed == {"flag_thresholds": {"grooming": 0.8},
                       "min_scores": {"p1": {"grooming": 0.5, "image_request": 0.9}}}
    assert original == {"min_scores": {"p1": {"grooming": 0.5}}}


def test_a_policy_is_on_shadowed_or_off_never_two_at_once() -> None:
    shadowed = with_mode({}, "p1", PolicyMode.SHADOW)
    assert shadowed == {"shadow": ["p1"]}
    off = with_mode(shadowed, "p1", PolicyMode.OFF)
    assert off == {"disabled": ["p1"]}
    assert with_mode(off, "p1", PolicyMode.OFF) == {"disabled": ["p1"]}
    assert with_mode(off, "p1", PolicyMode.ON) == {}


def test_reset_undoes_everything_or_one_policy() -> None:
    current = {"flag_thresholds": {"grooming": 0.8}, "min_scores": {"p1": {"grooming": 0.6}},
               "shadow": ["p1"], "disabled": ["p2"], "risk": {"noise_floor": 0.2}}
    assert without(current) == {}
    assert without(current, "p1") == {"flag_thresholds": {"grooming": 0.8},
                                       "disabled": ["p2"], "risk": {"noise_floor": 0.2}}
    assert without(current, "unknown") == current


def test_changes_read_in_a_stable_order() -> None:
    current = {"risk": {"noise_floor": 0.2}, "disabled": ["b", "a"], "shadow": ["c"],
               "min_scores": {"p1": {"grooming": 0.6}}, "flag_thresholds": {"sextortion": 0.5}}
    assert changes(current) == [
        Change("flag_threshold", label="sextortion", value="0.5"),
        Change("min_score", policy="p1", label="grooming", value="0.6"),
        Change("off", policy="a"), Change("off", policy="b"),
        Change("shadow", policy="c"),
        Change("risk", label="noise_floor", value="0.2"),
    ]
    assert changes({}) == []


@pytest.mark.parametrize("text,value", [("0.8", 0.8), (".8", 0.8), ("0,8", 0.8), (" 1 ", 1.0),
                                        ("1.5", 1.5)])
def test_scores_are_read_as_typed(text: str, value: float) -> None:
    assert parse_score(text) == value


@pytest.mark.parametrize("text", ["high", "", "nan", "inf", "0.8.1"])
def test_what_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_score(text)
