"""The frozen sentence encoder: all-MiniLM-L6-v2, int8 ONNX, mean-pooled and L2-normalised.

Only ``onnxruntime``, ``tokenizers`` and ``numpy`` are needed here. Every window is run through
the model alone (batch of one): dynamic int8 quantisation scales activations over the whole
input tensor, so a window run beside others would get embeddings that depend on its
batch-mates. Alone, a window's embedding is a pure function of its tokens. For speed, windows
run in parallel on several single-threaded sessions (one per thread): on two cores that is about
1.6 times the windows per second of one two-thread session, and faster than padded batches.

A piece longer than the window is cut into overlapping token windows; each window is embedded
on its own (the heads score each one and the classifier keeps the maximum).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

__all__ = ["Encoder", "EncoderLoadError", "EMBEDDING_DIM"]

EMBEDDING_DIM = 384


class EncoderLoadError(RuntimeError):
    """The encoder files are missing or unreadable."""


class Encoder:
    """Text windows to embeddings, with a small cache of recent windows."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        max_len: int = 64,
        stride: int = 48,
        intra_op_num_threads: int = 2,
        spin: bool = True,
        cache_size: int = 4096,
    ) -> None:
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception for bad files
            raise EncoderLoadError(f"cannot load tokenizer {tokenizer_path}: {exc}") from exc
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if not Path(model_path).exists():
            raise EncoderLoadError(f"no encoder at {model_path}")
        try:
            self._sessions = [
                ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
                for _ in range(max(1, intra_op_num_threads))
            ]
        except Exception as exc:  # onnxruntime raises its own pybind exception types
            raise EncoderLoadError(f"cannot load ONNX model {model_path}: {exc}") from exc
        self._pool = (ThreadPoolExecutor(len(self._sessions), thread_name_prefix="encoder")
                      if len(self._sessions) > 1 else None)
        self._inputs = {i.name for i in self._sessions[0].get_inputs()}
        self._cls = self._tokenizer.token_to_id("[CLS]")
        self._sep = self._tokenizer.token_to_id("[SEP]")
        self.body_tokens = max_len - 2
        self._stride = max(1, min(stride, self.body_tokens))
        self._cache: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids of each text, without special tokens."""
        return [e.ids for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def windows(self, ids: Sequence[int]) -> list[tuple[int, ...]]:
        """The token windows of one piece: one if it fits, else overlapping ones covering it."""
        body = self.body_tokens
        if len(ids) <= body:
            return [tuple(ids)]
        starts = list(range(0, len(ids) - body + self._stride, self._stride))
        return [tuple(ids[s : s + body]) for s in starts]

    def embed_windows(self, windows: Sequence[tuple[int, ...]]) -> np.ndarray:
        """One embedding per window, from the cache or the model (windows run in parallel)."""
        rows: list[np.ndarray | None] = [self._cache.get(w) for w in windows]
        missing = list(dict.fromkeys(w for w, row in zip(windows, rows) if row is None))
        if missing:
            if self._pool is None or len(missing) == 1:
                fresh = [self._run(self._sessions[0], w) for w in missing]
            else:
                n = len(self._sessions)
                chunks = [missing[k::n] for k in range(n)]
                done = self._pool.map(lambda k: [self._run(self._sessions[k], w)
                                                 for w in chunks[k]], range(n))
                by_window = {w: r for k, part in enumerate(done) for w, r in zip(chunks[k], part)}
                fresh = [by_window[w] for w in missing]
            for window, row in zip(missing, fresh):
                self._remember(window, row)
            computed = dict(zip(missing, fresh))
            rows = [row if row is not None else computed[w] for w, row in zip(windows, rows)]
        for window in windows:
            if window in self._cache:
                self._cache.move_to_end(window)
        return np.stack(rows)  # type: ignore[arg-type]

    def embed_window(self, window: tuple[int, ...]) -> np.ndarray:
        return self.embed_windows([window])[0]

    def _run(self, session: ort.InferenceSession, window: tuple[int, ...]) -> np.ndarray:
        ids = np.asarray([[self._cls, *window, self._sep]], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (embedding,) = session.run(None, feeds)
        row = np.asarray(embedding[0], dtype=np.float32)
        row.setflags(write=False)
        return row

    def _remember(self, window: tuple[int, ...], row: np.ndarray) -> None:
        if self._cache_size <= 0:
            return
        self._cache[window] = row
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
