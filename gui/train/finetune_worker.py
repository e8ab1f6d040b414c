"""Fine-tuning in a :class:`~gui.workers.jobs.LongJob`: :func:`engine.personal.fine_tune` off
the GUI thread.

Built like :class:`gui.train.train_worker.TrainWorker`: the engine reports through
plain callables, the worker hands its progress events on as ``progress`` and
answers ``should_stop``; Stop ends training after the current batch and the
accuracies after are still measured.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP

from digitlab.engine.training import TrainConfig
from digitlab.gui.workers.jobs import LongJob


class FineTuneWorker(LongJob):
    """One :func:`engine.personal.fine_tune` call.

    Signals (the :class:`~gui.workers.jobs.LongJob` vocabulary):
        progress(object): ``"begin"``, ``"batch"`` and ``"epoch_end"`` TrainingEvents.
        result(object): the :class:`engine.personal.FineTuneResult`.
        failed(str): "Fine-tuning failed: " and why (bad set, NaN loss, memory).
    """

    failure_prefix = QT_TRANSLATE_NOOP("LongJob", "Fine-tuning failed: ")
    background = True

    def __init__(self, model, config: TrainConfig, personal_x: np.ndarray,
                 personal_y: np.ndarray, personal_weight: int,
                 data_loader: Callable[[], object], parent=None) -> None:
        super().__init__(parent)
        self.model, self.config = model, config
        self.personal_x, self.personal_y = personal_x, personal_y
        self.personal_weight = personal_weight
        self._data_loader = data_loader

    def _on_event(self, event) -> None:
        if event.type in ("begin", "batch", "epoch_end"):
            self.report(event)

    def work(self):
        from digitlab.engine.personal import fine_tune  # noqa: PLC0415 - imports TensorFlow

        return fine_tune(self.model, self.config.kind, self._data_loader(),
                         self.personal_x, self.personal_y, self.config,
                         on_event=self._on_event, should_stop=self.should_stop,
                         personal_weight=self.personal_weight)
