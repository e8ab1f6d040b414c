"""Robustness sweep: transform a digit step by step and watch each model's confidence.

The transforms act on the 28x28 model input itself, with no MNIST-style
re-centring afterwards, so a shift stays a shift: this is the lesson's point
about spatial information made visible. A dense model has one weight per pixel
and loses the digit when it moves a few pixels; the CNN's shared kernels and
pooling keep recognising it further.

Transforms (``value`` units in :data:`TRANSFORM_RANGES`):

- ``"shift x"`` / ``"shift y"``: move right / down by ``value`` pixels (bilinear,
  sub-pixel values allowed, zeros come in).
- ``"rotate"``: ``value`` degrees counter-clockwise as seen on screen, about the
  ink's centre of mass (so the digit rotates in place).
- ``"scale"``: ``value`` times bigger about the centre of mass; shrinking first
  blurs by the amount the lost resolution needs, so thin strokes fade instead of
  breaking into dots.
- ``"thicken"``: ``value`` steps of grey-level dilation (positive, thicker strokes)
  or erosion (negative, thinner) with a 3x3 cross; fractional steps blend the two
  nearest whole ones.

Every transform returns its input unchanged at its identity value (0, or 1 for
scale).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from digitlab.engine.calibration import apply_temperature, logits_from_probabilities

#: The transforms, in the order the app lists them.
TRANSFORMS = ("shift x", "shift y", "rotate", "scale", "thicken")
#: transform -> (min, max, unit) of the sweep.
TRANSFORM_RANGES: dict[str, tuple[float, float, str]] = {
    "shift x": (-8.0, 8.0, "px"),
    "shift y": (-8.0, 8.0, "px"),
    "rotate": (-60.0, 60.0, "deg"),
    "scale": (0.4, 1.6, "x"),
    "thicken": (-2.0, 3.0, "steps"),
}
#: transform -> the value that leaves the image unchanged.
TRANSFORM_IDENTITY: dict[str, float] = {
    "shift x": 0.0, "shift y": 0.0, "rotate": 0.0, "scale": 1.0, "thicken": 0.0,
}
#: Most sweep points accepted.
MAX_POINTS = 201

_SIZE = 28


@dataclass(frozen=True)
class SweepResult:
    """Each model's answer along one transform.

    Attributes:
        transform: one of :data:`TRANSFORMS`.
        values: float64 ``(n,)`` transform values, increasing.
        digit: the digit tracked.
        confidence: kind -> float32 ``(n,)`` probability of ``digit`` (calibrated with the
            model's temperature when :func:`sweep` was given one).
        predicted: kind -> int ``(n,)`` most probable digit.
        flip_at: kind -> the value closest to the identity (smallest ``|value|``, or
            ``|value - 1|`` for scale) at which the model no longer predicts
            ``digit``; ``None`` if it never flips in the range.
        images: float32 ``(n, 28, 28)``, the transformed inputs.
    """

    transform: str
    values: np.ndarray
    digit: int
    confidence: dict[str, np.ndarray]
    predicted: dict[str, np.ndarray]
    flip_at: dict[str, float | None]
    images: np.ndarray


def transform_image(image28: np.ndarray, transform: str, value: float) -> np.ndarray:
    """Apply one transform to a 28x28 model input.

    Args:
        image28: ``(28, 28)`` float in [0, 1] (or uint8 0..255), ink bright.
        transform: one of :data:`TRANSFORMS`.
        value: how much (see the module docstring); any finite value, scale > 0.

    Returns:
        float32 ``(28, 28)`` in [0, 1].

    Raises:
        ValueError: unknown transform, bad image, non-finite value, scale <= 0 or
            more than 14 thicken steps.
    """
    x = _check_image28(image28)
    _check_transform(transform)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"Received value={value!r}; it must be a finite number.")
    value = float(value)
    if value == TRANSFORM_IDENTITY[transform]:
        return x.copy()
    if transform == "shift x":
        out = _affine(x, np.eye(2), np.array([0.0, value]), np.zeros(2))
    elif transform == "shift y":
        out = _affine(x, np.eye(2), np.array([value, 0.0]), np.zeros(2))
    elif transform == "rotate":
        t = math.radians(value)
        # Output -> input in (row, col): the inverse of a visual counter-clockwise
        # turn when rows grow downwards.
        inverse = np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])
        out = _affine(x, inverse, np.zeros(2), _centre_of_mass(x))
    elif transform == "scale":
        if value <= 0:
            raise ValueError(f"Received scale value={value}; it must be > 0.")
        source = x if value >= 1 else _gaussian_blur(x, 0.5 * math.sqrt(1 / value**2 - 1))
        out = _affine(source, np.eye(2) / value, np.zeros(2), _centre_of_mass(x))
    else:
        out = _thicken(x, value)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def sweep(
    predictor,
    image28: np.ndarray,
    transform: str,
    n: int = 25,
    digit: int | None = None,
    temperatures: Mapping[str, float] | None = None,
) -> SweepResult:
    """Run every model of ``predictor`` on ``n`` transformed copies of ``image28``.

    Args:
        predictor: an :class:`engine.inference.Predictor` (its ``predict_image28`` is used).
        image28: ``(28, 28)`` float in [0, 1], ink bright (a preprocessed drawing).
        transform: one of :data:`TRANSFORMS`.
        n: points evenly spaced over :data:`TRANSFORM_RANGES`; the identity value is
            added when the spacing misses it, so the curve always shows the untouched
            image (``len(values)`` is ``n`` or ``n + 1``).
        digit: the digit to track; ``None`` = the CNN's prediction on the untouched
            image (the first model's when there is no CNN).
        temperatures: kind -> calibration temperature (a kind missing: T = 1): the
            confidences are then the calibrated probabilities the Draw tab's bars show
            (the predicted digits are the same either way).

    Returns:
        A :class:`SweepResult`.

    Raises:
        ValueError: unknown transform, ``n`` outside 2..201, digit outside 0..9,
            a bad image, a predictor with no models, or a temperature not finite and > 0.
    """
    _check_transform(transform)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_POINTS:
        raise ValueError(f"Received n={n!r}; n must be a whole number in 2..{MAX_POINTS}.")
    if not predictor.kinds:
        raise ValueError("Received a predictor with no models; load at least one model.")
    x = _check_image28(image28)
    if digit is None:
        base = predictor.predict_image28(x)
        digit = int(np.argmax(base["cnn"] if "cnn" in base else next(iter(base.values()))))
    elif isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) \
            or not 0 <= digit <= 9:
        raise ValueError(f"Received digit={_quote(digit)}; digit must be a whole number in 0..9.")
    lo, hi, _ = TRANSFORM_RANGES[transform]
    identity = TRANSFORM_IDENTITY[transform]
    values = np.unique(np.append(np.linspace(lo, hi, int(n)), identity))
    # linspace can land a hair off the identity (e.g. 1e-16); snap it so that point
    # is the untouched image and not a needlessly resampled one.
    values[np.isclose(values, identity, atol=1e-9)] = identity
    values = np.unique(values)
    images = np.stack([transform_image(x, transform, v) for v in values])
    probs = {kind: [] for kind in predictor.kinds}
    for image in images:
        for kind, p in predictor.predict_image28(image).items():
            probs[kind].append(p)
    confidence, predicted, flip_at = {}, {}, {}
    distance = np.abs(values - identity)
    for kind, rows in probs.items():
        p = np.asarray(rows, np.float32)  # (n, 10)
        t = (temperatures or {}).get(kind, 1.0)
        if t != 1.0:
            p = apply_temperature(logits_from_probabilities(p), t).astype(np.float32)
        confidence[kind] = p[:, digit].copy()
        predicted[kind] = p.argmax(axis=1)
        flipped = np.flatnonzero(predicted[kind] != digit)
        # Closest to the identity; on a tie (e.g. -4 and +4) the lower value.
        flip_at[kind] = float(values[flipped[np.argmin(distance[flipped])]]) if len(flipped) \
            else None
    return SweepResult(transform, values, int(digit), confidence, predicted, flip_at, images)


# --- image operations ------------------------------------------------------------------------


def _affine(image: np.ndarray, inverse: np.ndarray, shift: np.ndarray, centre: np.ndarray):
    """Resample: output pixel ``p`` takes input ``inverse @ (p - centre) + centre - shift``.

    Points are (row, col); bilinear interpolation, zeros outside the image.
    """
    rows, cols = np.mgrid[0:_SIZE, 0:_SIZE].astype(np.float64)
    rel = np.stack([rows.ravel(), cols.ravel()]) - centre[:, None]
    src = inverse @ rel + (centre - shift)[:, None]
    return _bilinear(image, src[0], src[1]).reshape(_SIZE, _SIZE)


def _bilinear(image: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    padded = np.pad(image.astype(np.float64), 1)  # a zero border: outside = background
    limit = padded.shape[0] - 1
    r = np.clip(r + 1.0, 0.0, limit)
    c = np.clip(c + 1.0, 0.0, limit)
    r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
    r1, c1 = np.minimum(r0 + 1, limit), np.minimum(c0 + 1, limit)
    wr, wc = r - r0, c - c0
    top = padded[r0, c0] * (1 - wc) + padded[r0, c1] * wc
    bottom = padded[r1, c0] * (1 - wc) + padded[r1, c1] * wc
    return top * (1 - wr) + bottom * wr


def _centre_of_mass(image: np.ndarray) -> np.ndarray:
    total = float(image.sum())
    if total <= 0:
        return np.array([(_SIZE - 1) / 2, (_SIZE - 1) / 2])
    rows, cols = np.mgrid[0:_SIZE, 0:_SIZE]
    return np.array([(rows * image).sum() / total, (cols * image).sum() / total])


def _gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 1e-3:
        return image
    radius = max(1, int(math.ceil(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    # Separable: along rows, then along columns, zero padding (the background).
    out = np.apply_along_axis(lambda v: np.convolve(v, taps, mode="same"), 1, image)
    return np.apply_along_axis(lambda v: np.convolve(v, taps, mode="same"), 0, out)


def _thicken(image: np.ndarray, value: float) -> np.ndarray:
    if abs(value) > 14:
        raise ValueError(f"Received thicken value={value}; it must be within -14..14.")
    op = _dilate if value > 0 else _erode
    whole = int(math.floor(abs(value)))
    frac = abs(value) - whole
    lower = image
    for _ in range(whole):
        lower = op(lower)
    return lower if frac == 0 else (1 - frac) * lower + frac * op(lower)


def _cross_neighbours(image: np.ndarray, fill: float) -> list[np.ndarray]:
    p = np.pad(image, 1, constant_values=fill)
    return [p[1:-1, 1:-1], p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]]


def _dilate(image: np.ndarray) -> np.ndarray:
    return np.maximum.reduce(_cross_neighbours(image, 0.0))


def _erode(image: np.ndarray) -> np.ndarray:
    # Outside counts as background: a stroke touching the border thins there too.
    return np.minimum.reduce(_cross_neighbours(image, 0.0))


def _check_transform(transform: str) -> None:
    if transform not in TRANSFORMS:
        raise ValueError(
            f"Received transform={transform!r}; expected one of {', '.join(TRANSFORMS)}."
        )


def _check_image28(image28) -> np.ndarray:
    arr = np.asarray(image28)
    if arr.shape != (_SIZE, _SIZE):
        raise ValueError(f"Received image28 of shape {arr.shape}; expected (28, 28).")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255.0)
    x = arr.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("Received image28 with NaN or infinite values; expected [0, 1].")
    return np.clip(x, 0.0, 1.0)


def _quote(value) -> str:
    """``12`` for a numpy integer too (numpy 2's repr would say ``np.int64(12)``)."""
    return str(int(value)) if isinstance(value, np.integer) else repr(value)


__all__ = [
    "TRANSFORMS", "TRANSFORM_IDENTITY", "TRANSFORM_RANGES", "SweepResult", "sweep",
    "transform_image",
]
