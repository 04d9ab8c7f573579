"""The yardstick: real messages nobody on the project wrote (``<data-dir>/real-world``).

``messages.jsonl`` holds hand-labelled real threats, disclosures, requests and look-alikes;
``grooming_stages.jsonl`` holds PAN12 offender turns with a thesis' stage labels (development
only: the text overlaps Perverted-Justice, which trains the detector). Each row carries its own
``split`` (``dev``/``test``, assigned per campaign). Choose on ``dev``; report ``test`` first.

The sets are small (tens of positives in fewer families), so every rate comes with a 95%
interval from a bootstrap over *families*, not rows: template copies of one mass e-mail are
one piece of evidence, not many.

Ordinary chat (the false-flag side of the targets) comes from the corpora the dataset reads
(chit-chat, game chat, SMS ham), split by conversation as in :mod:`classifiers.dataset`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from moderation_bot.core.types import LABELS

__all__ = [
    "RealExample",
    "Rate",
    "load_real_world",
    "rate",
    "real_world_report",
    "format_real_world",
]

BOOTSTRAP_ROUNDS = 2000
_SEED = 20261204


@dataclass(frozen=True, slots=True)
class RealExample:
    """One real message with its hand labels."""

    id: str
    text: str
    labels: tuple[str, ...]
    source: str
    family: str
    split: str
    ambiguous: bool = False


def _read(path: Path, *, prepend_subject: bool) -> Iterable[RealExample]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            text = str(row["text"])
            subject = str(row.get("subject") or "").strip()
            if prepend_subject and subject:
                text = f"{subject}\n{text}"
            yield RealExample(
                id=str(row["id"]),
                text=text,
                labels=tuple(l for l in row.get("labels", []) if l in LABELS),
                source=str(row.get("source", "?")),
                family=str(row.get("campaign") or row.get("family") or row["id"]),
                split=str(row.get("split", "dev")),
                ambiguous=bool(row.get("ambiguous", False)),
            )


def load_real_world(data_dir: Path, split: str, *, grooming: bool = True) -> list[RealExample]:
    """The real messages of one split; e-mail subjects are put before the body, as a mail
    client shows them. ``grooming`` adds the PAN12 stage rows (dev only)."""
    folder = Path(data_dir) / "real-world"
    rows = [r for r in _read(folder / "messages.jsonl", prepend_subject=True) if r.split == split]
    stages = folder / "grooming_stages.jsonl"
    if grooming and stages.exists():
        rows += [
            RealExample(r.id, r.text, r.labels, "pan12", r.family, r.split, r.ambiguous)
            for r in _read(stages, prepend_subject=False)
            if r.split == split
        ]
    return rows


@dataclass(frozen=True, slots=True)
class Rate:
    """A share with its family-bootstrap 95% interval."""

    hits: int
    total: int
    low: float
    high: float
    families: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    def as_dict(self) -> dict[str, float | int]:
        return {"rate": round(self.value, 4), "hits": self.hits, "n": self.total,
                "families": self.families, "ci95": [round(self.low, 4), round(self.high, 4)]}

    def __str__(self) -> str:
        if not self.total:
            return "n/a"
        return (f"{self.value:.2f} ({self.hits}/{self.total}, {self.families} fam, "
                f"95% {self.low:.2f}-{self.high:.2f})")


def rate(hits: Sequence[bool], families: Sequence[str], rounds: int = BOOTSTRAP_ROUNDS) -> Rate:
    """Share of ``hits`` with a bootstrap interval that resamples whole families."""
    by_family: dict[str, list[bool]] = defaultdict(list)
    for hit, family in zip(hits, families, strict=True):
        by_family[family].append(bool(hit))
    if not by_family:
        return Rate(0, 0, float("nan"), float("nan"), 0)
    sums = np.array([sum(v) for v in by_family.values()], dtype=float)
    sizes = np.array([len(v) for v in by_family.values()], dtype=float)
    rng = np.random.default_rng(_SEED)
    picks = rng.integers(0, len(sums), size=(rounds, len(sums)))
    shares = sums[picks].sum(axis=1) / sizes[picks].sum(axis=1)
    low, high = np.quantile(shares, [0.025, 0.975])
    return Rate(int(sums.sum()), int(sizes.sum()), float(low), float(high), len(sums))


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    if not len(pos) or not len(neg):
        return float("nan")
    scores = np.concatenate([pos, neg])
    ranks = scores.argsort().argsort().astype(float) + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


@dataclass
class Decision:
    """What the detector and the pack made of one text."""

    flagged: bool
    labels: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)


def real_world_report(
    examples: Sequence[RealExample],
    decide: Callable[[Sequence[str]], list[Decision]],
    ordinary: Sequence[str] = (),
    *,
    include_ambiguous: bool = False,
) -> dict[str, object]:
    """Recall per label (flagged *with that label*), false flags on the real look-alikes and on
    ordinary chat, and the ranking (ROC AUC of each label's score against the benign rows)."""
    rows = [r for r in examples if include_ambiguous or not r.ambiguous]
    decisions = decide([r.text for r in rows])
    out: dict[str, object] = {"n": len(rows), "include_ambiguous": include_ambiguous}
    benign = [(r, d) for r, d in zip(rows, decisions) if not r.labels]
    recall: dict[str, object] = {}
    auc: dict[str, float] = {}
    for label in LABELS:
        pos = [(r, d) for r, d in zip(rows, decisions) if label in r.labels]
        if not pos:
            continue
        recall[label] = rate([label in d.labels for _, d in pos], [r.family for r, _ in pos])
        recall[f"{label} (any flag)"] = rate([d.flagged for _, d in pos],
                                             [r.family for r, _ in pos])
        auc[label] = _auc(np.array([d.scores.get(label, 0.0) for _, d in pos]),
                          np.array([d.scores.get(label, 0.0) for _, d in benign]))
    out["recall"] = recall
    out["auc_vs_lookalikes"] = auc
    out["lookalikes_flagged"] = rate([d.flagged for _, d in benign], [r.family for r, _ in benign])
    if ordinary:
        flags = decide(list(ordinary))
        hits = sum(d.flagged for d in flags)
        out["ordinary_chat_flagged"] = {"rate": hits / len(flags), "hits": hits, "n": len(flags)}
    return out


def format_real_world(report: dict[str, object], split: str) -> str:
    """The report as the lines ``eval`` prints."""
    lines = [f"REAL-WORLD {split} (messages nobody on the project wrote; "
             f"{'with' if report['include_ambiguous'] else 'without'} ambiguous rows)"]
    for name, value in report["recall"].items():  # type: ignore[union-attr]
        lines.append(f"  recall {name:<32} {value}")
    for name, value in report["auc_vs_lookalikes"].items():  # type: ignore[union-attr]
        lines.append(f"  ROC AUC {name:<31} {value:.3f}")
    lines.append(f"  look-alikes flagged{'':<20} {report['lookalikes_flagged']}")
    if "ordinary_chat_flagged" in report:
        o = report["ordinary_chat_flagged"]
        lines.append(f"  ordinary chat flagged{'':<18} {o['rate']:.4%} ({o['hits']}/{o['n']})")  # type: ignore[index]
    return "\n".join(lines)
