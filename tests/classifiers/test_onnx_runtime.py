"""The shipped runtime: loads without torch, scores, windows long texts, matches training."""

from __future__ import annotations

import json
import random
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
    assert shipped.model_id.startswith("minilm-l6-")


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


def test_a_text_scores_the_same_alone_and_among_strangers(shipped: OnnxClassifier) -> None:
    # Every piece is embedded on its own, so batch-mates cannot move a score.
    rng = random.Random(3)
    words = "lol gg send pic pay now your mom video ok bro school tonight see game".split()
    strangers = [" ".join(rng.choices(words, k=rng.randint(1, 30))) for _ in range(64)]
    texts = [normalize(t) for t in (THREAT, "lol", "send me a pic of you in bed", FILLER * 3)]
    alone = np.vstack([shipped.probabilities([t]) for t in texts])
    for index, text in enumerate(texts):
        batch = strangers[:index * 16] + [text] + strangers[index * 16:]
        together = shipped.probabilities(batch)[index * 16]
        assert np.abs(together - alone[index]).max() <= 0.01
    assert shipped.classify_batch([]) == []


def test_padding_cannot_dilute_a_threat(shipped: OnnxClassifier) -> None:
    j = LABELS.index("sextortion")
    plain = shipped.probabilities([normalize(THREAT)])[0][j]
    padded = shipped.probabilities([normalize(f"lol that game was crazy last night. {THREAT}, "
                                              "anyway my brother is playing xbox")])[0][j]
    assert padded > 0.9 and padded >= plain - 0.05


def test_threat_at_the_end_of_a_long_text_is_not_truncated(shipped: OnnxClassifier) -> None:
    j = LABELS.index("sextortion")
    benign = shipped.probabilities([normalize(FILLER * 400)])[0]
    assert benign[j] < 0.5
    for position in (0, 100, 250, 399):  # about 40,000 characters, the threat anywhere
        sentences = [FILLER] * 400
        sentences.insert(position, THREAT + ". ")
        scored = shipped.probabilities([normalize("".join(sentences))])[0]
        assert scored[j] > 0.5, position


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
    for name in ("model.json", "tokenizer.json", "heads.npz"):
        (tmp_path / name).write_bytes((DEFAULT_MODEL_DIR / name).read_bytes())
    (tmp_path / "model.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)
    (tmp_path / "model.onnx").write_bytes((DEFAULT_MODEL_DIR / "model.onnx").read_bytes())
    (tmp_path / "heads.npz").write_bytes(b"not an npz file")
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)


def test_runtime_agrees_with_training(shipped: OnnxClassifier) -> None:
    fixture = json.loads((DEFAULT_MODEL_DIR / "agreement_fixture.json").read_text(encoding="utf-8"))
    assert fixture["model_id"] == shipped.model_id
    single_thread = OnnxClassifier(DEFAULT_MODEL_DIR, intra_op_num_threads=1)
    runtime = np.array([single_thread.model_scores(case["text"]) for case in fixture["cases"]])
    at_training = np.array([case["scores"] for case in fixture["cases"]])
    np.testing.assert_allclose(runtime, at_training, atol=1e-4)


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
