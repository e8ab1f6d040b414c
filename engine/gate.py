"""The not-a-digit gate: does a preprocessed drawing show a digit at all?

Softmax always spreads 100 % over the ten digits, so the lesson's models are
confident about scribbles, letters and circles with crosses too. The gate is a
separate, small CNN, trained with outlier exposure (MNIST digits and digits of
other hands against the generated non-digits of :mod:`engine.gate_data`), that
outputs one logit (sizes as shipped, ``digitlab train-gate`` defaults):

    (28, 28) -> Reshape (28, 28, 1) -> Conv2D 32 3x3 relu (26, 26, 32) -> MaxPool (13, 13, 32)
             -> Conv2D 64 3x3 relu (11, 11, 64) -> MaxPool (5, 5, 64) -> Flatten 1600
             -> Dense 128 relu -> Dense 1 (logit)

``digit_score = sigmoid(logit)`` is in 0..1; the drawing is a digit when the score
is at least the threshold stored on the gate's card (chosen at training so that a
small, fixed share of held-out real-looking digits is flagged). It runs in numpy
through :mod:`engine.numpy_layers`, like the three models. Where the gate is unsure, a
second stage on its card may decide with the three models' doubt
(:mod:`engine.gate_stage`; :class:`engine.reading.Reader` applies it), and a card may
give the gate a second look at such drawings, turned a little (:mod:`engine.gate_views`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab import resources
from digitlab.engine.gate_views import GateViews, with_views
from digitlab.engine.numpy_layers import Network, compile_keras_model

#: Where the shipped gate lives (its card ``gate.json`` beside it holds the threshold).
SHIPPED_GATE = resources.path("models", "gate.keras")
#: Used when a card holds no threshold.
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class GateDecision:
    """Whether one drawing shows a digit, and why.

    Attributes:
        is_digit: ``digit_score >= threshold``.
        digit_score: in 0..1: how much the drawing looks like a digit to the gate.
        threshold: the score a digit needs.
    """

    is_digit: bool
    digit_score: float
    threshold: float


def build_gate_model(filters: tuple[int, int] = (16, 32), dense: int = 64,
                     dropout: float = 0.3):
    """An untrained gate: ``(None, 28, 28)`` float32 in [0, 1] -> ``(None, 1)`` logit.

    Args:
        filters: the two convolutions' channels. dense: the hidden layer's units.
        dropout: after Flatten, in training only (the numpy path skips it).
    """
    from digitlab.engine.tf_runtime import import_keras  # noqa: PLC0415 - loads TF

    keras = import_keras()
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28), name="image"),
        layers.Reshape((28, 28, 1), name="to_channels"),
        layers.Conv2D(filters[0], (3, 3), activation="relu", name="conv1"),
        layers.MaxPooling2D((2, 2), name="pool1"),
        layers.Conv2D(filters[1], (3, 3), activation="relu", name="conv2"),
        layers.MaxPooling2D((2, 2), name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dropout(dropout, name="dropout"),
        layers.Dense(dense, activation="relu", name=f"dense_{dense}"),
        layers.Dense(1, name="logit"),
    ], name="gate")


class Gate:
    """The gate's numpy forward pass and threshold.

    Args:
        network: the compiled gate (``(N, 28, 28)`` -> ``(N, 1)`` logits).
        threshold: in (0, 1).
    """

    def __init__(self, network: Network, threshold: float = DEFAULT_THRESHOLD, stage=None,
                 views: GateViews | None = None):
        if not 0.0 < float(threshold) < 1.0:
            raise ValueError(f"Received threshold={threshold!r}; expected a value in (0, 1).")
        self._network = network
        self.threshold = float(threshold)
        #: The second stage on the card (:class:`engine.gate_stage.SecondStage`), or None.
        #: The :class:`engine.reading.Reader` uses it only with the models it was fitted on.
        self.stage = stage
        #: Its second look at drawings it is unsure of (:mod:`engine.gate_views`), or None.
        self.views = views

    @classmethod
    def from_keras(cls, model, threshold: float = DEFAULT_THRESHOLD) -> Gate:
        """Copy the weights out of a Keras gate model (see :func:`build_gate_model`)."""
        return cls(compile_keras_model(model), threshold)

    @classmethod
    def load(cls, path: str | Path = SHIPPED_GATE) -> Gate:
        """Read a gate model file into numpy (no TensorFlow) with the threshold on its card.

        The file gets the same safety checks as the three models
        (:func:`engine.keras_reader.read_network`); the card is ``gate.json`` beside it.

        Raises:
            engine.models.ModelFileError: the file is missing, unsafe, not a gate
                (``(28, 28) -> (1,)``), or its card's threshold is unreadable.
        """
        from digitlab.engine.keras_reader import read_network  # noqa: PLC0415

        network, _ = read_network(path, output_shape=(1,))
        return cls(network, read_threshold(path), read_stage(path), read_views(path))

    def with_threshold(self, threshold: float) -> Gate:
        """The same network and views with another threshold (and no second stage: it was
        fitted for the card's threshold)."""
        return Gate(self._network, threshold, None, self.views)

    def with_stage(self, stage) -> Gate:
        """The same network, threshold and views with another second stage (None: the
        gate alone)."""
        return Gate(self._network, self.threshold, stage, self.views)

    def with_views(self, views: GateViews | None) -> Gate:
        """The same network and threshold with other views (None: one look), and no second
        stage (it was fitted on the card's scores)."""
        return Gate(self._network, self.threshold, None, views)

    def scores(self, images: np.ndarray) -> np.ndarray:
        """Digit scores of preprocessed images.

        Args:
            images: float ``(N, 28, 28)`` in [0, 1], ink bright (``image28``).

        Returns:
            float64 ``(N,)`` in 0..1.
        """
        x = np.ascontiguousarray(images, dtype=np.float32)
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise ValueError(f"Received images of shape {x.shape}; expected (N, 28, 28).")
        logits = self._network.forward(x)[:, 0].astype(np.float64)
        if self.views is not None:
            logits = with_views(logits, x, self.views, self._logits)
        # np.clip(logits, -60, 60) as maximum and minimum: the same values, without
        # np.clip's ~2 us of Python overhead.
        return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(logits, -60.0), 60.0)))

    def _logits(self, images: np.ndarray) -> np.ndarray:
        return self._network.forward(images)[:, 0]

    def decide(self, image28: np.ndarray) -> GateDecision:
        """The decision for one preprocessed image ``(28, 28)``."""
        return self.decide_scores(self.scores(np.asarray(image28)[None]))[0]

    def decide_scores(self, scores: np.ndarray, threshold: float | None = None
                      ) -> list[GateDecision]:
        """Decisions for scores from :meth:`scores`, at this gate's threshold or a stricter one."""
        t = self.threshold if threshold is None else max(self.threshold, float(threshold))
        # As Python floats (float64 values unchanged): iterating numpy scalars costs more.
        return [GateDecision(s >= t, s, t) for s in np.asarray(scores, np.float64).tolist()]


def read_threshold(model_path: str | Path) -> float:
    """The threshold on the card beside a gate file, or :data:`DEFAULT_THRESHOLD` without a card.

    Raises:
        engine.models.ModelFileError: the card exists but its threshold is not a number
            in (0, 1).
    """
    from digitlab.engine.models import ModelFileError  # noqa: PLC0415

    card = Path(model_path).with_suffix(".json")
    if not card.exists():
        return DEFAULT_THRESHOLD
    try:
        value = json.loads(card.read_text(encoding="utf-8")).get("threshold", DEFAULT_THRESHOLD)
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"{card}: unreadable gate card ({exc})") from None
    if not isinstance(value, (int, float)) or not 0.0 < float(value) < 1.0:
        raise ModelFileError(f"{card}: threshold={value!r}; expected a number in (0, 1)")
    return float(value)


def read_stage(model_path: str | Path):
    """The second stage on the card beside a gate file (``"second_stage"``), or None.

    Raises:
        engine.models.ModelFileError: the card holds a second stage that cannot be read.
    """
    from digitlab.engine.gate_stage import SecondStage  # noqa: PLC0415

    return _card_entry(model_path, "second_stage", SecondStage.from_json, "second stage")


def read_views(model_path: str | Path) -> GateViews | None:
    """The views on the card beside a gate file (``"views"``), or None (one look).

    Raises:
        engine.models.ModelFileError: the card holds views that cannot be read.
    """
    return _card_entry(model_path, "views", GateViews.from_json, "gate views")


def _card_entry(model_path: str | Path, key: str, parse, what: str):
    """``parse(entry)`` of the card's ``key`` beside a gate file; None without a card or
    without that entry. An entry that cannot be read raises ModelFileError naming ``what``."""
    from digitlab.engine.models import ModelFileError  # noqa: PLC0415

    card = Path(model_path).with_suffix(".json")
    if not card.exists():
        return None
    try:
        entry = json.loads(card.read_text(encoding="utf-8")).get(key)
        return None if entry is None else parse(entry)
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"{card}: unreadable {what} ({exc})") from None


def threshold_for_rate(digit_scores: np.ndarray, flag_rate: float) -> float:
    """The threshold that flags ``flag_rate`` of these digits (a quantile of their scores).

    Args:
        digit_scores: ``(N,)`` scores of real digits. flag_rate: in (0, 1), e.g. 0.005.
    """
    if not 0.0 < flag_rate < 1.0:
        raise ValueError(f"Received flag_rate={flag_rate!r}; expected a value in (0, 1).")
    t = float(np.quantile(np.asarray(digit_scores, np.float64), flag_rate))
    return float(np.clip(t, 1e-6, 1 - 1e-6))
