"""A QThread that loads photos and runs the conv/pool filter off the GUI thread.

Requests are "latest wins": while one filter runs, newer requests replace the
one waiting, so dragging a spin box computes only the settings the user ends
on, never a backlog. The thread runs only while there is work and ends when
idle, so an app that forgets to stop it has nothing running at exit; the owner
still calls :meth:`FilterWorker.stop` on close to wait for a job in flight.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal


@dataclass(frozen=True)
class FilterRequest:
    """One filter job: ``image`` (H, W) float32, ``kernels`` list of (kh, kw), settings."""

    request_id: int
    image: np.ndarray
    kernels: list[np.ndarray]
    settings: object  # engine.filters.FilterSettings


class FilterWorker(QThread):
    """Runs ``engine.images.load_photo`` and ``engine.filters.apply_filter`` in a thread.

    Signals:
        filtered(int, object): request id and its ``FilterResult``.
        filter_failed(int, str): request id and a one-line reason (``FilterError``).
        photo_loaded(str, object): the path asked for and its ``Photo``.
        photo_failed(str, str): the path and a one-line reason (``ImageLoadError``).
    """

    filtered = Signal(int, object)
    filter_failed = Signal(int, str)
    photo_loaded = Signal(str, object)
    photo_failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending_filter: FilterRequest | None = None
        self._pending_load: tuple[str, int] | None = None
        self._active = False
        self._stopped = False

    def submit_filter(self, request: FilterRequest) -> None:
        """Queue ``request``, replacing any filter request still waiting."""
        with self._lock:
            self._pending_filter = request
            self._wake()

    def submit_load(self, path: str, max_side: int | None = None) -> None:
        """Queue loading the photo at ``path`` (replacing a load still waiting)."""
        with self._lock:
            self._pending_load = (path, max_side)
            self._wake()

    def stop(self, timeout_ms: int = 10000) -> None:
        """Drop waiting requests, let the job in flight finish and wait for the thread."""
        with self._lock:
            self._stopped = True
            self._pending_filter = None
            self._pending_load = None
        self.requestInterruption()
        self.wait(timeout_ms)

    def _wake(self) -> None:
        # Called with the lock held. The thread ends once it finds no work (and
        # says so by clearing _active under the lock), so a finished-but-not-yet-
        # returned thread is waited for before it is started again.
        if self._stopped or self._active:
            return
        if self.isRunning():
            self.wait()
        self._active = True
        self.start()

    def run(self) -> None:  # noqa: D102 - QThread entry point
        while not self.isInterruptionRequested():
            with self._lock:
                load, self._pending_load = self._pending_load, None
                job = None
                if load is None:
                    job, self._pending_filter = self._pending_filter, None
                if load is None and job is None:
                    self._active = False
                    return
            if load is not None:
                self._load(*load)
            else:
                self._filter(job)
        with self._lock:
            self._active = False

    def _load(self, path: str, max_side: int | None) -> None:
        from digitlab.engine.images import ImageLoadError, load_photo  # noqa: PLC0415

        try:
            photo = load_photo(path) if max_side is None else load_photo(path, max_side=max_side)
        except ImageLoadError as exc:
            self.photo_failed.emit(path, str(exc))
        except Exception as exc:  # noqa: BLE001 - a photo must never take the app down
            self.photo_failed.emit(path, f"{path}: cannot open ({type(exc).__name__}: {exc})")
        else:
            self.photo_loaded.emit(path, photo)

    def _filter(self, request: FilterRequest) -> None:
        from digitlab.engine.filters import FilterError, apply_filter  # noqa: PLC0415

        try:
            result = apply_filter(request.image, request.kernels, request.settings)
        except FilterError as exc:
            self.filter_failed.emit(request.request_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - show it, keep the last good result
            self.filter_failed.emit(request.request_id, f"{type(exc).__name__}: {exc}")
        else:
            self.filtered.emit(request.request_id, result)
