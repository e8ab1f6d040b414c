"""GUI test set-up shared by every GUI test (as napari's and labelme's conftests do).

Fails any test that leaves a QThread running, and offers the fixtures the tests
share: ``predictor`` and ``store`` over the session's tiny models, private
``settings`` and ``windows`` that are closed (threads joined) after the test.
"""

from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import QSettings, QThread


@pytest.fixture(autouse=True)
def _no_dangling_qthreads(monkeypatch, qtbot):
    started: list[weakref.ref] = []
    original_start = QThread.start

    def tracking_start(self, *args, **kwargs):
        started.append(weakref.ref(self))
        return original_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", tracking_start)
    yield
    running = []
    for ref in started:
        thread = ref()
        try:
            if thread is not None and thread.isRunning():
                running.append(thread)
        except RuntimeError:  # the C++ object is already deleted: not running
            pass
    for thread in running:  # don't let one test's thread poison the next
        thread.requestInterruption()
        thread.quit()
        thread.wait(5000)
    assert not running, f"{len(running)} QThread(s) still running after the test"


@pytest.fixture(scope="session")
def predictor(tiny_models):
    """The numpy predictor over the session's tiny models (read-only: share it)."""
    from digitlab.engine.inference import Predictor

    return Predictor.from_keras(tiny_models)


@pytest.fixture
def store(predictor, tiny_models):
    """A ready model store with the tiny models; pending saves finish after the test."""
    from digitlab.gui.model_store import ModelStore

    store = ModelStore.from_predictor(predictor, models=tiny_models)
    yield store
    store.shutdown()


@pytest.fixture
def settings(tmp_path):
    """A private settings file: nothing leaks into the user's real settings."""
    return QSettings(str(tmp_path / "digitlab.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def windows(qtbot):
    """Build main windows; each is closed (joining its threads) before the thread check."""
    from digitlab.gui.main_window import MainWindow

    made: list = []

    def make(store, settings):
        window = MainWindow(store, settings=settings)
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
