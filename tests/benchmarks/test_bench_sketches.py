"""The sketch benchmark's drawings: every sketch and digit is drawn whole inside the canvas."""

from __future__ import annotations

import numpy as np
import pytest

from tests.benchmarks import bench_sketches as sketches


@pytest.mark.parametrize("name", [*sketches.SKETCHES, *sketches.DIGIT_LIKE, *sketches.OUTLINES,
                                  *map(str, sketches.DIGITS), "scribble"])
def test_each_drawing_lies_inside_the_canvas_with_room(name):
    rng = np.random.default_rng(5)
    for _ in range(25):
        strokes = (sketches.scribble(rng) if name == "scribble" else
                   sketches.SKETCHES.get(name) or sketches.DIGIT_LIKE.get(name)
                   or sketches.OUTLINES.get(name) or sketches.DIGITS[int(name)])
        image = sketches.draw(strokes, rng)
        assert image.shape == (280, 280) and image.max() == 255
        ink = image > 0
        # Nothing clipped: no ink on the canvas's outermost rows and columns.
        assert not (ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any())
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        # Drawn large, as on the canvas (a lowercase a or c fills the lower 0.6 of its square).
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) >= 80


def test_the_digits_are_the_ten_and_no_sketch_is_a_digit_name():
    assert sorted(sketches.DIGITS) == list(range(10))
    assert not set(sketches.SKETCHES) & set(map(str, range(10)))


def test_the_later_kinds_are_counted_and_the_digit_like_ones_are_not():
    assert set(sketches.LATER) <= set(sketches.SKETCHES)
    assert not set(sketches.DIGIT_LIKE) & set(sketches.SKETCHES)
    assert not set(sketches.OUTLINES) & (set(sketches.SKETCHES) | set(sketches.DIGIT_LIKE))
