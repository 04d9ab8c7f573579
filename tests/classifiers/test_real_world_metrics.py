"""The yardstick's arithmetic: rates with family-bootstrap intervals, per-label recall."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.real_world import Decision, RealExample, load_real_world, rate, real_world_report


def test_an_interval_resamples_families_not_rows() -> None:
    # Ten copies of one template that is caught, one other family missed: 10/11 rows,
    # but only two families of evidence, so the interval is wide.
    result = rate([True] * 10 + [False], ["a"] * 10 + ["b"])
    assert result.hits == 10 and result.total == 11 and result.families == 2
    assert result.low < 0.5 < result.high


def test_recall_counts_a_flag_with_the_right_label() -> None:
    rows = [
        RealExample("1", "threat", ("sextortion",), "s", "f1", "dev"),
        RealExample("2", "other threat", ("sextortion",), "s", "f2", "dev"),
        RealExample("3", "hello", (), "s", "f3", "dev"),
    ]

    def decide(texts: list[str]) -> list[Decision]:
        table = {"threat": Decision(True, ("sextortion",), {"sextortion": 0.9}),
                 "other threat": Decision(True, ("grooming",), {"sextortion": 0.4}),
                 "hello": Decision(False, (), {"sextortion": 0.1})}
        return [table[t] for t in texts]

    report = real_world_report(rows, decide, ordinary=["hello"])
    assert report["recall"]["sextortion"].hits == 1
    assert report["recall"]["sextortion (any flag)"].hits == 2
    assert report["auc_vs_lookalikes"]["sextortion"] == 1.0
    assert report["ordinary_chat_flagged"]["hits"] == 0


def test_rows_are_read_by_split_with_subjects_first(tmp_path: Path) -> None:
    folder = tmp_path / "real-world"
    folder.mkdir()
    rows = [{"id": "a", "text": "body", "subject": "Subj", "labels": ["sextortion"],
             "campaign": "c1", "split": "dev"},
            {"id": "b", "text": "x", "labels": [], "family": "f", "split": "test"}]
    (folder / "messages.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n", "utf-8")
    dev = load_real_world(tmp_path, "dev")
    assert [r.text for r in dev] == ["Subj\nbody"]
    assert dev[0].family == "c1"
