"""Choosing the recommended per-label thresholds on the dev split (never on test).

Thresholds are policy, not model code: this only *recommends* values, written to
``classifiers/model/recommended_thresholds.json`` and quoted in MODEL_CARD.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from moderation_bot.core.types import LABELS

MAX_ORDINARY_FPR_PER_LABEL = 0.0005
RULE = (
    "per label, the threshold with the best F1 on dev among those whose false-positive rate "
    "on dev ordinary chat (chit-chat, SMS ham, game chat) is <= 0.05%, so that all four "
    "labels together stay within 0.2%"
)


def choose_thresholds(
    probs: np.ndarray,
    y: np.ndarray,
    ordinary: np.ndarray,
    max_ordinary_fpr: float = MAX_ORDINARY_FPR_PER_LABEL,
) -> dict[str, float]:
    """``probs`` and ``y`` are ``(n, len(LABELS))``; ``ordinary`` marks ordinary-chat rows."""
    out: dict[str, float] = {}
    for j, label in enumerate(LABELS):
        best, best_f1 = 0.95, -1.0
        for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
            pred = probs[:, j] >= t
            if ordinary.any() and pred[ordinary].mean() > max_ordinary_fpr:
                continue
            tp = np.sum(pred & (y[:, j] == 1))
            fp = np.sum(pred & (y[:, j] == 0))
            fn = np.sum(~pred & (y[:, j] == 1))
            f1 = 2 * tp / max(1, 2 * tp + fp + fn)
            if f1 > best_f1 + 1e-9:
                best, best_f1 = float(t), f1
        out[label] = best
    return out


def write_recommended(model_dir: Path, model_id: str, thresholds: dict[str, float]) -> Path:
    path = model_dir / "recommended_thresholds.json"
    path.write_text(
        json.dumps(
            {
                "model_id": model_id,
                "chosen_on": "dev split, quantised runtime",
                "rule": RULE,
                "thresholds": thresholds,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return path
