"""Mixed outlier exposure for the gate: non-digits with part of a digit pasted in.

After Zhang et al., "Mixture Outlier Exposure: Towards Out-of-Distribution Detection in
Fine-grained Environments" (MixOE, WACV 2023): outliers mixed with in-distribution
samples fill the space between them, where the drawings a gate wrongly accepts lie (a
handwritten u beside an open 4, a ? beside a 2). Here a box of a training digit is
pasted into a training non-digit (CutMix, Yun et al. 2019), and the gate's target is the
digit's share of the mixed drawing's ink: 1 where the box carries all of the ink, 0 where
it carries none.
"""

from __future__ import annotations

from digitlab.engine.tf_runtime import import_tensorflow

#: Side of the images mixed (the gate's input).
SIDE = 28


def mix_outliers(images, labels, weights, gen, share: float, power: float = 1.0):
    """Replace ``share`` of the batch's non-digits by mixtures with its digits.

    Args:
        images: float32 ``(B, 28, 28)``; labels: float32 ``(B,)``, 1 for a digit;
        weights: float32 ``(B,)`` sample weights (kept as they are).
        gen: a ``tf.random.Generator``.
        share: the probability that a non-digit is mixed, in [0, 1].
        power: the target is the digit's ink share to this power (1: the share itself;
            2: a mixture counts as a digit only when nearly all its ink is the digit's).

    Returns:
        ``(images, labels, weights)``, the mixed non-digits' labels in [0, 1].
    """
    tf = import_tensorflow()
    b = tf.shape(images)[0]
    digit_rows = tf.reshape(tf.where(labels > 0.5), [-1])
    n_digits = tf.shape(digit_rows)[0]
    # A random digit of the batch for every sample (a batch without digits mixes nothing).
    pick = gen.uniform([b], 0, tf.maximum(n_digits, 1), dtype=tf.int32)
    sources = tf.concat([digit_rows, tf.zeros([1], digit_rows.dtype)], axis=0)  # never empty
    partner = tf.gather(images, tf.gather(sources, pick))
    # A box of 10-60 % of the image (so that most mixtures keep some of the non-digit),
    # at a random place.
    side = tf.cast(tf.round(tf.sqrt(gen.uniform([b], 0.1, 0.6)) * SIDE), tf.int32)
    y0 = tf.cast(gen.uniform([b]) * tf.cast(SIDE - side + 1, tf.float32), tf.int32)
    x0 = tf.cast(gen.uniform([b]) * tf.cast(SIDE - side + 1, tf.float32), tf.int32)
    r = tf.range(SIDE)[None, :]
    rows = (r >= y0[:, None]) & (r < (y0 + side)[:, None])
    cols = (r >= x0[:, None]) & (r < (x0 + side)[:, None])
    box = tf.cast(rows[:, :, None] & cols[:, None, :], tf.float32)
    mixed = box * partner + (1.0 - box) * images
    from_digit = tf.reduce_sum(box * partner, axis=[1, 2])
    total = from_digit + tf.reduce_sum((1.0 - box) * images, axis=[1, 2])
    target = tf.where(total > 0, from_digit / tf.maximum(total, 1e-6), 0.0) ** power
    chosen = (labels < 0.5) & (gen.uniform([b]) < share) & (n_digits > 0)
    out_images = tf.where(chosen[:, None, None], mixed, images)
    out_labels = tf.where(chosen, target, labels)
    return out_images, out_labels, weights
