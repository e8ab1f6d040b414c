"""Data augmentation that makes the models robust to how people really draw.

MNIST digits are all centred, of similar size and stroke width. Digits drawn
in the app (after MNIST-style preprocessing) still vary in slant, size,
position within the box and stroke thickness, so training sees random:

- rotation (±``max_rotation_deg``) and shear,
- scale (``scale_range``),
- translation (±``max_shift_px``),
- stroke width: dilation (thicker) or erosion (thinner) with a small window.

All of it runs inside TensorFlow (a ``tf.data`` map over whole batches), so it
costs little next to the training step.

One more difference is the pen itself: a scanned MNIST stroke swells and fades,
while the app's canvas (and a tablet pen) draws a line of one width with round
ends. The shipped CNN read 99.3 % of MNIST's first 3,000 test digits but 97.9 % of
the same digits redrawn as pen strokes (measured 2026-12-01). :func:`pen_versions`
redraws training digits that way once, before training, and the training pipeline
shows a share of them in place of the originals (``TrainConfig.pen_share``, off by
default: at 0.3 it gained the CNN 0.2 points on pen-redrawn digits and cost it
0.1-0.5 on MNIST's own and restyled ones).

Last, a new writer's digits differ from MNIST's not only by an affine map: loops are
rounder or flatter, strokes bend elsewhere. :func:`elastic_warp` bends a share of each
batch with a smooth random displacement field (Simard, Steinkraus and Platt, "Best
practices for convolutional neural networks applied to visual document analysis",
ICDAR 2003: uniform noise smoothed by a Gaussian of ``sigma`` px, scaled by ``alpha``)
(``TrainConfig.elastic_share``, off by default).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.styles import pen as pen_style
from digitlab.engine.tf_runtime import import_tensorflow


@dataclass(frozen=True)
class AugmentConfig:
    """Ranges of the random transforms (all sampled uniformly per image)."""

    max_rotation_deg: float = 12.0
    max_shear_deg: float = 8.0
    scale_range: tuple[float, float] = (0.8, 1.12)
    max_shift_px: float = 2.5
    p_thicken: float = 0.25
    p_thin: float = 0.15
    #: Elastic distortion (Simard et al. 2003's values for 28x28 digits): the
    #: displacement field's smoothing (px) and scale; RMS displacement ~1.4 px.
    elastic_sigma: float = 4.0
    elastic_alpha: float = 34.0


def augment_batch(images, seed_gen, config: AugmentConfig = AugmentConfig()):
    """Randomly transform a batch of images.

    Args:
        images: float32 tensor ``(B, 28, 28)`` in [0, 1], ink bright.
        seed_gen: a ``tf.random.Generator`` (reproducible with a seed).
        config: the ranges.

    Returns:
        float32 tensor ``(B, 28, 28)`` in [0, 1].
    """
    tf = import_tensorflow()
    b = tf.shape(images)[0]
    x = images[..., tf.newaxis]  # (B, 28, 28, 1)

    def uniform(lo, hi):
        return seed_gen.uniform([b], lo, hi, dtype=tf.float32)

    angle = uniform(-1.0, 1.0) * math.radians(config.max_rotation_deg)
    shear = uniform(-1.0, 1.0) * math.radians(config.max_shear_deg)
    scale = uniform(*config.scale_range)
    tx = uniform(-config.max_shift_px, config.max_shift_px)
    ty = uniform(-config.max_shift_px, config.max_shift_px)
    # Output pixel (x, y) samples input at A @ (x - c) + c - t, with
    # A = (R(angle) @ Shear(shear) / scale)^-1 written out directly: the
    # transform maps output to input coordinates.
    c = 13.5
    cos, sin = tf.cos(angle), tf.sin(angle)
    tan_s = tf.tan(shear)
    inv = 1.0 / scale
    a0 = cos * inv
    a1 = (sin + cos * tan_s) * inv
    b0 = -sin * inv
    b1 = (cos - sin * tan_s) * inv
    a2 = c - a0 * c - a1 * c - tx
    b2 = c - b0 * c - b1 * c - ty
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    x = tf.raw_ops.ImageProjectiveTransformV3(
        images=x,
        transforms=transforms,
        output_shape=tf.constant([28, 28], tf.int32),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    # Stroke width: max-pool with stride 1 is a grey-level dilation, min-pool
    # (negated max-pool) an erosion. A 2x2 window keeps the change to ~1 px.
    thick = tf.nn.max_pool2d(x, 2, 1, "SAME")
    thin = -tf.nn.max_pool2d(-x, 2, 1, "SAME")
    r = seed_gen.uniform([b, 1, 1, 1], 0.0, 1.0)
    x = tf.where(r < config.p_thicken, thick, x)
    x = tf.where((r >= config.p_thicken) & (r < config.p_thicken + config.p_thin), thin, x)
    return tf.clip_by_value(x[..., 0], 0.0, 1.0)


def elastic_warp(images, seed_gen, share: float, config: AugmentConfig = AugmentConfig()):
    """Bend each image of a batch with probability ``share`` by a smooth random field.

    Each pixel's two displacements are uniform noise in [-1, 1], smoothed by a Gaussian of
    ``config.elastic_sigma`` px and scaled by ``config.elastic_alpha``; the output samples
    the input bilinearly at the displaced position (zero outside the image).

    Args:
        images: float32 tensor ``(B, 28, 28)`` in [0, 1], ink bright.
        seed_gen: a ``tf.random.Generator``.
        share: in [0, 1]; the other images come back unchanged.

    Returns:
        float32 tensor ``(B, 28, 28)``.
    """
    tf = import_tensorflow()
    b = tf.shape(images)[0]
    h = w = 28
    sigma = config.elastic_sigma
    radius = int(math.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps = tf.constant(taps / taps.sum(), tf.float32)
    field = seed_gen.uniform([b, h, w, 2], -1.0, 1.0)
    # Separable Gaussian, the same for both channels (dy, dx).
    column = tf.tile(tf.reshape(taps, [-1, 1, 1, 1]), [1, 1, 2, 1])
    row = tf.tile(tf.reshape(taps, [1, -1, 1, 1]), [1, 1, 2, 1])
    field = tf.nn.depthwise_conv2d(field, column, [1, 1, 1, 1], "SAME")
    field = tf.nn.depthwise_conv2d(field, row, [1, 1, 1, 1], "SAME") * config.elastic_alpha
    pick = seed_gen.uniform([b, 1, 1, 1], 0.0, 1.0) < share
    field = tf.where(pick, field, tf.zeros_like(field))
    grid_y, grid_x = tf.meshgrid(tf.range(h, dtype=tf.float32), tf.range(w, dtype=tf.float32),
                                 indexing="ij")
    # Sample from the image padded by one zero pixel: positions clipped to the padding
    # read zero, as ImageProjectiveTransformV3's CONSTANT fill does.
    y = tf.clip_by_value(grid_y + field[..., 0], -1.0, float(h))
    x = tf.clip_by_value(grid_x + field[..., 1], -1.0, float(w))
    y0, x0 = tf.floor(y), tf.floor(x)
    fy, fx = y - y0, x - x0
    padded = tf.reshape(tf.pad(images, [[0, 0], [1, 1], [1, 1]]), [b, -1])
    iy0 = tf.cast(y0, tf.int32) + 1
    ix0 = tf.cast(x0, tf.int32) + 1
    iy1 = tf.minimum(iy0 + 1, h + 1)
    ix1 = tf.minimum(ix0 + 1, w + 1)

    def at(iy, ix):
        return tf.gather(padded, tf.reshape(iy * (w + 2) + ix, [b, -1]), batch_dims=1)

    fy, fx = tf.reshape(fy, [b, -1]), tf.reshape(fx, [b, -1])
    out = (at(iy0, ix0) * (1 - fy) * (1 - fx) + at(iy0, ix1) * (1 - fy) * fx
           + at(iy1, ix0) * fy * (1 - fx) + at(iy1, ix1) * fy * fx)
    return tf.reshape(out, [b, h, w])


def pen_versions(images: np.ndarray, seed: int | None = None,
                 should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """Each digit redrawn as a pen would draw it on the canvas, as the models then see it.

    Each is the "pen" style of :mod:`engine.styles` (enlarged, thinned to its skeleton and
    drawn again with a round pen of a random width), then preprocessed like a drawing
    (:func:`engine.preprocess.preprocess_drawing`). ~1.5 ms a digit.

    Args:
        images: ``(N, 28, 28)`` uint8, or float in [0, 1]; ink bright.
        seed: for the pen widths.
        should_stop: polled every 256 digits; once it says True the rest are left as
            they were (the training run that asked then stops at its first batch).

    Returns:
        float32 ``(N, 28, 28)`` in [0, 1]; an image with no ink is returned as it was.
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"Received images of shape {images.shape}; expected (N, 28, 28).")
    as_uint8 = (images if images.dtype == np.uint8
                else np.clip(np.rint(images * 255.0), 0, 255).astype(np.uint8))
    rng = np.random.default_rng(seed)
    out = as_uint8 / np.float32(255.0)
    for i, digit in enumerate(as_uint8):
        if should_stop is not None and i % 256 == 0 and should_stop():
            break
        pre = preprocess_drawing(pen_style(digit, rng))
        if not pre.is_empty:
            out[i] = pre.image28
    return out


def mix_pen(images, pens, share: float, seed_gen):
    """Each image of a batch replaced by its pen version with probability ``share``.

    Args:
        images, pens: float32 tensors ``(B, 28, 28)``.
        share: in [0, 1].
        seed_gen: a ``tf.random.Generator``.

    Returns:
        float32 tensor ``(B, 28, 28)``.
    """
    tf = import_tensorflow()
    pick = seed_gen.uniform([tf.shape(images)[0], 1, 1], 0.0, 1.0) < share
    return tf.where(pick, pens, images)


def augmented_dataset(x, y, batch_size: int, seed: int | None, pen_share: float = 0.0,
                      should_stop: Callable[[], bool] | None = None,
                      elastic_share: float = 0.0):
    """The training pipeline: shuffled batches, each augmented anew every epoch.

    Args:
        x: float32 ``(N, 28, 28)`` in [0, 1]; y: int ``(N,)``.
        batch_size: samples per batch.
        seed: for the shuffle, the transforms and the pen widths; ``None``: not reproducible.
        pen_share: the share of each epoch's digits shown as their :func:`pen_versions`
            (redrawn once, here, before the first epoch).
        should_stop: passed to :func:`pen_versions`.
        elastic_share: the share of each batch's digits also bent by :func:`elastic_warp`
            (after the affine transforms).

    Returns:
        A ``tf.data.Dataset`` of ``(images (B, 28, 28), labels (B,))``.
    """
    tf = import_tensorflow()
    gen = (tf.random.Generator.from_seed(seed) if seed is not None
           else tf.random.Generator.from_non_deterministic_state())
    config = AugmentConfig()

    def bend(images):
        return images if elastic_share <= 0 else elastic_warp(images, gen, elastic_share, config)

    if pen_share > 0:
        data = tf.data.Dataset.from_tensor_slices(((x, pen_versions(x, seed, should_stop)), y))

        def transform(images, labels):
            mixed = mix_pen(images[0], images[1], pen_share, gen)
            return bend(augment_batch(mixed, gen, config)), labels
    else:
        data = tf.data.Dataset.from_tensor_slices((x, y))

        def transform(images, labels):
            return bend(augment_batch(images, gen, config)), labels

    return (data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
            .batch(batch_size)
            .map(transform, num_parallel_calls=1)
            .prefetch(2))
