"""Fine-tuning in a ``QThread``: :func:`engine.personal.fine_tune` events in, Qt signals out.

Built like :class:`gui.train_worker.TrainWorker`: the engine reports through
plain callables, the worker turns its progress events into typed signals and
answers ``should_stop``; Stop ends training after the current batch and the
accuracies after are still measured.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QThread, Signal

from engine.training import TrainConfig
from gui.thread_priority import lower_training_priority


class FineTuneWorker(QThread):
    """One :func:`engine.personal.fine_tune` call.

    Signals:
        progress(object): ``"begin"``, ``"batch"`` and ``"epoch_end"`` TrainingEvents.
        result_ready(object): the :class:`engine.personal.FineTuneResult`.
        failed(str): a one-line reason.
    """

    progress = Signal(object)
    result_ready = Signal(object)
    failed = Signal(str)

    def __init__(self, model, config: TrainConfig, personal_x: np.ndarray,
                 personal_y: np.ndarray, personal_weight: int,
                 data_loader: Callable[[], object], parent=None) -> None:
        super().__init__(parent)
        self.model, self.config = model, config
        self.personal_x, self.personal_y = personal_x, personal_y
        self.personal_weight = personal_weight
        self._data_loader = data_loader
        self._stop = threading.Event()

    def stop_training(self) -> None:
        """End after the current batch; the accuracies after are still measured."""
        self._stop.set()

    def _should_stop(self) -> bool:
        return self._stop.is_set() or self.isInterruptionRequested()

    def _on_event(self, event) -> None:
        if event.type == "begin":
            # TensorFlow's compute threads exist by now: let the window go first.
            lower_training_priority()
        if event.type in ("begin", "batch", "epoch_end"):
            self.progress.emit(event)

    def run(self) -> None:  # noqa: D102 - QThread entry point
        from engine.personal import fine_tune  # noqa: PLC0415 - imports TensorFlow

        lower_training_priority()
        try:
            result = fine_tune(self.model, self.config.kind, self._data_loader(),
                               self.personal_x, self.personal_y, self.config,
                               on_event=self._on_event, should_stop=self._should_stop,
                               personal_weight=self.personal_weight)
        except Exception as exc:  # noqa: BLE001 - bad set, NaN loss, memory: say so, carry on
            lines = str(exc).strip().splitlines()
            self.failed.emit(f"Fine-tuning failed: {lines[0] if lines else type(exc).__name__}")
            return
        if not self.isInterruptionRequested():
            self.result_ready.emit(result)
