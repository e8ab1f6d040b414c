"""Why this digit: attribution maps over the 28x28 model input.

Each map says, pixel by pixel, how much that pixel's ink pushed the model's
score for one digit up (positive) or down (negative):

- multinomial: **weight x input**, exact. The model's logit for digit ``d`` is
  ``sum_i W[i, d] * x[i] + b[d]``, so the map ``W[:, d] * x`` (784 values,
  reshaped to 28x28) plus the bias *is* the logit.
- dnn and cnn: **integrated gradients** (Sundararajan et al., 2017) from a black
  image: ``(x - 0) * mean over the path of d logit_d / dx`` at ``alpha * x`` for
  ``steps`` values of ``alpha`` (midpoint rule, one batched TensorFlow call).
  Completeness holds approximately: the map sums to ``logit_d(x) - logit_d(black)``
  (stored in :attr:`Attribution.output_change`). The pre-softmax logit is
  attributed, computed from the model's own layers with the final Dense layer's
  softmax left off; a model whose head is not a softmax Dense falls back to the
  probability.
- cnn, optionally: **Grad-CAM** on the last convolution layer (3x3x64), upsampled
  to 28x28 along the layers' receptive-field centres.

The multinomial map for the same image is the integrated-gradients map of a
linear model, so the three maps are comparable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from digitlab.engine import MODEL_KINDS
from digitlab.engine.calibration import apply_temperature, logits_from_probabilities
from digitlab.engine.models import check_kind, infer_kind
from digitlab.engine.tf_runtime import import_tensorflow

#: Attribution methods, as shown to the user.
METHODS = ("weight x input", "integrated gradients", "grad-cam")
#: Largest ``steps`` accepted (the whole path is one batch).
MAX_STEPS = 1024


def _english(context: str, source: str) -> str:
    return source


@dataclass(frozen=True)
class Attribution:
    """One model's attribution map for one digit.

    Attributes:
        kind: ``"multinomial"``, ``"dnn"`` or ``"cnn"``.
        digit: the class explained, 0..9.
        method: one of :data:`METHODS`.
        map: float32 ``(28, 28)``, signed; positive = evidence for ``digit``.
        probability: the model's probability of ``digit`` for this image (its own
            softmax, uncalibrated; :meth:`probability_at` applies a temperature).
        output: what the map attributes: ``"logit"`` (pre-softmax score) or
            ``"probability"``.
        output_change: ``output(image) - output(black image)``; ``map.sum()`` equals it
            exactly for weight x input, approximately for integrated gradients; NaN for
            Grad-CAM, which does not add up to anything.
        probabilities: float64 ``(10,)``, the model's softmax over all ten digits for
            this image (``probabilities[digit] == probability``), or None.
    """

    kind: str
    digit: int
    method: str
    map: np.ndarray
    probability: float
    output: str = "logit"
    output_change: float = math.nan
    probabilities: np.ndarray | None = field(default=None, repr=False, compare=False)

    def probability_at(self, temperature: float = 1.0) -> float:
        """The probability of :attr:`digit` calibrated with ``temperature``,
        ``softmax(log(probabilities) / T)[digit]``: what the Draw tab's bars show for it.

        Without :attr:`probabilities` (or at ``T == 1``) it is :attr:`probability`.

        Raises:
            ValueError: ``temperature`` is not finite and > 0.
        """
        if self.probabilities is None or temperature == 1.0:
            return self.probability
        calibrated = apply_temperature(logits_from_probabilities(self.probabilities),
                                       temperature)
        return float(calibrated[self.digit])

    def describe(self, translate: Callable[[str, str], str] = _english) -> str:
        """The detail line under the map, e.g. ``"weight × input: Σ 8.36 = logit − bias"``.

        For integrated gradients the change is measured from a black image (the baseline).

        Args:
            translate: ``(context, source) -> text``; the GUI passes Qt's (English by default).
        """
        total = float(np.sum(self.map))
        if self.method == "weight x input":
            return translate("Attribution", "weight × input: Σ {0:.3g} = logit − bias").format(
                total)
        if self.method == "grad-cam":
            return translate("Attribution", "Grad-CAM, last conv layer (3×3): where it looked")
        output = {"logit": translate("Attribution", "logit"),
                  "probability": translate("Attribution", "probability")}.get(self.output,
                                                                              self.output)
        return translate("Attribution", "integrated gradients: Σ {0:.3g} ≈ {1} change {2:.3g}")\
            .format(total, output, self.output_change)


def explain(
    model,
    kind: str,
    image28: np.ndarray,
    digit: int | None = None,
    steps: int = 32,
    method: str | None = None,
) -> Attribution:
    """Attribute one model's score for ``digit`` to the pixels of ``image28``.

    Args:
        model: a Keras model of ``kind`` mapping ``(None, 28, 28)`` to ``(None, 10)``.
        kind: ``"multinomial"``, ``"dnn"`` or ``"cnn"``.
        image28: ``(28, 28)`` preprocessed input, float in [0, 1] (or uint8 0..255),
            ink bright.
        digit: the class to explain; ``None`` = the model's most probable digit.
        steps: integrated-gradients path steps (more = closer completeness).
        method: ``None`` for the kind's default (weight x input for multinomial,
            integrated gradients otherwise), or one of :data:`METHODS`
            (``"grad-cam"`` needs the CNN).

    Returns:
        An :class:`Attribution` with a float32 ``(28, 28)`` map.

    Raises:
        ValueError: bad image shape or values, digit outside 0..9, steps outside
            1..1024, a model that is not of ``kind``, or a method the kind lacks.
    """
    check_kind(kind)
    x = _check_image28(image28)
    found = infer_kind(model)
    if found != kind:
        raise ValueError(f"Received a {found} model for kind={kind!r}.")
    if digit is not None:
        digit = _check_digit(digit)
    method = _check_method(method, kind)
    if method == "weight x input":
        return _weight_x_input(model, x, digit)
    if method == "grad-cam":
        cam, digit, probs = _grad_cam(model, x, digit)
        return Attribution(kind, digit, method, cam, float(probs[digit]), probabilities=probs)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not (
        1 <= steps <= MAX_STEPS
    ):
        raise ValueError(f"Received steps={steps!r}; steps must be a whole number in 1..1024.")
    return _integrated_gradients(model, kind, x, digit, int(steps))


def explain_all(
    models: Mapping[str, object],
    image28: np.ndarray,
    digit: int | None = None,
    steps: int = 32,
) -> dict[str, Attribution]:
    """:func:`explain` for every model, with each kind's default method.

    Args:
        models: kind -> Keras model (any subset of the three kinds).
        image28: ``(28, 28)`` preprocessed input in [0, 1], ink bright.
        digit: the class every model explains; ``None`` = each model's own prediction.
        steps: integrated-gradients steps.

    Returns:
        kind -> :class:`Attribution`, in the order multinomial, dnn, cnn.
    """
    unknown = [kind for kind in models if kind not in MODEL_KINDS]
    if unknown:
        raise ValueError(f"Received model kind(s) {unknown}; expected some of {MODEL_KINDS}.")
    return {
        kind: explain(models[kind], kind, image28, digit=digit, steps=steps)
        for kind in MODEL_KINDS
        if kind in models
    }


def grad_cam(model, image28: np.ndarray, digit: int | None = None) -> np.ndarray:
    """Grad-CAM of the model's last convolution layer, upsampled to the input.

    ``relu(sum_c mean_hw(d logit_digit / dA_c) * A_c)`` on the last Conv2D's output
    ``A`` (``(3, 3, 64)`` for the lesson's CNN), bilinearly interpolated from the
    receptive-field centres of its cells (input pixels 8.5, 12.5, 16.5) to 28x28.

    Args:
        model: a Keras model with at least one Conv2D layer.
        image28: ``(28, 28)`` float in [0, 1], ink bright.
        digit: the class; ``None`` = the most probable one.

    Returns:
        float32 ``(28, 28)``, >= 0.

    Raises:
        ValueError: the model has no Conv2D layer, or bad image or digit.
    """
    x = _check_image28(image28)
    cam, _, _ = _grad_cam(model, x, None if digit is None else _check_digit(digit))
    return cam


def model_logits(model, images: np.ndarray) -> tuple[np.ndarray, str]:
    """The scores the maps attribute, for a batch of images.

    Args:
        model: a Keras model mapping ``(None, 28, 28)`` to ``(None, 10)``.
        images: ``(N, 28, 28)`` float in [0, 1].

    Returns:
        ``(scores (N, 10) float32, output)``: the pre-softmax logits and ``"logit"``
        when the model ends in a softmax Dense layer, else its probabilities and
        ``"probability"``.
    """
    scores_fn, output = _scores_function(model)
    tf = import_tensorflow()
    scores = scores_fn(tf.constant(np.asarray(images, np.float32)))
    return np.asarray(scores, np.float32), output


# --- methods ---------------------------------------------------------------------------------


def _weight_x_input(model, x: np.ndarray, digit: int | None) -> Attribution:
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    kernel, bias = (np.asarray(w, np.float64) for w in dense[0].get_weights())  # (784, 10), (10,)
    flat = x.reshape(-1).astype(np.float64)
    contributions = kernel * flat[:, None]  # (784, 10)
    logits = contributions.sum(axis=0) + bias
    probs = _softmax(logits)
    if digit is None:
        digit = int(np.argmax(probs))
    return Attribution(
        kind="multinomial",
        digit=digit,
        method="weight x input",
        map=contributions[:, digit].reshape(28, 28).astype(np.float32),
        probability=float(probs[digit]),
        output="logit",
        output_change=float(logits[digit] - bias[digit]),
        probabilities=probs,
    )


def _integrated_gradients(model, kind: str, x: np.ndarray, digit: int | None, steps: int):
    tf = import_tensorflow()
    scores_fn, output = _scores_function(model)
    # Midpoint rule: alpha = (k + 0.5) / steps. The image and the black baseline ride
    # along in the same batch so one call gives the path gradients and both endpoints.
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps
    batch = np.concatenate([alphas[:, None, None] * x[None], x[None], np.zeros_like(x)[None]])
    inputs = tf.constant(batch)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        scores = scores_fn(inputs)
        if digit is None:
            digit = int(np.argmax(np.asarray(scores[steps])))
        target = tf.reduce_sum(scores[:steps, digit])
    grads = np.asarray(tape.gradient(target, inputs))[:steps]
    scores = np.asarray(scores, np.float64)
    attribution = x * grads.mean(axis=0)
    image_scores = scores[steps]
    probs = _softmax(image_scores) if output == "logit" else image_scores
    return Attribution(
        kind=kind,
        digit=digit,
        method="integrated gradients",
        map=attribution.astype(np.float32),
        probability=float(probs[digit]),
        output=output,
        output_change=float(scores[steps, digit] - scores[steps + 1, digit]),
        probabilities=np.asarray(probs, np.float64),
    )


def _grad_cam(model, x: np.ndarray, digit: int | None) -> tuple[np.ndarray, int, np.ndarray]:
    """``(map, digit, the model's (10,) probabilities)`` (see :func:`grad_cam`)."""
    tf = import_tensorflow()
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    conv_at = [i for i, layer in enumerate(layers) if type(layer).__name__ == "Conv2D"]
    if not conv_at:
        raise ValueError(
            f"Received model {model.name!r} without a Conv2D layer; Grad-CAM needs the CNN."
        )
    last = conv_at[-1]
    scores_fn, output = _scores_function(model, start=last + 1)
    h = tf.constant(x[None])
    for layer in layers[: last + 1]:
        h = layer(h, training=False)
    with tf.GradientTape() as tape:
        tape.watch(h)
        scores = scores_fn(h)
        if digit is None:
            digit = int(np.argmax(np.asarray(scores[0])))
        target = scores[0, digit]
    grads = np.asarray(tape.gradient(target, h))[0]  # (h, w, c)
    activations = np.asarray(h)[0]
    weights = grads.mean(axis=(0, 1))  # one weight per channel
    cam = np.maximum(activations @ weights, 0.0)  # (h, w)
    start, jump = _receptive_field(layers[: last + 1])
    values = np.asarray(scores[0], np.float64)
    probs = _softmax(values) if output == "logit" else values
    return _upsample(cam, start, jump).astype(np.float32), digit, probs


# --- helpers ---------------------------------------------------------------------------------


def _scores_function(model, start: int = 0):
    """``f(batch) -> (N, 10)`` logits (softmax head left off) or probabilities.

    ``start`` skips that many layers (after any InputLayer), for Grad-CAM, which
    feeds the last conv layer's output in.
    """
    tf = import_tensorflow()
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    head = layers[-1] if layers else None
    has_logits = (
        head is not None
        and type(head).__name__ == "Dense"
        and head.get_config().get("activation") == "softmax"
    )
    body = layers[start:-1] if has_logits else layers[start:]

    def scores(h):
        for layer in body:
            h = layer(h, training=False)
        if has_logits:
            kernel = tf.convert_to_tensor(head.kernel)
            h = tf.matmul(h, kernel)
            if head.use_bias:
                h = h + tf.convert_to_tensor(head.bias)
        return h

    return scores, "logit" if has_logits else "probability"


def _receptive_field(layers) -> tuple[float, float]:
    """Input pixel of the centre of output cell 0, and the distance between cells.

    Standard receptive-field arithmetic over Conv2D and MaxPooling2D layers
    (VALID padding; SAME shifts the centre back by the top padding).
    """
    start, jump = 0.0, 1.0
    for layer in layers:
        name = type(layer).__name__
        if name not in ("Conv2D", "MaxPooling2D"):
            continue
        config = layer.get_config()
        k = (config["kernel_size"] if name == "Conv2D" else config["pool_size"])[0]
        s = (config["strides"] or config.get("pool_size"))[0]
        pad_top = (k - 1) // 2 if config.get("padding") == "same" else 0
        start += ((k - 1) / 2 - pad_top) * jump
        jump *= s
    return start, jump


def _upsample(cam: np.ndarray, start: float, jump: float, size: int = 28) -> np.ndarray:
    """Bilinear interpolation of ``cam`` cells (centres ``start + i * jump``) to ``size``."""
    h, w = cam.shape
    pixels = np.arange(size, dtype=np.float64)
    rows = np.array([np.interp(pixels, start + jump * np.arange(w), row) for row in cam])
    return np.array(
        [np.interp(pixels, start + jump * np.arange(h), col) for col in rows.T]
    ).T  # (size, size); np.interp holds the edge values beyond the outer centres


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def _check_image28(image28) -> np.ndarray:
    arr = np.asarray(image28)
    if arr.shape != (28, 28):
        raise ValueError(f"Received image28 of shape {arr.shape}; expected (28, 28).")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255.0)
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"Received image28 of dtype {arr.dtype}; expected uint8 or float.")
    x = arr.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("Received image28 with NaN or infinite values; expected [0, 1].")
    return x


def _check_digit(digit) -> int:
    if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) or not 0 <= digit <= 9:
        raise ValueError(f"Received digit={_quote(digit)}; digit must be a whole number in 0..9.")
    return int(digit)


def _check_method(method: str | None, kind: str) -> str:
    if method is None:
        return "weight x input" if kind == "multinomial" else "integrated gradients"
    if method not in METHODS:
        raise ValueError(f"Received method={method!r}; expected one of {', '.join(METHODS)}.")
    if method == "weight x input" and kind != "multinomial":
        raise ValueError(
            f"Received method={method!r} for the {kind} model; weight x input is exact only "
            "for the multinomial (linear) model: use 'integrated gradients'."
        )
    if method == "grad-cam" and kind != "cnn":
        raise ValueError(
            f"Received method={method!r} for the {kind} model; Grad-CAM needs the CNN."
        )
    return method


def _quote(value) -> str:
    """``12`` for a numpy integer too (numpy 2's repr would say ``np.int64(12)``)."""
    return str(int(value)) if isinstance(value, np.integer) else repr(value)


__all__ = ["METHODS", "Attribution", "explain", "explain_all", "grad_cam", "model_logits"]
