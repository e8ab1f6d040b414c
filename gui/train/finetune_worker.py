"""Fine-tuning in a ``QThread``: :func:`engine.personal.fine_tune` events in, Qt signals out.

Built like :class:`gui.train.train_worker.TrainWorker`: the engine reports through
plain callables, the worker turns its progress events into typed signals and
answers ``should_stop``; Stop ends training after the current batch and the
accuracies after are still measured.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal

from digitlab.engine.training import TrainConfig
from digitlab.gui.workers.thread_priority import TrainingThread


class FineTuneWorker(TrainingThread):
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

    def _on_event(self, event) -> None:
        self.note_event(event)
        if event.type in ("begin", "batch", "epoch_end"):
            self.progress.emit(event)

    def run(self) -> None:  # noqa: D102 - QThread entry point
        from digitlab.engine.personal import fine_tune  # noqa: PLC0415 - imports TensorFlow

        self.begin_training()
        try:
            result = fine_tune(self.model, self.config.kind, self._data_loader(),
                               self.personal_x, self.personal_y, self.config,
                               on_event=self._on_event, should_stop=self.should_stop,
                               personal_weight=self.personal_weight)
        except Exception as exc:  # noqa: BLE001 - bad set, NaN loss, memory: say so, carry on
            lines = str(exc).strip().splitlines()
            self.failed.emit(f"Fine-tuning failed: {lines[0] if lines else type(exc).__name__}")
            return
        if not self.isInterruptionRequested():
            self.result_ready.emit(result)
