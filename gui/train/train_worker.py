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

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP

from digitlab.engine.train_report import TrainOutcome
from digitlab.engine.training import TrainConfig
from digitlab.engine.training_progress import TrainingEvent
from digitlab.gui.workers.jobs import LongJob

#: The ``progress`` event that says training is over and the test set is being evaluated.
EVALUATING = TrainingEvent("evaluating")


@dataclass(frozen=True)
class CalibrationMeasured:
    """Progress: the trained model's temperature and reliability before/after.

    Attributes:
        kind: the model kind.
        entry: ``engine.calibration.calibrate_kind``'s dict (T fitted on the run's
            validation split, ECE and reliability bins on the test set), or None when
            the run had no validation split to fit on.
    """

    kind: str
    entry: dict | None


def calibrate_run(model, config: TrainConfig, data, test_probabilities=None) -> dict | None:
    """Fit the temperature on the run's own validation split; measure it on the test set.

    Args:
        model: the trained Keras model. config: the run's configuration.
        data: the ``MnistData`` trained on (``x_train[:limit]``, split like ``train`` does).
        test_probabilities: ``(N, 10)`` on ``data.x_test`` if already computed.

    Returns:
        ``engine.calibration.calibrate_kind``'s dict, or None without a validation split.
    """
    from digitlab.engine.calibration import calibrate_kind  # noqa: PLC0415
    from digitlab.engine.evaluation import keras_predict_proba  # noqa: PLC0415
    from digitlab.engine.training import split_validation  # noqa: PLC0415

    if config.validation_split <= 0:
        return None
    x = data.x_train[: config.limit]
    y = data.y_train[: config.limit]
    _, (x_val, y_val) = split_validation(x, y, config.validation_split)
    predict = keras_predict_proba(model)
    test = predict(data.x_test) if test_probabilities is None else test_probabilities
    return calibrate_kind(predict(x_val), y_val, test, data.y_test)


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
        outcome = TrainOutcome.from_run(run, report, data.x_test)
        if report.finite and not self.isInterruptionRequested():
            self.report(CalibrationMeasured(self.config.kind,
                                            calibrate_run(run.model, self.config, data)))
        return outcome
