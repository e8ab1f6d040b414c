"""FinetunePanel: fine-tune on MNIST + the personal set in a worker; before/after; adopt."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from digitlab.engine.personal import PersonalSet
from digitlab.gui.train.finetune_panel import FinetunePanel

pg.setConfigOptions(imageAxisOrder="row-major")

TIMEOUT_MS = 120_000


@pytest.fixture
def small_mnist(mnist):
    return mnist.limit(1000, 500)


@pytest.fixture
def personal(tmp_path, mnist):
    folder = PersonalSet(tmp_path / "personal")
    # "My handwriting": test digits the models never trained on, as if drawn by the user.
    for index in range(20, 26):
        folder.add(mnist.x_test[index], int(mnist.y_test[index]))
    return folder


@pytest.fixture
def panel(qtbot, store, personal, small_mnist):
    widget = FinetunePanel(store, personal, data_loader=lambda: small_mnist)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


def configure(panel, kind, epochs=1):
    panel.model_combo.setCurrentIndex(panel.model_combo.findData(kind))
    panel.epochs.setValue(epochs)
    panel.limit.setValue(1000)
    panel.learning_rate.setValue(0.001)
    panel.weight.setValue(5)


def run(qtbot, panel):
    with qtbot.waitSignal(panel.busy_changed, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):
        assert panel.start()
    assert not panel.is_busy


def test_the_panel_lists_the_models_and_the_personal_set(panel):
    kinds = [panel.model_combo.itemData(i) for i in range(panel.model_combo.count())]
    assert kinds == ["multinomial", "dnn", "cnn"]
    assert panel.model_combo.currentData() == "cnn"
    assert panel.set_label.text().startswith("My drawings: 6 drawings — ")
    assert ": 0" not in panel.set_label.text(), "only the digits drawn are counted"
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    assert not panel.use_button.isEnabled()


def test_before_and_after_accuracies_are_measured_and_shown(qtbot, panel, tiny_models,
                                                            personal, small_mnist):
    from digitlab.engine.training import evaluate_accuracy

    configure(panel, "dnn")
    original = [w.copy() for w in tiny_models["dnn"].get_weights()]
    run(qtbot, panel)
    result = panel.result
    x, y = personal.arrays()
    assert result.before["mnist_test"] == pytest.approx(
        evaluate_accuracy(tiny_models["dnn"], small_mnist.x_test, small_mnist.y_test))
    assert result.before["personal"] == pytest.approx(
        evaluate_accuracy(tiny_models["dnn"], x, y))
    assert result.after["mnist_test"] == pytest.approx(
        evaluate_accuracy(result.model, small_mnist.x_test, small_mnist.y_test))
    for row in ("mnist_test", "personal"):
        assert panel.accuracy_text(row, "before") == f"{result.before[row]:.2%}"
        assert panel.accuracy_text(row, "after") == f"{result.after[row]:.2%}"
    assert result.model is not tiny_models["dnn"]
    for kept, now in zip(original, tiny_models["dnn"].get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)  # the model in use is untouched
    assert "MNIST test" in panel.status_label.text()
    assert panel.use_button.isEnabled() and panel.progress.value() == 1000


def test_use_this_model_hands_it_to_the_store(qtbot, panel, store):
    configure(panel, "multinomial")
    run(qtbot, panel)
    result = panel.result
    with qtbot.waitSignals([store.models_changed, store.model_saved], timeout=TIMEOUT_MS):
        panel.use_button.click()
    assert store.models["multinomial"] is result.model
    info = store.info["multinomial"]
    assert info.source == "user" and info.test_accuracy == result.after["mnist_test"]
    assert not panel.use_button.isEnabled(), "adopted once"


def test_stop_ends_a_long_run_early_and_still_compares(qtbot, panel):
    configure(panel, "multinomial", epochs=50)
    with qtbot.waitSignal(panel.busy_changed, timeout=TIMEOUT_MS,
                          check_params_cb=lambda busy: not busy):
        assert panel.start()
        assert panel.is_busy and panel.stop_button.isEnabled()
        assert not panel.start_button.isEnabled() and not panel.model_combo.isEnabled()
        qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=TIMEOUT_MS)
        panel.stop()
    result = panel.result
    assert result.train_result.stop_reason == "user"
    assert result.train_result.epochs_run < 50
    assert panel.accuracy_text("personal", "after") != ""


def test_with_no_drawings_it_asks_for_some(qtbot, store, tmp_path, small_mnist):
    panel = FinetunePanel(store, PersonalSet(tmp_path / "empty"), lambda: small_mnist)
    qtbot.addWidget(panel)
    assert not panel.start_button.isEnabled()
    assert "Save some drawings first" in panel.start_button.toolTip()
    assert panel.set_label.text() == "My drawings: no drawings yet"
    assert not panel.start()
    PersonalSet(tmp_path / "empty").add(np.zeros((28, 28), np.uint8), 0)
    panel.refresh_set()
    assert panel.start_button.isEnabled()


def test_train_tab_hosts_it_and_waits_for_it_on_close(qtbot, store, personal, small_mnist):
    from digitlab.gui.train.train_tab import TrainTab

    tab = TrainTab(store)
    qtbot.addWidget(tab)
    tab.finetune.personal_set = personal
    tab.finetune._data_loader = lambda: small_mnist
    tab.finetune.refresh_set()
    assert tab.modes.tabText(1) == "Fine-tune on my handwriting"
    configure(tab.finetune, "multinomial", epochs=50)
    assert tab.finetune.start()
    assert tab.is_training, "closing the window must wait for fine-tuning too"
    tab.shutdown()
    assert not tab.is_training and not tab.finetune.is_busy
