"""``moderation-bot evaluate-packs``: the sender-level numbers of the policy packs.

Replays the Perverted-Justice offender and decoy streams and ordinary chat senders (only people
and conversations on the detector's dev/test side) through each pack, scored by the shipped
model, and prints, per pack: offenders escalated, median messages to the first escalation,
decoys escalated, ordinary senders wrongly escalated. ``--recipient-minor`` replays every message
as sent to someone flagged as under 18 (read the offenders' row). See policies/README.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from classifiers.dataset import DEFAULT_DATA_DIR, split_of
from classifiers.normalize import normalize
from classifiers.onnx_model import load_default_classifier
from policies.evaluation import classify_streams, evaluate_pack, read_streams, table
from policies.loader import BUILTIN_PACKS, load_pack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="moderation-bot evaluate-packs", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="the corpora (default: ../shared/data)")
    parser.add_argument("--split", choices=("dev", "test"), action="append",
                        help="which side to report (default: both)")
    parser.add_argument("--recipient-minor", action="store_true",
                        help="replay as if every recipient were flagged as under 18")
    args = parser.parse_args(argv)
    splits = tuple(args.split or ("dev", "test"))
    # Score both sides together: batch-mates move int8 scores slightly, as in the README.
    streams = read_streams(args.data_dir, split_of=split_of, splits=("dev", "test"))
    scored = classify_streams(streams, load_default_classifier(), normalize)
    for split in splits:
        part = [stream for stream in streams if stream.split == split]
        minor = True if args.recipient_minor else None
        rows = {name: evaluate_pack(load_pack(name), part, scored, recipient_is_minor=minor)
                for name in sorted(BUILTIN_PACKS)}
        print(f"{split}:\n{table(rows)}")
    return 0
