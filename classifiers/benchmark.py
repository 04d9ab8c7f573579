"""Measure the shipped runtime: load time, single-message latency, batched throughput.

Usage: ``python -m classifiers.benchmark [--threads 2] [--messages 2000]``

Messages are composed here from short chat phrases (8-40 tokens, like real chat); timings
include normalisation and tokenisation, as in the running bot.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from classifiers.normalize import normalize
from classifiers.onnx_model import DEFAULT_MODEL_DIR, OnnxClassifier

_PHRASES = (
    "hey what's up",
    "are you coming to practice tonight",
    "lol that was so funny",
    "send me the notes from class please",
    "i have your pics",
    "pay me now or else",
    "gg that last round was insane",
    "can you send a pic of the homework",
    "my mum says dinner is at 7",
    "don't tell anyone ok",
    "who's online for ranked",
    "this server is so quiet today",
    "i'll pay you back tomorrow",
    "how old are you",
    "the bus was late again",
    "check out this meme 😂",
    "turn your camera on",
    "happy birthday!! 🎉",
    "i'm so tired of school",
    "let's meet at the library at 4",
)


def make_messages(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(_PHRASES) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="classifiers.benchmark", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch-sizes", default="32,128,512")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    # No window cache: the phrases below repeat, and a cache would time lookups, not the model.
    classifier = OnnxClassifier(args.model_dir, intra_op_num_threads=args.threads, cache_size=0)
    load_s = time.perf_counter() - started
    messages = make_messages(args.messages)
    classifier.classify_batch([normalize(m) for m in messages[:32]])  # warm-up

    single: list[float] = []
    for text in messages[:300]:
        t0 = time.perf_counter()
        classifier.classify_batch([normalize(text)])
        single.append((time.perf_counter() - t0) * 1000)
    results: dict[str, object] = {
        "model_id": classifier.model_id,
        "threads": args.threads,
        "load_s": round(load_s, 3),
        "single_ms_median": round(statistics.median(single), 2),
        "single_ms_p95": round(sorted(single)[int(len(single) * 0.95)], 2),
    }
    for size in (int(s) for s in args.batch_sizes.split(",")):
        t0 = time.perf_counter()
        for start in range(0, len(messages), size):
            classifier.classify_batch([normalize(m) for m in messages[start : start + size]])
        results[f"batch{size}_msg_per_s"] = round(len(messages) / (time.perf_counter() - t0), 1)
    long_text = " ".join(messages[:200])
    t0 = time.perf_counter()
    classifier.classify_batch([normalize(long_text)])
    results["long_text_chars"] = len(long_text)
    results["long_text_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
