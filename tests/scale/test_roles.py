"""`moderation-bot run --role ...` as an operator starts it: a misconfigured role stops at once
with one clear line, and the gateway's service publishes instead of deciding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from moderation_bot.core.types import IncomingMessage
from moderation_bot.scale.gateway import StreamingService
from tests.factories import message

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_")}
    environment.update({"PYTHONPATH": str(ROOT), "MODBOT_CLASSIFIER": "baseline",
                        "MODBOT_DATABASE_URL": f"sqlite:///{cwd / 'bot.sqlite3'}", **env})
    return subprocess.run([sys.executable, "-m", "moderation_bot", "run", *args],
                          capture_output=True, text=True, env=environment, cwd=cwd, timeout=60,
                          check=False)


def test_a_gateway_without_tokens_says_what_it_needs(tmp_path: Path) -> None:
    done = run("--role", "gateway", cwd=tmp_path)
    assert done.returncode == 2
    assert "MODBOT_DISCORD_TOKEN or MODBOT_TELEGRAM_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_worker_without_redis_stops_with_one_line(tmp_path: Path) -> None:
    done = run("--role", "worker", cwd=tmp_path,
               MODBOT_REDIS_URL="redis://:hunter2@127.0.0.1:1/0")
    assert done.returncode == 2
    assert "redis" in done.stderr.lower() and "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr + done.stdout


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    assert run("--role", "everything", cwd=tmp_path).returncode == 2
    done = run(cwd=tmp_path, MODBOT_ROLE="everything")
    assert done.returncode == 2 and "MODBOT_ROLE" in done.stderr


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[IncomingMessage] = []

    async def publish(self, incoming: IncomingMessage) -> str:
        self.published.append(incoming)
        return "1-0"


async def test_the_gateway_service_queues_messages_and_skips_empty_ones() -> None:
    publisher = RecordingPublisher()
    gateway = StreamingService(publisher, None)  # type: ignore[arg-type]
    outcome = await gateway.handle(message("hello"))
    assert outcome.skipped == "queued" and not outcome.flagged
    assert (await gateway.handle(message(" \n\t"))).skipped == "empty"
    assert [m.text for m in publisher.published] == ["hello"]


@pytest.mark.parametrize("value", ["worker 1", "a/b", "", "x" * 101])
def test_consumer_names_are_plain(value: str) -> None:
    from moderation_bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError):
        load_settings(consumer_name=value, _env_file=None)


def test_the_gateway_service_offers_every_bot_service_operation() -> None:
    import inspect

    from moderation_bot.core.ports import BotService

    wanted = {name for name, _ in inspect.getmembers(BotService, inspect.iscoroutinefunction)}
    offered = {name for name, _ in inspect.getmembers(StreamingService,
                                                      inspect.iscoroutinefunction)}
    assert wanted and wanted <= offered, f"StreamingService lacks {sorted(wanted - offered)}"
