"""A trained model is never lost when saving it fails: it is kept and another place offered."""

from __future__ import annotations

import errno

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from digitlab.engine import models as engine_models
from digitlab.engine.paths import user_data_dir
from digitlab.gui.train.train_tab import TrainTab

RUN_TIMEOUT_MS = 120_000


@pytest.fixture
def tab(qtbot, store):
    widget = TrainTab(store)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


@pytest.fixture
def read_only_data_folder(monkeypatch):
    """Saving into the user's data folder fails as on a read-only disk; elsewhere it works."""
    real_save = engine_models.save_model_with_card

    def save(model, path, *args, **kwargs):
        if user_data_dir() in path.parents:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_save(model, path, *args, **kwargs)

    monkeypatch.setattr(engine_models, "save_model_with_card", save)


def train_quickly(qtbot, tab, monkeypatch, kind, model):
    """A run whose training step hands back ``model`` (the real worker evaluates it)."""
    from digitlab.engine import training

    def trained(config, data, **kwargs):
        return training.TrainResult(model=model, config=config, history={"loss": [0.5]},
                                    epochs_run=1, best_epoch=0, stop_reason="completed",
                                    seconds=1.0)

    monkeypatch.setattr(training, "train", trained)
    tab.settings.select_model(kind)
    with qtbot.waitSignal(tab.training_finished, timeout=RUN_TIMEOUT_MS):
        tab.start_button.click()
    assert tab.outcome is not None and tab.outcome.model is model
    return tab.outcome


def choose_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(path), "")))


def save_as_choice(box: QMessageBox):
    return next(b for b in box.buttons() if b.text() == "Save as…")


def test_a_model_that_cannot_be_saved_is_kept_and_saved_elsewhere(
        qtbot, tab, store, tiny_models, tmp_path, monkeypatch, read_only_data_folder, mnist):
    assert not tab.save_as_button.isEnabled()  # nothing trained yet
    outcome = train_quickly(qtbot, tab, monkeypatch, "multinomial", tiny_models["multinomial"])
    assert tab.save_as_button.isEnabled()

    # "Use this model": the save into the read-only data folder fails at the end...
    tab.use_button.click()
    qtbot.waitUntil(lambda: tab.saver.problem_box is not None, timeout=RUN_TIMEOUT_MS)
    box = tab.saver.problem_box
    assert box.isVisible()
    text = box.text()
    assert "Could not save the Multinomial model" in text
    assert "Read-only file system" in text and "multinomial.keras" in text  # what failed
    assert "kept in memory" in text
    # ...and the model is not lost: it is in use, only not on disk.
    assert store.models["multinomial"] is outcome.model
    assert store.info["multinomial"].source == "user" and store.info["multinomial"].path is None
    assert "Could not save the Multinomial model" in tab.log.toPlainText()

    # Another place that fails too (a folder named like the file): said again, still kept.
    (tmp_path / "taken.keras").mkdir()
    choose_file(monkeypatch, tmp_path / "taken.keras")
    save_as_choice(box).click()
    qtbot.waitUntil(lambda: tab.saver.problem_box not in (None, box), timeout=RUN_TIMEOUT_MS)
    second = tab.saver.problem_box
    assert "taken.keras" in second.text() and "kept in memory" in second.text()
    assert tab.save_as_button.isEnabled()

    # A place that works: the model and its card are written there.
    choose_file(monkeypatch, tmp_path / "mine")  # no suffix: .keras is added
    with qtbot.waitSignal(tab.saver.saved, timeout=RUN_TIMEOUT_MS) as saved:
        save_as_choice(second).click()
    target = tmp_path / "mine.keras"
    assert saved.args == ["multinomial", str(target)]
    assert tab.saver.problem_box is None
    assert f"Saved the Multinomial model to {target}" in tab.log.toPlainText()
    assert target.is_file() and (tmp_path / "mine.json").is_file()
    reloaded, _ = engine_models.load_model(target, expected_kind="multinomial")
    images = mnist.x_test[:8].astype(np.float32) / 255
    np.testing.assert_allclose(np.asarray(reloaded(images)), np.asarray(outcome.model(images)),
                               atol=1e-6)


def test_save_as_without_adopting_leaves_the_store_alone(
        qtbot, tab, store, tiny_models, tmp_path, monkeypatch):
    outcome = train_quickly(qtbot, tab, monkeypatch, "dnn", tiny_models["dnn"])
    before = store.predictor
    choose_file(monkeypatch, tmp_path / "copy.keras")
    with qtbot.waitSignal(tab.saver.saved, timeout=RUN_TIMEOUT_MS):
        tab.save_as_button.click()
    assert (tmp_path / "copy.keras").is_file()
    assert store.predictor is before and store.info["dnn"].source == "shipped"
    assert tab.use_button.isEnabled() and outcome.model is tiny_models["dnn"]

    # Cancelling the dialog saves nothing.
    qtbot.waitUntil(lambda: not tab.saver.is_saving, timeout=RUN_TIMEOUT_MS)
    files = sorted(tmp_path.rglob("*"))
    choose_file(monkeypatch, "")
    tab.save_as_button.click()
    assert not tab.saver.is_saving and tab.saver.problem_box is None
    assert sorted(tmp_path.rglob("*")) == files
