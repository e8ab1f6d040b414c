"""Cutting touching digits along a path through the least ink (engine.segment_paths and its
use in engine.segment_cuts)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from digitlab.engine import segment_cuts
from digitlab.engine.gate_data import compose_number
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.segment import segment_digits
from digitlab.engine.segment_cuts import Memo, _path_pairs, mask_box, split_group
from digitlab.engine.segment_paths import path_cuts, split_along


def ovals(centres: list[int], slant: float = 20, size=(220, 560)) -> list[np.ndarray]:
    """One bool mask per filled oval (a heavy 0, 60 x 120 px, leaning ``slant`` degrees) at
    each x, all at y 100."""
    masks = []
    for cx in centres:
        image = Image.new("L", (size[1], size[0]), 0)
        ImageDraw.Draw(image).ellipse((cx - 30, 40, cx + 30, 160), fill=255)
        masks.append(np.asarray(image.rotate(slant, center=(cx, 100))) > 0)
    return masks


#: Two leaning ovals touching side to side (11 px shared): their boxes share columns, and
#: every column there crosses both.
TOUCHING = [100, 163]


def oval_scorer(images: np.ndarray) -> np.ndarray:
    """0.95 for one whole oval (its ink 2.8-5.5 times as spread along its axis as across,
    filling its box), 0 for anything else: an oval cut open, or two ovals."""
    out = []
    for image in images:
        ys, xs = np.nonzero(image > 0.5)
        small, large = np.linalg.eigvalsh(np.cov(np.stack([ys, xs]).astype(float)))
        fill = len(ys) / ((np.ptp(ys) + 1) * (np.ptp(xs) + 1))
        out.append(0.95 if 2.8 <= large / small <= 5.5 and fill > 0.45 else 0.0)
    return np.array(out)


def drawing(masks: list[np.ndarray]) -> np.ndarray:
    return (np.logical_or.reduce(masks) * 255).astype(np.uint8)


def test_the_scorer_takes_one_oval_and_not_two():
    one, two = (preprocess_drawing(drawing(m)).image28[None] for m in
                (ovals(TOUCHING[:1]), ovals(TOUCHING)))
    assert oval_scorer(one)[0] == 0.95 and oval_scorer(two)[0] == 0.0


def test_a_path_separates_two_digits_touching_where_no_column_can():
    left_oval, right_oval = ovals(TOUCHING)
    group = left_oval | right_oval
    ink = group.astype(np.float32)
    box = mask_box(group)
    paths = path_cuts(group, ink, box, 3)
    assert paths
    for path in paths:
        assert len(path) == box[2] - box[0]
        assert np.abs(np.diff(path)).max() <= 1  # one column sideways a row at most
    left, right = split_along(group, box[0], paths[0])
    assert (left | right).sum() == group.sum() and not (left & right).any()
    # Each side holds its own oval but for a few pixels along the touch (27 of 5,785).
    assert (left_oval & ~right_oval & right).sum() < 0.01 * left_oval.sum()
    assert (right_oval & ~left_oval & left).sum() < 0.01 * right_oval.sum()
    # No column can: each leaves many pixels of one oval on the other's side.
    for col in range(box[1] + 1, box[3]):
        wrong = (left_oval[:, col:] & ~right_oval[:, col:]).sum() + (
            right_oval[:, :col] & ~left_oval[:, :col]).sum()
        assert wrong > 0.02 * left_oval.sum()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(8, 60), st.integers(12, 120))
def test_paths_step_one_column_a_row_stay_inside_and_split_the_ink_differently(seed, h, w):
    rng = np.random.default_rng(seed)
    group = np.zeros((h + 4, w + 6), bool)
    group[2:-2, 3:-3] = rng.random((h, w)) < 0.4
    if not group.any():
        return
    box = mask_box(group)
    paths = path_cuts(group, group.astype(np.float32), box, 3)
    assert len(paths) <= 3
    lefts = []
    bw = box[3] - box[1]
    for path in paths:
        assert len(path) == box[2] - box[0]
        assert np.abs(np.diff(path)).max(initial=0) <= 1
        assert (path >= box[1] + int(0.12 * bw)).all() and (path < box[1] + int(0.88 * bw)).all()
        left, right = split_along(group, box[0], path)
        assert not (left & right).any() and ((left | right) == group).all()
        lefts.append(left)
    for i, a in enumerate(lefts):
        assert not any(np.array_equal(a, b) for b in lefts[i + 1:])


def test_no_path_where_the_group_is_too_narrow():
    group = np.zeros((50, 6), bool)
    group[:, 2:4] = True
    assert path_cuts(group, group.astype(np.float32), mask_box(group), 3) == []


def test_touching_digits_beside_another_digit_are_cut_along_a_path(monkeypatch):
    crop = preprocess_drawing(drawing(ovals(TOUCHING + [420]))).cropped
    assert len(segment_digits(crop)) == 2  # the touching pair is one piece of ink
    assert len(segment_digits(crop, oval_scorer, 0.5)) == 3
    # Straight cuts alone leave the pair whole: every one cuts an oval open.
    monkeypatch.setattr(segment_cuts, "_path_pairs", lambda *args: [])
    assert len(segment_digits(crop, oval_scorer, 0.5)) == 2


def test_a_drawing_of_one_piece_is_not_cut_along_a_path():
    # The same touching pair alone: a letter is one piece of ink, and a free path finds
    # ways to cut one into digit-like pieces that a column does not, so it stays whole,
    # though inside a number (CUT_SCORE, beside other pieces) the same group is cut.
    crop = preprocess_drawing(drawing(ovals(TOUCHING))).cropped
    assert len(segment_digits(crop, oval_scorer, 0.5)) == 1
    assert len(split_group(crop > 0, Memo(crop, oval_scorer), 0.5)) == 2


def test_a_path_that_a_straight_cut_could_make_is_left_to_the_straight_cuts():
    # Two upright ovals joined by a bar: the cheapest paths run down columns through the
    # bar, whose pieces share no column: a straight cut's job, not offered as a path.
    image = drawing(ovals([100, 220], slant=0))
    image[95:105, 125:200] = 255
    crop = preprocess_drawing(image).cropped
    group = crop > 0
    memo = Memo(crop, oval_scorer)
    box = memo.box(group)
    assert path_cuts(group, crop, box, 3)
    assert _path_pairs(group, memo, box, 0.5 * (box[2] - box[0])) == []
    # The leaning pair's path is offered (its pieces share columns).
    crop = preprocess_drawing(drawing(ovals(TOUCHING))).cropped
    group = crop > 0
    memo = Memo(crop, oval_scorer)
    box = memo.box(group)
    assert _path_pairs(group, memo, box, 0.5 * (box[2] - box[0]))


def leaning_stroke(cx: int, slant: float = 20, size=(220, 560)) -> np.ndarray:
    """A 15 px wide bar (a 1, or a letter's leg), rows 40-160, leaning like :func:`ovals`."""
    image = Image.new("L", (size[1], size[0]), 0)
    ImageDraw.Draw(image).rectangle((cx - 7, 40, cx + 7, 160), fill=255)
    return np.asarray(image.rotate(slant, center=(cx, 100))) > 0


def test_a_path_does_not_cut_off_a_stroke():
    # A leaning stroke touching a leaning oval (9 px shared), beside another oval; the
    # scorer takes a lone stroke as surely as an oval. Cut off along a path, a stroke is
    # most often a letter's leg (π, A, h read "17"), so the pair stays whole, even where
    # it is a 1 touching a 0 along its length (a column beside a 1 still cuts it off).
    def scorer(images: np.ndarray) -> np.ndarray:
        out = oval_scorer(images)
        for i, image in enumerate(images):
            ys, xs = np.nonzero(image > 0.5)
            small, large = np.linalg.eigvalsh(np.cov(np.stack([ys, xs]).astype(float)))
            out[i] = 0.95 if large / small > 15 else out[i]
        return out

    stroke = leaning_stroke(100)
    assert scorer(preprocess_drawing(drawing([stroke])).image28[None])[0] == 0.95
    crop = preprocess_drawing(drawing([stroke] + ovals([140, 420]))).cropped
    assert len(segment_digits(crop)) == 2
    assert len(segment_digits(crop, scorer, 0.5)) == 2


def test_touching_test_digits_are_cut_more_often_with_paths(mnist, monkeypatch):
    """MNIST test digits overlapping by a tenth to a fifth of their height, cut as inside a
    number: 92 of 114 pairs with paths, 79 of 114 with straight cuts alone (seeds 6-8, the
    gate of 2026-12-04; with the gate before it, 31 of 37 and 20 of 37 at seed 6: it scored
    the pieces of straight cuts lower)."""
    from digitlab.engine.gate import SHIPPED_GATE, Gate

    if not SHIPPED_GATE.exists():
        pytest.skip("no shipped gate")
    gate = Gate.load()

    def split_share() -> float:
        touching = split = 0
        for seed in (6, 7, 8):
            rng = np.random.default_rng(seed)
            for _ in range(40):
                idx = rng.integers(len(mnist.x_test), size=2)
                image, _ = compose_number(list(mnist.x_test[idx]), rng,
                                          gap_range=(-0.2, -0.1))
                crop = preprocess_drawing(image).cropped
                if len(segment_digits(crop)) != 1:
                    continue  # the strokes do not touch
                touching += 1
                split += len(split_group(crop > 0, Memo(crop, gate.scores),
                                         gate.threshold)) == 2
        assert touching >= 100
        return split / touching

    assert split_share() >= 0.78
    monkeypatch.setattr(segment_cuts, "_path_pairs", lambda *args: [])
    assert split_share() <= 0.72
