"""The shipped runtime: loads without torch, scores, windows long texts, matches training."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from classifiers.normalize import normalize
from classifiers.onnx_model import (
    DEFAULT_MODEL_DIR,
    ModelLoadError,
    OnnxClassifier,
    load_default_classifier,
)
from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import LABELS

THREAT = "i have your nudes. pay 500 dollars on cashapp in 10 minutes or i send them to your family"
FILLER = "we talked about the football match and the weather and what to cook for dinner tonight. "


def test_runtime_does_not_import_torch(shipped: OnnxClassifier) -> None:
    assert "torch" not in sys.modules
    assert "transformers" not in sys.modules


def test_implements_the_classifier_port(shipped: OnnxClassifier) -> None:
    assert isinstance(shipped, Classifier)
    assert shipped.model_id.startswith("minilm-l6-safety-")


def test_scores_are_probabilities_for_every_label(shipped: OnnxClassifier) -> None:
    results = shipped.classify_batch([normalize(THREAT), normalize("see you at practice"), ""])
    assert len(results) == 3
    for result in results:
        assert set(result.scores) == set(LABELS)
        assert all(0.0 <= v <= 1.0 for v in result.scores.values())
        assert result.model_id == shipped.model_id
    assert results[0].top()[0] == "sextortion"
    assert results[0].scores["sextortion"] > results[1].scores["sextortion"]
    assert all(v == 0.0 for v in results[2].scores.values())


def test_batching_changes_scores_only_within_quantisation_noise(shipped: OnnxClassifier) -> None:
    # Dynamic int8 quantisation scales activations per batch tensor, so a text's scores move
    # slightly with its batch-mates; batch_size=1 makes scoring exactly repeatable.
    texts = [normalize(t) for t in (THREAT, "lol", "send me a pic of you in bed", FILLER * 3)]
    together = shipped.probabilities(texts)
    alone = np.vstack([shipped.probabilities([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=0.15)
    one_by_one = OnnxClassifier(DEFAULT_MODEL_DIR, intra_op_num_threads=1, batch_size=1)
    np.testing.assert_allclose(one_by_one.probabilities(texts), alone, atol=1e-5)
    assert shipped.classify_batch([]) == []


def test_threat_at_the_end_of_a_long_text_is_not_truncated(shipped: OnnxClassifier) -> None:
    long_text = normalize(FILLER * 40 + THREAT)
    short = shipped.probabilities([normalize(THREAT)])[0]
    windowed = shipped.probabilities([long_text])[0]
    benign = shipped.probabilities([normalize(FILLER * 40)])[0]
    j = LABELS.index("sextortion")
    assert windowed[j] > 0.5 > benign[j]
    assert abs(windowed[j] - short[j]) < 0.35


def test_huge_and_hostile_texts_are_scored(shipped: OnnxClassifier) -> None:
    texts = [normalize(t) for t in ("x" * 100_000, "\ud800\x00" * 1000, "🍆" * 3000, "a")]
    probs = shipped.probabilities(texts)
    assert probs.shape == (4, len(LABELS))
    assert np.isfinite(probs).all()


def test_bad_inputs_are_clear_errors(shipped: OnnxClassifier) -> None:
    with pytest.raises(TypeError):
        shipped.classify_batch("one string, not a list")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        shipped.classify_batch([None])  # type: ignore[list-item]


def test_missing_or_broken_model_is_a_clear_error(tmp_path: Path, shipped: OnnxClassifier) -> None:
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)
    (tmp_path / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)
    for name in ("model.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((DEFAULT_MODEL_DIR / name).read_bytes())
    (tmp_path / "model.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)


def test_runtime_agrees_with_the_training_framework(shipped: OnnxClassifier) -> None:
    fixture = json.loads((DEFAULT_MODEL_DIR / "agreement_fixture.json").read_text(encoding="utf-8"))
    assert fixture["model_id"] == shipped.model_id
    texts = [case["text"] for case in fixture["cases"]]
    one_by_one = OnnxClassifier(DEFAULT_MODEL_DIR, intra_op_num_threads=1, batch_size=1)
    runtime = 1 / (1 + np.exp(-one_by_one.logits(texts)))
    torch_fp32 = np.array([case["torch_fp32"] for case in fixture["cases"]])
    int8_at_training = np.array([case["runtime_int8"] for case in fixture["cases"]])
    np.testing.assert_allclose(runtime, int8_at_training, atol=1e-4)
    assert np.abs(runtime - torch_fp32).max() < 0.15  # int8 per-channel quantisation error
    assert ((runtime > 0.5) == (torch_fp32 > 0.5)).mean() >= 0.95


def test_default_loader_and_recommended_thresholds() -> None:
    if not (DEFAULT_MODEL_DIR / "model.onnx").exists():
        pytest.skip("model not built")
    classifier = load_default_classifier(intra_op_num_threads=1)
    thresholds = json.loads((DEFAULT_MODEL_DIR / "recommended_thresholds.json").read_text())[
        "thresholds"
    ]
    assert set(thresholds) == set(LABELS)
    assert all(0.0 < v < 1.0 for v in thresholds.values())
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file())
    assert size < 40_000_000
    assert classifier.model_id
