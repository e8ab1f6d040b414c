"""GUI test set-up: fail any test that leaves a QThread running (as napari's conftest does)."""

from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import QThread


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
