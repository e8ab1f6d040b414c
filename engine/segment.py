"""Find the digits of a number in a drawing: connected strokes, merged and split.

Works on the ink crop of :func:`engine.preprocess.preprocess_drawing` (background
removed, ink bright, noise zeroed), so it shares the app's ink detection:

1. connected components of the ink (8-connected, on a grid of at most ~48 rows, so
   strokes a few pixels apart join);
2. merged where they belong together: pieces that share most of their columns
   (a 5's separate top bar, a 4 or a 7 in two strokes, an ``i``-like dot) and small
   specks next to a digit;
3. split where digits touch: a group much wider than tall is cut at a valley of its
   column projection, if a scorer (the not-a-digit gate) likes the pieces better
   than the whole;
4. each group is fitted and centred MNIST-style (:func:`engine.preprocess.fit_to_box`,
   :func:`engine.preprocess.center_by_mass`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from digitlab.engine.components import block_sums, components_with_boxes, label_components
from digitlab.engine.preprocess import FIT_SIZE, IMAGE_SIZE, center_by_mass, fit_to_box

__all__ = ["DigitSegment", "Piece", "label_components", "mask_box", "segment_digits",
           "segment_masks", "segment_pieces", "to_image28"]

#: Rows of the grid the components are found on (a larger crop is max-pooled down).
GRID_ROWS = 48
#: :func:`segment_pieces` works on the ink area-averaged down to about this many rows
#: (a digit becomes 20 pixels high in the end; every mask operation costs its area).
WORK_ROWS = 64
#: Two pieces merge when they share at least this fraction of the narrower one's columns.
MERGE_OVERLAP = 0.5
#: A piece with less than this share of the largest piece's ink is a speck (dot, bar end).
SPECK_MASS = 0.12
#: A group wider than this times its height may hold touching digits.
SPLIT_ASPECT = 1.1
#: A cut column with less ink than this share of a typical column is a bridge between digits.
BRIDGE_DEPTH = 0.07
#: An accepted group narrower than this times its height is not searched for bridges.
BRIDGE_ASPECT = 0.75
#: How much more digit-like (in logits) both pieces must be than an accepted whole.
SPLIT_MARGIN = 2.0
#: A group narrower than this times its height is never cut.
MIN_SPLIT_ASPECT = 0.6
#: Both pieces of a cut need at least this score: more likely a digit than not (the
#: scorer's even odds). A cut invents a boundary inside connected ink, which pieces of a
#: letter or a shape pass far more often than a lone piece does, so it needs clear evidence.
CUT_SCORE = 0.5
#: Both pieces of a cut are at least this share of the group's height (as a number's
#: digits must be: see ``engine.reading.ROW_HEIGHT``).
CUT_HEIGHT = 0.5

Scorer = Callable[[np.ndarray], np.ndarray]


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
    """

    box: tuple[int, int, int, int]
    image28: np.ndarray
    score: float | None
    cut: bool


@dataclass
class _Group:
    """Pieces of ink that belong to one digit: their labels, box ``(y0, x0, y1, x1)`` and ink."""

    labels: list[int]
    box: tuple[int, int, int, int]
    mass: float


@dataclass(frozen=True)
class _Grid:
    """The ink pooled ``f`` x ``f`` (max for the mask, sum for the mass) and its labels."""

    f: int
    labels: np.ndarray  # int32 (gh, gw)
    mask: np.ndarray  # bool (h, w), the full-size ink mask
    n: int  # the labels are 1..n

    def group_mask(self, group: _Group) -> np.ndarray:
        """Full-size bool mask of the ink of a group's labels (worked out inside its box)."""
        f = self.f
        y0, x0, y1, x1 = group.box
        pick = np.zeros(self.n + 1, bool)
        pick[group.labels] = True
        small = pick[self.labels[y0 // f:-(-y1 // f), x0 // f:-(-x1 // f)]]
        if f > 1:
            small = small.repeat(f, axis=0).repeat(f, axis=1)[:y1 - y0, :x1 - x0]
        out = np.zeros(self.mask.shape, bool)
        out[y0:y1, x0:x1] = small & self.mask[y0:y1, x0:x1]
        return out

    def group_masks(self, groups: list[_Group], memo: _Memo | None) -> list[np.ndarray]:
        """:meth:`group_mask` of each group; their boxes go into ``memo`` (found in the box)."""
        masks = [self.group_mask(g) for g in groups]
        if memo is not None:
            for g, m in zip(groups, masks, strict=True):
                y0, x0, y1, x1 = g.box
                by0, bx0, by1, bx1 = _box(m[y0:y1, x0:x1])
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
        gy0, gx0, gy1, gx1 = (int(v) for v in boxes[i])
        box = (gy0 * f, gx0 * f, min(h, gy1 * f), min(w, gx1 * f))
        pieces.append(_Group([i], box, float(masses[i])))
    return grid, pieces


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


class _Memo:
    """One segmentation's images and scores, each computed once per mask.

    Masks are kept alive with their images (so their ``id`` stays theirs); scores are
    keyed by the image's bytes (a piece tried twice, as a cut and as a group, is scored once).
    """

    def __init__(self, ink: np.ndarray, scorer: Scorer | None):
        self.ink, self.scorer = ink, scorer
        self._images: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._boxes: dict[int, tuple[np.ndarray, tuple[int, int, int, int]]] = {}
        self._scores: dict[bytes, float] = {}

    def box(self, mask: np.ndarray) -> tuple[int, int, int, int]:
        """:func:`mask_box` of this (non-empty) mask, computed once."""
        hit = self._boxes.get(id(mask))
        if hit is None:
            hit = self._boxes[id(mask)] = (mask, _box(mask))
        return hit[1]

    def set_box(self, mask: np.ndarray, box: tuple[int, int, int, int]) -> None:
        """Record a mask's box found by the caller (e.g. inside a known region)."""
        self._boxes[id(mask)] = (mask, box)

    def image(self, mask: np.ndarray) -> np.ndarray:
        """:func:`to_image28` of this mask, computed once."""
        hit = self._images.get(id(mask))
        if hit is None:
            hit = self._images[id(mask)] = (mask, to_image28(mask, self.ink, self.box(mask)))
        return hit[1]

    def score(self, mask: np.ndarray) -> float | None:
        """The score already computed for this mask's image, if any."""
        hit = self._images.get(id(mask))
        return None if hit is None else self._scores.get(hit[1].tobytes())

    def scores(self, masks: list[np.ndarray]) -> np.ndarray:
        """Scores of these masks' images: float ``(len(masks),)``, one scorer batch for the new ones."""
        images = [self.image(m) for m in masks]
        keys = [im.tobytes() for im in images]
        new = [i for i, k in enumerate(keys) if k not in self._scores]
        if new:
            fresh = self.scorer(np.stack([images[i] for i in new]))
            for i, sc in zip(new, fresh, strict=True):
                self._scores[keys[i]] = float(sc)
        return np.array([self._scores[k] for k in keys])


def _merge(groups: list[_Group], grid: _Grid, memo: _Memo | None) -> list[_Group]:
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
                                        max(ax1, bx1)), a.mass + b.mass)


def _joins(a: _Group, b: _Group, grid: _Grid, memo: _Memo) -> bool:
    """Whether the scorer likes ``a`` and ``b`` together at least as much as the worse alone."""
    masks = grid.group_masks([a, b, _joined(a, b)], memo)
    scores = memo.scores(masks)
    return bool(scores[2] >= min(scores[0], scores[1]))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def _valley_cuts(group: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int],
                 n: int = 3, bridges_only: bool = False) -> list[tuple[int, float]]:
    """Up to ``n`` candidate cuts at the lowest points of the column projection.

    Args:
        box: the group's :func:`mask_box`.
        bridges_only: only cuts through a thin bridge (depth < :data:`BRIDGE_DEPTH`).

    Returns:
        ``(column, depth)`` pairs: the absolute column, and the projection there over the
        median projection of the inked columns (near 0: a thin bridge between two digits).
    """
    y0, x0, y1, x1 = box
    profile = (ink[y0:y1, x0:x1] * group[y0:y1, x0:x1]).sum(axis=0)
    w = x1 - x0
    lo, hi = int(0.12 * w), int(0.88 * w)
    if hi - lo < 2:
        return []
    k = max(1, w // 40)
    smooth = np.convolve(profile, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    inside = smooth[lo:hi]
    # The median of the inked columns is at most their peak: nothing under a share of the
    # peak is nothing under that share of the median (the common case, without the median).
    if bridges_only and inside.min() >= BRIDGE_DEPTH * float(profile.max()):
        return []
    typical = float(np.median(profile[profile > 0])) or 1.0
    if bridges_only and inside.min() >= BRIDGE_DEPTH * typical:
        return []
    order = np.argsort(inside, kind="stable")
    cuts: list[tuple[int, float]] = []
    for c in order:
        col = int(c) + lo
        depth = float(smooth[col]) / typical
        if bridges_only and depth >= BRIDGE_DEPTH:
            break
        if all(abs(col - other + x0) > w // 8 for other, _ in cuts):
            cuts.append((x0 + col, depth))
        if len(cuts) == n:
            break
    return cuts


def _tall_cuts(rows: np.ndarray, x0: int, cuts: list[tuple[int, float]], need: float
               ) -> list[tuple[int, bool]]:
    """The cuts whose both pieces span at least ``need`` rows, each with whether it is a bridge.

    Args:
        rows: the group's bool mask inside its box; x0: the box's left column.
    """
    kept = []
    inked_left = np.cumsum(rows, axis=1) > 0  # rows with ink at or left of each column
    inked_right = np.cumsum(rows[:, ::-1], axis=1)[:, ::-1] > 0
    for col, depth in cuts:
        if 0 < col - x0 < rows.shape[1] and (_span(inked_left[:, col - x0 - 1]) >= need
                and _span(inked_right[:, col - x0]) >= need):
            kept.append((col, depth < BRIDGE_DEPTH))
    return kept


def _span(inked: np.ndarray) -> int:
    """Rows from the first to the last True of a bool vector (0 when none)."""
    where = np.flatnonzero(inked)
    return int(where[-1] - where[0] + 1) if len(where) else 0


def _cut(group: np.ndarray, col: int) -> tuple[np.ndarray, np.ndarray]:
    left, right = group.copy(), group.copy()
    left[:, col:] = False
    right[:, :col] = False
    return left, right


def to_image28(group: np.ndarray, ink: np.ndarray,
               box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """One group's ink, fitted and centred MNIST-style: float32 ``(28, 28)``.

    Args:
        box: the group's :func:`mask_box`, if the caller has it.
    """
    y0, x0, y1, x1 = _box(group) if box is None else box
    crop = np.where(group[y0:y1, x0:x1], ink[y0:y1, x0:x1], 0.0).astype(np.float32)
    return center_by_mass(fit_to_box(crop, FIT_SIZE), IMAGE_SIZE)


def _split(group: np.ndarray, memo: _Memo, threshold: float,
           depth: int = 0, whole: float | None = None) -> list[np.ndarray]:
    """Cut a group in two where the scorer likes both pieces better than the whole.

    A group is tried when it is wide for one digit, or when the scorer rejects it and it
    is wide enough to hold two (a 1 touching a 6 makes a narrow "16"). The cut is kept
    when both pieces score at least :data:`CUT_SCORE` (and the threshold) and either the
    whole does not pass, or both pieces score clearly higher than the whole (by
    :data:`SPLIT_MARGIN` in logits): a wide 0 is not cut into two brackets that the
    scorer merely likes as much.
    """
    y0, x0, y1, x1 = box = memo.box(group)
    h, w = y1 - y0, x1 - x0
    if depth >= 3 or w <= MIN_SPLIT_ASPECT * h:
        return [group]
    narrow = w <= SPLIT_ASPECT * h
    known_accepted = narrow and whole is not None and whole >= threshold
    if known_accepted and w <= BRIDGE_ASPECT * h:
        return [group]  # accepted, and too narrow to hide a 1 joined to another digit
    # Each piece must be tall enough to be a digit of this number (a sliver cut off a
    # digit's stroke is not one: the reader would judge the row of pieces unreadable).
    # An accepted group is only searched for thin bridges.
    candidates = _valley_cuts(group, memo.ink, box, bridges_only=known_accepted)
    if not candidates:
        return [group]
    cuts = _tall_cuts(group[y0:y1, x0:x1], x0, candidates, CUT_HEIGHT * h)
    bridges = [c for c in cuts if c[1]]
    if known_accepted and not bridges:
        return [group]

    def pairs(chosen: list[tuple[int, bool]]) -> list[tuple[bool, np.ndarray, np.ndarray]]:
        return [(thin, *_cut(group, col)) for col, thin in chosen]

    # A narrow group the scorer accepts may still hide two digits joined by a thin bridge
    # (a 1 touching the 5 beside it reads as one fat digit): the whole and its bridge cuts
    # go through the scorer in one batch first, the other cuts only if it is rejected.
    scored, options = _score_cuts(None if whole is not None else group,
                                  pairs(bridges if narrow else cuts), memo)
    whole = scored if whole is None else whole
    accepted = whole >= threshold and narrow
    if narrow and not accepted:
        options += _score_cuts(None, pairs([c for c in cuts if not c[1]]), memo)[1]
    if not options:
        return [group]
    need = max(threshold, CUT_SCORE)
    if whole < threshold:
        # A rejected group may hold three or four digits: a cut that leaves one digit and
        # a piece still wide enough for more is judged by that digit; the wide piece is
        # split in turn (and must pass on its own in the end).
        options = [(min(a if a >= need or not _wide(left, memo) else need,
                        b if b >= need or not _wide(right, memo) else need), left, right)
                   for _, left, right, a, b in options]
    best, left, right = max(options, key=lambda o: o[0])[:3]
    if best < need:
        return [group]
    if not accepted and _logit(best) < _logit(whole) + SPLIT_MARGIN:
        return [group]
    return (_split(left, memo, threshold, depth + 1)
            + _split(right, memo, threshold, depth + 1))


def _score_cuts(group: np.ndarray | None, pairs: list, memo: _Memo) -> tuple[float, list[tuple[float, np.ndarray, np.ndarray]]]:
    """Score the whole (if given) and each ``(_, left, right)`` cut in one batch.

    Returns:
        ``(whole score or nan, [(min of the two scores, left, right, left's, right's), ...])``.
    """
    masks = [] if group is None else [group]
    for _, left, right in pairs:
        masks += [left, right]
    if not masks:
        return float("nan"), []
    scores = memo.scores(masks)
    k = 0 if group is None else 1
    whole = float(scores[0]) if group is not None else float("nan")
    return whole, [(float(min(scores[k + 2 * i], scores[k + 1 + 2 * i])), left, right,
                    float(scores[k + 2 * i]), float(scores[k + 1 + 2 * i]))
                   for i, (_, left, right) in enumerate(pairs)]


def _wide(piece: np.ndarray, memo: _Memo) -> bool:
    """Whether a piece is wide enough to hold more than one digit."""
    y0, x0, y1, x1 = memo.box(piece)
    return x1 - x0 > SPLIT_ASPECT * (y1 - y0)


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
        ink, None if scorer is None else _Memo(ink, scorer), threshold, whole_score))]


def _left_to_right(groups: list[tuple[np.ndarray, bool]], memo: _Memo | None = None
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
    memo = _Memo(small, scorer)
    groups = _left_to_right(_segment(small, memo if scorer is not None else None, threshold,
                                     whole_score), memo)
    return [Piece(_full_box(memo.box(g), f, ink), memo.image(g), memo.score(g), cut)
            for g, cut in groups]


def _shrink(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """``(ink area-averaged f x f, f)`` with ``f`` the whole factor that brings it near WORK_ROWS."""
    f = max(1, ink.shape[0] // WORK_ROWS)
    if f == 1:
        return ink, 1
    return block_sums(ink, f) * np.float32(1.0 / (f * f)), f


def _full_box(box: tuple[int, int, int, int], f: int, ink: np.ndarray
              ) -> tuple[int, int, int, int]:
    """A shrunk group's box in the full crop's pixels (tightened to the ink)."""
    y0, x0, y1, x1 = box
    if f == 1:
        return y0, x0, y1, x1
    y0, x0, y1, x1 = y0 * f, x0 * f, min(ink.shape[0], y1 * f), min(ink.shape[1], x1 * f)
    inked = ink[y0:y1, x0:x1] > 0
    if not inked.any():
        return y0, x0, y1, x1
    by0, bx0, by1, bx1 = _box(inked)
    return y0 + by0, x0 + bx0, y0 + by1, x0 + bx1


def _segment(ink: np.ndarray, memo: _Memo | None, threshold: float,
             whole_score: float | None) -> list[tuple[np.ndarray, bool]]:
    """The digits' masks in any order, each with whether it was cut out of connected ink."""
    grid, pieces = _components(ink)
    if not pieces:
        return []
    merged = _merge(pieces, grid, memo)
    y0, x0, y1, x1 = merged[0].box
    if len(merged) == 1:
        # One piece: all the ink (the common case, kept cheap) unless it may hide two.
        w, h = x1 - x0, y1 - y0
        if memo is None or w <= MIN_SPLIT_ASPECT * h or (
                whole_score is not None and whole_score >= threshold and w <= SPLIT_ASPECT * h):
            return [(grid.mask, False)]
        return _parts(_split(grid.mask, memo, threshold, whole=whole_score))
    groups = grid.group_masks(merged, memo)
    if memo is None:
        return [(g, False) for g in groups]
    # Every group's own score in one batch (narrow ones too: the reader needs them);
    # _split scores only the cuts it tries.
    wholes = memo.scores(groups)
    return [part for g, whole in zip(groups, wholes, strict=True)
            for part in _parts(_split(g, memo, threshold, whole=float(whole)))]


def _parts(parts: list[np.ndarray]) -> list[tuple[np.ndarray, bool]]:
    """A split group's non-empty masks, marked as cut when there are several."""
    parts = [p for p in parts if p.any()]
    return [(p, len(parts) > 1) for p in parts]


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


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """``(y0, x0, y1, x1)`` of a non-empty bool mask (``y1``, ``x1`` exclusive)."""
    return _box(mask)
