"""End to end: `moderation-bot run` with no tokens starts the sandbox; drive it over HTTP like
the page does, then stop it with Ctrl-C (SIGINT)."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
THREAT = "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_")}
    env.update({"MODBOT_PORT": str(port), "MODBOT_CLASSIFIER": "baseline",
                "MODBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
                "PYTHONPATH": str(ROOT)})
    stderr = (tmp_path / "stderr.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "moderation_bot", "run"], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner, banner
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
        stderr.close()


def wait_for_event(client: httpx.Client, kind: str, timeout_s: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        events = client.get("/api/feed", params={"after": 0}).json()["events"]
        found = [e for e in events if e["kind"] == kind]
        if found:
            return found[-1]  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"no {kind!r} event in the feed")


def test_sandbox_shows_the_whole_flow_and_stops_on_ctrl_c(
    bot: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, process = bot
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/healthz").json() == {"ok": True}
        page = client.get("/")
        assert page.status_code == 200 and "Maple Hollow" in page.text

        calm = client.post("/api/messages", json={"persona": "alex", "channel": "general",
                                                   "text": "anyone up for a game tonight?"})
        assert calm.status_code == 200 and calm.json()["flagged"] is False

        sent = client.post("/api/messages", json={"persona": "jordan", "dm_with": "sam",
                                                   "text": THREAT})
        assert sent.status_code == 200, sent.text
        outcome = sent.json()
        assert outcome["flagged"] is True and outcome["case_id"]

        notice = wait_for_event(client, "private_notice")
        assert notice["data"]["user"]["id"] == "sam"
        assert notice["data"]["notice"]["advice"] and notice["data"]["notice"]["links"]
        wait_for_event(client, "case")

        case_id = outcome["case_id"]
        confirmed = client.post(f"/api/cases/{case_id}/actions",
                                json={"action": "confirm_ban", "persona": "kim"})
        assert confirmed.status_code == 200, confirmed.text
        wait_for_event(client, "ban")
        refused = client.post(f"/api/cases/{case_id}/actions",
                              json={"action": "dismiss", "persona": "sam"})
        assert refused.status_code == 403

        export = client.get(f"/api/cases/{case_id}/export", params={"persona": "kim"})
        assert export.status_code == 200
        assert THREAT in export.text
        digest = hashlib.sha256(export.content).hexdigest()
        assert digest in export.headers.get("X-Evidence-SHA256", digest)

        for bad in (b"{not json", b"\xff\xfe", b'{"persona": "sam", "channel": "general"}',
                    b'{"persona": "nobody", "channel": "general", "text": "hi"}'):
            response = client.post("/api/messages", content=bad,
                                   headers={"content-type": "application/json"})
            assert 400 <= response.status_code < 500

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    logs = (tmp_path / "stderr.log").read_text()
    assert "Traceback" not in logs
    assert THREAT not in logs and "gift cards" not in logs


def test_the_moderator_persona_signs_in_to_the_review_ui(
    bot: tuple[str, subprocess.Popen[str]]
) -> None:
    url, _ = bot
    with httpx.Client(base_url=url, timeout=10) as client:
        sent = client.post("/api/messages", json={"persona": "jordan", "dm_with": "sam",
                                                   "text": THREAT})
        assert sent.json()["case_id"]
        link = client.get("/review-link", params={"persona": "kim"})
        assert link.status_code == 303
        signin = link.headers["location"]
        assert signin.startswith(f"{url}/review/signin/")
        page = client.get(signin)
        assert page.status_code == 200 and "Sign in" in page.text
        assert client.get("/review-link", params={"persona": "jordan"}).status_code == 403
        assert client.get("/review", follow_redirects=False).status_code in (307, 308, 302)
