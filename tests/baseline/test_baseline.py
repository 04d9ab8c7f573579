"""The transparent keyword baseline: what it catches, what it must leave alone."""

from __future__ import annotations

import pytest

from classifiers.baseline import MODEL_ID, BaselineClassifier
from classifiers.normalize import normalize
from moderation_bot.core.types import LABELS

baseline = BaselineClassifier()


def score(text: str, label: str) -> float:
    return baseline.classify_batch([normalize(text)])[0].scores[label]


@pytest.mark.parametrize(("text", "label"), [
    ("I have your nudes. Pay $200 or I send them to your family", "sextortion"),
    ("i recorded you. 500 in bitcoin within 24 hours or your friends see everything",
     "sextortion"),
    ("send nudes", "image_request"),
    ("can u send me a pic of you in your bra", "image_request"),
    ("how old are you? this is our little secret", "grooming"),
    ("i'll buy you robux if you add me on snap", "grooming"),
    ("this guy is blackmailing me with my pics, what do i do", "victim_disclosure"),
])
def test_clear_cases_score_high(text: str, label: str) -> None:
    assert score(text, label) >= 0.75


@pytest.mark.parametrize("text", [
    "send me a pic of your dog",
    "pay me back the 20 dollars before friday",
    "i will destroy you next game lol",
    "my mum says dinner is ready",
    "police warn parents about sextortion scams targeting teens",
    "",
])
def test_hard_negatives_stay_low(text: str) -> None:
    for label in LABELS:
        assert score(text, label) < 0.6, label


def test_batch_shape_and_model_id() -> None:
    results = baseline.classify_batch(["a", "b", "c"])
    assert len(results) == 3 and all(r.model_id == MODEL_ID for r in results)
    assert all(0.0 <= s <= 1.0 for r in results for s in r.scores.values())
