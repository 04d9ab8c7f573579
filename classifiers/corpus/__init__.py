"""The project's own written corpus: messages by many independent writers (README.md here).

Each writer worked from one brief (``briefs/wNN.md`` plus ``briefs/COMMON.md``), saw neither
the generators nor any other writer's output, and wrote ``writers/wNN.jsonl``: one
``{"text", "labels", "note"?}`` object per line. Splits and cross-validation are by writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from moderation_bot.core.types import LABELS

__all__ = ["CORPUS_DIR", "CorpusError", "CorpusMessage", "load_corpus"]

CORPUS_DIR = Path(__file__).resolve().parent


class CorpusError(ValueError):
    """A corpus file is malformed (the message says which file and line)."""


@dataclass(frozen=True, slots=True)
class CorpusMessage:
    text: str
    labels: tuple[str, ...]
    writer: str


def load_corpus(folder: Path = CORPUS_DIR) -> list[CorpusMessage]:
    """Every message of every writer, in file order."""
    out: list[CorpusMessage] = []
    for path in sorted((Path(folder) / "writers").glob("w*.jsonl")):
        writer = path.stem
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, labels = row["text"], row["labels"]
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path.name}:{number}: {exc}") from exc
            if not isinstance(text, str) or not text.strip():
                raise CorpusError(f"{path.name}:{number}: 'text' must be a non-empty string")
            if not isinstance(labels, list) or not set(labels) <= set(LABELS):
                raise CorpusError(f"{path.name}:{number}: 'labels' must be a subset of {LABELS}")
            out.append(CorpusMessage(text, tuple(l for l in LABELS if l in labels), writer))
    return out
