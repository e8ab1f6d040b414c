"""Training in a :class:`~gui.workers.jobs.LongJob`: engine events in, Qt signals out.

:func:`engine.training.train` reports through plain callables; this worker
hands its :class:`~engine.training_progress.TrainingEvent` objects on as
``progress`` (frozen dataclasses of plain Python values, safe across threads)
and answers ``should_stop``. After training it evaluates the model on the
MNIST test set here, off the GUI thread, with the one chunked evaluation of
:mod:`engine.evaluation`, and emits the :class:`~engine.train_report.TrainOutcome`
as ``result``.

Two ways to end a run early:

* :meth:`TrainWorker.stop_training` (the Stop button): training ends after
  the current batch, the best weights are kept and still evaluated.
* ``requestInterruption()`` (closing the window): the same, but the test-set
  evaluation is skipped and no result is emitted, so that closing never waits.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from digitlab.engine.train_report import TrainOutcome
from digitlab.engine.training import TrainConfig
from digitlab.engine.training_progress import TrainingEvent
from digitlab.gui.workers.jobs import LongJob

#: The ``progress`` event that says training is over and the test set is being evaluated.
EVALUATING = TrainingEvent("evaluating")


class TrainWorker(LongJob):
    """Run one :func:`engine.training.train` call and evaluate its model.

    Signals (the :class:`~gui.workers.jobs.LongJob` vocabulary):
        progress(object): ``"begin"``, ``"batch"`` (at most every ~50 ms),
            ``"epoch_end"`` and ``"message"`` TrainingEvents, then :data:`EVALUATING`.
        result(object): the :class:`~engine.train_report.TrainOutcome`.
        failed(str): "Training failed: " and why (bad knobs, NaN at once, memory...).
    """

    failure_prefix = QT_TRANSLATE_NOOP("LongJob", "Training failed: ")
    background = True

    def __init__(self, config: TrainConfig, parent=None):
        super().__init__(parent)
        self.config = config

    def work(self) -> TrainOutcome | None:
        from digitlab.engine.data import load_mnist  # noqa: PLC0415
        from digitlab.engine.evaluation import evaluate, keras_predict_proba  # noqa: PLC0415
        from digitlab.engine.training import train  # noqa: PLC0415

        data = load_mnist()
        run = train(self.config, data, on_event=self.report, should_stop=self.should_stop,
                    evaluate_test=False)
        if self.isInterruptionRequested():
            return None
        self.report(EVALUATING)
        report = evaluate(keras_predict_proba(run.model), data.x_test, data.y_test,
                          should_stop=self.isInterruptionRequested)
        if report is None:
            return None
        return TrainOutcome.from_run(run, report, data.x_test)
