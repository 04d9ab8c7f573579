"""The shipped detector runtime: a fine-tuned MiniLM, int8 ONNX, served with onnxruntime.

Only ``onnxruntime``, ``tokenizers`` and ``numpy`` are needed here: the running bot never imports
torch. Texts arrive already normalised (:func:`classifiers.normalize.normalize`). Each text is
tokenised once; texts longer than the model's window are scored in overlapping windows and the
per-label maximum is kept, so a threat at the end of a long paste is not truncated away. Windows
from a whole batch are sorted by length and run in padded mini-batches (dynamic padding).

Scores are multi-label probabilities: the model's logit per label passed through the per-label
Platt calibration fitted on the dev split (``model.json``). Thresholds are not here: they are
policy (see ``recommended_thresholds.json`` for the values the model card recommends).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from moderation_bot.core.types import LABELS, Classification

__all__ = [
    "DEFAULT_MODEL_DIR",
    "ModelConfig",
    "ModelLoadError",
    "OnnxClassifier",
    "load_default_classifier",
]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"


class ModelLoadError(RuntimeError):
    """The model folder is missing or inconsistent."""


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """What ``model.json`` says about the shipped model."""

    model_id: str
    labels: tuple[str, ...]
    max_len: int
    stride: int
    calibration_a: tuple[float, ...]
    calibration_b: tuple[float, ...]

    @classmethod
    def read(cls, path: Path) -> ModelConfig:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            labels = tuple(raw["labels"])
            calibration = raw.get("calibration") or {}
            a = tuple(float(calibration.get(l, {}).get("a", 1.0)) for l in labels)
            b = tuple(float(calibration.get(l, {}).get("b", 0.0)) for l in labels)
            return cls(
                str(raw["model_id"]),
                labels,
                int(raw["max_len"]),
                int(raw.get("stride", raw["max_len"] * 3 // 4)),
                a,
                b,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(f"cannot read model config {path}: {exc}") from exc


class OnnxClassifier:
    """Implements :class:`moderation_bot.core.ports.Classifier` with the int8 ONNX model.

    ``max_windows`` bounds the work for one huge text: the first and last halves of that many
    windows are scored (a threat is usually at the start or the end of a paste).

    Dynamic int8 quantisation scales activations per batch tensor, so a text's scores move a
    little (typically < 0.05) with the other texts in its batch. ``batch_size=1`` makes every
    text's scores exactly repeatable, at some cost in throughput.

    ``spin=False`` lets onnxruntime's idle pool threads sleep instead of spinning: slower alone
    (single messages about 0.5 ms), faster beside a busy event loop on the same cores (the bot).
    """

    def __init__(
        self,
        model_dir: Path = DEFAULT_MODEL_DIR,
        *,
        model_file: str = "model.onnx",
        intra_op_num_threads: int = 2,
        batch_size: int = 32,
        max_windows: int = 32,
        spin: bool = True,
    ) -> None:
        model_dir = Path(model_dir)
        self.config = ModelConfig.read(model_dir / "model.json")
        if set(self.config.labels) != set(LABELS):
            raise ModelLoadError(f"model labels {self.config.labels} do not match {LABELS}")
        try:
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception for bad files
            raise ModelLoadError(f"cannot load tokenizer from {model_dir}: {exc}") from exc
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, intra_op_num_threads)
        options.inter_op_num_threads = 1
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        model_path = model_dir / model_file
        if not model_path.exists():
            raise ModelLoadError(f"no model file at {model_path}")
        try:
            self._session = ort.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own pybind exception types
            raise ModelLoadError(f"cannot load ONNX model {model_path}: {exc}") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cls_id = self._tokenizer.token_to_id("[CLS]")
        self._sep_id = self._tokenizer.token_to_id("[SEP]")
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        self._batch_size = max(1, batch_size)
        self._max_windows = max(2, max_windows)
        # Reorder the model's outputs to LABELS order once.
        self._order = np.array([self.config.labels.index(l) for l in LABELS])
        self._a = np.array(self.config.calibration_a, dtype=np.float32)[self._order]
        self._b = np.array(self.config.calibration_b, dtype=np.float32)[self._order]

    @property
    def model_id(self) -> str:
        return self.config.model_id

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        """One Classification per text, in order; empty texts score 0 for every label."""
        probs = self.probabilities(texts)
        return [Classification(dict(zip(LABELS, map(float, row))), self.model_id) for row in probs]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), len(LABELS))``, labels in LABELS order."""
        logits = self.logits(texts)
        probs = 1.0 / (1.0 + np.exp(-(logits * self._a + self._b)))
        empty = (
            np.array([not t.strip() for t in texts], dtype=bool)
            if len(texts)
            else np.zeros(0, bool)
        )
        probs[empty] = 0.0
        return probs

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated logits (max over windows), labels in LABELS order."""
        if isinstance(texts, str):
            raise TypeError("classify_batch expects a sequence of str, not one str")
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"texts must be str, got {type(t).__name__}")
        n = len(texts)
        out = np.full((n, len(LABELS)), -np.inf, dtype=np.float32)
        if n == 0:
            return out
        owners: list[int] = []
        windows: list[list[int]] = []
        for index, enc in enumerate(
            self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ):
            for window in self._windows(enc.ids):
                owners.append(index)
                windows.append(window)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            logits = self._run([windows[i] for i in chunk])
            for row, i in zip(logits, chunk):
                np.maximum(out[owners[i]], row, out=out[owners[i]])
        return out

    def _windows(self, ids: list[int]) -> list[list[int]]:
        body = self.config.max_len - 2
        if len(ids) <= body:
            return [[self._cls_id, *ids, self._sep_id]]
        stride = max(1, min(self.config.stride, body))
        starts = list(range(0, len(ids) - body + stride, stride))
        if len(starts) > self._max_windows:
            half = self._max_windows // 2
            starts = starts[:half] + starts[-half:]
        return [[self._cls_id, *ids[s : s + body], self._sep_id] for s in starts]

    def _run(self, windows: list[list[int]]) -> np.ndarray:
        width = max(len(w) for w in windows)
        ids = np.full((len(windows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(windows), width), dtype=np.int64)
        for row, w in enumerate(windows):
            ids[row, : len(w)] = w
            mask[row, : len(w)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (logits,) = self._session.run(["logits"], feeds)
        return np.asarray(logits, dtype=np.float32)[:, self._order]


def load_default_classifier(*, intra_op_num_threads: int = 2, spin: bool = True) -> OnnxClassifier:
    """Load the model shipped in ``classifiers/model`` (about 0.1 s)."""
    return OnnxClassifier(DEFAULT_MODEL_DIR, intra_op_num_threads=intra_op_num_threads, spin=spin)
