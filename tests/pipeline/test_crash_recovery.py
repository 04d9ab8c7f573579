"""Kill the bot (SIGKILL, a real subprocess) between "decided and stored" and "sent", restart it,
and check every decided effect reaches the platform exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")

pytestmark = pytest.mark.slow


def start(db: Path, calls: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(CHILD), str(db), str(calls), mode],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def read_until(process: subprocess.Popen[str], marker: str) -> list[str]:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line.strip())
        if line.startswith(marker):
            return seen
    raise AssertionError(f"child exited before {marker!r}: {seen}")


def finish(process: subprocess.Popen[str]) -> int:
    code = process.wait(timeout=60)
    if process.stdout is not None:
        process.stdout.close()
    return code


def deliveries(calls: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


@pytest.mark.parametrize("mode", ["block-before-send", "block-after-send"])
def test_effects_survive_a_kill_and_are_sent_exactly_once(tmp_path: Path, mode: str) -> None:
    db, calls = tmp_path / "bot.sqlite3", tmp_path / "calls.jsonl"
    child = start(db, calls, mode)
    try:
        output = read_until(child, "SENDING" if mode == "block-before-send" else "SENT")
    finally:
        child.send_signal(signal.SIGKILL)
        finish(child)
    assert any(line.startswith("STORED ") for line in output)
    before = deliveries(calls)
    assert len(before) == (0 if mode == "block-before-send" else 1)

    restarted = start(db, calls, "restart")
    read_until(restarted, "DONE")
    assert finish(restarted) == 0

    sent = deliveries(calls)
    keys = [d["key"] for d in sent]
    assert len(keys) == len(set(keys)), "an effect was delivered twice"
    methods = sorted(d["method"] for d in sent)
    assert "send_private" in methods and "post_case" in methods
    assert methods.count("send_private") == 1  # the warning and its advice, merged, once

    again = start(db, calls, "restart")
    read_until(again, "DONE")
    assert finish(again) == 0
    assert deliveries(calls) == sent, "a second restart must not send anything again"
