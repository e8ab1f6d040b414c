"""Training in a ``QThread``: engine events in, Qt signals out.

:func:`engine.training.train` reports through plain callables; this worker
turns its :class:`~engine.training.TrainingEvent` objects into typed signals
(the events are frozen dataclasses of plain Python values, safe to hand across
threads) and answers ``should_stop``. After training it evaluates the model on
the MNIST test set here, off the GUI thread, for the accuracy, the confusion
matrix and the gallery of misclassified digits.

Two ways to end a run early:

* :meth:`TrainWorker.stop_training` (the Stop button): training ends after
  the current batch, the best weights are kept and still evaluated.
* ``requestInterruption()`` (closing the window): the same, but the test-set
  evaluation is skipped and no result is emitted, so that closing never waits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Signal

from digitlab.engine.training import LESSON_ACCURACY, TrainConfig
from digitlab.gui.workers.thread_priority import TrainingThread
from digitlab.gui.train.train_progress_panel import format_duration

#: Misclassified test digits kept for the gallery (the most confident mistakes first).
GALLERY_SIZE = 60
#: Test images evaluated between two checks for an interruption request.
_EVAL_CHUNK = 1000


@dataclass(frozen=True)
class TrainOutcome:
    """A finished run, evaluated on the MNIST test set.

    Attributes:
        model: the trained Keras model (best weights restored).
        config: the configuration used.
        history: per-epoch lists of ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``.
        epochs_run: epochs completed.
        best_epoch: 0-based epoch whose weights were kept, or None.
        stop_reason: ``"completed"``, ``"early_stopping"``, ``"user"`` or ``"nan"``.
        seconds: training time.
        test_accuracy: accuracy on the test set (None if it could not be evaluated).
        confusion: ``(10, 10) int64`` counts; row = true digit, column = predicted.
        misclassified_images: ``(K, 28, 28) uint8`` test images the model got wrong.
        misclassified_true: ``(K,) int`` their labels.
        misclassified_predicted: ``(K,) int`` the model's answers.
    """

    model: object
    config: TrainConfig
    history: dict
    epochs_run: int
    best_epoch: int | None
    stop_reason: str
    seconds: float
    test_accuracy: float | None
    confusion: np.ndarray
    misclassified_images: np.ndarray
    misclassified_true: np.ndarray
    misclassified_predicted: np.ndarray

    @property
    def lesson_key(self) -> str:
        """The key of ``engine.training.LESSON_ACCURACY`` this run compares with."""
        if self.config.kind == "cnn" and self.config.dropout:
            return "cnn_dropout"
        return self.config.kind


def evaluate_on_test(probabilities: np.ndarray, labels: np.ndarray,
                     images: np.ndarray, gallery_size: int = GALLERY_SIZE):
    """Accuracy, confusion matrix and the most confident mistakes.

    Args:
        probabilities: ``(N, 10)`` model outputs.
        labels: ``(N,)`` true digits.
        images: ``(N, 28, 28) uint8`` the test images.
        gallery_size: at most this many mistakes are returned.

    Returns:
        ``(accuracy, confusion (10, 10) int64, images (K, 28, 28) uint8,
        true (K,), predicted (K,))``.
    """
    labels = np.asarray(labels, dtype=np.int64)
    predicted = probabilities.argmax(axis=1)
    confusion = np.bincount(labels * 10 + predicted, minlength=100).reshape(10, 10)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    keep = wrong[np.argsort(-confidence, kind="stable")[:gallery_size]]
    accuracy = float(np.mean(predicted == labels)) if len(labels) else 0.0
    return accuracy, confusion, images[keep].copy(), labels[keep], predicted[keep]


_LESSON_NAMES = {"multinomial": "multinomial", "dnn": "DNN", "cnn": "CNN without dropout",
                 "cnn_dropout": "CNN with dropout"}
_STOP_REASONS = {
    "completed": "ran all {epochs} epochs",
    "early_stopping": "early stopping ended it after {epochs} epochs",
    "user": "you stopped it after {epochs} epochs",
    "nan": "the loss became NaN after {epochs} epochs",
}


def describe_outcome(outcome: TrainOutcome) -> str:
    """The result line: test accuracy next to the lesson's, how the run ended."""
    lesson = LESSON_ACCURACY[outcome.lesson_key]
    if outcome.test_accuracy is None:
        accuracy = "Test accuracy: not measurable (the model outputs NaN)."
    else:
        accuracy = f"Test accuracy {outcome.test_accuracy:.2%}"
    ending = _STOP_REASONS.get(outcome.stop_reason, outcome.stop_reason).format(
        epochs=outcome.epochs_run)
    kept = ("" if outcome.best_epoch is None
            else f"; kept the weights of epoch {outcome.best_epoch + 1}")
    return (f"{accuracy} — the lesson's {_LESSON_NAMES[outcome.lesson_key]}: {lesson:.2%}.\n"
            f"Training {ending}{kept} ({format_duration(outcome.seconds)}).")


class TrainWorker(TrainingThread):
    """Run one :func:`engine.training.train` call and evaluate its model.

    Signals:
        started_run(object): the ``"begin"`` TrainingEvent.
        batch_done(object): a ``"batch"`` TrainingEvent (at most every ~50 ms).
        epoch_done(object): an ``"epoch_end"`` TrainingEvent with validation metrics.
        message(str): early stopping, best epoch, NaN loss.
        evaluating(): training is over; the test set is being evaluated.
        outcome_ready(object): the :class:`TrainOutcome`.
        failed(str): training could not run or produced no model (NaN at once...).
    """

    started_run = Signal(object)
    batch_done = Signal(object)
    epoch_done = Signal(object)
    message = Signal(str)
    evaluating = Signal()
    outcome_ready = Signal(object)
    failed = Signal(str)

    def __init__(self, config: TrainConfig, parent=None):
        super().__init__(parent)
        self.config = config

    def _on_event(self, event) -> None:
        self.note_event(event)
        signal = {"begin": self.started_run, "batch": self.batch_done,
                  "epoch_end": self.epoch_done}.get(event.type)
        if signal is not None:
            signal.emit(event)
        elif event.type == "message" and event.message:
            self.message.emit(event.message)

    def run(self) -> None:
        from digitlab.engine.data import load_mnist  # noqa: PLC0415
        from digitlab.engine.training import predict_probabilities, train  # noqa: PLC0415

        self.begin_training()
        try:
            data = load_mnist()
            result = train(self.config, data, on_event=self._on_event,
                           should_stop=self.should_stop, evaluate_test=False)
        except FloatingPointError as exc:
            self.failed.emit(f"Training failed: {exc}.")
            return
        except Exception as exc:  # bad knobs (e.g. no validation samples), memory...
            text = str(exc).strip().splitlines()
            self.failed.emit(f"Training failed: {text[0] if text else type(exc).__name__}")
            return
        if self.isInterruptionRequested():
            return
        self.evaluating.emit()
        chunks = []
        for start in range(0, len(data.x_test), _EVAL_CHUNK):
            if self.isInterruptionRequested():
                return
            images = data.x_test[start:start + _EVAL_CHUNK]
            chunks.append(predict_probabilities(result.model, images))
        probabilities = np.concatenate(chunks)
        accuracy, confusion, images, true, predicted = evaluate_on_test(
            probabilities, data.y_test, data.x_test)
        if not np.all(np.isfinite(probabilities)):
            accuracy = None  # a model that outputs NaN has no meaningful accuracy
        self.outcome_ready.emit(TrainOutcome(
            model=result.model, config=result.config, history=result.history,
            epochs_run=result.epochs_run, best_epoch=result.best_epoch,
            stop_reason=result.stop_reason, seconds=result.seconds, test_accuracy=accuracy,
            confusion=confusion, misclassified_images=images, misclassified_true=true,
            misclassified_predicted=predicted))
