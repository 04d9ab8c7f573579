"""Measure the non-English route: the model alone against the model with the multilingual rules.

Usage: ``python -m classifiers.multilingual_eval [--split dev] [--probes FILE ...]``

Prints, with the thresholds from ``recommended_thresholds.json`` unless ``--thresholds``
overrides them:

- per probe file and language: positives flagged (any label), label recall, benign messages
  flagged and the mean top score of the positives, for the model alone and for
  :class:`classifiers.multilingual.MultilingualClassifier`. The default probe files are our
  development probes (``probes/non_english_dev.jsonl``, which the rules were written against) and
  the test probes (``probes/non_english.jsonl``, never used to write them);
- on the English dataset split: how often :func:`classifiers.language.looks_english` sends a
  message down the non-English route, per source, and the false-positive rate (benign sources)
  or recall (positive sources) of both classifiers, so any change on the English path shows.

Writes the same as JSON into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifiers import dataset as ds
from classifiers.evaluate import BENIGN_SOURCES, label_matrix, load_thresholds
from classifiers.language import looks_english
from classifiers.multilingual import MultilingualClassifier
from classifiers.normalize import normalize
from classifiers.onnx_model import DEFAULT_MODEL_DIR, OnnxClassifier
from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import LABELS, Classification

PROBES_DIR = Path(__file__).resolve().parent / "probes"
DEFAULT_PROBES = (PROBES_DIR / "non_english_dev.jsonl", PROBES_DIR / "non_english.jsonl")


class _Replayed:
    """A classifier's answers for a fixed set of texts, scored once and replayed, so the
    composite over it costs no second pass of the model."""

    def __init__(self, classifier: Classifier, texts: Sequence[str]) -> None:
        self.model_id = classifier.model_id
        self._answers = dict(zip(texts, classifier.classify_batch(texts), strict=True))

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        return [self._answers[text] for text in texts]


def scores(classifier: Classifier, texts: Sequence[str]) -> np.ndarray:
    """Scores of already normalised texts, shape ``(len(texts), len(LABELS))``."""
    rows = classifier.classify_batch(texts)
    return np.array([[row.scores.get(label, 0.0) for label in LABELS] for row in rows],
                    dtype=np.float64).reshape(len(texts), len(LABELS))


def probe_report(probs: np.ndarray, rows: list[dict[str, object]],
                 thresholds: dict[str, float]) -> dict[str, dict[str, object]]:
    """Per language: positives flagged, label recall, benign flagged, mean top score."""
    th = np.array([thresholds[label] for label in LABELS])
    flagged = (probs >= th).any(axis=1)
    out: dict[str, dict[str, object]] = {}
    for lang in sorted({str(r["lang"]) for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        pos = [i for i in idx if rows[i]["labels"]]
        neg = [i for i in idx if not rows[i]["labels"]]
        wanted = [(i, LABELS.index(str(label))) for i in pos
                  for label in rows[i]["labels"]]  # type: ignore[attr-defined]
        hits = sum(1 for i, j in wanted if probs[i, j] >= th[j])
        per_label = {
            label: f"{sum(1 for i, j in wanted if j == k and probs[i, j] >= th[j])}/"
            f"{sum(1 for _, j in wanted if j == k)}"
            for k, label in enumerate(LABELS) if any(j == k for _, j in wanted)
        }
        out[lang] = {
            "positives_flagged": f"{sum(flagged[i] for i in pos)}/{len(pos)}",
            "label_recall": round(hits / max(1, len(wanted)), 3),
            "recall_by_label": per_label,
            "benign_flagged": f"{sum(flagged[i] for i in neg)}/{len(neg)}",
            "mean_top_score_positives": round(float(np.mean([probs[i].max() for i in pos])), 3)
            if pos else None,
        }
    return out


def compare(model: Classifier, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Scores of ``texts`` by the model alone and by the model with the multilingual rules."""
    replayed = _Replayed(model, texts)
    return scores(replayed, texts), scores(MultilingualClassifier(replayed), texts)


def english_report(model: Classifier, examples: list[ds.Example],
                   thresholds: dict[str, float]) -> dict[str, object]:
    """The English split through both classifiers: routing share, FPR or recall per source."""
    texts = [normalize(e.text) for e in examples]
    th = np.array([thresholds[label] for label in LABELS])
    alone, both = compare(model, texts)
    before, after = alone >= th, both >= th
    routed = np.array([not looks_english(t) for t in texts])
    truth = label_matrix(examples)
    sources = np.array([e.source for e in examples])
    by_source: dict[str, dict[str, object]] = {}
    for source in sorted(set(sources)):
        m = sources == source
        entry: dict[str, object] = {"n": int(m.sum()), "routed_non_english": int(routed[m].sum())}
        if source in BENIGN_SOURCES:
            entry["fp_model"] = int(before[m].any(axis=1).sum())
            entry["fp_composite"] = int(after[m].any(axis=1).sum())
        else:
            wanted = truth[m]
            entry["recall_model"] = round(float(before[m][wanted].mean()), 4)
            entry["recall_composite"] = round(float(after[m][wanted].mean()), 4)
        by_source[source] = entry
    ordinary = np.isin(sources, ds.ORDINARY_CHAT)
    return {
        "by_source": by_source,
        "ordinary_chat": {
            "n": int(ordinary.sum()),
            "routed_non_english": int(routed[ordinary].sum()),
            "fpr_model": round(float(before[ordinary].any(axis=1).mean()), 5),
            "fpr_composite": round(float(after[ordinary].any(axis=1).mean()), 5),
        },
    }


def _read_probes(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def format_report(report: dict[str, object]) -> str:
    lines = [f"thresholds {json.dumps(report['thresholds'])}"]
    for name, entry in report["probes"].items():  # type: ignore[union-attr]
        lines.append(f"-- probes {name}: model alone -> model + multilingual rules")
        for lang, alone in entry["model"].items():
            both = entry["composite"][lang]
            lines.append(
                f"  {lang}: positives flagged {alone['positives_flagged']} -> "
                f"{both['positives_flagged']}, label recall {alone['label_recall']} -> "
                f"{both['label_recall']}, benign flagged {alone['benign_flagged']} -> "
                f"{both['benign_flagged']}, mean top score {alone['mean_top_score_positives']}"
                f" -> {both['mean_top_score_positives']}")
            lines.append("    by label: " + ", ".join(
                f"{label} {hits} -> {both['recall_by_label'][label]}"
                for label, hits in alone["recall_by_label"].items()))
    english = report.get("english")
    if english:
        oc = english["ordinary_chat"]  # type: ignore[index]
        lines.append(f"-- English {report['split']} split: routed to the non-English path, and "
                     "FPR (benign) or recall (positives), model -> model + rules")
        lines.append(f"  ordinary chat: routed {oc['routed_non_english']}/{oc['n']}, "
                     f"FPR {oc['fpr_model']:.4%} -> {oc['fpr_composite']:.4%}")
        for source, e in english["by_source"].items():  # type: ignore[index]
            change = (f"fp {e['fp_model']} -> {e['fp_composite']}" if "fp_model" in e
                      else f"recall {e['recall_model']} -> {e['recall_composite']}")
            lines.append(f"  {source:<24} routed {e['routed_non_english']}/{e['n']}, {change}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classifiers.multilingual_eval",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=Path, nargs="+", default=list(DEFAULT_PROBES))
    parser.add_argument("--split", choices=("dev", "test", "none"), default="dev",
                        help="English dataset split for the routing check ('none' skips it)")
    parser.add_argument("--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR)
    parser.add_argument("--dataset-dir", type=Path, default=ds.DEFAULT_OUT / ds.VERSION)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--thresholds", type=Path, default=None,
                        help="JSON {label: threshold} (default: the model's recommended ones)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ds.REPO_ROOT / "artifacts" / "eval")
    args = parser.parse_args(argv)
    model = OnnxClassifier(args.model_dir, intra_op_num_threads=args.threads)
    thresholds = load_thresholds(args.model_dir, args.thresholds)
    report: dict[str, object] = {"model_id": MultilingualClassifier(model).model_id,
                                 "thresholds": thresholds, "split": args.split, "probes": {}}
    for path in args.probes:
        rows = _read_probes(path)
        alone, both = compare(model, [normalize(str(r["text"])) for r in rows])
        report["probes"][path.name] = {  # type: ignore[index]
            "model": probe_report(alone, rows, thresholds),
            "composite": probe_report(both, rows, thresholds),
        }
    if args.split != "none":
        if not (args.dataset_dir / f"{args.split}.jsonl").exists():
            print(f"building dataset into {args.dataset_dir}", file=sys.stderr)
            if ds.main(["--data-dir", str(args.data_dir),
                        "--out", str(args.dataset_dir.parent)]) != 0:
                return 2
        examples = ds.load_split(args.dataset_dir, args.split)
        report["english"] = english_report(model, examples, thresholds)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"multilingual-{args.split}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(format_report(report))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
