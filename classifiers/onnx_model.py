"""The shipped detector runtime: a frozen sentence encoder, small heads, and indicator rules.

Only ``onnxruntime``, ``tokenizers`` and ``numpy`` are needed here: the running bot never imports
torch. Texts arrive already normalised (:func:`classifiers.normalize.normalize`).

How one text is scored:

1. :func:`classifiers.windows.pieces` cuts it into the pieces worth scoring: the whole text,
   its sentences and clauses, and for long texts runs of sentences covering it end to end.
2. :class:`classifiers.encoder.Encoder` embeds every piece on its own (all-MiniLM-L6-v2, frozen,
   int8), so a piece's embedding never depends on other pieces or other messages.
3. The heads (an ensemble of small two-layer networks, ``heads.npz``) turn each embedding into one
   probability per label; a text's score for a label is the maximum over its pieces.
4. :mod:`classifiers.indicators` adds documented structural rules (e.g. the webcam-scam e-mail)
   where they add recall; the final score is the higher of the two.

Thresholds are not here: they are policy (``policies/packs``; ``recommended_thresholds.json``
holds the values the model card recommends).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifiers.encoder import Encoder, EncoderLoadError
from classifiers.indicators import indicator_scores
from classifiers.windows import pieces
from moderation_bot.core.types import LABELS, Classification

__all__ = [
    "DEFAULT_MODEL_DIR",
    "Heads",
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
    encoder_file: str
    heads_file: str
    indicators: bool

    @classmethod
    def read(cls, path: Path) -> ModelConfig:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                model_id=str(raw["model_id"]),
                labels=tuple(raw["labels"]),
                max_len=int(raw["max_len"]),
                stride=int(raw.get("stride", raw["max_len"] * 3 // 4)),
                encoder_file=str(raw.get("encoder_file", "model.onnx")),
                heads_file=str(raw.get("heads_file", "heads.npz")),
                indicators=bool(raw.get("indicators", True)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(f"cannot read model config {path}: {exc}") from exc


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form, as the heads were trained with (torch GELU(approximate="tanh")).
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


class Heads:
    """An ensemble of two-layer networks over embeddings; the probabilities are averaged."""

    def __init__(self, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> None:
        if w1.ndim != 3 or w2.ndim != 3 or w1.shape[0] != w2.shape[0]:
            raise ModelLoadError(f"heads have inconsistent shapes {w1.shape} {w2.shape}")
        self.w1, self.b1 = w1.astype(np.float32), b1.astype(np.float32)
        self.w2, self.b2 = w2.astype(np.float32), b2.astype(np.float32)

    @classmethod
    def load(cls, path: Path) -> Heads:
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(z["w1"], z["b1"], z["w2"], z["b2"])
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"cannot load heads {path}: {exc}") from exc

    def save(self, path: Path) -> None:
        np.savez(path, w1=self.w1, b1=self.b1, w2=self.w2, b2=self.b2)

    @property
    def outputs(self) -> int:
        return int(self.w2.shape[2])

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """``(n, 384)`` embeddings to ``(n, outputs)`` probabilities."""
        hidden = _gelu(np.einsum("nd,kdh->knh", embeddings, self.w1) + self.b1[:, None, :])
        logits = np.einsum("knh,kho->kno", hidden, self.w2) + self.b2[:, None, :]
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -60.0, 60.0)))).mean(axis=0)


class OnnxClassifier:
    """Implements :class:`moderation_bot.core.ports.Classifier` (see the module docstring).

    ``max_pieces`` bounds the work for one huge text; past it, the runs of sentences still
    cover the whole text and the sentences with the most risk words are scored one by one.
    ``spin=False`` lets onnxruntime's idle pool threads sleep instead of spinning: slower alone,
    faster beside a busy event loop on the same cores (the bot). ``cache_size`` recent windows
    are kept with their embeddings (0: none, for honest benchmarks).
    """

    def __init__(
        self,
        model_dir: Path = DEFAULT_MODEL_DIR,
        *,
        intra_op_num_threads: int = 2,
        max_pieces: int = 640,
        spin: bool = True,
        indicators: bool | None = None,
        cache_size: int = 4096,
    ) -> None:
        model_dir = Path(model_dir)
        self.config = ModelConfig.read(model_dir / "model.json")
        if set(self.config.labels) != set(LABELS):
            raise ModelLoadError(f"model labels {self.config.labels} do not match {LABELS}")
        try:
            self._encoder = Encoder(
                model_dir / self.config.encoder_file,
                model_dir / "tokenizer.json",
                max_len=self.config.max_len,
                stride=self.config.stride,
                intra_op_num_threads=intra_op_num_threads,
                spin=spin,
                cache_size=cache_size,
            )
        except EncoderLoadError as exc:
            raise ModelLoadError(str(exc)) from exc
        self._heads = Heads.load(model_dir / self.config.heads_file)
        if self._heads.outputs != len(self.config.labels):
            raise ModelLoadError(f"heads give {self._heads.outputs} outputs for "
                                 f"{len(self.config.labels)} labels")
        self._max_pieces = max(1, max_pieces)
        self._indicators = self.config.indicators if indicators is None else indicators
        self._order = np.array([self.config.labels.index(l) for l in LABELS])

    @property
    def model_id(self) -> str:
        return self.config.model_id

    @property
    def encoder(self) -> Encoder:
        return self._encoder

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        """One Classification per text, in order; empty texts score 0 for every label."""
        probs = self.probabilities(texts)
        return [Classification(dict(zip(LABELS, map(float, row))), self.model_id) for row in probs]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Scores, shape ``(len(texts), len(LABELS))``, labels in LABELS order."""
        if isinstance(texts, str):
            raise TypeError("classify_batch expects a sequence of str, not one str")
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be str, got {type(text).__name__}")
        out = self.model_scores_batch(texts)
        if self._indicators:
            for row, text in enumerate(texts):
                np.maximum(out[row], indicator_scores(text), out=out[row])
        return out

    def model_scores_batch(self, texts: Sequence[str]) -> np.ndarray:
        """The heads' scores (max over each text's pieces), without the indicator rules. The
        windows of all texts are embedded together (in parallel, each on its own)."""
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        owners: list[int] = []
        windows: list[tuple[int, ...]] = []
        for index, text in enumerate(texts):
            parts = self._pieces(text)
            for ids in self._encoder.token_ids(parts) if parts else []:
                for window in self._encoder.windows(ids):
                    owners.append(index)
                    windows.append(window)
        if not windows:
            return out
        probs = self._heads.probabilities(self._encoder.embed_windows(windows))[:, self._order]
        np.maximum.at(out, np.asarray(owners), probs)
        return out

    def model_scores(self, text: str) -> np.ndarray:
        """The heads' scores for one text (max over its pieces), without the indicator rules."""
        return self.model_scores_batch([text])[0]

    def _pieces(self, text: str) -> list[str]:
        return pieces(text, self._encoder.count_tokens,
                      window_tokens=self._encoder.body_tokens, max_pieces=self._max_pieces)


def load_default_classifier(*, intra_op_num_threads: int = 2, spin: bool = True) -> OnnxClassifier:
    """Load the model shipped in ``classifiers/model`` (about 0.1 s)."""
    return OnnxClassifier(DEFAULT_MODEL_DIR, intra_op_num_threads=intra_op_num_threads, spin=spin)
