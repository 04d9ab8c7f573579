"""An attacker's changes keep a flagged message flagged with the same label (>= 90% each).

The messages and the changes are the project's own (classifiers.adversarial); the flag
thresholds are the default pack's, as a community gets them.
"""

from __future__ import annotations

import numpy as np
import pytest

from classifiers.adversarial import CHANGES, PLAIN_MESSAGES, kept_share
from classifiers.normalize import normalize
from classifiers.onnx_model import OnnxClassifier
from moderation_bot.core.types import CommunitySettings
from moderation_bot.policy_book import PackPolicyBook


@pytest.fixture(scope="module")
def report(shipped: OnnxClassifier) -> dict[str, object]:
    pack = PackPolicyBook().pack(CommunitySettings("test", "c", policy_pack="default"))

    def score(texts: list[str]) -> np.ndarray:
        return shipped.probabilities([normalize(t) for t in texts])

    return kept_share(score, dict(pack.flag_thresholds))


def test_the_plain_messages_are_flagged(report: dict[str, object]) -> None:
    flagged, total = map(int, str(report["flagged_plain"]).split("/"))
    assert total == len(PLAIN_MESSAGES)
    assert flagged >= 0.9 * total


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_change_keeps_nine_in_ten_flagged(report: dict[str, object], change: str) -> None:
    assert report["kept"][change] >= 0.9, report["kept"]  # type: ignore[index]
