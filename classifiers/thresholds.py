"""Choosing the recommended per-label thresholds on dev data (never on test).

Thresholds are policy, not model code: this only *recommends* values, written to
``classifiers/model/recommended_thresholds.json`` and quoted in MODEL_CARD.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from moderation_bot.core.types import LABELS

MAX_ORDINARY_FPR_PER_LABEL = 0.0005
MAX_LOOKALIKE_FPR_PER_LABEL = 0.05
REAL_WORLD_RULE = (
    "per label, the lowest threshold (most recall on the real-world dev messages) whose "
    "false-positive rate is <= 0.05% on dev ordinary chat (chit-chat, SMS ham, game chat) and "
    "<= 5% on the real-world dev look-alikes, so that all four labels together stay within 0.2% "
    "of ordinary chat"
)


def choose_for_recall(
    lookalikes: np.ndarray,
    ordinary: np.ndarray,
    *,
    max_ordinary_fpr: float = MAX_ORDINARY_FPR_PER_LABEL,
    max_lookalike_fpr: float = MAX_LOOKALIKE_FPR_PER_LABEL,
) -> dict[str, float]:
    """The lowest threshold per label (the most recall) that keeps the false-positive rates
    within their caps. ``lookalikes`` and ``ordinary`` are ``(n, len(LABELS))`` scores of benign
    real messages and of ordinary chat; the walk goes down from 0.95 and stops at the first cap
    broken, so no threshold is chosen below a point where a cap was exceeded."""
    out: dict[str, float] = {}
    for j, label in enumerate(LABELS):
        chosen = 0.95
        for t in np.round(np.arange(0.95, 0.04, -0.01), 2):
            if ordinary.size and (ordinary[:, j] >= t).mean() > max_ordinary_fpr:
                break
            if lookalikes.size and (lookalikes[:, j] >= t).mean() > max_lookalike_fpr:
                break
            chosen = float(t)
        out[label] = chosen
    return out


def write_recommended(model_dir: Path, model_id: str, thresholds: dict[str, float], *,
                      chosen_on: str, rule: str = REAL_WORLD_RULE) -> Path:
    path = model_dir / "recommended_thresholds.json"
    path.write_text(
        json.dumps(
            {
                "model_id": model_id,
                "chosen_on": chosen_on,
                "rule": rule,
                "thresholds": thresholds,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return path
