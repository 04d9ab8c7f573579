"""A working fake of the Classifier port: scores come from a table of exact texts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from moderation_bot.core.types import Classification


class TableClassifier:
    """Scores each text from ``table`` (normalised text -> label scores); unknown texts score 0."""

    def __init__(self, table: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self.table = dict(table or {})
        self.batches: list[int] = []

    @property
    def model_id(self) -> str:
        return "fake-table"

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        self.batches.append(len(texts))
        return [Classification(scores=self.table.get(text, {}), model_id=self.model_id)
                for text in texts]
