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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
