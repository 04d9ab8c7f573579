"""Sender-level evaluation of a pack: who gets escalated, and after how many of their messages.

Grooming shows over a conversation, so a message-level score says little about how the engine
behaves. This replays one sender's messages (already classified) through :func:`risk.advance`
and :func:`engine.evaluate`, exactly as the pipeline does, and reports the first message that
opened a case. Grouping streams (offenders, decoys, ordinary chat) gives the three numbers the
packs are tuned on: how many offenders are escalated, after how many messages, and how many
ordinary senders are wrongly escalated.

The replay is pure: the caller runs the classifier. :func:`read_streams` reads the corpora in
``../shared/data`` into per-sender streams, and :func:`evaluate_packs` runs any classifier (the
``Classifier`` port) over them; this package does not import ``classifiers``, so the caller
passes the classifier and the normaliser (see ``policies/README.md``).
:func:`classify_streams_cached` keeps the scores in a file keyed by the model id, so re-tuning a
pack's thresholds replays in seconds instead of re-running the model.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import statistics
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import (
    LABELS,
    Classification,
    CommunitySettings,
    Decision,
    IncomingMessage,
    RiskState,
    UserRef,
)
from policies.engine import evaluate
from policies.risk import advance
from policies.schema import PolicyPack

GROUPS = ("offender", "decoy", "ordinary")


@dataclass(frozen=True, slots=True)
class SenderOutcome:
    group: str
    stream_id: str
    messages: int
    first_escalation: int | None
    """1-based index of the message that first opened a case, ``None`` if none did."""


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    group: str
    senders: int
    escalated: int
    median_messages_to_first: float | None

    @property
    def escalated_share(self) -> float:
        return self.escalated / self.senders if self.senders else 0.0

    def __str__(self) -> str:
        median = (
            "-" if self.median_messages_to_first is None else f"{self.median_messages_to_first:g}"
        )
        return (
            f"{self.group}: {self.escalated}/{self.senders} senders escalated "
            f"({100 * self.escalated_share:.1f}%), median messages to first escalation {median}"
        )


@dataclass(frozen=True, slots=True)
class Stream:
    """One sender's messages, in order: an offender, a decoy, or an ordinary chat sender."""

    group: str
    stream_id: str
    split: str
    texts: tuple[str, ...]


_SENDER = UserRef("eval", "sender", "sender")
_RECIPIENT = UserRef("eval", "recipient", "recipient")


def replay(
    pack: PolicyPack,
    classifications: Iterable[Classification],
    *,
    gap_s: float = 60.0,
    private: bool = True,
    recipient_is_minor: bool | None = None,
) -> Iterator[Decision]:
    """The engine's decision on each message of one sender, in order.

    Messages are taken as ``gap_s`` seconds apart in one private conversation (the corpora we
    tune on have no timestamps), with the risk carried from message to message.
    """
    settings = CommunitySettings(platform="eval", community_id="eval", policy_pack=pack.name)
    message = IncomingMessage(
        platform="eval",
        community_id="eval",
        channel_id="eval",
        conversation_id="eval",
        message_id="eval",
        sender=_SENDER,
        text="",
        sent_at=datetime(2000, 1, 1, tzinfo=UTC),
        private=private,
        recipients=(_RECIPIENT,),
        recipient_is_minor=recipient_is_minor,
    )
    state = RiskState()
    for count, classification in enumerate(classifications, start=1):
        since = None if count == 1 else gap_s
        state = advance(
            state,
            classification,
            seconds_since_conversation=since,
            seconds_since_sender=since,
            params=pack.risk,
        )
        yield evaluate(pack, settings, message, classification, state)


def first_escalation(
    pack: PolicyPack,
    classifications: Iterable[Classification],
    *,
    gap_s: float = 60.0,
    private: bool = True,
    recipient_is_minor: bool | None = None,
) -> tuple[int, int | None]:
    """(messages seen, 1-based index of the first message that escalated or ``None``).

    See :func:`replay`; replay stops at the first escalation.
    """
    count = 0
    decisions = replay(
        pack, classifications, gap_s=gap_s, private=private, recipient_is_minor=recipient_is_minor
    )
    for count, decision in enumerate(decisions, start=1):
        if decision.opens_case:
            return count, count
    return count, None


def messages_with_effects(
    pack: PolicyPack,
    classifications: Iterable[Classification],
    *,
    gap_s: float = 60.0,
    private: bool = True,
    recipient_is_minor: bool | None = None,
) -> tuple[int, int]:
    """(messages, messages on which the bot would do anything at all) over a whole stream."""
    total = acted = 0
    decisions = replay(
        pack, classifications, gap_s=gap_s, private=private, recipient_is_minor=recipient_is_minor
    )
    for decision in decisions:
        total += 1
        acted += bool(decision.effects)
    return total, acted


def summarize(outcomes: Iterable[SenderOutcome]) -> Mapping[str, GroupMetrics]:
    """Metrics per group, in the order groups first appear."""
    groups: dict[str, list[SenderOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.group, []).append(outcome)
    result: dict[str, GroupMetrics] = {}
    for group, items in groups.items():
        firsts = [o.first_escalation for o in items if o.first_escalation is not None]
        result[group] = GroupMetrics(
            group=group,
            senders=len(items),
            escalated=len(firsts),
            median_messages_to_first=float(statistics.median(firsts)) if firsts else None,
        )
    return result


def read_streams(
    data_dir: Path,
    *,
    split_of: Callable[[str], str] = lambda group: "all",
    splits: Sequence[str] | None = None,
) -> list[Stream]:
    """Per-sender streams from the corpora in ``data_dir`` (``../shared/data``).

    Each Perverted-Justice ``predators/predator_NAME.txt`` is one offender and its
    ``officers/officer_NAME.txt`` one decoy (adults posing as children: victim-side text); each
    sender in each BYU chit-chat conversation is one ordinary sender. ``split_of`` maps the group
    keys the dataset builder splits by (``pj:NAME``, ``chitchat:CONVERSATION``) to a split, so
    that only people and conversations the detector was not trained on are replayed
    (``classifiers.dataset.split_of`` with ``splits=("dev",)``). Blank lines are skipped.
    """
    streams: list[Stream] = []
    pj = data_dir / "perverted-justice"
    for path in sorted((pj / "predators").glob("predator_*.txt")):
        name = path.stem.removeprefix("predator_")
        split = split_of(f"pj:{name}")
        streams.append(Stream("offender", name, split, _lines(path)))
        decoy = pj / "officers" / f"officer_{name}.txt"
        if decoy.exists():
            streams.append(Stream("decoy", name, split, _lines(decoy)))
    with (data_dir / "chitchat" / "dataset.json").open(encoding="utf-8") as fh:
        conversations = json.load(fh)
    for conv_id, conversation in conversations.items():
        split = split_of(f"chitchat:{conv_id}")
        by_sender: dict[str, list[str]] = {}
        for turn in conversation.get("messages", []):
            for item in turn:
                text = str(item.get("text", "")).strip()
                if text:
                    by_sender.setdefault(str(item.get("sender")), []).append(text)
        for sender, texts in by_sender.items():
            streams.append(Stream("ordinary", f"{conv_id}:{sender}", split, tuple(texts)))
    if splits is not None:
        streams = [s for s in streams if s.split in splits]
    return streams


def _lines(path: Path) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def unique_texts(streams: Sequence[Stream], normalize: Callable[[str], str]) -> list[str]:
    """Every distinct normalised text of ``streams``, sorted (the order they are scored in)."""
    return sorted({normalize(t) for s in streams for t in s.texts})


def score_texts(
    texts: Sequence[str], classifier: Classifier, *, batch_size: int = 64
) -> dict[str, Classification]:
    """Each text's classification, scored in batches of ``batch_size`` in the given order."""
    scored: dict[str, Classification] = {}
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start : start + batch_size])
        scored.update(zip(chunk, classifier.classify_batch(chunk), strict=True))
    return scored


def stream_classifications(
    streams: Sequence[Stream],
    scored: Mapping[str, Classification],
    normalize: Callable[[str], str],
) -> dict[str, list[Classification]]:
    """Each stream's classifications, keyed ``group:stream_id``, looked up in ``scored``."""
    return {
        f"{s.group}:{s.stream_id}": [scored[normalize(t)] for t in s.texts] for s in streams
    }


def classify_streams(
    streams: Sequence[Stream],
    classifier: Classifier,
    normalize: Callable[[str], str],
    *,
    batch_size: int = 64,
) -> dict[str, list[Classification]]:
    """Each stream's classifications, keyed ``group:stream_id``; repeated texts scored once."""
    scored = score_texts(unique_texts(streams, normalize), classifier, batch_size=batch_size)
    return stream_classifications(streams, scored, normalize)


# The score cache: gzip JSON lines. A header line, then one ``[key, score, ...]`` line per text,
# scores in the header's label order. Keys are hashes of the normalised texts, so the file holds
# no message text and can sit anywhere without leaking the corpora.
SCORE_CACHE_FORMAT = "moderation-bot-scores"
SCORE_CACHE_VERSION = 1


class ScoreCacheError(Exception):
    """The score cache cannot be used; the message says why in one line (never a message text)."""


def text_key(text: str) -> str:
    """The key a normalised text is stored under in a score cache (128-bit BLAKE2b, hex)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def write_score_cache(path: Path, model_id: str, scored: Mapping[str, Classification]) -> None:
    """Write ``scored`` (normalised text -> classification) to ``path`` atomically.

    The file is written next to ``path`` under a temporary name and renamed over it, so a run
    stopped half-way never leaves a truncated cache behind. Raises ``OSError``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "format": SCORE_CACHE_FORMAT,
        "version": SCORE_CACHE_VERSION,
        "model_id": model_id,
        "labels": list(LABELS),
        "key": "blake2b-128 of the normalised text",
        "count": len(scored),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
                fh.write((json.dumps(header) + "\n").encode("utf-8"))
                for text in sorted(scored):
                    row = [text_key(text), *(scored[text].scores[label] for label in LABELS)]
                    fh.write((json.dumps(row) + "\n").encode("utf-8"))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_score_cache(path: Path, model_id: str, texts: Iterable[str]) -> dict[str, Classification]:
    """The cached classification of each of ``texts`` (normalised), from ``path``.

    Raises :class:`ScoreCacheError` when the file cannot be read, was written for another model
    or label set, or lacks any of ``texts``; ``FileNotFoundError`` when there is no file.
    """
    try:
        with gzip.open(path, "rb") as fh:
            header = json.loads(fh.readline())
            if not isinstance(header, dict) or header.get("format") != SCORE_CACHE_FORMAT:
                raise ScoreCacheError(f"{path} is not a score cache")
            if header.get("version") != SCORE_CACHE_VERSION:
                raise ScoreCacheError(f"{path} is a score cache of another version")
            if header.get("model_id") != model_id:
                raise ScoreCacheError(
                    f"{path} holds scores of model {header.get('model_id')!r}, not {model_id!r}"
                )
            labels = header.get("labels")
            if not isinstance(labels, list) or sorted(labels) != sorted(LABELS):
                raise ScoreCacheError(f"{path} holds scores for other labels")
            stored: dict[str, tuple[float, ...]] = {}
            for line in fh:
                key, *values = json.loads(line)
                if not isinstance(key, str) or len(values) != len(labels):
                    raise ValueError("malformed row")
                stored[key] = tuple(float(v) for v in values)
    except FileNotFoundError:
        raise
    except ScoreCacheError:
        raise
    except (OSError, EOFError, ValueError, TypeError, zlib.error) as exc:
        raise ScoreCacheError(f"cannot read the score cache {path} ({type(exc).__name__})") from exc
    if len(stored) != header.get("count"):
        raise ScoreCacheError(f"{path} is incomplete")
    result: dict[str, Classification] = {}
    missing = 0
    for text in texts:
        values = stored.get(text_key(text))
        if values is None:
            missing += 1
        else:
            result[text] = Classification(dict(zip(labels, values, strict=True)), model_id)
    if missing:
        raise ScoreCacheError(f"{path} lacks the scores of {missing:,} of these texts")
    return result


def classify_streams_cached(
    streams: Sequence[Stream],
    classifier_factory: Callable[[], Classifier],
    normalize: Callable[[str], str],
    *,
    model_id: str,
    cache: Path | None,
    notice: Callable[[str], None] = lambda line: None,
    batch_size: int = 64,
) -> dict[str, list[Classification]]:
    """:func:`classify_streams`, reusing the scores in ``cache`` when it fits.

    ``model_id`` is the model the classifier would load; a cache written for it that covers every
    text is used and the classifier is never made. Otherwise ``classifier_factory()`` scores every
    text as :func:`classify_streams` does (same batches, so the same scores) and the cache is
    rewritten. ``notice`` gets one line per event worth telling (never a message text).
    """
    texts = unique_texts(streams, normalize)
    if cache is not None:
        try:
            scored = read_score_cache(cache, model_id, texts)
        except FileNotFoundError:
            notice(f"no score cache at {cache} yet: scoring, then saving it there")
        except ScoreCacheError as exc:
            notice(f"{exc}: scoring again")
        else:
            notice(f"using the cached scores of {len(texts):,} texts from {cache}")
            return stream_classifications(streams, scored, normalize)
    classifier = classifier_factory()
    notice(f"scoring {len(texts):,} texts with {classifier.model_id}")
    scored = score_texts(texts, classifier, batch_size=batch_size)
    if cache is not None:
        try:
            write_score_cache(cache, classifier.model_id, scored)
        except OSError as exc:
            notice(f"could not save the score cache {cache} ({exc.strerror or exc})")
        else:
            notice(f"saved the scores of {len(texts):,} texts to {cache}")
    return stream_classifications(streams, scored, normalize)


def evaluate_pack(
    pack: PolicyPack,
    streams: Sequence[Stream],
    classifications: Mapping[str, Sequence[Classification]],
    *,
    gap_s: float = 60.0,
    recipient_is_minor: bool | None = None,
) -> tuple[Mapping[str, GroupMetrics], tuple[int, int]]:
    """Per-group metrics, and (messages, messages with any effect) over the ordinary senders.

    ``recipient_is_minor=True`` replays every stream as sent to someone flagged as under 18 (only
    meaningful for offenders: a decoy's or an ordinary sender's recipient is not a child)."""
    outcomes = []
    ordinary = [0, 0]
    for s in streams:
        scored = classifications[f"{s.group}:{s.stream_id}"]
        count, first = first_escalation(pack, scored, gap_s=gap_s,
                                         recipient_is_minor=recipient_is_minor)
        outcomes.append(SenderOutcome(s.group, s.stream_id, count, first))
        if s.group == "ordinary":
            total, acted = messages_with_effects(pack, scored, gap_s=gap_s,
                                                 recipient_is_minor=recipient_is_minor)
            ordinary[0] += total
            ordinary[1] += acted
    return summarize(outcomes), (ordinary[0], ordinary[1])


def table(rows: Mapping[str, tuple[Mapping[str, GroupMetrics], tuple[int, int]]]) -> str:
    """A Markdown table, one row per pack, in the README's layout."""
    lines = [
        "| pack | offenders escalated | median messages to first escalation | decoys escalated "
        "| ordinary senders escalated | ordinary messages with any effect |",
        "|---|---|---|---|---|---|",
    ]
    for name, (metrics, (total, acted)) in rows.items():
        cells = [name]
        for group in GROUPS:
            m = metrics.get(group)
            cells.append(
                f"{m.escalated:,} / {m.senders:,} ({100 * m.escalated_share:.1f}%)" if m else "-"
            )
            if group == "offender":
                median = m.median_messages_to_first if m else None
                cells.append("-" if median is None else f"{median:g}")
        cells.append(f"{acted:,} / {total:,} ({100 * acted / total:.2f}%)" if total else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
