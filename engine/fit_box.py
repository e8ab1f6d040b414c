"""Fitting a digit's ink into MNIST's 20 px box and centring it in 28x28 by its mass.

The last two steps of :func:`engine.preprocess.preprocess_drawing`, and of each digit
segmentation finds in a number (:mod:`engine.segment_memo`):

    crop (h, w) -> fitted (20, w') or (h', 20), strokes too fine widened first
        -> (28, 28) with the centre of mass at (14, 14)

Everything is numpy; the resize is a pair of small matrix products with cached
resampling matrices (a Pillow round trip costs more than the whole CNN), kept on one
BLAS thread by :func:`engine.blas.one_blas_thread`: on a busy two-core machine
OpenBLAS's worker threads turn 40 us products into 10 ms ones.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from digitlab.engine.blas import one_blas_thread
from digitlab.engine.stroke_width import (MIN_STROKE, STROKE_TARGET, THICKEN_SCALE, stroke_width,
                                          thicken)

#: The side of the box the ink's longer side is fitted to, as in MNIST.
FIT_SIZE = 20
#: The side of the image the models receive.
IMAGE_SIZE = 28
#: Where the centre of mass goes, in (row, column) pixel-index coordinates.
#: MNIST's own digits average exactly this (13.99, 14.00).
CENTER = 14.0


def fit_ink_widened(crop: np.ndarray) -> tuple[np.ndarray, bool]:
    """The ink's crop fitted to the 20 px box as :func:`fit_to_box` does, its strokes
    first thickened to about ``STROKE_TARGET`` px there when they are thinner than
    ``MIN_STROKE`` (a fine pen on a large image; :mod:`engine.stroke_width`).

    Returns:
        ``(fitted, widened)``: float32 ``(h', w')`` with ``max(h', w') == 20``, and whether
        the strokes were thickened first (the Draw tab says so under the fitted stage).
    """
    width = stroke_width(crop, FIT_SIZE)
    if width >= MIN_STROKE:
        return fit_to_box(crop, FIT_SIZE), False
    big = fit_to_box(crop, FIT_SIZE * THICKEN_SCALE)
    return fit_to_box(thicken(big, (STROKE_TARGET - width) * THICKEN_SCALE / 2), FIT_SIZE), True


def fit_to_box(image: np.ndarray, size: int = FIT_SIZE) -> np.ndarray:
    """Resize ``image`` so its longer side is ``size``, keeping the aspect ratio.

    Shrinking averages areas (each output pixel is the mean of the input area it
    covers: anti-aliased, no moiré); enlarging interpolates linearly (as Pillow's
    ``BILINEAR``). The result is rescaled so its peak is 1, because shrinking a
    thin stroke greys it and MNIST ink peaks at full intensity.

    Args:
        image: float32 ``(h, w)``, values >= 0.
        size: the longer side of the result.

    Returns:
        float32 ``(h', w')`` with ``max(h', w') == size``, values in [0, 1].
    """
    h, w = image.shape
    scale = size / max(h, w)
    out_h = min(size, max(1, int(h * scale + 0.5)))
    out_w = min(size, max(1, int(w * scale + 0.5)))
    rows, cols = _resample_matrix(h, out_h), _resample_matrix(w, out_w).T
    # Multiply in the cheaper order: shrink the larger dimension first.
    with one_blas_thread():
        if out_h * w * (h + out_w) <= h * out_w * (w + out_h):
            fitted = (rows @ image) @ cols
        else:
            fitted = rows @ (image @ cols)
    # The ufuncs' reductions (what ndarray.max and .sum call) without their wrappers.
    peak = float(np.maximum.reduce(fitted, axis=None))
    if peak > 0.0:
        fitted *= np.float32(1.0 / peak)
    # np.clip's own overhead is larger than this small array's work.
    np.maximum(fitted, 0.0, out=fitted)
    return np.minimum(fitted, 1.0, out=fitted)


def center_by_mass(image: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Place ``image`` in a ``size x size`` field so its centre of mass is at the centre.

    The shift is rounded to whole pixels (as MNIST did); anything shifted past the
    edge is cut off.

    Args:
        image: float32 ``(h, w)`` with ``h, w <= size``, values >= 0.
        size: the side of the result; the centre is ``size / 2`` in pixel indices.

    Returns:
        float32 ``(size, size)``.
    """
    h, w = image.shape
    out = np.zeros((size, size), np.float32)
    mass = float(np.add.reduce(image, axis=None))  # image.sum(), without its wrapper
    if mass <= 0.0:
        return out
    cy = float(np.add.reduce(image, axis=1) @ _positions(h)) / mass
    cx = float(np.add.reduce(image, axis=0) @ _positions(w)) / mass
    oy = math.floor(size / 2 - cy + 0.5)
    ox = math.floor(size / 2 - cx + 0.5)
    # Clip the paste to the field: source and destination windows of equal size.
    dy0, dx0 = max(oy, 0), max(ox, 0)
    dy1, dx1 = min(oy + h, size), min(ox + w, size)
    if dy1 > dy0 and dx1 > dx0:
        out[dy0:dy1, dx0:dx1] = image[dy0 - oy:dy1 - oy, dx0 - ox:dx1 - ox]
    return out


@functools.lru_cache(maxsize=64)
def _positions(n: int) -> np.ndarray:
    """``0, 1, ..., n-1`` as float32 (shared, read-only)."""
    positions = np.arange(n, dtype=np.float32)
    positions.flags.writeable = False
    return positions


@functools.lru_cache(maxsize=512)
def _resample_matrix(in_size: int, out_size: int) -> np.ndarray:
    """The ``(out_size, in_size)`` float32 matrix that resamples one axis.

    Shrinking: exact area averaging (output pixel ``o`` covers input ``[o*s, (o+1)*s)``
    with ``s = in/out``; weights are the overlaps). Enlarging: linear interpolation
    between pixel centres, edge rows renormalised (Pillow's ``BILINEAR``).
    """
    scale = in_size / out_size
    src = np.arange(in_size, dtype=np.float64)[None, :]
    dst = np.arange(out_size, dtype=np.float64)[:, None]
    # In place, without np.clip's overhead: a live drawing's crop changes size with every
    # stroke, so matrices are built often (~10 us each).
    if scale >= 1.0:
        weights = np.minimum(src + 1.0, (dst + 1.0) * scale)
        weights -= np.maximum(src, dst * scale)
    else:
        weights = src - ((dst + 0.5) * scale - 0.5)
        np.abs(weights, out=weights)
        np.subtract(1.0, weights, out=weights)
    np.maximum(weights, 0.0, out=weights)
    weights /= weights.sum(axis=1, keepdims=True)
    matrix = weights.astype(np.float32)
    matrix.flags.writeable = False  # shared through the cache
    return matrix
