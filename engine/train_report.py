"""A finished training run with its test report, and the text that tells the user about it.

The Train tab shows exactly this: the run (:class:`engine.training.TrainResult`)
plus the one chunked test-set evaluation of :mod:`engine.evaluation`, and the
two result lines of :func:`describe_outcome` ("Test accuracy 97.1% — the
lesson's DNN: 95.73%." / "Training ran all 5 epochs (1 min 3 s)."). No Qt:
the same outcome could be printed by a script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from digitlab.engine.evaluation import EvaluationReport
from digitlab.engine.training import LESSON_ACCURACY, TrainConfig, TrainResult

__all__ = ["GALLERY_SIZE", "TrainOutcome", "describe_outcome", "format_duration"]

#: Misclassified test digits kept for the gallery (the most confident mistakes first).
GALLERY_SIZE = 60

#: Translates ``(context, source)``; the GUI passes Qt's (``digitlab.gui.common.i18n.translate``),
#: whose ``pyside6-lupdate`` finds the calls below by the name ``translate``.
Translate = Callable[[str, str], str]


def _english(context: str, source: str) -> str:
    return source


def _lesson_names(translate: Translate) -> dict[str, str]:
    return {"multinomial": translate("TrainReport", "multinomial"),
            "dnn": translate("TrainReport", "DNN"),
            "cnn": translate("TrainReport", "CNN without dropout"),
            "cnn_dropout": translate("TrainReport", "CNN with dropout")}


def _stop_reasons(translate: Translate, epochs: int) -> dict[str, str]:
    """How a run ended, as a sentence a person would say ("Stopped by you after 5 epochs")."""
    if epochs == 1:
        return {"completed": translate("TrainReport", "Completed 1 epoch"),
                "early_stopping": translate("TrainReport", "Early stopping ended it after 1 epoch"),
                "user": translate("TrainReport", "Stopped by you after 1 epoch"),
                "nan": translate("TrainReport", "Stopped: the loss became NaN after 1 epoch")}
    return {"completed": translate("TrainReport", "Completed {0} epochs"),
            "early_stopping": translate("TrainReport", "Early stopping ended it after {0} epochs"),
            "user": translate("TrainReport", "Stopped by you after {0} epochs"),
            "nan": translate("TrainReport", "Stopped: the loss became NaN after {0} epochs")}


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
        report: the test-set :class:`~engine.evaluation.EvaluationReport`.
        misclassified_images: ``(K, 28, 28) uint8`` the most confident mistakes
            (at most :data:`GALLERY_SIZE`), in the order of ``report.misclassified``.
    """

    model: object
    config: TrainConfig
    history: dict
    epochs_run: int
    best_epoch: int | None
    stop_reason: str
    seconds: float
    report: EvaluationReport
    misclassified_images: np.ndarray

    @classmethod
    def from_run(cls, run: TrainResult, report: EvaluationReport, test_images: np.ndarray,
                 gallery_size: int = GALLERY_SIZE) -> TrainOutcome:
        """Join a run and its report; keeps copies of the first ``gallery_size`` mistakes.

        Args:
            run: what :func:`engine.training.train` returned.
            report: :func:`engine.evaluation.evaluate` of ``run.model`` on ``test_images``.
            test_images: ``(N, 28, 28) uint8`` the images the report indexes.
            gallery_size: at most this many mistakes are kept.
        """
        keep = report.misclassified[:gallery_size]
        return cls(model=run.model, config=run.config, history=run.history,
                   epochs_run=run.epochs_run, best_epoch=run.best_epoch,
                   stop_reason=run.stop_reason, seconds=run.seconds, report=report,
                   misclassified_images=np.asarray(test_images)[keep].copy())

    @property
    def test_accuracy(self) -> float | None:
        """Accuracy on the test set; None when the model outputs NaN (not measurable)."""
        return self.report.accuracy if self.report.finite else None

    @property
    def confusion(self) -> np.ndarray:
        """``(10, 10) int64`` counts; row = true digit, column = predicted."""
        return self.report.confusion

    @property
    def misclassified_true(self) -> np.ndarray:
        """``(K,) int64`` the labels of :attr:`misclassified_images`."""
        return self.report.misclassified_true[:len(self.misclassified_images)]

    @property
    def misclassified_predicted(self) -> np.ndarray:
        """``(K,) int64`` the model's answers for :attr:`misclassified_images`."""
        return self.report.misclassified_predicted[:len(self.misclassified_images)]

    @property
    def lesson_key(self) -> str:
        """The key of ``engine.training.LESSON_ACCURACY`` this run compares with."""
        if self.config.kind == "cnn" and self.config.dropout:
            return "cnn_dropout"
        return self.config.kind


def format_duration(seconds: float, translate: Translate = _english) -> str:
    """``75`` -> ``"1 min 15 s"``; ``3700`` -> ``"1 h 1 min"`` (``translate``: see above)."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return translate("TrainReport", "{0} s").format(seconds)
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return translate("TrainReport", "{0} min {1} s").format(minutes, seconds)
    hours, minutes = divmod(minutes, 60)
    return translate("TrainReport", "{0} h {1} min").format(hours, minutes)


def describe_outcome(outcome: TrainOutcome, translate: Translate = _english) -> str:
    """The two result lines: test accuracy next to the lesson's, and how the run ended.

    Args:
        outcome: the finished run.
        translate: ``(context, source) -> text``; English by default (the command line).
    """
    lesson = LESSON_ACCURACY[outcome.lesson_key]
    name = _lesson_names(translate)[outcome.lesson_key]
    if outcome.test_accuracy is None:
        accuracy = translate("TrainReport", "Test accuracy not measurable: the model outputs "
                                            "NaN (the lesson's {0}: {1:.2%}).").format(name, lesson)
    else:
        accuracy = translate("TrainReport", "Test accuracy {0:.2%} — the lesson's {1}: {2:.2%}.")\
            .format(outcome.test_accuracy, name, lesson)
    ending = _stop_reasons(translate, outcome.epochs_run).get(
        outcome.stop_reason, outcome.stop_reason).format(outcome.epochs_run)
    kept = ("" if outcome.best_epoch is None
            else translate("TrainReport", "; kept the weights of epoch {0}").format(
                outcome.best_epoch + 1))
    return translate("TrainReport", "{0}\n{1}{2} ({3}).").format(
        accuracy, ending, kept, format_duration(outcome.seconds, translate))
