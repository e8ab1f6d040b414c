"""Augmentation: digits redrawn as pen strokes, elastic bending, and the pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.augment import AugmentConfig, augmented_dataset, elastic_warp, pen_versions
from digitlab.engine.preprocess import preprocess_drawing


def _widths(image28: np.ndarray) -> np.ndarray:
    """Ink run lengths across the rows: how wide the strokes are."""
    runs = []
    for row in image28 > 0.5:
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(int), [0]))))
        runs.extend(edges[1::2] - edges[::2])
    return np.asarray(runs)


def test_pen_versions_are_the_same_digits_redrawn_like_app_drawings(mnist):
    digits = mnist.x_test[:40]
    pens = pen_versions(digits, seed=0)
    assert pens.shape == (40, 28, 28) and pens.dtype == np.float32
    assert 0.0 <= pens.min() and pens.max() <= 1.0
    # MNIST-style like every input of the app: peak 1, ink centred by mass.
    assert np.allclose(pens.max(axis=(1, 2)), 1.0)
    for pen in pens[:5]:
        ys, xs = np.nonzero(pen)
        cy, cx = np.average(ys, weights=pen[ys, xs]), np.average(xs, weights=pen[ys, xs])
        assert abs(cy - 13.5) < 1.5 and abs(cx - 13.5) < 1.5
    plain = digits / np.float32(255)
    # Redrawn, not copied: pixels move, but the digit stays where it was.
    assert all(not np.allclose(p, q, atol=0.1) for p, q in zip(pens, plain, strict=True))
    overlap = [(np.minimum(p, q).sum() / q.sum()) for p, q in zip(pens, plain, strict=True)]
    assert np.median(overlap) > 0.5
    # One pen: its strokes vary in width much less than MNIST's scanned ones.
    assert np.std(np.concatenate([_widths(p) for p in pens])) < np.std(
        np.concatenate([_widths(q) for q in plain]))


def test_pen_versions_are_reproducible_and_take_floats(mnist):
    digits = mnist.x_test[40:50]
    a = pen_versions(digits, seed=1)
    assert np.array_equal(a, pen_versions(digits, seed=1))
    assert not np.array_equal(a, pen_versions(digits, seed=2))  # other pen widths
    assert np.array_equal(a, pen_versions(digits / np.float32(255), seed=1))


def test_pen_versions_keep_an_empty_image_and_refuse_bad_shapes():
    empty = np.zeros((2, 28, 28), np.uint8)
    assert np.array_equal(pen_versions(empty, seed=0), empty.astype(np.float32))
    assert preprocess_drawing(empty[0]).is_empty
    with pytest.raises(ValueError, match=r"\(3, 28\)"):
        pen_versions(np.zeros((3, 28), np.uint8))


def test_pipeline_shows_the_pen_share_of_digits_as_pen_versions(mnist, monkeypatch):
    import digitlab.engine.augment as augment  # noqa: PLC0415

    # Pen versions marked as empty images: the share of empty images in the batches
    # is the share of pen versions shown (augmentation keeps an empty image empty).
    monkeypatch.setattr(augment, "pen_versions", lambda x, seed=None, stop=None: np.zeros_like(x))
    x = mnist.x_train[:1000] / np.float32(255)
    y = mnist.y_train[:1000].astype(np.int64)

    def empty_share(share):
        images = np.concatenate([b.numpy() for b, _ in augmented_dataset(x, y, 100, 0, share)])
        assert images.shape == (1000, 28, 28)
        return float(np.mean(images.max(axis=(1, 2)) == 0))

    assert empty_share(0.0) == 0.0
    assert 0.22 < empty_share(0.3) < 0.38
    assert empty_share(1.0) == 1.0


def test_pen_versions_stop_when_asked_and_leave_the_rest_as_they_were(mnist):
    digits = mnist.x_test[:600]
    asked = []

    def stop_after_first_block():
        asked.append(1)
        return len(asked) > 1

    pens = pen_versions(digits, seed=0, should_stop=stop_after_first_block)
    assert len(asked) == 2  # polled at digits 0 and 256
    assert np.array_equal(pens[256:], digits[256:] / np.float32(255))
    assert np.array_equal(pens[:256], pen_versions(digits[:256], seed=0))


def _tf():
    from digitlab.engine.tf_runtime import import_tensorflow  # noqa: PLC0415

    return import_tensorflow()


def test_elastic_warp_moves_pixels_by_a_smooth_field_of_the_configured_size():
    tf = _tf()
    # An image whose value is its column (scaled): after the warp, value - column is the
    # horizontal displacement each pixel sampled from (inside the image, bilinear is exact
    # for a linear ramp).
    ramp = np.tile(np.arange(28, dtype=np.float32) / 27, (28, 1))
    batch = np.repeat(ramp[None], 64, axis=0)
    out = elastic_warp(tf.constant(batch), tf.random.Generator.from_seed(0), 1.0).numpy()
    inner = (slice(None), slice(6, 22), slice(6, 22))  # far from the zero padding
    dx = (out - batch)[inner] * 27
    rms = float(np.sqrt(np.mean(dx ** 2)))
    assert 0.9 < rms < 2.0  # ~1.4 px with Simard et al.'s alpha 34, sigma 4
    assert np.abs(dx).max() < 6.0
    # Smooth: neighbours move alike (noise unsmoothed would differ by ~rms between them).
    step = np.abs(np.diff(dx, axis=2))
    assert float(step.mean()) < 0.25 * rms
    # A larger alpha bends more.
    big = elastic_warp(tf.constant(batch), tf.random.Generator.from_seed(0), 1.0,
                       AugmentConfig(elastic_alpha=68.0)).numpy()
    assert np.sqrt(np.mean(((big - batch)[inner] * 27) ** 2)) > 1.6 * rms


def test_elastic_warp_bends_the_share_asked_and_keeps_ink_inside(mnist):
    tf = _tf()
    x = mnist.x_train[:400] / np.float32(255)
    gen = tf.random.Generator.from_seed(1)
    assert np.array_equal(elastic_warp(tf.constant(x), gen, 0.0).numpy(), x)
    out = elastic_warp(tf.constant(x), gen, 0.5).numpy()
    changed = np.abs(out - x).max(axis=(1, 2)) > 1e-6
    assert 0.4 < changed.mean() < 0.6
    assert np.array_equal(out[~changed], x[~changed])
    assert out.min() >= 0.0 and out.max() <= 1.0 + 1e-6
    # Bent, not lost: the ink's mass stays within a few percent (MNIST digits have a margin).
    mass = out[changed].sum(axis=(1, 2)) / x[changed].sum(axis=(1, 2))
    assert 0.9 < np.median(mass) < 1.1


def test_pipeline_bends_the_elastic_share_and_nothing_without_it(mnist, monkeypatch):
    import digitlab.engine.augment as augment  # noqa: PLC0415

    x = mnist.x_train[:300] / np.float32(255)
    y = mnist.y_train[:300].astype(np.int64)
    plain = np.concatenate([b.numpy() for b, _ in augmented_dataset(x, y, 100, 0)])
    seen = []
    real = augment.elastic_warp

    def spy(images, gen, share, config=None):
        seen.append(share)
        return real(images, gen, share, AugmentConfig() if config is None else config)

    monkeypatch.setattr(augment, "elastic_warp", spy)
    # Off by default: the batches are those of a pipeline that has no elastic step.
    again = np.concatenate([b.numpy() for b, _ in augmented_dataset(x, y, 100, 0)])
    assert np.array_equal(again, plain) and not seen
    bent = np.concatenate([b.numpy()
                           for b, _ in augmented_dataset(x, y, 100, 0, elastic_share=1.0)])
    assert seen and set(seen) == {1.0}
    assert bent.shape == plain.shape and not np.allclose(bent, plain, atol=0.05)
