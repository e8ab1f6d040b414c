"""Mixed outlier exposure (engine.gate_mix): non-digits with a box of a digit pasted in."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.gate_mix import mix_outliers


def _batch(mnist, n_digits: int = 8, n_other: int = 8):
    """MNIST digits (label 1), and stand-in non-digits (label 0): digits turned upside
    down, so that both halves carry ink everywhere a box may fall."""
    digits = mnist.x_test[:n_digits] / 255.0
    others = np.rot90(mnist.x_test[100:100 + n_other] / 255.0, 2, axes=(1, 2))
    x = np.concatenate([digits, others]).astype(np.float32)
    y = np.array([1.0] * n_digits + [0.0] * n_other, np.float32)
    return x, y, np.linspace(0.5, 2.0, len(y)).astype(np.float32)


def _mix(x, y, w, share: float, seed: int = 3, power: float = 1.0):
    tf = pytest.importorskip("tensorflow")
    gen = tf.random.Generator.from_seed(seed)
    out = mix_outliers(tf.constant(x), tf.constant(y), tf.constant(w), gen, share, power)
    return [t.numpy() for t in out]


def test_mixed_non_digits_are_labelled_by_the_digit_share_of_their_ink(mnist):
    x, y, w = _batch(mnist)
    images, labels, weights = _mix(x, y, w, share=1.0)
    # Digits and the weights are left as they are.
    assert np.array_equal(images[:8], x[:8]) and np.array_equal(labels[:8], y[:8])
    assert np.array_equal(weights, w)
    for k in range(8, 16):
        changed = images[k] != x[k]
        assert changed.any(), "with share 1 every non-digit is mixed"
        # Pixels differ only inside one box: there the image is a digit of the batch.
        rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
        box = np.zeros((28, 28), bool)
        box[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] = True
        assert np.array_equal(images[k][~box], x[k][~box])
        partner = next(d for d in x[:8] if np.allclose(images[k][box], d[box]))
        share = partner[box].sum() / (partner[box].sum() + x[k][~box].sum())
        # (The pasted box may be larger than the changed one only where both images are
        # blank, which moves neither sum.)
        assert labels[k] == pytest.approx(share, abs=1e-4)
    # The boxes cover 10-60 % of the image: mixtures are neither all digit nor all other.
    assert 0.05 < labels[8:].mean() < 0.95


def test_share_zero_and_a_batch_without_digits_change_nothing(mnist):
    x, y, w = _batch(mnist)
    images, labels, _ = _mix(x, y, w, share=0.0)
    assert np.array_equal(images, x) and np.array_equal(labels, y)
    x, y, w = _batch(mnist, n_digits=0)
    images, labels, _ = _mix(x, y, w, share=1.0)
    assert np.array_equal(images, x) and np.array_equal(labels, y)


def test_share_is_the_probability_of_mixing_a_non_digit(mnist):
    x, y, w = _batch(mnist, n_digits=16, n_other=400)
    _, labels, _ = _mix(x, y, w, share=0.25, seed=11)
    mixed = np.count_nonzero(labels[16:] > 0)
    assert 60 <= mixed <= 140  # 100 expected of 400


def test_power_sharpens_the_targets_of_the_same_mixtures(mnist):
    x, y, w = _batch(mnist)
    images, labels, _ = _mix(x, y, w, share=1.0)
    images2, labels2, _ = _mix(x, y, w, share=1.0, power=2.0)
    assert np.array_equal(images, images2)  # the same boxes: only the targets change
    np.testing.assert_allclose(labels2[8:], labels[8:] ** 2, rtol=1e-5)
    np.testing.assert_array_equal(labels2[:8], 1.0)
