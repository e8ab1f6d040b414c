"""Find the digits of a number in a drawing: connected strokes, merged and split.

Works on the ink crop of :func:`engine.preprocess.preprocess_drawing` (background
removed, ink bright, noise zeroed), so it shares the app's ink detection:

1. connected components of the ink (8-connected, on a grid of at most ~48 rows, so
   strokes a few pixels apart join);
2. merged where they belong together: pieces that share most of their columns
   (a 5's separate top bar, a 4 or a 7 in two strokes, an ``i``-like dot), small
   specks next to a digit, and pieces under half the tallest piece's height (no digit
   of the row: a loose bar, a broken-off stroke end) with the digit beside them;
3. split where digits touch (:mod:`engine.segment_cuts`): a group much wider than tall,
   or one the scorer (the not-a-digit gate) rejects or doubts, is cut at a valley of its
   column projection or between its pieces of ink if the scorer likes the pieces clearly
   better than the whole;
4. each group is fitted and centred MNIST-style (:func:`engine.fit_box.fit_to_box`,
   :func:`engine.fit_box.center_by_mass`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from digitlab.engine.components import block_sums, components_with_boxes, label_components
from digitlab.engine.segment_cuts import (CUT_SCORE, MIN_SPLIT_ASPECT, SPLIT_ASPECT, Memo,
                                         Scorer, mask_box, split_group, to_image28)

__all__ = ["CUT_SCORE", "DigitSegment", "Piece", "label_components", "mask_box",
           "segment_digits", "segment_masks", "segment_pieces", "to_image28"]

#: Rows of the grid the components are found on (a larger crop is max-pooled down).
GRID_ROWS = 48
#: :func:`segment_pieces` works on the ink area-averaged down to about this many rows
#: (a digit becomes 20 pixels high in the end; every mask operation costs its area).
WORK_ROWS = 64
#: Two pieces merge when they share at least this fraction of the narrower one's columns.
MERGE_OVERLAP = 0.5
#: A piece with less than this share of the largest piece's ink is a speck (dot, bar end).
SPECK_MASS = 0.12
#: A drawing that is one connected piece of ink is cut into digits only when every piece
#: is a near-certain digit (9 to 1): a letter or a shape drawn without lifting the pen
#: (u, n, V, a check mark) cuts into strokes that pass as 1s at even odds.
BLOB_CUT_SCORE = 0.9
#: ...and when a cut goes through its ink, every piece spans this share of its height: the
#: digits of one writer share a height, while a letter cut at a column leaves a leg (an A
#: cut into the lower half of its left leg, "1", and the rest, "4", seen in the app).
BLOB_CUT_HEIGHT = 0.75
#: A piece less than this share of the tallest piece's height is no digit of the number
#: (as ``engine.reading.ROW_HEIGHT``): a 5's or a 7's loose bar, a broken-off end of a
#: stroke. It joins the digit next to it instead of breaking the row...
SHORT_HEIGHT = 0.5
#: ...when the gap between their boxes is at most this share of the tallest height.
SHORT_GAP = 0.25


@dataclass(frozen=True)
class DigitSegment:
    """One digit found in the ink crop.

    Attributes:
        box: ``(y0, x0, y1, x1)`` in the crop's coordinates (``y1``, ``x1`` exclusive).
        image28: float32 ``(28, 28)``, what the models receive for this digit.
    """

    box: tuple[int, int, int, int]
    image28: np.ndarray


class Piece(NamedTuple):
    """One digit found by :func:`segment_pieces`, with what segmentation computed for it.

    Attributes:
        box: ``(y0, x0, y1, x1)`` in the crop's pixels (``y1``, ``x1`` exclusive).
        image28: float32 ``(28, 28)``, as :func:`to_image28`.
        score: the scorer's score of ``image28``, or ``None`` where segmentation did not need it.
        cut: the piece was cut out of connected ink (not a separate piece of ink).
        fitted: float32 ``(h', w')``, its own ink fitted to 20 px: the stage before
            ``image28`` (:func:`engine.segment_memo.fit_and_centre`).
        widened: its strokes were thickened before ``fitted`` (too fine for the 20 px box).
    """

    box: tuple[int, int, int, int]
    image28: np.ndarray
    score: float | None
    cut: bool
    fitted: np.ndarray | None = None
    widened: bool = False


@dataclass
class _Group:
    """Pieces of ink that belong to one digit: their labels, box ``(y0, x0, y1, x1)`` and ink."""

    labels: list[int]
    box: tuple[int, int, int, int]
    mass: float
    #: A short piece joined it (:func:`_join_short`): one digit, not to be cut again.
    whole: bool = False


@dataclass(frozen=True)
class _Grid:
    """The ink pooled ``f`` x ``f`` (max for the mask, sum for the mass) and its labels."""

    f: int
    labels: np.ndarray  # int32 (gh, gw): cell (i, j) covers rows i*f.. and columns j*f..
    mask: np.ndarray  # bool (h, w), the full-size ink mask
    n: int  # the labels are 1..n

    @cached_property
    def full_labels(self) -> np.ndarray:
        """The labels at full size (each cell repeated ``f`` x ``f``), made on first use."""
        h, w = self.mask.shape
        return self.labels.repeat(self.f, axis=0).repeat(self.f, axis=1)[:h, :w]

    def group_mask(self, group: _Group) -> np.ndarray:
        """Full-size bool mask of the ink of a group's labels (worked out inside its box)."""
        y0, x0, y1, x1 = group.box  # on the grid's cell boundaries (or the crop's edge)
        out, labels = np.zeros(self.mask.shape, bool), self.full_labels[y0:y1, x0:x1]
        # One label (most groups): one compare instead of a lookup table.
        ours = (labels == group.labels[0] if len(group.labels) == 1
                else (np.bincount(group.labels, minlength=self.n + 1) > 0)[labels])
        np.logical_and(ours, self.mask[y0:y1, x0:x1], out=out[y0:y1, x0:x1])
        return out

    def group_masks(self, groups: list[_Group], memo: Memo | None) -> list[np.ndarray]:
        """:meth:`group_mask` of each group; their boxes go into ``memo`` (found in the box)."""
        masks = [self.group_mask(g) for g in groups]
        if memo is not None:
            for g, m in zip(groups, masks, strict=True):
                y0, x0, y1, x1 = g.box
                by0, bx0, by1, bx1 = mask_box(m[y0:y1, x0:x1])
                memo.set_box(m, (y0 + by0, x0 + bx0, y0 + by1, x0 + bx1))
        return masks


def _components(ink: np.ndarray) -> tuple[_Grid, list[_Group]]:
    """Label the connected pieces of ink on a pooled grid, with their boxes and ink mass.

    Returns:
        ``(grid, pieces)``: one group per piece heavier than a speck of noise (at most
        the 40 heaviest); boxes are in full-size pixels, to the grid's resolution.
    """
    mask = ink > 0
    h, w = mask.shape
    f = max(1, -(-h // GRID_ROWS), -(-w // (GRID_ROWS * 4)))
    pooled = block_sums(ink, f) if f > 1 else ink
    small_labels, n, boxes = components_with_boxes(pooled > 0)
    grid = _Grid(f, small_labels, mask, n)
    if n == 0:
        return grid, []
    masses = np.bincount(small_labels.ravel(), weights=pooled.ravel(), minlength=n + 1)
    order = [int(i) for i in np.argsort(-masses[1:], kind="stable")[:40] + 1]
    # Specks far lighter than the heaviest piece are noise, not strokes.
    keep = [i for i in order if masses[i] >= 0.01 * masses[order[0]]]
    pieces = []
    for i in keep:
        gy0, gx0, gy1, gx1 = boxes[i].tolist()
        box = (gy0 * f, gx0 * f, min(h, gy1 * f), min(w, gx1 * f))
        pieces.append(_Group([i], box, float(masses[i])))
    return grid, pieces


def _merge(groups: list[_Group], grid: _Grid, memo: Memo | None) -> list[_Group]:
    """Join pieces that share most of their columns, and specks with their nearest piece.

    With a scorer, two large pieces sharing columns are joined only if the join looks
    at least as much like a digit as the less digit-like piece alone: a 4's two strokes
    join, a 1 leaning into the 5 beside it does not.
    """
    groups = list(groups)
    refused: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    changed = True
    while changed and len(groups) > 1:
        changed = False
        heaviest = max(g.mass for g in groups)
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                (ay0, ax0, ay1, ax1), (by0, bx0, by1, bx1) = groups[i].box, groups[j].box
                overlap = min(ax1, bx1) - max(ax0, bx0)
                narrow = min(ax1 - ax0, bx1 - bx0)
                small = min(groups[i].mass, groups[j].mass) < SPECK_MASS * heaviest
                # A speck joins a piece it overlaps a little or nearly touches.
                gap = max(ax0, bx0) - min(ax1, bx1)
                ref = max(ay1 - ay0, by1 - by0)
                a, b = groups[i], groups[j]
                join = overlap >= MERGE_OVERLAP * narrow or (small and gap <= 0.15 * ref)
                if join and not small and memo is not None:
                    key = (tuple(a.labels), tuple(b.labels))
                    join = key not in refused and _joins(a, b, grid, memo)
                    if not join:
                        refused.add(key)
                if join:
                    groups[i] = _joined(a, b)
                    del groups[j]
                    changed = True
                    break
            if changed:
                break
    return groups


def _joined(a: _Group, b: _Group) -> _Group:
    """One group of both groups' labels, box and ink."""
    (ay0, ax0, ay1, ax1), (by0, bx0, by1, bx1) = a.box, b.box
    return _Group(a.labels + b.labels, (min(ay0, by0), min(ax0, bx0), max(ay1, by1),
                                        max(ax1, bx1)), a.mass + b.mass, a.whole or b.whole)


def _join_short(groups: list[_Group], grid: _Grid, memo: Memo | None) -> list[_Group]:
    """Join each piece too short to be a digit of the row to a digit next to it.

    A piece under :data:`SHORT_HEIGHT` of the tallest piece's height joins the piece
    within :data:`SHORT_GAP` of it (gap between the boxes; overlapping boxes have none)
    whose join the scorer likes best, or, without a scorer, the nearest one; the join is
    one digit and is not cut again. Only in a row (two tall pieces or more): beside a lone
    tall piece (the slash of a %) short pieces are no fragments of digits. A short piece
    with nothing near stays as it is (the reader then judges the drawing whole).
    """
    groups = list(groups)
    while len(groups) > 1:
        tallest = max(g.box[2] - g.box[0] for g in groups)
        short = [i for i, g in enumerate(groups) if g.box[2] - g.box[0] < SHORT_HEIGHT * tallest]
        if len(groups) - len(short) < 2:
            return groups
        for i in sorted(short, key=lambda k: groups[k].mass):
            a = groups[i]
            near = [j for j, b in enumerate(groups)
                    if j != i and _gap(a.box, b.box) <= SHORT_GAP * tallest]
            if near:
                break
        else:
            return groups
        if memo is not None and len(near) > 1:
            joins = [_joined(a, groups[j]) for j in near]
            best = near[int(np.argmax(memo.scores(grid.group_masks(joins, memo))))]
        else:
            best = min(near, key=lambda j: _gap(a.box, groups[j].box))
        groups[best] = _joined(groups[best], a)
        groups[best].whole = True
        del groups[i]
    return groups


def _gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """Columns between two boxes ``(y0, x0, y1, x1)`` (0 or less when their columns overlap)."""
    return max(a[1], b[1]) - min(a[3], b[3])


def _joins(a: _Group, b: _Group, grid: _Grid, memo: Memo) -> bool:
    """Whether the scorer likes ``a`` and ``b`` together at least as much as the worse alone."""
    masks = grid.group_masks([a, b, _joined(a, b)], memo)
    scores = memo.scores(masks)
    return bool(scores[2] >= min(scores[0], scores[1]))


def segment_masks(ink: np.ndarray, scorer: Scorer | None = None, threshold: float = 0.5,
                  whole_score: float | None = None) -> list[np.ndarray]:
    """The digits' ink masks in an ink crop, left to right (see :func:`segment_digits`).

    Args:
        whole_score: the scorer's score of all the ink as one digit, if the caller has it
            (the live path does): a lone piece it accepts is then not scored again.

    Returns:
        bool ``(h, w)`` masks, sorted by their left edge; empty when there is no ink.
    """
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2:
        raise ValueError(f"Received ink of shape {ink.shape}; expected a 2-D crop (h, w).")
    return [g for g, _ in _left_to_right(_segment(
        ink, None if scorer is None else Memo(ink, scorer), threshold, whole_score))]


def _left_to_right(groups: list[tuple[np.ndarray, bool]], memo: Memo | None = None
                   ) -> list[tuple[np.ndarray, bool]]:
    lefts = [int(np.argmax(g.any(axis=0))) if memo is None else memo.box(g)[1]
             for g, _ in groups]
    return [g for _, g in sorted(zip(lefts, groups, strict=True), key=lambda p: p[0])]


def segment_pieces(ink: np.ndarray, scorer: Scorer | None = None, threshold: float = 0.5,
                   whole_score: float | None = None) -> list[Piece]:
    """The digits in an ink crop with what segmentation already computed for each.

    A crop taller than :data:`WORK_ROWS` is first area-averaged down by a whole factor
    (the live path's budget: mask work costs its area), so pieces and images may differ
    from :func:`segment_masks` by a pixel's rounding.

    Args: as :func:`segment_masks`.

    Returns:
        One :class:`Piece` per digit, left to right.
    """
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2:
        raise ValueError(f"Received ink of shape {ink.shape}; expected a 2-D crop (h, w).")
    small, f = _shrink(ink)
    memo = Memo(small, scorer)
    groups = _left_to_right(_segment(small, memo if scorer is not None else None, threshold,
                                     whole_score), memo)
    return [Piece(_full_box(memo.box(g), f, ink), memo.image(g), memo.score(g), cut,
                  memo.fitted(g), memo.widened(g))
            for g, cut in groups]


def _shrink(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """``(ink area-averaged f x f, f)``: ``f`` the whole factor that brings it near WORK_ROWS."""
    f = max(1, ink.shape[0] // WORK_ROWS)
    if f == 1:
        return ink, 1
    return block_sums(ink, f, 1.0 / (f * f)), f


def _full_box(box: tuple[int, int, int, int], f: int, ink: np.ndarray
              ) -> tuple[int, int, int, int]:
    """A shrunk group's box in the full crop's pixels (tightened to the ink)."""
    y0, x0, y1, x1 = box
    if f == 1:
        return y0, x0, y1, x1
    y0, x0, y1, x1 = y0 * f, x0 * f, min(ink.shape[0], y1 * f), min(ink.shape[1], x1 * f)
    # Never empty: a shrunk pixel of the group is > 0 only if a pixel of its block is.
    by0, bx0, by1, bx1 = mask_box(ink[y0:y1, x0:x1] > 0)
    return y0 + by0, x0 + bx0, y0 + by1, x0 + bx1


def _segment(ink: np.ndarray, memo: Memo | None, threshold: float,
             whole_score: float | None) -> list[tuple[np.ndarray, bool]]:
    """The digits' masks in any order, each with whether it was cut out of connected ink."""
    grid, pieces = _components(ink)
    if not pieces:
        return []
    merged = _join_short(_merge(pieces, grid, memo), grid, memo)
    y0, x0, y1, x1 = merged[0].box
    if len(merged) == 1:
        # One piece: all the ink (the common case, kept cheap) unless it may hide two.
        w, h = x1 - x0, y1 - y0
        if memo is None or merged[0].whole or w <= MIN_SPLIT_ASPECT * h or (
                whole_score is not None and whole_score >= threshold and w <= SPLIT_ASPECT * h):
            return [(grid.mask, False)]
        parts = _parts(split_group(grid.mask, memo, threshold, whole=whole_score,
                                   cut_score=BLOB_CUT_SCORE))
        if any(cut and (memo.score(p) or 0.0) < BLOB_CUT_SCORE for p, cut in parts):
            return [(grid.mask, False)]  # a wide half was left uncut (or scored low)
        if any(cut and _span(p, memo) < BLOB_CUT_HEIGHT * h for p, cut in parts) and _through_ink(
                [p for p, cut in parts if cut], grid.mask):
            return [(grid.mask, False)]  # a letter's leg, not a digit beside another
        return parts
    groups = grid.group_masks(merged, memo)
    if memo is None:
        return [(g, False) for g in groups]
    # Every group's own score in one batch (narrow ones too: the reader needs them);
    # split_group scores only the cuts it tries.
    wholes = memo.scores(groups)
    # A piece too short for the row is not cut: its pieces could not be digits of it;
    # nor is a digit a short piece joined.
    tallest = max(g.box[2] - g.box[0] for g in merged)
    return [part for g, group, whole in zip(groups, merged, wholes, strict=True)
            for part in ([(g, False)] if group.whole or
                         group.box[2] - group.box[0] < SHORT_HEIGHT * tallest
                         else _parts(split_group(g, memo, threshold, whole=float(whole))))]


def _parts(parts: list[tuple[np.ndarray, bool]]) -> list[tuple[np.ndarray, bool]]:
    """A split group's non-empty ``(mask, cut)`` pieces."""
    return [(p, cut) for p, cut in parts if p.any()]


def segment_digits(ink: np.ndarray, scorer: Scorer | None = None, threshold: float = 0.5
                   ) -> list[DigitSegment]:
    """The digits in an ink crop, left to right.

    Args:
        ink: float ``(h, w)`` in [0, 1], ink bright, background 0 (``PreprocessResult.cropped``).
        scorer: ``(N, 28, 28) -> (N,)`` digit scores in 0..1 (e.g. ``Gate.scores``); without
            one, touching digits are not split.
        threshold: the score a digit needs.

    Returns:
        :class:`DigitSegment` s sorted by their left edge; empty when there is no ink.
    """
    ink = np.asarray(ink, np.float32)
    return [DigitSegment(mask_box(g), to_image28(g, ink))
            for g in segment_masks(ink, scorer, threshold)]


def _span(mask: np.ndarray, memo: Memo) -> int:
    """Rows from a mask's first ink to its last (its box, already in the memo)."""
    y0, _, y1, _ = memo.box(mask)
    return y1 - y0


def _through_ink(parts: list[np.ndarray], mask: np.ndarray) -> bool:
    """Whether one of ``parts`` holds only some of the pixels of a piece of ``mask``'s ink."""
    labels, _ = label_components(mask)
    for part in parts:
        inside = np.unique(labels[part & mask])
        outside = np.unique(labels[mask & ~part])
        if np.intersect1d(inside[inside > 0], outside[outside > 0]).size:
            return True
    return False
