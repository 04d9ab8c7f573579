"""The written corpus: every file parses, labels are known, every writer has a brief."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.corpus import CORPUS_DIR, CorpusError, load_corpus
from moderation_bot.core.types import LABELS


def test_every_writer_has_a_brief_and_valid_lines() -> None:
    messages = load_corpus()
    writers = {m.writer for m in messages}
    assert len(writers) >= 16
    for writer in writers:
        assert (CORPUS_DIR / "briefs" / f"{writer}.md").exists()
    assert all(set(m.labels) <= set(LABELS) for m in messages)
    for label in LABELS:
        assert sum(label in m.labels for m in messages) >= 200, label
    benign = sum(not m.labels for m in messages)
    assert benign >= len(messages) // 3  # both sides of every style


def test_no_message_is_written_twice_by_one_writer() -> None:
    by_writer: dict[str, list[str]] = {}
    for m in load_corpus():
        by_writer.setdefault(m.writer, []).append(m.text)
    for writer, texts in by_writer.items():
        assert len(texts) == len(set(texts)), writer


def test_a_malformed_line_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "writers").mkdir()
    (tmp_path / "writers" / "w01.jsonl").write_text(
        json.dumps({"text": "ok", "labels": []}) + "\n"
        + json.dumps({"text": "x", "labels": ["nope"]}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="w01.jsonl:2"):
        load_corpus(tmp_path)
