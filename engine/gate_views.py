"""The gate's second look: a drawing it is unsure of, seen again turned a little.

A digit turned by a few degrees is still the same digit; a scribble whose strokes happen to
fall like a 2's, seen turned, often stops looking like one. So where the gate's score on a
drawing is under :attr:`GateViews.below`, the gate also scores the drawing turned by each of
:attr:`GateViews.angles` (about the 28x28 image's centre, bilinear), and its logit is the
mean of the logits of all the views. Drawings it is sure of cost nothing more (the live
path's common case).

The views are part of the gate's scoring, so its threshold and second stage are chosen on
scores with views; the gate's card (``gate.json``, ``"views"``) says whether it has them.
``digitlab fit-gate-stage --views 8`` gives them to a gate and its twin. Tried and not
shipped (resources/models/README.md, "One gate, three views"): the shipped gate has none.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

SIZE = 28
#: The score under which ``fit-gate-stage --views`` has the gate look again (digits it is
#: sure of score above it; what full views would change lies almost all below).
VIEW_BELOW = 0.9
#: Drawings seen again per pass (a fit's tens of thousands would not fit in memory at once).
CHUNK = 2048


@dataclass(frozen=True)
class GateViews:
    """Where and how the gate looks again.

    Attributes:
        angles: the turns, in degrees (counter-clockwise positive), each one more view.
        below: the gate score (0..1) under which a drawing is seen again.
    """

    angles: tuple[float, ...]
    below: float

    def __post_init__(self):
        if not self.angles or not all(isinstance(a, (int, float)) and math.isfinite(a)
                                      and abs(a) <= 45 for a in self.angles):
            raise ValueError(f"Received view angles {self.angles!r}; expected one or more "
                             "finite turns of at most 45 degrees.")
        if not (isinstance(self.below, (int, float)) and 0.0 < self.below <= 1.0):
            raise ValueError(f"Received views below={self.below!r}; expected a score in (0, 1].")

    def to_json(self) -> dict:
        return {"angles": [float(a) for a in self.angles], "below": float(self.below)}

    @classmethod
    def from_json(cls, entry) -> GateViews:
        """Back from :meth:`to_json`.

        Raises:
            ValueError: a field is missing or not a number.
        """
        try:
            return cls(tuple(float(a) for a in entry["angles"]), float(entry["below"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"unreadable gate views ({exc!r})") from None


@functools.lru_cache(maxsize=8)
def _turn_plan(degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """For each output pixel, its four source pixels and their bilinear weights: int
    ``(4, 784)`` flat indices and float32 ``(4, 784)`` weights (0 where outside)."""
    c = (SIZE - 1) / 2.0
    a = math.radians(degrees)
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    # The source of each output pixel: the output turned back (rows grow downwards, so a
    # turn counter-clockwise on the screen takes a pixel's source from below-right).
    sy = math.sin(a) * (xs - c) + math.cos(a) * (ys - c) + c
    sx = math.cos(a) * (xs - c) - math.sin(a) * (ys - c) + c
    y0, x0 = np.floor(sy).astype(np.int64), np.floor(sx).astype(np.int64)
    fy, fx = sy - y0, sx - x0
    index, weight = [], []
    for dy, dx, w in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx),
                      (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        yy, xx = y0 + dy, x0 + dx
        inside = (yy >= 0) & (yy < SIZE) & (xx >= 0) & (xx < SIZE)
        index.append(np.where(inside, yy * SIZE + xx, 0).reshape(-1))
        weight.append(np.where(inside, w, 0.0).reshape(-1))
    plan = np.stack(index), np.stack(weight).astype(np.float32)
    for array in plan:
        array.flags.writeable = False
    return plan


def turned(images: np.ndarray, degrees: float) -> np.ndarray:
    """``(N, 28, 28)`` float images turned by ``degrees`` about their centre, counter-clockwise
    as shown on the screen (bilinear; what comes in from outside the image is blank)."""
    index, weight = _turn_plan(float(degrees))
    flat = np.asarray(images, np.float32).reshape(len(images), SIZE * SIZE)
    out = flat[:, index[0]] * weight[0]
    for k in range(1, 4):
        out += flat[:, index[k]] * weight[k]
    return out.reshape(len(images), SIZE, SIZE)


def with_views(logits: np.ndarray, images: np.ndarray, views: GateViews,
               forward) -> np.ndarray:
    """The gate's logits with its second look where it is unsure.

    Args:
        logits: float64 ``(N,)`` the gate's logits on ``images`` ``(N, 28, 28)``.
        views: where and how to look again.
        forward: float32 ``(M, 28, 28)`` -> ``(M,)`` logits (the gate's network).

    Returns:
        float64 ``(N,)``: where ``sigmoid(logit) < views.below``, the mean of the logits of
        the image and of its turned views; elsewhere the logit as it was.
    """
    below = math.log(views.below / (1.0 - views.below)) if views.below < 1.0 else math.inf
    again = np.flatnonzero(logits < below)
    if not again.size:
        return logits
    out = np.array(logits, np.float64)
    for start in range(0, again.size, CHUNK):
        rows = again[start:start + CHUNK]
        seen = images[rows]
        # All the turned views in one batch: one pass through the network.
        z = np.asarray(forward(np.concatenate([turned(seen, a) for a in views.angles])),
                       np.float64)
        out[rows] = (out[rows] + z.reshape(len(views.angles), len(rows)).sum(axis=0)) / (
            1 + len(views.angles))
    return out
