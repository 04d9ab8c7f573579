"""``evaluate-packs --scores`` and ``--pack``: cached scores, pack files, clear errors."""

from __future__ import annotations

import gzip
import io
import re
from importlib import resources
from pathlib import Path

import pytest

from moderation_bot import pack_eval
from moderation_bot.core.types import Classification
from policies.evaluation import (
    Stream,
    classify_streams,
    read_score_cache,
    text_key,
    write_score_cache,
)
from tests.fakes.fake_classifier import TableClassifier

TEXTS = {"threat": {"sextortion": 0.92}, "hey": {"grooming": 0.6}}
STREAMS = [
    Stream("offender", "a", "dev", ("hi", "Threat", "hi")),
    Stream("decoy", "a", "dev", ("hello",)),
    Stream("ordinary", "c1:x", "dev", ("Hey",)),
    Stream("offender", "b", "test", ("THREAT",)),
]


class CountingFactory:
    """Makes :class:`TableClassifier` fakes and remembers how many it made."""

    def __init__(self) -> None:
        self.made: list[TableClassifier] = []

    def __call__(self) -> TableClassifier:
        self.made.append(TableClassifier(TEXTS))
        return self.made[-1]

    @property
    def texts_scored(self) -> int:
        return sum(sum(c.batches) for c in self.made)


def _run(
    cache: Path | None, factory: CountingFactory, *, model_id: str = "fake-table", **kw: object
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    packs = kw.pop("packs", pack_eval.choose_packs([]))
    code = pack_eval.run(
        kw.pop("streams", STREAMS), packs, classifier_factory=factory, model_id=model_id,
        normalize=str.lower, scores=cache, out=out, err=err, **kw,  # type: ignore[arg-type]
    )
    return code, out.getvalue(), err.getvalue()


def test_scores_are_saved_then_reused_without_making_the_classifier(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "scores.jsonl.gz"
    first = CountingFactory()
    code, table, err = _run(cache, first)
    assert code == 0 and len(first.made) == 1
    assert first.texts_scored == 4  # hi, threat, hello, hey: each unique text once
    assert cache.is_file() and "saved the scores of 4 texts" in err
    assert [p.name for p in cache.parent.iterdir()] == ["scores.jsonl.gz"]  # no temp left over

    again = CountingFactory()
    code, cached_table, err = _run(cache, again)
    assert code == 0 and again.made == []
    assert cached_table == table
    assert err.strip() == f"evaluate-packs: using the cached scores of 4 texts from {cache}"
    assert "| default | 1 / 1 (100.0%) |" in table.split("test:")[0]


def test_cache_holds_exact_scores_and_no_message_text(tmp_path: Path) -> None:
    cache = tmp_path / "scores.jsonl.gz"
    _run(cache, CountingFactory())
    raw = gzip.decompress(cache.read_bytes()).decode()
    assert not any(word in raw.lower() for word in ("threat", "hello", "hey", '"hi"'))
    assert text_key("threat") in raw
    fresh = classify_streams(STREAMS, TableClassifier(TEXTS), str.lower)
    cached = read_score_cache(cache, "fake-table", ["threat", "hey", "hi", "hello"])
    assert cached["threat"] == fresh["offender:b"][0]
    assert cached["hey"].scores["grooming"] == 0.6


def test_a_cache_for_another_model_is_set_aside_and_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "scores.jsonl.gz"
    old = {t: Classification({}, "old-model") for t in ("hi", "threat", "hello", "hey")}
    write_score_cache(cache, "old-model", old)
    factory = CountingFactory()
    code, _, err = _run(cache, factory)
    assert code == 0 and len(factory.made) == 1
    assert "holds scores of model 'old-model', not 'fake-table': scoring again" in err
    assert "Traceback" not in err
    later = CountingFactory()
    _run(cache, later)
    assert later.made == []


@pytest.mark.parametrize(
    "content",
    [b"not a cache at all", b"", gzip.compress(b'{"format": "moderation-bot-scores"')],
    ids=["not-gzip", "empty", "truncated"],
)
def test_an_unreadable_cache_is_rescored_with_one_notice(tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "scores.jsonl.gz"
    cache.write_bytes(content)
    factory = CountingFactory()
    code, table, err = _run(cache, factory)
    assert code == 0 and len(factory.made) == 1 and "| default |" in table
    notice = [line for line in err.splitlines() if "scoring again" in line]
    assert len(notice) == 1 and str(cache) in notice[0]
    later = CountingFactory()
    _run(cache, later)
    assert later.made == []


def test_a_cache_missing_some_texts_is_rescored(tmp_path: Path) -> None:
    cache = tmp_path / "scores.jsonl.gz"
    _run(cache, CountingFactory())
    more = [*STREAMS, Stream("ordinary", "c2:y", "dev", ("something new",))]
    factory = CountingFactory()
    _, _, err = _run(cache, factory, streams=more)
    assert factory.texts_scored == 5
    assert "lacks the scores of 1 of these texts: scoring again" in err
    assert "something new" not in err


def _pack_file(tmp_path: Path, filename: str, name: str) -> Path:
    text = resources.files("policies").joinpath("packs", "default.yaml").read_text("utf-8")
    text, count = re.subn(r"^name: default$", f"name: {name}", text, flags=re.M)
    assert count == 1
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    return path


def test_pack_files_are_evaluated_beside_the_builtins(tmp_path: Path) -> None:
    strict = _pack_file(tmp_path, "strict.yaml", "strict")
    rows = pack_eval.choose_packs([strict])
    assert list(rows) == ["adult-dating", "default", "teen", "strict"]
    assert list(pack_eval.choose_packs([strict], builtins=False)) == ["strict"]

    _, table, _ = _run(None, CountingFactory(), packs=rows, splits=("dev",))
    assert table.startswith("dev:\n")
    assert "| strict | 1 / 1 (100.0%) | 2 | 0 / 1 (0.0%) | 0 / 1 (0.0%) |" in table


def test_clashing_pack_names_fall_back_to_file_names(tmp_path: Path) -> None:
    mine = _pack_file(tmp_path, "mine.yaml", "default")
    (tmp_path / "other").mkdir()
    twin = _pack_file(tmp_path / "other", "mine.yaml", "default")
    rows = pack_eval.choose_packs([mine, twin])
    assert list(rows) == ["adult-dating", "default", "teen", "mine.yaml", str(twin)]
    assert list(pack_eval.choose_packs([mine, mine, mine], builtins=False)) == [
        "mine.yaml", str(mine), f"{mine} (2)"
    ]


def test_broken_yaml_stops_with_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nflag_thresholds:\n  grooming: [0.5\n", encoding="utf-8")
    code = pack_eval.main(["--pack", str(broken), "--data-dir", str(tmp_path / "none")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"evaluate-packs: {broken}:") and "YAML error" in lines[0]


def test_a_pack_with_several_problems_points_to_check_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nflag_thresholds:\n  groming: 0.5\nfoo: 1\n", encoding="utf-8")
    assert pack_eval.main(["--pack", str(bad), "--only-files"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert f"moderation-bot check-policies {bad} lists them" in err


def test_only_files_needs_a_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert pack_eval.main(["--only-files"]) == 2
    err = capsys.readouterr().err
    assert err == "evaluate-packs: --only-files needs at least one --pack FILE\n"
