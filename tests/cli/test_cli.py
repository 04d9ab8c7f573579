"""The CLI contracts of DESIGN.md, run as a user runs them: a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THREAT = "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers"


def cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_")}
    environment.update({"MODBOT_CLASSIFIER": "baseline", "PYTHONPATH": str(ROOT)})
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "moderation_bot", *args], input=stdin, capture_output=True,
        env=environment, cwd=cwd or ROOT, timeout=120, check=False,
    )
    return subprocess.CompletedProcess(completed.args, completed.returncode,
                                       completed.stdout.decode(), completed.stderr.decode())


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_classify_texts() -> None:
    result = cli("classify", THREAT, "see you at practice")
    assert result.returncode == 0, result.stderr
    threat, calm = lines(result.stdout)
    assert threat["id"] == 1 and threat["flagged"] is True and "sextortion" in threat["labels"]
    assert set(threat["scores"]) == {"sextortion", "image_request", "grooming",  # type: ignore[arg-type]
                                     "victim_disclosure"}
    assert calm["flagged"] is False and calm["labels"] == []


def test_classify_jsonl_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_bytes(b"\n".join([
        json.dumps({"id": "a", "text": THREAT}).encode(),
        b"{not json",
        b"\xff\xfe binary",
        b"[1, 2]",
        json.dumps({"id": "b", "text": 42}).encode(),
        b"",
        json.dumps({"id": "c", "text": "hello", "context": ["x", 1]}).encode(),
        json.dumps({"text": "lol"}).encode(),
    ]))
    result = cli("classify", "--jsonl", str(data))
    assert result.returncode == 1
    assert [line["id"] for line in lines(result.stdout)] == ["a", 8]
    for number in (2, 3, 4, 5, 7):
        assert f"line {number}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_classify_from_stdin_with_context() -> None:
    payload = "\n".join(json.dumps(item) for item in [
        {"id": 1, "text": "want more pics", "context": [THREAT]},
        {"id": 2, "text": "want more pics"},
        {"id": 3, "text": "x" * 100_000},
    ]).encode()
    result = cli("classify", "--jsonl", "-", stdin=payload)
    assert result.returncode == 0, result.stderr
    after_threat, alone, huge = lines(result.stdout)
    assert after_threat["flagged"] is True and alone["flagged"] is False
    assert after_threat["scores"] == alone["scores"]  # context informs the decision, not scores
    assert huge["flagged"] is False


def test_classify_needs_input() -> None:
    result = cli("classify")
    assert result.returncode == 2 and "TEXT" in result.stderr


def test_classify_with_an_unknown_pack_is_a_usage_error() -> None:
    result = cli("classify", "--pack", "nosuch", "hello")
    assert result.returncode == 2 and result.stdout == ""
    assert "unknown policy pack 'nosuch'" in result.stderr and "default" in result.stderr


def test_replay_runs_the_whole_pipeline(tmp_path: Path) -> None:
    conversation = tmp_path / "chat.jsonl"
    conversation.write_text("\n".join([
        json.dumps({"conversation": "dm-1", "sender": "jay", "recipient": "sam", "private": True,
                    "text": "hey, how was school"}),
        json.dumps({"conversation": "dm-1", "sender": "jay", "recipient": "sam", "private": True,
                    "text": THREAT}),
        "this is not json",
        json.dumps({"conversation": "dm-1", "sender": "jay"}),
        json.dumps({"conversation": "dm-1", "sender": "jay", "recipient": "sam", "private": True,
                    "text": "send more pics or everyone sees them"}),
    ]))
    db = tmp_path / "replay.sqlite3"
    result = cli("replay", str(conversation), "--db", str(db))
    assert result.returncode == 1
    assert "line 3:" in result.stderr and "line 4:" in result.stderr
    first, threat, more = lines(result.stdout)
    assert [first["index"], threat["index"], more["index"]] == [0, 1, 4]
    assert first["flagged"] is False and first["effects"] == [] and "case" not in first
    assert threat["flagged"] is True and threat["conversation"] == "dm-1"
    assert threat["sender"] == "jay"
    kinds = {effect["kind"] for effect in threat["effects"]}  # type: ignore[union-attr]
    assert {"warn_recipient", "escalate"} <= kinds
    assert more["case"] == threat["case"]
    assert db.exists()
    summary = result.stderr.strip().splitlines()[-1]
    assert "replay: 3 messages, 1 flagged, 2 acted on, 1 cases opened or updated" in summary
    assert "warn_recipient" in summary


def test_check_policies(tmp_path: Path) -> None:
    good = cli("check-policies", str(ROOT / "policies" / "packs"))
    assert good.returncode == 0, good.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\npolicies:\n  - id: [unclosed\n")
    result = cli("check-policies", str(broken))
    assert result.returncode == 1
    assert "broken.yaml" in result.stderr and "Traceback" not in result.stderr
    missing = cli("check-policies", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2


def test_bad_configuration_is_named_and_secrets_are_not_printed() -> None:
    secret = "super-secret-token-value"
    result = cli("classify", "hi", env={"MODBOT_PORT": "not-a-port",
                                        "MODBOT_DISCORD_TOKEN": secret})
    assert result.returncode == 2
    assert "MODBOT_PORT" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_delete_user_and_purge(tmp_path: Path) -> None:
    conversation = tmp_path / "chat.jsonl"
    conversation.write_text(json.dumps({"conversation": "c", "sender": "jay", "recipient": "sam",
                                        "text": THREAT}))
    db = tmp_path / "bot.sqlite3"
    assert cli("replay", str(conversation), "--db", str(db)).returncode == 0
    env = {"MODBOT_DATABASE_URL": f"sqlite:///{db}"}
    deleted = cli("delete-user", "--platform", "sandbox", "--user", "jay", env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["rows_removed"] > 0
    purged = cli("purge", env=env)
    assert purged.returncode == 0 and json.loads(purged.stdout) == {"evidence_texts_purged": 0}


@pytest.mark.parametrize("args", [["--help"], ["classify", "--help"], ["replay", "--help"]])
def test_help(args: list[str]) -> None:
    assert cli(*args).returncode == 0


def test_bench_smoke_run_writes_its_figures(tmp_path: Path) -> None:
    """The benchmark never rots: a few seconds of it, figures written (values not asserted)."""
    result = cli("bench", "--smoke", "--no-cold-start", "--out", str(tmp_path / "bench"))
    assert result.returncode == 0, result.stderr
    figures = json.loads((tmp_path / "bench" / "bench.json").read_text())
    assert figures["throughput_per_s"] > 0
    (load,) = figures["latency"]
    assert {"offered_per_s", "p50_ms", "p95_ms", "p99_ms"} <= set(load)
    assert figures["peak_rss_mb"] > 0 and figures["machine"]["cpus"]
    assert figures["cpu_us_per_message"]["event_loop"] > 0


def test_detector_tools_are_reachable() -> None:
    result = cli("eval", "--help")
    assert result.returncode == 0 and "--split" in result.stdout


def test_an_unreachable_database_is_a_clear_error() -> None:
    result = cli("purge", env={"MODBOT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "127.0.0.1" in result.stderr
