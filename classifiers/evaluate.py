"""Evaluate the shipped runtime on the dev or test split.

Usage: ``python -m classifiers.evaluate [--split test] [--data-dir ../shared/data]``

Prints first the yardstick: the real messages of ``<data-dir>/real-world`` (nobody on the
project wrote them; :mod:`classifiers.real_world`), through the whole ``classify`` decision with
a policy pack (``--pack``, default ``default``; ``moderation-bot eval`` supplies the packs, the
bare module flags at the recommended thresholds), with family-bootstrap confidence intervals,
beside the ordinary chat of the split. Then, on our own splits (which overstate: our own
writing is far easier than the field), it prints, with the thresholds from ``recommended_thresholds.json`` (chosen on dev) unless
``--thresholds`` overrides them: per-label precision, recall, F1; recall per source and per
held-out template family; the false-positive rate (any label flagged) on each benign set,
"ordinary chat" (chit-chat + SMS ham + game chat) included; recall on obfuscated copies of the
positives; and behaviour on the hand-written non-English probes. Writes a JSON report and, when
matplotlib is installed, one precision-recall PNG per label into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifiers import dataset as ds
from classifiers.adversarial import kept_share
from classifiers.normalize import normalize
from classifiers.obfuscate import obfuscate
from classifiers.onnx_model import DEFAULT_MODEL_DIR, OnnxClassifier
from classifiers.real_world import (
    Decision,
    format_real_world,
    load_real_world,
    real_world_report,
)
from classifiers.thresholds import REAL_WORLD_RULE, choose_for_recall, write_recommended
from moderation_bot.core.types import LABELS

PROBES = Path(__file__).resolve().parent / "probes" / "non_english.jsonl"
BENIGN_SOURCES = (
    "chitchat",
    "sms_ham",
    "game_chat",
    "sms_spam",
    "phishing",
    "pj_decoy",
    "pj_offender_neg",
    "synthetic_hard_negative",
)


def _prf(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(pred & truth))
    fp = int(np.sum(pred & ~truth))
    fn = int(np.sum(~pred & truth))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "positives": int(truth.sum()),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _pr_curve(scores: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-scores)
    t = truth[order]
    tp = np.cumsum(t)
    fp = np.cumsum(~t)
    precision = tp / np.maximum(1, tp + fp)
    recall = tp / max(1, t.sum())
    return precision, recall


def _plot(
    out: Path,
    label: str,
    split: str,
    curve: tuple[np.ndarray, np.ndarray],
    threshold_point: tuple[float, float],
) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    precision, recall = curve
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot(recall, precision, lw=1.5)
    ax.scatter(
        [threshold_point[1]],
        [threshold_point[0]],
        color="red",
        zorder=3,
        label="recommended threshold",
    )
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.set_title(f"{label} ({split} split)")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(out / f"pr-{split}-{label}.png", dpi=110)
    plt.close(fig)
    return True


def load_thresholds(model_dir: Path, override: Path | None) -> dict[str, float]:
    path = override or model_dir / "recommended_thresholds.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    values = raw.get("thresholds", raw)
    return {label: float(values[label]) for label in LABELS}


def label_matrix(examples: list[ds.Example]) -> np.ndarray:
    return np.array([[label in e.labels for label in LABELS] for e in examples], dtype=bool)


def evaluate(
    classifier: OnnxClassifier,
    examples: list[ds.Example],
    thresholds: dict[str, float],
    seed: int = 7,
    probs: np.ndarray | None = None,
) -> dict[str, object]:
    if probs is None:
        probs = classifier.probabilities([normalize(e.text) for e in examples])
    y = label_matrix(examples)
    th = np.array([thresholds[l] for l in LABELS])
    pred = probs >= th
    flagged = pred.any(axis=1)
    report: dict[str, object] = {"n": len(examples), "thresholds": thresholds}
    report["per_label"] = {l: _prf(pred[:, j], y[:, j]) for j, l in enumerate(LABELS)}
    for j, l in enumerate(LABELS):  # positives flagged at all, whichever label fired
        report["per_label"][l]["flagged_any_label"] = (  # type: ignore[index]
            round(float(flagged[y[:, j]].mean()), 4) if y[:, j].any() else None
        )

    by_source: dict[str, dict[str, object]] = {}
    sources = sorted({e.source for e in examples})
    src = np.array([e.source for e in examples])
    fam = np.array([e.family for e in examples])
    for s in sources:
        m = src == s
        entry: dict[str, object] = {"n": int(m.sum())}
        for j, l in enumerate(LABELS):
            if y[m, j].any():
                entry[f"recall_{l}"] = round(float(pred[m, j][y[m, j]].mean()), 4)
        if s in BENIGN_SOURCES:
            entry["fpr_any"] = round(float(flagged[m].mean()), 5)
            entry["fp_any"] = int(flagged[m].sum())
            entry["fpr_per_label"] = {
                l: round(float(pred[m, j].mean()), 5) for j, l in enumerate(LABELS)
            }
        by_source[s] = entry
    report["by_source"] = by_source
    ordinary = np.isin(src, ds.ORDINARY_CHAT)
    report["ordinary_chat"] = {
        "n": int(ordinary.sum()),
        "fp_any": int(flagged[ordinary].sum()),
        "fpr_any": round(float(flagged[ordinary].mean()), 5) if ordinary.any() else None,
    }
    families: dict[str, dict[str, object]] = {}
    for f in sorted(set(fam) - {""}):
        m = fam == f
        labels_here = [l for j, l in enumerate(LABELS) if y[m, j].any()]
        entry = {"n": int(m.sum())}
        if labels_here:
            for l in labels_here:
                j = LABELS.index(l)
                entry[f"recall_{l}"] = round(float(pred[m, j][y[m, j]].mean()), 4)
        else:
            entry["fpr_any"] = round(float(flagged[m].mean()), 4)
        families[f] = entry
    report["families"] = families

    # Obfuscation robustness: the positives again, obfuscated, through the normaliser.
    rng = random.Random(seed)
    pos = np.flatnonzero(y.any(axis=1))
    obf_texts = [normalize(obfuscate(examples[i].text, rng)) for i in pos]
    obf_pred = classifier.probabilities(obf_texts) >= th
    report["obfuscated_positives"] = {
        l: {
            "recall_plain": round(float(pred[pos, j][y[pos, j]].mean()), 4)
            if y[pos, j].any()
            else None,
            "recall_obfuscated": round(float(obf_pred[:, j][y[pos, j]].mean()), 4)
            if y[pos, j].any()
            else None,
        }
        for j, l in enumerate(LABELS)
    }
    report["_curves"] = {l: _pr_curve(probs[:, j], y[:, j]) for j, l in enumerate(LABELS)}
    return report


def evaluate_probes(
    classifier: OnnxClassifier, thresholds: dict[str, float], path: Path = PROBES
) -> dict[str, object]:
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    probs = classifier.probabilities([normalize(r["text"]) for r in rows])
    th = np.array([thresholds[l] for l in LABELS])
    out: dict[str, dict[str, object]] = defaultdict(dict)
    for lang in sorted({r["lang"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        hits = sum(
            1
            for i in idx
            for l in rows[i]["labels"]
            if probs[i, LABELS.index(l)] >= th[LABELS.index(l)]
        )
        total = sum(len(rows[i]["labels"]) for i in idx)
        neg = [i for i in idx if not rows[i]["labels"]]
        fp = sum(1 for i in neg if (probs[i] >= th).any())
        flagged_any_pos = sum(1 for i in idx if rows[i]["labels"] and (probs[i] >= th).any())
        out[lang] = {
            "label_recall": round(hits / max(1, total), 3),
            "positives_flagged_any_label": f"{flagged_any_pos}/{len(idx) - len(neg)}",
            "negatives_flagged": f"{fp}/{len(neg)}",
            "mean_max_score_positives": round(
                float(np.mean([probs[i].max() for i in idx if rows[i]["labels"]])), 3
            ),
        }
    return dict(out)


Decide = Callable[[Sequence[str]], list[Decision]]


@dataclass(frozen=True)
class PackHooks:
    """How a policy pack decides, given by the caller (``moderation-bot eval`` passes the
    shipped packs; the classifiers package does not import the policies)."""

    decider: Callable[[OnnxClassifier, str], Decide]
    flag_thresholds: Callable[[str], dict[str, float]]


def threshold_hooks(thresholds: dict[str, float]) -> PackHooks:
    """Flag a text when any label reaches its threshold (no pack, no multilingual rules)."""

    def decider(classifier: OnnxClassifier, _pack: str) -> Decide:
        def decide(texts: Sequence[str]) -> list[Decision]:
            probs = classifier.probabilities([normalize(t) for t in texts])
            out = []
            for row in probs:
                scores = dict(zip(LABELS, map(float, row)))
                over = tuple(l for l in LABELS if scores[l] >= thresholds[l])
                out.append(Decision(bool(over), over, scores))
            return out

        return decide

    return PackHooks(decider, lambda _pack: thresholds)


def adversarial_section(classifier: OnnxClassifier, thresholds: dict[str, float]
                        ) -> dict[str, object]:
    """The attacker's changes (:mod:`classifiers.adversarial`) at these flag thresholds."""
    return kept_share(lambda texts: classifier.probabilities([normalize(t) for t in texts]),
                      thresholds)


def real_world_section(decide: Decide, data_dir: Path, split: str,
                       examples: list[ds.Example]) -> dict[str, object] | None:
    """The real-world report through ``decide``, or ``None`` when ``<data-dir>/real-world``
    is absent."""
    if not (data_dir / "real-world" / "messages.jsonl").exists():
        return None
    ordinary = [e.text for e in examples if e.source in ds.ORDINARY_CHAT]
    real = load_real_world(data_dir, split)
    report = real_world_report(real, decide, ordinary)
    report["with_ambiguous"] = real_world_report(real, decide, include_ambiguous=True)["recall"]
    return report


def format_report(report: dict[str, object], split: str) -> str:
    lines = [
        f"== {split} split: {report['n']} examples; thresholds {json.dumps(report['thresholds'])}",
        f"{'label':<18} {'prec':>6} {'recall':>6} {'f1':>6} {'pos':>6} {'fp':>5} {'flagged(any)':>12}",
    ]
    for l, m in report["per_label"].items():  # type: ignore[union-attr]
        lines.append(
            f"{l:<18} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
            f"{m['positives']:>6} {m['fp']:>5} {m['flagged_any_label']:>12}"
        )
    oc = report["ordinary_chat"]
    lines.append(
        f"ordinary chat (chitchat+sms_ham+game_chat): FPR any label {oc['fpr_any']:.4%} "  # type: ignore[index]
        f"({oc['fp_any']}/{oc['n']})"
    )  # type: ignore[index]
    lines.append("-- by source")
    for s, e in report["by_source"].items():  # type: ignore[union-attr]
        detail = ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("fpr_per_label",))
        lines.append(f"  {s:<24} {detail}")
    lines.append("-- synthetic template families in this split")
    for f, e in report["families"].items():  # type: ignore[union-attr]
        lines.append(f"  {f:<22} " + ", ".join(f"{k}={v}" for k, v in e.items()))
    lines.append("-- obfuscated copies of the positives (recall plain -> obfuscated)")
    for l, e in report["obfuscated_positives"].items():  # type: ignore[union-attr]
        lines.append(f"  {l:<18} {e['recall_plain']} -> {e['recall_obfuscated']}")
    if "adversarial" in report:
        adv = report["adversarial"]
        lines.append(f"-- attacker's changes: share of the {adv['flagged_plain']} plainly flagged "  # type: ignore[index]
                     "suite messages still flagged with the same label (target >= 0.9)")
        for name, kept in adv["kept"].items():  # type: ignore[index]
            lines.append(f"  {name:<28} {kept}")
    if "non_english" in report:
        lines.append("-- non-English probes (hand-written, 9 positives + 3 negatives per language)")
        for lang, e in report["non_english"].items():  # type: ignore[union-attr]
            lines.append(f"  {lang}: " + ", ".join(f"{k}={v}" for k, v in e.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None, hooks: PackHooks | None = None) -> int:
    """``hooks`` decide as a policy pack would; without them, the recommended thresholds."""
    parser = argparse.ArgumentParser(
        prog="classifiers.evaluate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR)
    parser.add_argument("--dataset-dir", type=Path, default=ds.DEFAULT_OUT / ds.VERSION)
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument(
        "--thresholds",
        type=Path,
        default=None,
        help="JSON {label: threshold} (default: the model's recommended_thresholds.json)",
    )
    parser.add_argument(
        "--write-thresholds",
        action="store_true",
        help="choose the recommended thresholds on this split (dev only) and write "
        "them to the model's recommended_thresholds.json first",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pack", default="default",
                        help="policy pack whose flag decision the real-world section measures")
    parser.add_argument("--out", type=Path, default=ds.REPO_ROOT / "artifacts" / "eval")
    args = parser.parse_args(argv)
    if not (args.dataset_dir / f"{args.split}.jsonl").exists():
        print(f"building dataset into {args.dataset_dir}", file=sys.stderr)
        if ds.main(["--data-dir", str(args.data_dir), "--out", str(args.dataset_dir.parent)]) != 0:
            return 2
    if args.write_thresholds and args.split != "dev":
        print("error: thresholds are chosen on dev, never on test", file=sys.stderr)
        return 2
    classifier = OnnxClassifier(args.model_dir, intra_op_num_threads=args.threads)
    examples = ds.load_split(args.dataset_dir, args.split)
    probs = classifier.probabilities([normalize(e.text) for e in examples])
    if args.write_thresholds:
        ordinary = probs[np.array([e.source in ds.ORDINARY_CHAT for e in examples])]
        lookalikes = [r.text for r in load_real_world(args.data_dir, "dev", grooming=False)
                      if not r.labels]
        chosen = choose_for_recall(
            classifier.probabilities([normalize(t) for t in lookalikes]), ordinary)
        path = write_recommended(args.model_dir, classifier.model_id, chosen,
                                 chosen_on="real-world dev look-alikes and dev ordinary chat",
                                 rule=REAL_WORLD_RULE)
        print(f"wrote {path}")
    thresholds = load_thresholds(args.model_dir, args.thresholds)
    report = evaluate(classifier, examples, thresholds, probs=probs)
    report["non_english"] = evaluate_probes(classifier, thresholds)
    report["model_id"] = classifier.model_id
    hooks = hooks or threshold_hooks(thresholds)
    report["adversarial"] = adversarial_section(classifier, hooks.flag_thresholds(args.pack))
    real = real_world_section(hooks.decider(classifier, args.pack), args.data_dir, args.split,
                              examples)
    if real is not None:
        real["pack"] = args.pack
    if real is not None:
        report["real_world"] = real
    curves = report.pop("_curves")
    args.out.mkdir(parents=True, exist_ok=True)
    plotted = [
        l
        for l in LABELS
        if _plot(
            args.out,
            l,
            args.split,
            curves[l],  # type: ignore[index]
            (report["per_label"][l]["precision"], report["per_label"][l]["recall"]),
        )
    ]  # type: ignore[index]
    (args.out / f"report-{args.split}.json").write_text(
        json.dumps(report, indent=2, default=lambda rate: rate.as_dict()) + "\n",
        encoding="utf-8",
    )
    if real is not None:
        print(format_real_world(real, args.split))
        print("-- our own splits below overstate what the detector does on real messages")
    print(format_report(report, args.split))
    print(
        f"wrote {args.out / f'report-{args.split}.json'}"
        + (f" and {len(plotted)} PR plots" if plotted else " (matplotlib not installed: no plots)")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
