"""One chunked evaluation of a classifier on labelled digits: the test report.

The Train tab (a Keras model after training), ``digitlab evaluate`` (the numpy
network of a model file) and fine-tuning all ask the same questions of a
model on the MNIST test set: how many right, which digits it takes for which
(the confusion matrix), and which images it got wrong. :func:`evaluate`
answers them once, for any ``predict_proba(batch) -> (n, 10)`` callable, in
chunks so that memory stays flat and a caller can stop between two chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Images per call of ``predict_proba`` unless told otherwise.
DEFAULT_CHUNK = 1000

ProbaFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ConfusedPair:
    """A digit the model took for another, and how often.

    Attributes:
        true: the label.
        predicted: what the model said instead.
        count: how many test images.
    """

    true: int
    predicted: int
    count: int


@dataclass(frozen=True)
class EvaluationReport:
    """What one evaluation found.

    Attributes:
        accuracy: fraction of images whose most probable digit is the label (0.0 when empty).
        confusion: int64 ``(10, 10)``; row = true digit, column = predicted; sums to
            the number of images.
        misclassified: int64 ``(K,)`` indices of the wrong images into the evaluated
            arrays, the most confident mistakes first.
        misclassified_true: int64 ``(K,)`` their labels.
        misclassified_predicted: int64 ``(K,)`` the model's answers.
        misclassified_confidence: float32 ``(K,)`` the probability of those answers.
        most_confused: the off-diagonal cells with a count, largest first (ties by
            true, then predicted digit).
        finite: every output was finite (a model that outputs NaN has no meaningful
            accuracy: NaN compares as the argmax 0).
    """

    accuracy: float
    confusion: np.ndarray
    misclassified: np.ndarray
    misclassified_true: np.ndarray
    misclassified_predicted: np.ndarray
    misclassified_confidence: np.ndarray
    most_confused: tuple[ConfusedPair, ...]
    finite: bool

    @property
    def samples(self) -> int:
        """How many images were evaluated."""
        return int(self.confusion.sum())

    @property
    def correct(self) -> int:
        """How many of them the model got right (the confusion matrix's diagonal)."""
        return int(np.trace(self.confusion))


def evaluate(predict_proba: ProbaFn, images: np.ndarray, labels: np.ndarray, *,
             chunk_size: int = DEFAULT_CHUNK,
             should_stop: Callable[[], bool] | None = None) -> EvaluationReport | None:
    """Run a classifier over labelled images in chunks and build the test report.

    Args:
        predict_proba: ``(n, 28, 28)`` images (as given: uint8 or float) ->
            ``(n, 10)`` probabilities, e.g. :func:`keras_predict_proba` or
            :func:`predictor_predict_proba`.
        images: ``(N, 28, 28)``.
        labels: ``(N,)`` integer digits 0..9.
        chunk_size: images per call of ``predict_proba``.
        should_stop: checked before each chunk; when it returns True the evaluation
            is abandoned.

    Returns:
        The :class:`EvaluationReport`, or ``None`` if ``should_stop`` said stop.

    Raises:
        ValueError: mismatched or invalid images / labels, ``chunk_size < 1``, or
            ``predict_proba`` returning anything but ``(n, 10)``.
    """
    labels = _check_labels(images, labels)
    if chunk_size < 1:
        raise ValueError(f"Received chunk_size={chunk_size}; it must be >= 1.")
    n = len(labels)
    predicted = np.empty(n, np.int64)
    confidence = np.empty(n, np.float32)
    finite = True
    for start in range(0, n, chunk_size):
        if should_stop is not None and should_stop():
            return None
        chunk = images[start:start + chunk_size]
        probs = np.asarray(predict_proba(chunk))
        if probs.shape != (len(chunk), 10):
            raise ValueError(f"Received probabilities of shape {probs.shape} for "
                             f"{len(chunk)} images; expected ({len(chunk)}, 10).")
        finite = finite and bool(np.isfinite(probs).all())
        best = probs.argmax(axis=1)
        predicted[start:start + len(chunk)] = best
        confidence[start:start + len(chunk)] = probs[np.arange(len(chunk)), best]
    return report_from_predictions(labels, predicted, confidence, finite=finite)


def report_from_predictions(labels: np.ndarray, predicted: np.ndarray,
                            confidence: np.ndarray | None = None,
                            finite: bool = True) -> EvaluationReport:
    """The report of already computed answers.

    Args:
        labels: int ``(N,)`` true digits 0..9.
        predicted: int ``(N,)`` the model's digits 0..9.
        confidence: float ``(N,)`` the probability of each answer; orders the
            mistakes (most confident first). ``None``: in index order.
        finite: whether the outputs were all finite.

    Returns:
        An :class:`EvaluationReport`.
    """
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    if confidence is None:
        confidence = np.zeros(len(labels), np.float32)
    confusion = np.bincount(labels * 10 + predicted, minlength=100).reshape(10, 10)
    wrong = np.flatnonzero(predicted != labels)
    # Stable sort: among equally confident mistakes the earlier image comes first.
    order = wrong[np.argsort(-confidence[wrong], kind="stable")]
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    cells = [(int(off[t, p]), t, p) for t in range(10) for p in range(10) if off[t, p]]
    cells.sort(key=lambda cell: (-cell[0], cell[1], cell[2]))
    return EvaluationReport(
        accuracy=float(np.mean(predicted == labels)) if len(labels) else 0.0,
        confusion=confusion,
        misclassified=order,
        misclassified_true=labels[order],
        misclassified_predicted=predicted[order],
        misclassified_confidence=np.asarray(confidence, np.float32)[order],
        most_confused=tuple(ConfusedPair(t, p, c) for c, t, p in cells),
        finite=finite,
    )


def keras_predict_proba(model, batch_size: int = DEFAULT_CHUNK) -> ProbaFn:
    """``predict_proba`` of a Keras model, called directly (``model(x, training=False)``).

    uint8 images are scaled by ``/ 255`` as in training; batches of more than
    ``batch_size`` images are split. ``engine.training.predict_probabilities`` is this.
    """

    def predict_proba(batch: np.ndarray) -> np.ndarray:
        x = np.asarray(batch)
        x = x.astype(np.float32) / np.float32(255.0) if x.dtype == np.uint8 else x.astype(
            np.float32, copy=False)
        out = [np.asarray(model(x[i:i + batch_size], training=False))
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, 10), np.float32)

    return predict_proba


def predictor_predict_proba(predictor, kind: str) -> ProbaFn:
    """``predict_proba`` of one model of an ``engine.inference.Predictor`` (numpy, no TF)."""
    if kind not in predictor:
        raise ValueError(
            f"Received kind {kind!r}; the predictor runs {', '.join(predictor.kinds)}.")

    def predict_proba(batch: np.ndarray) -> np.ndarray:
        return predictor.predict_batch(batch, kinds=(kind,))[kind]

    return predict_proba


def _check_labels(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"Received {len(images)} images and labels of shape {labels.shape}; "
                         f"expected ({len(images)},).")
    if len(labels) and (not np.issubdtype(labels.dtype, np.integer)
                        or labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"Received labels {np.unique(labels)[:10]}; labels must be 0..9.")
    return labels.astype(np.int64)
