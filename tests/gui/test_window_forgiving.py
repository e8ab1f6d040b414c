"""Main window, forgiving: one status message, asking before a quit throws training away,
the Train tab opening on the model trained last, the wheel guard installed, every control
reachable with Tab."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QScrollBar,
    QWidget,
)

from digitlab.gui.common.wheel_guard import WheelGuard
from digitlab.gui.main_window import MainWindow
from digitlab.gui.model_store import ModelStore

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def settings_file(tmp_path):
    return str(tmp_path / "digitlab.ini")


@pytest.fixture
def make_window(qtbot, tiny_models, settings_file):
    from digitlab.engine.inference import Predictor

    made = []

    def make():
        store = ModelStore.from_predictor(Predictor.from_keras(tiny_models), models=tiny_models)
        window = MainWindow(store, settings=QSettings(settings_file,
                                                      QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


def test_the_status_bar_says_each_thing_once(make_window):
    window = make_window()
    summary = window.models_label.text()
    assert summary.startswith("Models:")
    window.store.status_changed.emit(summary + " Your CNN model could not be read; using "
                                               "the shipped one.")
    shown = window.statusBar().currentMessage()
    assert summary not in shown and shown.startswith("Your CNN model could not be read")
    window.store.status_changed.emit(summary)
    assert window.statusBar().currentMessage() == ""


def test_the_train_tab_opens_on_the_model_trained_last(make_window):
    first = make_window()
    assert first.train_tab.settings.kind == "multinomial"  # the quickest, the first time
    first.train_tab.training_started.emit("cnn", False)
    first.close()
    second = make_window()
    assert second.train_tab.settings.kind == "cnn" and not second.train_tab.settings.dropout


def test_quitting_during_training_asks_first(qtbot, make_window, monkeypatch):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    monkeypatch.setattr(type(window.train_tab), "is_training", property(lambda self: True))
    answers = []

    def answer(button):
        box = window.quit_prompt
        answers.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.No))
    assert window.request_quit() is False
    assert window.isVisible() and "still training" in answers[0]
    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Yes))
    assert window.request_quit() is True
    assert not window.isVisible() and len(answers) == 2


def test_quitting_while_idle_asks_nothing(qtbot, make_window):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    assert window.request_quit() is True and window.quit_prompt is None


def test_controls_take_tab_focus_and_the_wheel_needs_focus(qtbot, make_window):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    assert QApplication.instance().findChild(WheelGuard) is not None
    unreachable = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        for widget in window.tabs.currentWidget().findChildren(QWidget):
            controls = (QAbstractButton, QAbstractSpinBox, QAbstractSlider, QComboBox, QLineEdit)
            # Qt's own parts (a table's corner button, a tab bar's arrows) are left out.
            if (not isinstance(widget, controls) or isinstance(widget, QScrollBar)
                    or type(widget) is QAbstractButton or widget.objectName().startswith("qt_")
                    or not widget.isVisible()):
                continue
            policy = widget.focusPolicy()
            if not policy.value & Qt.FocusPolicy.TabFocus.value:
                unreachable.append(f"{type(widget).__name__} {getattr(widget, 'text', str)()!r}")
            if isinstance(widget, (QAbstractSpinBox, QAbstractSlider, QComboBox)):
                assert policy != Qt.FocusPolicy.WheelFocus, widget
    assert not unreachable, unreachable
