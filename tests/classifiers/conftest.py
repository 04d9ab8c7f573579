"""Shared fixtures for the classifier tests: the shipped model, loaded once."""

from __future__ import annotations

import pytest

from classifiers.onnx_model import DEFAULT_MODEL_DIR, OnnxClassifier


@pytest.fixture(scope="session")
def shipped() -> OnnxClassifier:
    if not (DEFAULT_MODEL_DIR / "model.onnx").exists():
        pytest.skip("the shipped model is not built (python -m classifiers.train)")
    return OnnxClassifier(DEFAULT_MODEL_DIR, intra_op_num_threads=2)
