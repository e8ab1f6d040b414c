"""Shared test set-up: Qt offscreen, a private user-data folder, MNIST once per session."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path, monkeypatch):
    """Every test gets its own empty user data folder: nothing touches the real one."""
    monkeypatch.setenv("DIGITLAB_DATA_DIR", str(tmp_path / "digitlab-data"))


@pytest.fixture(scope="session")
def mnist():
    """The bundled MNIST, loaded once."""
    from digitlab.engine.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def tiny_models(mnist):
    """One briefly trained model of each kind (small slice, 1 epoch): real weights, fast."""
    from digitlab.engine.training import lesson_recipe, train

    models = {}
    for kind in ("multinomial", "dnn", "cnn"):
        config = lesson_recipe(kind, epochs=1, limit=2000, seed=0, learning_rate=1e-3)
        models[kind] = train(config, mnist, evaluate_test=False).model
    return models
