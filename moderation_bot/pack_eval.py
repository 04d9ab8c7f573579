"""``moderation-bot evaluate-packs``: the sender-level numbers of the policy packs.

Replays the Perverted-Justice offender and decoy streams and ordinary chat senders (only people
and conversations on the detector's dev/test side) through each pack, scored by the shipped
model, and prints, per pack: offenders escalated, median messages to the first escalation,
decoys escalated, ordinary senders wrongly escalated. ``--recipient-minor`` replays every message
as sent to someone flagged as under 18 (read the offenders' row). See policies/README.md.

``--scores FILE`` keeps the model's scores between runs (gzip JSON lines: the model id, the label
order, and per normalised text a hash of it and its scores; no message text). When FILE was
written for the shipped model and covers every text, the model is not even loaded and a run takes
seconds; otherwise every text is scored as without the option and FILE is (re)written. Use it
when re-tuning thresholds.

``--pack FILE`` (repeatable) also evaluates a pack file, say a copy of a built-in pack with new
thresholds; ``--only-files`` leaves the built-in packs out. Rows are named by each pack's
``name``, or by its file name where two would clash. A pack file with problems stops the run
before any scoring, with the first problem on one line (``moderation-bot check-policies FILE``
lists them all) and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from classifiers.dataset import DEFAULT_DATA_DIR, split_of
from classifiers.normalize import normalize
from classifiers.onnx_model import (
    DEFAULT_MODEL_DIR,
    ModelConfig,
    ModelLoadError,
    load_default_classifier,
)
from moderation_bot.core.ports import Classifier
from policies.evaluation import Stream, classify_streams_cached, evaluate_pack, read_streams, table
from policies.loader import BUILTIN_PACKS, PolicyError, load_pack
from policies.schema import PolicyPack

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
PROG = "evaluate-packs"


def choose_packs(files: Sequence[Path], *, builtins: bool = True) -> dict[str, PolicyPack]:
    """The packs to evaluate, by row name: the built-ins (sorted), then ``files`` in order.

    A row is named by its pack's ``name``; where that clashes with another row, a file's row is
    named by its file name instead (a built-in keeps its name), then by its path as given.
    Raises :class:`PolicyError` for the first file with problems.
    """
    rows: dict[str, PolicyPack]
    rows = {name: load_pack(name) for name in sorted(BUILTIN_PACKS)} if builtins else {}
    loaded = [(Path(path), load_pack(Path(path))) for path in files]
    names = Counter([*rows, *(pack.name for _, pack in loaded)])
    for path, pack in loaded:
        candidates = [pack.name] if names[pack.name] == 1 else []
        candidates += [path.name, str(path)]
        name = next((n for n in candidates if n not in rows), None)
        copy = 2
        while name is None or name in rows:  # the same file given twice
            name, copy = f"{path} ({copy})", copy + 1
        rows[name] = pack
    return rows


def run(
    streams: Sequence[Stream],
    packs: Mapping[str, PolicyPack],
    *,
    classifier_factory: Callable[[], Classifier],
    model_id: str,
    normalize: Callable[[str], str] = normalize,
    splits: Sequence[str] = ("dev", "test"),
    recipient_minor: bool = False,
    scores: Path | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Score ``streams`` (through the ``scores`` cache when given) and print one table per split.

    ``classifier_factory`` is only called when the cache cannot be used; ``model_id`` is the id of
    the model it would load (checked against the cache).
    """
    out = out or sys.stdout
    err = err or sys.stderr

    def notice(line: str) -> None:
        print(f"{PROG}: {line}", file=err, flush=True)

    # Score both sides together: batch-mates move int8 scores slightly, as in the README.
    scored = classify_streams_cached(
        streams, classifier_factory, normalize, model_id=model_id, cache=scores, notice=notice
    )
    minor = True if recipient_minor else None
    for split in splits:
        part = [stream for stream in streams if stream.split == split]
        rows = {name: evaluate_pack(pack, part, scored, recipient_is_minor=minor)
                for name, pack in packs.items()}
        print(f"{split}:\n{table(rows)}", file=out, flush=True)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="moderation-bot evaluate-packs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="the corpora (default: ../shared/data)")
    parser.add_argument("--split", choices=("dev", "test"), action="append",
                        help="which side to report (default: both)")
    parser.add_argument("--recipient-minor", action="store_true",
                        help="replay as if every recipient were flagged as under 18")
    parser.add_argument("--scores", type=Path, metavar="FILE",
                        help="reuse the model's scores from FILE, or save them there")
    parser.add_argument("--pack", type=Path, action="append", default=[], metavar="FILE",
                        help="also evaluate this pack file (repeatable)")
    parser.add_argument("--only-files", action="store_true",
                        help="evaluate only the --pack files, not the built-in packs")
    args = parser.parse_args(argv)
    if args.only_files and not args.pack:
        print(f"{PROG}: --only-files needs at least one --pack FILE", file=sys.stderr)
        return EXIT_USAGE
    try:
        packs = choose_packs(args.pack, builtins=not args.only_files)
    except PolicyError as exc:
        print(f"{PROG}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        model_id = ModelConfig.read(DEFAULT_MODEL_DIR / "model.json").model_id
    except ModelLoadError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    streams = read_streams(args.data_dir, split_of=split_of, splits=("dev", "test"))
    return run(
        streams,
        packs,
        classifier_factory=load_default_classifier,
        model_id=model_id,
        splits=tuple(args.split or ("dev", "test")),
        recipient_minor=args.recipient_minor,
        scores=args.scores,
    )


def _one_line(exc: PolicyError) -> str:
    """The first problem of a pack that cannot be loaded, with a pointer to the rest."""
    if not exc.problems:
        return "a policy pack could not be loaded"
    first = " ".join(str(exc.problems[0]).split())
    more = len(exc.problems) - 1
    if more:
        return (f"{first} (and {more} more: moderation-bot check-policies {exc.problems[0].file} "
                "lists them)")
    return first
