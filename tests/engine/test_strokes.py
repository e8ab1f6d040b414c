"""The stroke library's thinning: the table-driven Zhang-Suen equals the rule as written."""

from __future__ import annotations

import numpy as np

from digitlab.engine.strokes import pen_redraw, skeleton


def _zhang_suen_reference(mask: np.ndarray) -> np.ndarray:
    """Zhang & Suen (1984) written out pixel by pixel, as the paper states it."""
    img = np.pad(mask.astype(int), 1)
    h, w = img.shape
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            remove = []
            for y in range(1, h - 1):
                for x in range(1, w - 1):
                    if not img[y, x]:
                        continue
                    p = [img[y - 1, x], img[y - 1, x + 1], img[y, x + 1], img[y + 1, x + 1],
                         img[y + 1, x], img[y + 1, x - 1], img[y, x - 1], img[y - 1, x - 1]]
                    b = sum(p)
                    a = sum(p[i] == 0 and p[(i + 1) % 8] == 1 for i in range(8))
                    if step == 0:
                        ok = p[0] * p[2] * p[4] == 0 and p[2] * p[4] * p[6] == 0
                    else:
                        ok = p[0] * p[2] * p[6] == 0 and p[0] * p[4] * p[6] == 0
                    if 2 <= b <= 6 and a == 1 and ok:
                        remove.append((y, x))
            for y, x in remove:
                img[y, x] = 0
            changed |= bool(remove)
    return img[1:-1, 1:-1].astype(bool)


def test_skeleton_equals_the_rule_as_written(mnist):
    rng = np.random.default_rng(0)
    masks = [rng.random((18, 23)) > p for p in (0.3, 0.5, 0.7)]
    masks += [d > 100 for d in mnist.x_test[:6]]
    for mask in masks:
        assert np.array_equal(skeleton(mask), _zhang_suen_reference(mask))


def test_skeleton_of_a_thick_bar_is_one_pixel_wide():
    mask = np.zeros((20, 40), bool)
    mask[6:13, 5:35] = True
    thin = skeleton(mask)
    assert thin.any() and (thin.sum(axis=0) <= 1).all()


def test_pen_redraw_of_nothing_is_nothing():
    empty = np.zeros((32, 32), np.uint8)
    assert np.array_equal(pen_redraw(empty, 6.0), empty)
