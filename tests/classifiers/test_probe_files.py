"""The hand-written probe files are well-formed, labelled with known labels, and the dev and test
files of each kind never share a message (a shared one would leak a choice made on dev)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.normalize import normalize
from moderation_bot.core.types import LABELS

PROBES = Path(__file__).resolve().parents[2] / "classifiers" / "probes"
PAIRS = [("english_dev.jsonl", "english_test.jsonl"), ("non_english_dev.jsonl", "non_english.jsonl")]


def _rows(name: str) -> list[dict[str, object]]:
    lines = (PROBES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("name", sorted({name for pair in PAIRS for name in pair}))
def test_probe_rows_are_well_formed(name: str) -> None:
    rows = _rows(name)
    assert rows
    for row in rows:
        assert set(row) == {"lang", "labels", "text"}, row
        assert isinstance(row["text"], str) and row["text"].strip()
        assert isinstance(row["labels"], list) and set(row["labels"]) <= set(LABELS)
    texts = [normalize(str(row["text"])) for row in rows]
    assert len(set(texts)) == len(texts), "a message appears twice"
    assert any(not row["labels"] for row in rows), "benign messages are part of every probe set"


@pytest.mark.parametrize(("dev", "test"), PAIRS)
def test_dev_and_test_probes_share_no_message(dev: str, test: str) -> None:
    seen = {normalize(str(row["text"])) for row in _rows(dev)}
    assert not seen & {normalize(str(row["text"])) for row in _rows(test)}


def test_english_probes_cover_every_label_in_both_files() -> None:
    for name in PAIRS[0]:
        covered = {label for row in _rows(name) for label in row["labels"]}  # type: ignore[union-attr]
        assert covered == set(LABELS), name
