"""Copy as code: the dialog, and the Filters and Train tabs' scripts (copied, runnable)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from digitlab.gui.dialogs.code_dialog import CodeDialog, show_code
from digitlab.gui.model_store import ModelStore

pg.setConfigOptions(imageAxisOrder="row-major")

TIMEOUT_MS = 30_000
SCRIPT = "x = 1\nprint(x)\n"


@pytest.fixture
def clipboard():
    board = QGuiApplication.clipboard()
    board.setText("something else")
    return board


def test_the_dialog_is_read_only_and_copy_puts_the_code_on_the_clipboard(qtbot, clipboard):
    dialog = CodeDialog("Code", SCRIPT, copy_now=False)
    qtbot.addWidget(dialog)
    assert dialog.editor.isReadOnly() and dialog.code == SCRIPT
    assert clipboard.text() == "something else", "nothing copied before Copy"
    assert dialog.status_label.text() == "2 lines of Python"
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == SCRIPT
    assert dialog.status_label.text().startswith("Copied to the clipboard")


def test_show_code_copies_at_once_and_is_not_modal(qtbot, clipboard):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = show_code(parent, "Code", SCRIPT)
    assert dialog.isVisible() and not dialog.isModal()
    assert clipboard.text() == SCRIPT
    dialog.close()


@pytest.fixture
def filters_tab(qtbot):
    from digitlab.gui.filters.filters_tab import FiltersTab

    # No store: the code follows the kernels on screen, whoever put them there. (A real
    # ModelStore held by a tab is freed by whichever thread's GC collects the tab.)
    tab = FiltersTab(None)
    qtbot.addWidget(tab)
    yield tab
    tab.shutdown()


def test_filters_code_recomputes_the_maps_on_screen(qtbot, filters_tab, clipboard):
    tab = filters_tab
    assert not tab.code_button.isEnabled(), "nothing on screen to copy yet"
    qtbot.waitUntil(lambda: tab.result is not None, timeout=TIMEOUT_MS)
    assert tab.code_button.isEnabled()
    with qtbot.waitSignal(tab.result_shown, timeout=TIMEOUT_MS):
        tab.kernel_editor.apply_preset("sobel x")
        tab.settings_panel.stride_spin.setValue(2)
        tab.picker.channel_combo.setCurrentText("Green")
    qtbot.waitUntil(lambda: tab.result.settings.stride == 2
                    and tab.picker.channel_combo.currentText()
                    == "Green", timeout=TIMEOUT_MS)
    qtbot.wait(200)  # the debounced request with every change has been answered
    result = tab.result
    dialog = tab.copy_as_code()
    assert clipboard.text() == dialog.code
    assert "strides=[1, 2, 2, 1]" in dialog.code
    namespace: dict = {}
    exec(compile(dialog.code, "filters_code.py", "exec"), namespace)  # noqa: S102
    assert tuple(namespace["conv"].shape) == result.conv_shape
    assert tuple(namespace["pooled"].shape) == result.pool_shape
    np.testing.assert_allclose(np.asarray(namespace["pooled"])[0], result.pooled,
                               rtol=1e-4, atol=1e-2)
    dialog.close()


def test_train_code_carries_the_knobs(qtbot, tiny_models, clipboard):
    from digitlab.engine.inference import Predictor
    from digitlab.gui.train.train_tab import TrainTab

    store = ModelStore.from_predictor(Predictor.from_keras(tiny_models), models=tiny_models)
    tab = TrainTab(store)
    qtbot.addWidget(tab)
    tab.settings.select_model("dnn")
    tab.settings.epochs.setValue(7)
    tab.settings.learning_rate.setValue(0.005)
    qtbot.mouseClick(tab.code_button, Qt.MouseButton.LeftButton)
    dialogs = [w for w in tab.findChildren(CodeDialog) if w.isVisible()]
    assert len(dialogs) == 1
    code = dialogs[0].code
    assert clipboard.text() == code
    compile(code, "train_code.py", "exec")
    assert "epochs = 7" in code and "learning_rate = 0.005" in code
    assert 'name="dnn"' in code and "layers.Dense(64" in code
    dialogs[0].close()


def test_train_code_for_invalid_knobs_says_why_and_copies_nothing(qtbot, tiny_models,
                                                                   clipboard, monkeypatch):
    from digitlab.engine.inference import Predictor
    from digitlab.gui.train.train_tab import TrainTab

    tab = TrainTab(ModelStore.from_predictor(Predictor.from_keras(tiny_models)))
    qtbot.addWidget(tab)

    def invalid():
        raise ValueError("Received batch_size=0; it must be >= 1.")

    monkeypatch.setattr(tab.settings, "config", invalid)
    dialog = tab.copy_as_code()
    assert dialog.code.startswith("# Cannot write the code: Received batch_size=0")
    assert clipboard.text() == "something else"
    dialog.close()
