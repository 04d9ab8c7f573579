"""Obfuscated variants of a message score like the plain message, after normalisation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from classifiers.normalize import normalize
from classifiers.obfuscate import OBFUSCATIONS
from classifiers.onnx_model import OnnxClassifier

MESSAGES = (
    "i have your nudes pay 300 dollars or your family sees them",
    "send me a pic of you in your underwear",
    "dont tell your parents we talk its our secret",
    "someone has my pics and wants money what do i do",
    "see you at the game tonight",
)


@pytest.mark.parametrize("name", sorted(OBFUSCATIONS))
def test_obfuscated_variants_score_like_plain_text(shipped: OnnxClassifier, name: str) -> None:
    rng = random.Random(42)
    plain = shipped.probabilities([normalize(m) for m in MESSAGES])
    variants = [normalize(OBFUSCATIONS[name](m, rng)) for m in MESSAGES]
    obfuscated = shipped.probabilities(variants)
    # The decision-relevant part: the top label and a broadly similar score.
    assert (plain.argmax(axis=1) == obfuscated.argmax(axis=1))[:4].all(), name
    assert np.abs(plain - obfuscated).max() < 0.5, name


@pytest.mark.parametrize(
    "variant",
    [
        "ѕеnd mе а ріс оf уоu іn уоur undеrwеаr",
        "s3nd m3 a p1c 0f y0u 1n y0ur und3rw34r",
        "s\u200bend me a p\u200bic of you in your under\u200bwear",
        "||send me a pic of you in your underwear||",
        "𝐬𝐞𝐧𝐝 𝐦𝐞 𝐚 𝐩𝐢𝐜 𝐨𝐟 𝐲𝐨𝐮 𝐢𝐧 𝐲𝐨𝐮𝐫 𝐮𝐧𝐝𝐞𝐫𝐰𝐞𝐚𝐫",
    ],
)
def test_hand_made_variants_are_identical_after_normalisation(
    shipped: OnnxClassifier, variant: str
) -> None:
    plain, other = shipped.probabilities([normalize(MESSAGES[1]), normalize(variant)])
    np.testing.assert_allclose(plain, other, atol=1e-4)
