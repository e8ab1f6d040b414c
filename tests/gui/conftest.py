"""GUI test set-up shared by every GUI test (as napari's and labelme's conftests do).

Fails any test that leaves a QThread running, and offers the fixtures the tests
share: ``predictor`` and ``store`` over the session's tiny models, private
``settings`` and ``windows`` that are closed (threads joined) after the test.

Every ``failed(str)`` line of a background job (``gui.workers.jobs``) started in a
test is kept (``job_failures``): a test that times out waiting for a signal says
in its message what the job reported, instead of only "Received 1 of the 2
expected signals".
"""

from __future__ import annotations

import weakref
from functools import partial

import pytest
from pytestqt.exceptions import TimeoutError as QtTimeoutError
from PySide6.QtCore import QSettings, QThread


def _record_failure(failures: list[str], job_name: str, message: str) -> None:
    failures.append(f"{job_name}: {message}")


def explain_timeout(error: Exception, failures: list[str]) -> None:
    """Append the background jobs' ``failed`` lines to a signal wait's timeout message."""
    said = "; ".join(failures) if failures else "nothing (no job emitted failed)"
    first = str(error.args[0]) if error.args else ""
    error.args = (f"{first} Background jobs' failed signals during the test: {said}",
                  *error.args[1:])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    failures = getattr(item, "job_failures", None)
    if call.excinfo is not None and failures is not None:
        if call.excinfo.errisinstance(QtTimeoutError):
            explain_timeout(call.excinfo.value, failures)
        elif failures:
            item.add_report_section(call.when, "background jobs' failed signals",
                                    "\n".join(failures))
    yield


@pytest.fixture
def job_failures(request, _no_dangling_qthreads) -> list[str]:
    """``"JobClass: one-line reason"`` for each ``failed`` emitted by a job started in
    this test (in the order they reached the GUI thread)."""
    return request.node.job_failures


@pytest.fixture(autouse=True)
def _no_dangling_qthreads(monkeypatch, qtbot, request):
    started: list[weakref.ref] = []
    request.node.job_failures = failures = []
    listened: weakref.WeakSet = weakref.WeakSet()  # LatestJob restarts: connect once
    original_start = QThread.start

    def tracking_start(self, *args, **kwargs):
        started.append(weakref.ref(self))
        failed = getattr(self, "failed", None)
        if failed is not None and self not in listened:
            listened.add(self)
            failed.connect(partial(_record_failure, failures, type(self).__name__))
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
