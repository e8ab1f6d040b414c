"""Pass on the newest of a fast stream of events, at most once per interval."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot


class LatestThrottle(QObject):
    """Emits ``ready`` with events: the first at once, then at most one per interval.

    Events that arrive while an interval runs replace one another; when it ends
    the newest is handed on and a new interval starts. Used for training
    progress: redrawing the Train tab costs milliseconds of GUI-thread CPU, and
    on two cores each of them is taken from TensorFlow's compute threads
    (tests/benchmarks/bench_training.py), while the user only needs the latest
    state.

    A signal, not a stored callback: a callback bound to the owner would make a
    reference cycle (owner -> throttle -> owner), and Python's cyclic GC may
    then destroy the owner's Qt objects in whatever thread it runs, such as
    TensorFlow's training thread, which deadlocked the tests.

    Args:
        interval_ms: the shortest time between two ``ready`` emissions.
        parent: the owning QObject.

    Signals:
        ready(object): the event to show.
    """

    ready = Signal(object)

    def __init__(self, interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._pending = None
        self._has_pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._flush)

    @property
    def has_pending(self) -> bool:
        """Whether an event waits for the end of the interval."""
        return self._has_pending

    def submit(self, event) -> None:
        """Emit ``event`` now, or keep it (replacing any kept one) until the interval ends."""
        if self._timer.isActive():
            self._pending, self._has_pending = event, True
            return
        self.ready.emit(event)
        self._timer.start()

    def discard(self) -> None:
        """Drop a kept event: something newer (an epoch's end, the run's end) was shown."""
        self._pending, self._has_pending = None, False

    @Slot()
    def _flush(self) -> None:
        if not self._has_pending:
            return
        event = self._pending
        self.discard()
        self.ready.emit(event)
        self._timer.start()
