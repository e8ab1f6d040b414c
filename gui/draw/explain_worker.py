"""Attribution maps (``engine.explain``) computed in a ``QThread``.

Integrated gradients call TensorFlow (tens of milliseconds per model, more on
the first call), so they never run on the GUI thread. Requests are "latest
wins": a request waiting is replaced by a newer one, and a request being worked
on is abandoned between two models as soon as a newer one arrives, so a fast
drawer never builds a backlog. Each model's map is emitted as soon as it is
ready (the multinomial one is instant), so the panel fills in left to right.
The thread ends when idle; :meth:`ExplainWorker.stop` waits for a job in flight.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from digitlab.engine import MODEL_KINDS


@dataclass(frozen=True)
class ExplainRequest:
    """One attribution job.

    Attributes:
        request_id: increasing id; results carry it so stale ones can be dropped.
        models: kind -> Keras model (the store's ``models``).
        image28: ``(28, 28)`` float32 model input in [0, 1], ink bright.
        digit: the class every model explains; ``None`` = each model's own prediction.
        methods: kind -> ``engine.explain.METHODS`` entry; a kind not listed uses its
            default (weight x input for multinomial, integrated gradients otherwise).
        steps: integrated-gradients steps.
    """

    request_id: int
    models: dict
    image28: np.ndarray
    digit: int | None = None
    methods: dict = field(default_factory=dict)
    steps: int = 32


class ExplainWorker(QThread):
    """Runs :func:`engine.explain.explain` for each model of the latest request.

    Signals:
        explained(int, object): request id and one model's ``Attribution``.
        failed(int, str, str): request id, kind and a one-line reason.
        request_done(int): every model of that request was handled.
    """

    explained = Signal(int, object)
    failed = Signal(int, str, str)
    request_done = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: ExplainRequest | None = None
        self._active = False
        self._stopped = False

    def submit(self, request: ExplainRequest) -> None:
        """Queue ``request``, replacing any request not yet started."""
        with self._lock:
            if self._stopped:
                return
            self._pending = request
            if self._active:
                return
            if self.isRunning():  # finished its loop but not yet returned from run()
                self.wait()
            self._active = True
            self.start()

    def stop(self, timeout_ms: int = 10000) -> None:
        """Drop the waiting request, let the model in flight finish, wait for the thread."""
        with self._lock:
            self._stopped = True
            self._pending = None
        self.requestInterruption()
        self.wait(timeout_ms)

    def _newer_waiting(self) -> bool:
        with self._lock:
            return self._pending is not None

    def run(self) -> None:  # noqa: D102 - QThread entry point
        while not self.isInterruptionRequested():
            with self._lock:
                request, self._pending = self._pending, None
                if request is None:
                    self._active = False
                    return
            self._explain(request)
        with self._lock:
            self._active = False

    def _explain(self, request: ExplainRequest) -> None:
        from digitlab.engine.explain import explain  # noqa: PLC0415 - imports TensorFlow

        for kind in MODEL_KINDS:
            if kind not in request.models:
                continue
            if self.isInterruptionRequested() or self._newer_waiting():
                return  # stale: the drawing changed; the newer request starts at once
            try:
                attribution = explain(request.models[kind], kind, request.image28,
                                      digit=request.digit, steps=request.steps,
                                      method=request.methods.get(kind))
            except Exception as exc:  # noqa: BLE001 - a broken model must not stop the others
                lines = str(exc).strip().splitlines()
                self.failed.emit(request.request_id, kind,
                                 lines[0] if lines else type(exc).__name__)
            else:
                self.explained.emit(request.request_id, attribution)
        self.request_done.emit(request.request_id)
