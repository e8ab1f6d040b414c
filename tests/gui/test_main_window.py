"""MainWindow: the three tabs, menus and shortcuts, remembered state, clean closing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from digitlab import resources
from digitlab.gui.common.tab import Tab
from digitlab.gui.main_window import MINIMUM_SIZE
from digitlab.gui.model_store import ModelStore

pg.setConfigOptions(imageAxisOrder="row-major")

TIMEOUT_MS = 120_000


def wait_for_first_batch(qtbot, tab):
    """Wait until the curves show the running point of the first batch.

    (Not ``waitSignal(worker.progress)``: the worker may be deleted while more
    of its batch events are queued, which pytest-qt's blocker does not survive.)
    """
    qtbot.waitUntil(lambda: len(tab.curves.series("train_loss")[0]) > 0, timeout=TIMEOUT_MS)


def show(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()


def test_the_window_has_three_tabs_menus_and_a_model_status(windows, store, settings):
    window = windows(store, settings)
    assert [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())] == [
        "Draw", "Filters", "Train"]
    assert all(isinstance(page, Tab) for page in window.pages), "each tab offers what Tab says"
    assert window.minimumWidth() >= MINIMUM_SIZE[0] and window.minimumHeight() >= MINIMUM_SIZE[1]
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus[:2] == ["File", "View"]
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString()
                 for a in (window.open_action, window.export_action, window.quit_action,
                           *window.view_actions)}
    assert shortcuts == {"Open photo…": "Ctrl+O", "Export figure…": "Ctrl+E", "Quit": "Ctrl+Q",
                         "Draw": "Ctrl+1", "Filters": "Ctrl+2", "Train": "Ctrl+3"}
    assert "Train" in menus  # the Train tab's own actions (start/stop) have a menu
    assert window.models_label.text() == store.summary()
    assert "(shipped)" in window.models_label.text()


def test_ctrl_number_switches_tabs(qtbot, windows, store, settings):
    window = windows(store, settings)
    show(qtbot, window)
    for key, tab in ((Qt.Key.Key_3, window.train_tab), (Qt.Key.Key_2, window.filters_tab),
                     (Qt.Key.Key_1, window.draw_tab)):
        # Through the native window, as a real key press travels (shortcut map included).
        QTest.keyClick(window.windowHandle(), key, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentWidget() is tab


def test_geometry_and_last_tab_are_restored(qtbot, windows, store, settings, monkeypatch):
    # The offscreen screen is 800x800 and restoreGeometry keeps windows on screen:
    # a smaller minimum lets the remembered size fit, as it would on a real desktop.
    from digitlab.gui import main_window

    monkeypatch.setattr(main_window, "MINIMUM_SIZE", (500, 400))
    first = windows(store, settings)
    show(qtbot, first)
    first.resize(640, 480)
    first.move(40, 60)
    first.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == (640, 480))
    remembered = first.geometry()
    first.close()

    second = windows(store, settings)
    assert second.tabs.currentWidget() is second.train_tab
    assert (second.width(), second.height()) == (640, 480)
    show(qtbot, second)
    assert second.geometry() == remembered


def test_status_bar_follows_model_loading(windows, settings, tiny_models, qtbot):
    store = ModelStore()  # not started: as in the first second after launch
    window = windows(store, settings)
    assert "loading…" in window.models_label.text()
    assert "Loading models" in window.statusBar().currentMessage()
    store.status_changed.emit("Your cnn model could not be loaded (corrupt); using the shipped.")
    assert "could not be loaded" in window.statusBar().currentMessage()
    with qtbot.waitSignal(store.model_saved, timeout=TIMEOUT_MS):
        store.use_model("cnn", tiny_models["cnn"], 0.97)
    assert "CNN 97.00% (yours)" in window.models_label.text()


def test_a_digit_from_the_train_tab_opens_in_the_draw_tab(windows, store, settings, mnist):
    window = windows(store, settings)
    window.tabs.setCurrentWidget(window.train_tab)
    assert window.draw_tab.canvas.is_blank
    window.train_tab.digit_requested.emit(mnist.x_test[0])
    assert window.tabs.currentWidget() is window.draw_tab
    assert not window.draw_tab.canvas.is_blank


def test_open_photo_and_export_figure_go_through_the_filters_tab(
        qtbot, windows, store, settings, tmp_path):
    window = windows(store, settings)
    photo = resources.path("photos", "camera.png")
    with qtbot.waitSignal(window.filters_tab.photo_changed, timeout=TIMEOUT_MS):
        window.open_photo(str(photo))
    assert window.tabs.currentWidget() is window.filters_tab
    qtbot.waitUntil(lambda: window.filters_tab.result is not None
                    and window.filters_tab.result.input_shape[1:3] == (512, 512),
                    timeout=TIMEOUT_MS)
    target = tmp_path / "figure.png"
    assert window.export_figure(str(target))
    with Image.open(target) as figure:
        assert figure.format == "PNG" and figure.width > 512
    assert str(target) in window.statusBar().currentMessage()


def test_closing_during_training_stops_the_worker(qtbot, windows, store, settings):
    window = windows(store, settings)
    show(qtbot, window)
    tab = window.train_tab
    window.tabs.setCurrentWidget(tab)
    tab.settings.select_model("dnn")
    tab.settings.samples.setValue(5000)
    tab.settings.batch_size.setValue(8)
    tab.start_button.click()
    worker = tab.worker
    wait_for_first_batch(qtbot, tab)
    assert tab.is_training
    qtbot.waitUntil(lambda: window.training_label.isVisible())
    assert window.training_label.text().startswith("Training: epoch 1")
    window.close()
    assert not window.isVisible()
    assert not worker.isRunning() and not tab.is_training
    assert tab.outcome is None  # aborted: no evaluation, no "use it?" question
    assert QSettings(settings.fileName(), QSettings.Format.IniFormat).value("last_tab") in (2, "2")


def test_ctrl_q_quits_via_close(qtbot, windows, store, settings):
    window = windows(store, settings)
    show(qtbot, window)
    window.tabs.setCurrentIndex(1)
    window.quit_action.trigger()
    assert not window.isVisible()
    assert QSettings(settings.fileName(), QSettings.Format.IniFormat).value(
        "last_tab", type=int) == 1


def test_ctrl_c_closes_the_window_from_the_event_loop(qtbot, windows, store, settings):
    """The SIGINT handler may interrupt any code (a worker's submit holding its lock): it
    only schedules the close, which then runs from the event loop."""
    from digitlab.gui.app import close_later

    window = windows(store, settings)
    show(qtbot, window)
    close_later(window)(signal.SIGINT, None)
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_startup_trace_prints_each_milestone_once(qtbot, windows, store, settings, capsys):
    from digitlab.gui.app import StartupTrace

    window = windows(store, settings)
    trace = StartupTrace(window, store, enabled=True)
    window.show()  # as gui.app.main does: watch right after show, before the first expose
    trace.watch()
    qtbot.waitUntil(lambda: "window_shown" in trace.printed)
    store.tensorflow_loaded.emit(0.0)
    store.models_changed.emit()
    store.models_changed.emit()  # a later model swap is not "first" any more
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "window_shown", "tensorflow_loaded", "first_prediction_ready"]
    assert all(float(line.split()[1]) > 0 for line in lines[::2])  # seconds since start


def test_the_app_modules_do_not_import_tensorflow():
    code = ("import sys, gui.app, gui.main_window, gui.model_store, gui.train.train_tab; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_the_real_app_starts_traces_and_quits_cleanly(tmp_path):
    """``digitlab`` end to end: window first, then the first prediction (read without
    TensorFlow, issue 14), then TensorFlow in the background; quiet; Ctrl+C closes it."""
    env = dict(os.environ, DIGITLAB_STARTUP_TRACE="1", QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from digitlab.cli import main; rc = main([]); "
         "from digitlab.engine import blas; "
         "print('blas threads', blas._OPENBLAS[0]() if blas._OPENBLAS else 1); sys.exit(rc)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    wanted = ("window_shown",)
    if (resources.path("models") / "cnn.keras").exists():
        wanted += ("first_prediction_ready",)
    wanted += ("tensorflow_loaded",)
    seen = []
    try:
        while len(seen) < len(wanted):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.split()[0])
    finally:
        proc.send_signal(signal.SIGINT)
        rest, stderr = proc.communicate(timeout=120)
    assert seen == list(wanted)
    assert proc.returncode == 0
    assert stderr == ""
    # The app keeps numpy's OpenBLAS on one thread (no switching per live read).
    assert "blas threads 1" in rest


def test_draw_menu_offers_the_lab_commands(windows, store, settings):
    window = windows(store, settings)
    draw_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Draw")
    texts = [a.text().replace("&", "") for a in draw_menu.actions() if not a.isSeparator()]
    for wanted in ("Save drawing as digit", "Robustness sweep", "What the models learned"):
        assert any(t.startswith(wanted) for t in texts), texts


def test_filters_and_train_are_built_once_the_first_prediction_is_in(
        qtbot, windows, store, settings, monkeypatch):
    """Only the Draw tab is made before the window shows (start-up time); the others
    follow after the first prediction, with their menus and shortcuts."""
    from digitlab.gui import main_window
    from digitlab.gui.filters.filters_tab import FiltersTab
    from digitlab.gui.train.train_tab import TrainTab

    monkeypatch.setattr(main_window, "LATER_PAGES_FALLBACK_MS", 3_600_000)  # not the fallback
    window = windows(store, settings)
    assert not window.findChildren(FiltersTab) and not window.findChildren(TrainTab)
    train_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Train")
    assert train_menu.actions() == []
    store.models_changed.emit()  # as the first models read arrive
    qtbot.waitUntil(lambda: len(window.findChildren(TrainTab)) == 1, timeout=10_000)
    assert len(window.findChildren(FiltersTab)) == 1
    assert [window.tabs.widget(i) for i in range(3)] == [
        window.draw_tab, window.filters_tab, window.train_tab]
    shortcuts = {a.shortcut().toString() for a in train_menu.actions()}
    assert {"Ctrl+T", "Ctrl+Shift+T"} <= shortcuts


def test_a_tab_is_built_when_shown_and_its_menu_when_opened(qtbot, windows, store, settings):
    from digitlab.gui.filters.filters_tab import FiltersTab
    from digitlab.gui.train.train_tab import TrainTab

    window = windows(store, settings)
    window.tabs.setCurrentIndex(1)
    assert isinstance(window.tabs.currentWidget(), FiltersTab)
    assert window.tabs.currentIndex() == 1 and window.tabs.count() == 3
    assert not window.findChildren(TrainTab)
    train_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Train")
    train_menu.aboutToShow.emit()
    assert len(window.findChildren(TrainTab)) == 1
    assert [a.text().replace("&", "") for a in train_menu.actions()][:2] == [
        "Start training", "Stop training"]
