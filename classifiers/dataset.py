"""Build the versioned training set from the corpora in ``--data-dir`` plus synthetic generators.

Usage: ``python -m classifiers.dataset [--data-dir ../shared/data] [--out artifacts/dataset]``

Writes ``train.jsonl``, ``dev.jsonl``, ``test.jsonl`` and ``manifest.json`` under
``<out>/<version>/`` and prints counts per label and source. One JSON object per line:
``{"id", "text", "labels": [...], "source", "group", "split", "family", "synthetic"}``.
``text`` is the raw text; training and evaluation apply :func:`classifiers.normalize.normalize`.

Splits are by *group*, never by line: a chit-chat conversation, a Dota match, an offender (with
their decoy's lines), a phishing email, an SMS text; and synthetic messages by template family
(:mod:`classifiers.generators`). So dev and test hold conversations, people and phrasings that
training never saw. The same seed and data always give the same files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from classifiers.generators import FAMILIES, generate
from classifiers.labelling import label_decoy_line, label_offender_line
from classifiers.normalize import normalize
from moderation_bot.core.types import LABELS

VERSION = "v4"
SEED = 20261129
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "artifacts" / "dataset"

# How many examples to draw per source and split. Dev/test caps keep evaluation quick.
SYNTHETIC_PER_FAMILY = {"train": 320, "dev": 150, "test": 150}
NEGATIVE_FAMILY_TRAIN = 220
CAPS: dict[str, dict[str, int]] = {
    "chitchat": {"train": 4500, "dev": 6000, "test": 10000},
    "sms_ham": {"train": 1500, "dev": 2000, "test": 2000},
    "sms_spam": {"train": 400, "dev": 400, "test": 400},
    "game_chat": {"train": 2500, "dev": 5000, "test": 8000},
    "phishing": {"train": 700, "dev": 600, "test": 600},
    "pj_offender_neg": {"train": 2200, "dev": 2000, "test": 2000},
    "pj_image_request": {"train": 1600, "dev": 1000, "test": 1000},
    "pj_grooming": {"train": 2600, "dev": 1500, "test": 1500},
    "pj_decoy": {"train": 1500, "dev": 1500, "test": 1500},
}
# Benign sets reported by evaluation; "ordinary chat" is the FPR target set.
ORDINARY_CHAT = ("chitchat", "sms_ham", "game_chat")


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    text: str
    labels: tuple[str, ...]
    source: str
    group: str
    split: str
    family: str = ""
    synthetic: bool = False


def split_of(group: str) -> str:
    """Stable 70/15/15 assignment of a group to train/dev/test."""
    bucket = int(hashlib.sha256(f"{SEED}:{group}".encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _id(source: str, text: str, group: str) -> str:
    return hashlib.sha1(f"{source}|{group}|{text}".encode()).hexdigest()[:16]


def read_chitchat(data_dir: Path) -> Iterator[Example]:
    with (data_dir / "chitchat" / "dataset.json").open(encoding="utf-8") as fh:
        conversations = json.load(fh)
    for conv_id, conv in conversations.items():
        split = split_of(f"chitchat:{conv_id}")
        for turn in conv.get("messages", []):
            for msg in turn:
                text = _clean(str(msg.get("text", "")))
                if text:
                    yield Example(
                        _id("chitchat", text, conv_id), text, (), "chitchat", conv_id, split
                    )


def read_sms(data_dir: Path) -> Iterator[Example]:
    path = data_dir / "sms-spam-collection" / "SMSSpamCollection"
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            label, _, text = line.rstrip("\n").partition("\t")
            text = _clean(text)
            if label not in ("ham", "spam") or not text:
                continue
            source = f"sms_{label}"
            group = hashlib.sha1(text.lower().encode()).hexdigest()[:12]
            yield Example(
                _id(source, text, group), text, (), source, group, split_of(f"sms:{group}")
            )


def read_conda(data_dir: Path) -> Iterator[Example]:
    for name in ("CONDA_train.csv", "CONDA_valid.csv", "CONDA_test.csv"):
        path = data_dir / "conda-dota2" / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                text = _clean(row.get("utterance") or "")
                match = row.get("matchId") or row.get("conversationId") or "?"
                if text:
                    yield Example(
                        _id("game_chat", text, match),
                        text,
                        (),
                        "game_chat",
                        f"match{match}",
                        split_of(f"conda:{match}"),
                    )


def read_phishing(data_dir: Path, rng: random.Random) -> Iterator[Example]:
    """One example per email: subject plus a body excerpt (train) or the whole body (dev/test,
    scored in windows by the runtime)."""
    with (data_dir / "phishing-non-sextortion" / "bodies.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            group = str(row.get("file", ""))
            body = _clean(f"{row.get('subject') or ''}. {row.get('body') or ''}")
            if len(body) < 20:
                continue
            split = split_of(f"phishing:{group}")
            if split == "train":
                start = rng.randrange(max(1, len(body) - 400)) if rng.random() < 0.5 else 0
                body = body[start : start + 400]
            else:
                body = body[:20000]
            yield Example(_id("phishing", body, group), body, (), "phishing", group, split)


def read_perverted_justice(data_dir: Path) -> Iterator[Example]:
    """Offender lines labelled by the guideline's patterns; decoy lines as victim-side negatives."""
    root = data_dir / "perverted-justice"
    for path in sorted((root / "predators").glob("predator_*.txt")):
        name = path.stem.removeprefix("predator_")
        split = split_of(f"pj:{name}")
        seen: set[str] = set()
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            text = _clean(raw)
            norm = normalize(text)
            if len(norm) < 2 or norm in seen:
                continue
            seen.add(norm)
            labels = label_offender_line(norm)
            if labels is None:
                continue
            source = (
                "pj_offender_neg"
                if not labels
                else "pj_image_request"
                if "image_request" in labels
                else "pj_grooming"
            )
            yield Example(_id(source, text, name), text, labels, source, f"pj:{name}", split)
        decoy = root / "officers" / f"officer_{name}.txt"
        if decoy.exists():
            for raw in decoy.read_text(encoding="utf-8", errors="replace").splitlines():
                text = _clean(raw)
                norm = normalize(text)
                if len(norm) < 2 or norm in seen or label_decoy_line(norm) is None:
                    continue
                seen.add(norm)
                yield Example(
                    _id("pj_decoy", text, name), text, (), "pj_decoy", f"pj:{name}", split
                )


def synthetic_examples(rng: random.Random) -> Iterator[Example]:
    for family in FAMILIES:
        count = SYNTHETIC_PER_FAMILY[family.split]
        if family.split == "train" and not family.labels:
            count = NEGATIVE_FAMILY_TRAIN
        for g in generate(family, count * family.weight, rng):
            source = "synthetic_hard_negative" if not g.labels else "synthetic"
            yield Example(
                _id(source, g.text, g.family),
                g.text,
                g.labels,
                source,
                g.family,
                g.split,
                family=g.family,
                synthetic=True,
            )


def _capped(examples: Iterator[Example], rng: random.Random) -> list[Example]:
    """Sample each (source, split) down to its cap, deterministically."""
    by_key: dict[tuple[str, str], list[Example]] = {}
    for ex in examples:
        by_key.setdefault((ex.source, ex.split), []).append(ex)
    out: list[Example] = []
    for (source, split), items in sorted(by_key.items()):
        cap = CAPS.get(source, {}).get(split)
        if cap is not None and len(items) > cap:
            items = rng.sample(items, cap)
        out.extend(items)
    return out


def build(data_dir: Path, seed: int = SEED) -> list[Example]:
    """All examples, every split, in a deterministic order."""
    rng = random.Random(seed)
    real: list[Example] = []
    for reader in (
        read_chitchat(data_dir),
        read_sms(data_dir),
        read_conda(data_dir),
        read_phishing(data_dir, rng),
        read_perverted_justice(data_dir),
    ):
        real.extend(reader)
    examples = _capped(iter(real), rng) + list(synthetic_examples(rng))
    unique: dict[str, Example] = {}
    for ex in examples:
        unique.setdefault(ex.id, ex)
    return sorted(unique.values(), key=lambda e: (e.split, e.source, e.id))


def counts_table(examples: list[Example]) -> str:
    """Counts per split, source and label, as printable text."""
    lines = [f"{'split':<6} {'source':<24} {'n':>6} " + " ".join(f"{l[:10]:>10}" for l in LABELS)]
    groups: dict[tuple[str, str], list[Example]] = {}
    for ex in examples:
        groups.setdefault((ex.split, ex.source), []).append(ex)
    for (split, source), items in sorted(groups.items()):
        per = Counter(label for ex in items for label in ex.labels)
        lines.append(
            f"{split:<6} {source:<24} {len(items):>6} " + " ".join(f"{per[l]:>10}" for l in LABELS)
        )
    for split in ("train", "dev", "test"):
        items = [e for e in examples if e.split == split]
        per = Counter(label for ex in items for label in ex.labels)
        lines.append(
            f"{split:<6} {'TOTAL':<24} {len(items):>6} " + " ".join(f"{per[l]:>10}" for l in LABELS)
        )
    return "\n".join(lines)


def write(examples: list[Example], out_dir: Path) -> dict[str, object]:
    out_dir.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        path = out_dir / f"{split}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for ex in examples:
                if ex.split == split:
                    fh.write(json.dumps(asdict(ex), ensure_ascii=False) + "\n")
        digests[split] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "version": VERSION,
        "seed": SEED,
        "sha256": digests,
        "counts": {s: sum(1 for e in examples if e.split == s) for s in ("train", "dev", "test")},
        "synthetic_note": "examples with synthetic=true are generated by classifiers.generators",
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def load_split(dataset_dir: Path, split: str) -> list[Example]:
    """Read one split written by :func:`write`."""
    out: list[Example] = []
    with (dataset_dir / f"{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            row["labels"] = tuple(row["labels"])
            out.append(Example(**row))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="classifiers.dataset", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder with the corpora (see its PROVENANCE.md)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output root; a version folder is made inside"
    )
    args = parser.parse_args(argv)
    if not (args.data_dir / "PROVENANCE.md").exists():
        print(
            f"error: no corpora at {args.data_dir} (expected PROVENANCE.md there)", file=sys.stderr
        )
        return 2
    examples = build(args.data_dir)
    manifest = write(examples, args.out / VERSION)
    print(counts_table(examples))
    print(f"wrote {args.out / VERSION} ({json.dumps(manifest['counts'])})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
