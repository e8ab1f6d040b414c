"""Augmentation: digits redrawn as pen strokes, and the pipeline that mixes them in."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.augment import augmented_dataset, pen_versions
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
