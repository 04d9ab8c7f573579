"""The ``moderation-bot`` command (also ``python -m moderation_bot``).

JSON lines in, JSON lines out, as DESIGN.md specifies. Errors go to stderr; a malformed input
line is reported with its line number, the rest is still processed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from moderation_bot.settings import Settings, SettingsError, load_settings
from moderation_bot.storage import DatabaseUnavailable, UnsupportedDatabase
from policies.loader import PolicyError

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE = 0, 1, 2

# The detector's tools keep their own options; these commands hand the rest of the line to them.
DETECTOR_TOOLS = {
    "dataset": ("classifiers.dataset", "build the versioned training set from the corpora"),
    "train": ("classifiers.train", "train the detector's heads (needs [train])"),
    "eval": ("moderation_bot.detector_eval", "the detector on real messages, then our own splits"),
    "model-bench": ("classifiers.benchmark", "latency and throughput of the shipped model"),
    "evaluate-packs": ("moderation_bot.pack_eval", "sender-level numbers of the policy packs"),
}
CLASSIFY_CHUNK = 64


class InputError(ValueError):
    """One input line that cannot be used; the message says why."""


def _error(message: str) -> None:
    print(f"moderation-bot: {message}", file=sys.stderr, flush=True)


def _emit(obj: dict[str, Any], out: IO[str]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def read_json_lines(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Yield (line number, object or the error for that line); blank lines are skipped."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield number, InputError(f"not valid UTF-8 (byte {error.start})")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, InputError(f"invalid JSON: {error.msg} (column {error.colno})")
            continue
        except RecursionError:
            yield number, InputError("invalid JSON: nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield number, InputError(f"expected a JSON object, got {type(obj).__name__}")
            continue
        yield number, obj


@contextlib.contextmanager
def _open_input(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
        return
    with open(path, "rb") as handle:
        yield handle


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    if getattr(args, "classifier", None):
        overrides["classifier"] = args.classifier
    return load_settings(**overrides)


# -- classify ------------------------------------------------------------------------------

def _classify_inputs(args: argparse.Namespace) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    for position, text in enumerate(args.text, start=1):
        yield position, {"id": position, "text": text}
    if args.jsonl:
        with _open_input(args.jsonl) as stream:
            yield from read_json_lines(stream)


def _check_classify_line(obj: dict[str, Any]) -> tuple[str, list[str]]:
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError("'text' must be a string")
    context = obj.get("context", [])
    if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
        raise InputError("'context' must be a list of strings")
    return text, context


def _classify(args: argparse.Namespace) -> int:
    from moderation_bot.app import load_classifier
    from moderation_bot.classify_text import TextChecker
    from moderation_bot.core.types import CommunitySettings
    from moderation_bot.policy_book import PackPolicyBook

    settings = _settings(args)
    policies = PackPolicyBook()
    problem = policies.check_settings(CommunitySettings("cli", "classify", policy_pack=args.pack))
    if problem is not None:
        _error(f"classify: {problem}")
        return EXIT_USAGE
    checker = TextChecker(load_classifier(settings.classifier, settings.classifier_threads),
                          policies, args.pack, settings.max_message_chars)
    errors = 0
    chunk: list[tuple[Any, str, list[str]]] = []

    def flush() -> None:
        results = checker.check_batch([(text, context) for _, text, context in chunk])
        for (item_id, _, _), result in zip(chunk, results, strict=True):
            _emit({"id": item_id, **result}, sys.stdout)
        chunk.clear()

    for number, item in _classify_inputs(args):
        try:
            if isinstance(item, InputError):
                raise item
            text, context = _check_classify_line(item)
        except InputError as error:
            errors += 1
            _error(f"line {number}: {error}")
            continue
        chunk.append((item.get("id", number), text, context))
        if len(chunk) >= CLASSIFY_CHUNK:
            flush()
    if chunk:
        flush()
    return EXIT_INPUT_ERRORS if errors else EXIT_OK


# -- replay --------------------------------------------------------------------------------

async def _replay(args: argparse.Namespace) -> int:
    from adapters.sandbox.actions import SandboxActions
    from adapters.sandbox.convert import replay_line_to_message
    from moderation_bot.app import open_service

    with tempfile.TemporaryDirectory(prefix="modbot-replay-") as scratch:
        db = Path(args.db) if args.db else Path(scratch) / "replay.sqlite3"
        settings = _settings(args, database_url=f"sqlite:///{db.resolve()}")
        actions = SandboxActions()
        errors = 0
        configured: set[str] = set()
        summary = _ReplaySummary()
        async with open_service(settings, {actions.platform: actions}) as service:
            with _open_input(args.file) as stream:
                for number, item in read_json_lines(stream):
                    index = number - 1
                    try:
                        if isinstance(item, InputError):
                            raise item
                        message = replay_line_to_message(item, index)
                    except (InputError, ValueError) as error:
                        errors += 1
                        _error(f"line {number}: {error}")
                        continue
                    if args.pack and message.community_id not in configured:
                        configured.add(message.community_id)
                        current = await service.get_settings(message.platform, message.community_id)
                        await service.save_settings(replace(current, policy_pack=args.pack),
                                                    changed_by=message.sender)
                    outcome = await service.handle(message)
                    await service.dispatcher.drain()
                    line: dict[str, Any] = {
                        "index": index,
                        "conversation": message.conversation_id,
                        "sender": message.sender.id,
                        "flagged": outcome.flagged,
                        "labels": list(outcome.labels),
                        "scores": {k: round(v, 4) for k, v in outcome.scores.items()},
                        "effects": [{"kind": str(e.kind), "policy": e.policy}
                                    for e in outcome.effects],
                    }
                    if outcome.case_id is not None:
                        line["case"] = outcome.case_id
                    if outcome.skipped:
                        line["skipped"] = outcome.skipped
                    summary.add(line)
                    _emit(line, sys.stdout)
        print(f"moderation-bot: replay: {summary.line()}", file=sys.stderr)
    return EXIT_INPUT_ERRORS if errors else EXIT_OK


class _ReplaySummary:
    """What a replay did, in one line on stderr (stdout stays one JSON object per message)."""

    def __init__(self) -> None:
        self.messages = self.flagged = self.acted_on = 0
        self.cases: set[int] = set()
        self.effects: dict[str, int] = {}

    def add(self, line: dict[str, Any]) -> None:
        self.messages += 1
        self.flagged += bool(line["flagged"])
        self.acted_on += bool(line["effects"])
        if "case" in line:
            self.cases.add(int(line["case"]))
        for effect in line["effects"]:
            self.effects[effect["kind"]] = self.effects.get(effect["kind"], 0) + 1

    def line(self) -> str:
        effects = ", ".join(f"{kind} {count}" for kind, count in sorted(self.effects.items()))
        return (f"{self.messages} messages, {self.flagged} flagged, {self.acted_on} acted on, "
                f"{len(self.cases)} cases opened or updated; effects: {effects or 'none'}")


# -- other commands ------------------------------------------------------------------------

def _run(args: argparse.Namespace) -> int:
    from moderation_bot.app import StartupError, run
    from moderation_bot.logs import configure_logging

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.role:
        overrides["role"] = args.role
    settings = _settings(args, **overrides)
    configure_logging(settings.log_level, settings.log_format)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run(settings))
    except StartupError as error:
        _error(str(error))
        return EXIT_USAGE
    print("Stopped.", flush=True)
    return EXIT_OK


def _check_policies(args: argparse.Namespace) -> int:
    from policies.loader import check_policies

    path = Path(args.path)
    if not path.exists():
        _error(f"{path}: no such file or directory")
        return EXIT_USAGE
    problems = check_policies(path)
    for problem in problems:
        print(str(problem), file=sys.stderr)
    if problems:
        return EXIT_INPUT_ERRORS
    print(f"{path}: policies are valid")
    return EXIT_OK


async def _delete_user(args: argparse.Namespace) -> int:
    from moderation_bot.storage import open_store

    settings = _settings(args)
    async with open_store(settings.database_url, pool_size=settings.database_pool_size) as store:
        removed = await store.delete_user_data(args.platform, args.user)
    print(json.dumps({"platform": args.platform, "user": args.user, "rows_removed": removed}))
    return EXIT_OK


async def _purge(args: argparse.Namespace) -> int:
    from moderation_bot.storage import open_store

    settings = _settings(args)
    async with open_store(settings.database_url, pool_size=settings.database_pool_size) as store:
        purged = await store.purge_expired_text(datetime.now(UTC))
    print(json.dumps({"evidence_texts_purged": purged}))
    return EXIT_OK


async def _bench(args: argparse.Namespace) -> int:
    from adapters.sandbox.actions import SandboxActions
    from moderation_bot.bench import BenchConfig, run_benchmark

    if args.workers:
        from moderation_bot.scale.bench import run_worker_benchmark

        counts = tuple(int(n) for n in args.workers.split(","))
        figures = await run_worker_benchmark(_settings(args), counts, args.messages)
        print(json.dumps(figures, indent=2))
        return EXIT_OK

    config = BenchConfig(
        messages=300 if args.smoke else args.messages,
        loads=(50,) if args.smoke else tuple(int(r) for r in args.loads.split(",")),
        load_seconds=1.0 if args.smoke else args.load_seconds,
        cold_start=not args.no_cold_start,
        compare_hf=Path(args.compare_hf) if args.compare_hf else None,
        compare_python=args.compare_python or sys.executable,
    )
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="modbot-bench-") as scratch:
        db = Path(args.db) if args.db else Path(scratch) / "bench.sqlite3"
        settings = _settings(args, database_url=f"sqlite:///{db.resolve()}")
        report = await run_benchmark(settings, SandboxActions, config, out)
    path = report.write(out)
    print(json.dumps(report.figures, indent=2))
    print(f"figures written to {path}", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moderation-bot",
        description="A safety bot that protects people from sextortion and grooming.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    classify = commands.add_parser("classify", help="score messages (JSON lines out)")
    classify.add_argument("text", nargs="*", help="messages to score")
    classify.add_argument("--jsonl", metavar="FILE",
                          help='JSON lines {"id"?, "text", "context"?: [str]}; - for stdin')
    classify.add_argument("--pack", default="default", help="policy pack for thresholds")
    classify.add_argument("--classifier", choices=("auto", "model", "baseline"))

    replay = commands.add_parser("replay", help="run a conversation through the whole pipeline")
    replay.add_argument("file", help='JSON lines {"conversation", "sender", "text", ...}; - for stdin')
    replay.add_argument("--db", help="SQLite file to use (default: a fresh temporary one)")
    replay.add_argument("--pack", help="policy pack for every community in the file")
    replay.add_argument("--classifier", choices=("auto", "model", "baseline"))

    run = commands.add_parser("run", help="start the bot (the local sandbox without tokens)")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--classifier", choices=("auto", "model", "baseline"))
    run.add_argument("--role", choices=("all", "gateway", "worker", "web"),
                     help="all (default): one process; or one part of a scale-out "
                          "(docs/scaling.md)")

    check = commands.add_parser("check-policies", help="validate a policy file or folder")
    check.add_argument("path")

    delete = commands.add_parser("delete-user", help="remove everything stored about a user")
    delete.add_argument("--platform", required=True)
    delete.add_argument("--user", required=True, help="the user's platform id")

    commands.add_parser("purge", help="remove evidence text past the retention period now")

    bench = commands.add_parser("bench", help="measure the whole pipeline under load")
    bench.add_argument("--out", default="artifacts/bench", help="folder for the figures")
    bench.add_argument("--messages", type=int, default=5000, help="messages at saturation")
    bench.add_argument("--loads", default="200,500", help="offered loads, messages/s")
    bench.add_argument("--load-seconds", type=float, default=5.0)
    bench.add_argument("--smoke", action="store_true", help="a few seconds, for CI")
    bench.add_argument("--no-cold-start", action="store_true")
    bench.add_argument("--compare-hf", metavar="MODEL_DIR",
                       help="a transformers model folder to compare against, or 'base' for "
                            "all-MiniLM-L6-v2 with a 4-label head (same size as ours)")
    bench.add_argument("--compare-python", metavar="PYTHON",
                       help="interpreter with torch and transformers for --compare-hf")
    bench.add_argument("--db", help="SQLite file (default: a temporary one)")
    bench.add_argument("--workers", metavar="N,N,...",
                       help="scale-out mode: worker processes over Redis and MODBOT_DATABASE_URL "
                            "(PostgreSQL), e.g. 1,2,4")
    bench.add_argument("--classifier", choices=("auto", "model", "baseline"))

    for name, (_, summary) in DETECTOR_TOOLS.items():
        tool = commands.add_parser(name, help=summary, add_help=False)
        tool.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DETECTOR_TOOLS:
        import importlib

        module = importlib.import_module(DETECTOR_TOOLS[argv[0]][0])
        return int(module.main(argv[1:]))
    args = build_parser().parse_args(argv)
    try:
        if args.command == "classify":
            if not args.text and not args.jsonl:
                _error("classify: give TEXT arguments or --jsonl FILE")
                return EXIT_USAGE
            return _classify(args)
        if args.command == "replay":
            return asyncio.run(_replay(args))
        if args.command == "run":
            return _run(args)
        if args.command == "check-policies":
            return _check_policies(args)
        if args.command == "delete-user":
            return asyncio.run(_delete_user(args))
        if args.command == "bench":
            return asyncio.run(_bench(args))
        return asyncio.run(_purge(args))
    except (SettingsError, UnsupportedDatabase, DatabaseUnavailable, PolicyError) as error:
        _error(str(error))
        return EXIT_USAGE
    except FileNotFoundError as error:
        _error(f"{error.filename}: no such file")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
