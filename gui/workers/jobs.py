"""The worker family: every background job of the app is one of two ``QThread`` bases.

* :class:`LatestJob` - "latest request wins" (filtering a photo, explaining a
  drawing): a request waiting is replaced by a newer one, and the thread runs
  only while there is work, so an app that forgets to stop it has nothing
  running at exit.
* :class:`LongJob` - one long piece of work (loading the models, training,
  fine-tuning, saving a model) with a cooperative stop.

Both speak one vocabulary, as napari's ``_qt/qthreading.py`` workers do:
``started()`` and ``finished()`` (QThread's own), ``progress(object)`` for what
happens along the way, ``result(object)`` for the answer and ``failed(str)``
for the one-line reason (:func:`engine.errors.one_line`), so a view connects
to every job the same way. Subclasses write only :meth:`LatestJob.work` or
:meth:`LongJob.work`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal

from digitlab.engine.errors import one_line
from digitlab.gui.common.i18n import translate
from digitlab.gui.workers.thread_priority import lower_training_priority

__all__ = ["LatestJob", "LongJob", "Reply"]


@dataclass(frozen=True)
class Reply:
    """What a :class:`LatestJob` hands back: the request and what came of it.

    Attributes:
        request: the request as submitted (so the receiver can tell a stale reply).
        value: what :meth:`LatestJob.work` returned or reported as progress.
    """

    request: object
    value: object


class LatestJob(QThread):
    """A thread that works on the newest request only.

    Signals:
        progress(object): a :class:`Reply` with a partial answer (``report`` calls).
        result(object): a :class:`Reply` with what :meth:`work` returned.
        failed(str): the one-line reason :meth:`work` raised.

    A reply or failure is dropped when a newer request is already waiting: it
    would be replaced at once. Results arrive through queued signals, so the
    receiver still compares ``reply.request`` with what it last asked for.
    """

    progress = Signal(object)
    result = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: object | None = None
        self._active = False
        self._stopped = False
        self._current: object | None = None

    # ----- for the owner (GUI thread) ---------------------------------------------------
    def submit(self, request: object) -> None:
        """Queue ``request``, replacing any request not yet started (ignored after stop)."""
        with self._lock:
            if self._stopped:
                return
            self._pending = request
            if self._active:
                return
            # The thread ends once it finds no work (clearing _active under the lock);
            # one that has finished its loop but not yet returned is waited for.
            if self.isRunning():
                self.wait()
            self._active = True
            self.start()

    def stop(self, timeout_ms: int = 10000) -> None:
        """Drop the waiting request, let the one in flight finish, wait for the thread."""
        with self._lock:
            self._stopped = True
            self._pending = None
        self.requestInterruption()
        self.wait(timeout_ms)

    # ----- for subclasses (worker thread) -----------------------------------------------
    def work(self, request: object) -> object:
        """Compute the answer to ``request``; raise to report a failure. Override."""
        raise NotImplementedError

    def describe_failure(self, request: object, exc: Exception) -> str:
        """The ``failed`` line for ``exc``; by default :func:`engine.errors.one_line`."""
        return one_line(exc)

    def newer_waiting(self) -> bool:
        """Whether a newer request waits: a long :meth:`work` may give up between steps."""
        with self._lock:
            return self._pending is not None

    def report(self, value: object) -> None:
        """Emit a partial answer for the request in hand as ``progress``."""
        self.progress.emit(Reply(self._current, value))

    def run(self) -> None:  # noqa: D102 - QThread entry point
        while not self.isInterruptionRequested():
            with self._lock:
                request, self._pending = self._pending, None
                if request is None:
                    self._active = False
                    return
            self._current = request
            try:
                value = self.work(request)
            except Exception as exc:  # noqa: BLE001 - a bad request must never take the app down
                if not self.newer_waiting():
                    self.failed.emit(self.describe_failure(request, exc))
            else:
                if not self.newer_waiting():
                    self.result.emit(Reply(request, value))
        with self._lock:
            self._active = False


class LongJob(QThread):
    """A thread that does one long piece of work, stoppable between steps.

    Class attributes:
        failure_prefix: put before the one-line reason, e.g. ``"Training failed: "``.
        background: lower this thread's and TensorFlow's priority so the window
            stays responsive (training on two cores; see ``thread_priority``).

    Signals:
        progress(object): what :meth:`report` was given (e.g. a ``TrainingEvent``).
        result(object): what :meth:`work` returned (not emitted for ``None`` or
            after ``requestInterruption()``: closing the window never waits for it).
        failed(str): ``failure_prefix`` + the one-line reason :meth:`work` raised.
    """

    progress = Signal(object)
    result = Signal(object)
    failed = Signal(str)

    failure_prefix = ""
    background = False

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = threading.Event()

    def stop_training(self) -> None:
        """End after the current step (batch); what was done so far is kept."""
        self._stop.set()

    def should_stop(self) -> bool:
        """Polled by the work loop (Keras: after every batch)."""
        return self._stop.is_set() or self.isInterruptionRequested()

    def release(self) -> None:
        """Delete the job (``deleteLater``) after ``finished`` has reached every listener.

        For the owner's ``finished`` slot (GUI thread). The ending thread queues
        ``finished`` to one listener after another, so the first slot can run while
        the others are still being queued; a plain ``deleteLater()`` there then
        deletes the job ahead of them, and PySide drops what is still queued for a
        deleted sender (a test's ``waitSignal(job.finished)`` timed out with the run
        long over). Waiting for the thread, which is past ``run()`` (microseconds),
        first puts the deletion behind every listener's ``finished``.
        """
        self.wait()
        self.deleteLater()

    def work(self) -> object:
        """Do the job and return its result; raise to report a failure. Override."""
        raise NotImplementedError

    def report(self, value: object) -> None:
        """Emit ``value`` as progress (from the worker thread)."""
        if self.background and getattr(value, "type", None) == "begin":
            # TensorFlow's compute threads exist once training begins: lower them too.
            lower_training_priority()
        self.progress.emit(value)

    def run(self) -> None:  # noqa: D102 - QThread entry point
        if self.background:
            lower_training_priority()
        try:
            value = self.work()
        except Exception as exc:  # noqa: BLE001 - the GUI shows the reason; never die silently
            if not self.isInterruptionRequested():
                self.failed.emit(translate("LongJob", self.failure_prefix) + one_line(exc))
            return
        if value is not None and not self.isInterruptionRequested():
            self.result.emit(value)
