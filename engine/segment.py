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

import numpy as np

from digitlab.engine.components import block_sums, label_components
from digitlab.engine.preprocess import FIT_SIZE, IMAGE_SIZE, center_by_mass, fit_to_box

__all__ = ["DigitSegment", "label_components", "mask_box", "segment_digits", "segment_masks",
           "segment_pieces", "to_image28"]

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

    def group_mask(self, labels: list[int]) -> np.ndarray:
        """Full-size bool mask of the ink of these labels."""
        h, w = self.mask.shape
        small = np.isin(self.labels, labels)
        if self.f > 1:
            small = small.repeat(self.f, axis=0).repeat(self.f, axis=1)[:h, :w]
        return small & self.mask


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
    small_labels, n = label_components(pooled > 0)
    grid = _Grid(f, small_labels, mask)
    if n == 0:
        return grid, []
    masses = np.bincount(small_labels.ravel(), weights=pooled.ravel(), minlength=n + 1)
    order = [int(i) for i in np.argsort(-masses[1:], kind="stable")[:40] + 1]
    # Specks far lighter than the heaviest piece are noise, not strokes.
    keep = [i for i in order if masses[i] >= 0.01 * masses[order[0]]]
    pieces = []
    for i in keep:
        ys, xs = np.nonzero(small_labels == i)
        box = (int(ys.min()) * f, int(xs.min()) * f,
               min(h, (int(ys.max()) + 1) * f), min(w, (int(xs.max()) + 1) * f))
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
        self._scores: dict[bytes, float] = {}

    def image(self, mask: np.ndarray) -> np.ndarray:
        """:func:`to_image28` of this mask, computed once."""
        hit = self._images.get(id(mask))
        if hit is None:
            hit = self._images[id(mask)] = (mask, to_image28(mask, self.ink))
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
                    groups[i] = _Group(a.labels + b.labels,
                                       (min(ay0, by0), min(ax0, bx0), max(ay1, by1),
                                        max(ax1, bx1)), a.mass + b.mass)
                    del groups[j]
                    changed = True
                    break
            if changed:
                break
    return groups


def _joins(a: _Group, b: _Group, grid: _Grid, memo: _Memo) -> bool:
    """Whether the scorer likes ``a`` and ``b`` together at least as much as the worse alone."""
    masks = [grid.group_mask(a.labels), grid.group_mask(b.labels),
             grid.group_mask(a.labels + b.labels)]
    scores = memo.scores(masks)
    return bool(scores[2] >= min(scores[0], scores[1]))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def _valley_cuts(group: np.ndarray, ink: np.ndarray, n: int = 3) -> list[tuple[int, float]]:
    """Up to ``n`` candidate cuts at the lowest points of the column projection.

    Returns:
        ``(column, depth)`` pairs: the absolute column, and the projection there over the
        median projection of the inked columns (near 0: a thin bridge between two digits).
    """
    y0, x0, y1, x1 = _box(group)
    profile = np.where(group[y0:y1, x0:x1], ink[y0:y1, x0:x1], 0.0).sum(axis=0)
    w = x1 - x0
    k = max(1, w // 40)
    smooth = np.convolve(profile, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    lo, hi = int(0.12 * w), int(0.88 * w)
    if hi - lo < 2:
        return []
    typical = float(np.median(profile[profile > 0])) or 1.0
    order = np.argsort(smooth[lo:hi], kind="stable")
    cuts: list[tuple[int, float]] = []
    for c in order:
        col = int(c) + lo
        if all(abs(col - other + x0) > w // 8 for other, _ in cuts):
            cuts.append((x0 + col, float(smooth[col]) / typical))
        if len(cuts) == n:
            break
    return cuts


def _cut(group: np.ndarray, col: int) -> tuple[np.ndarray, np.ndarray]:
    left, right = group.copy(), group.copy()
    left[:, col:] = False
    right[:, :col] = False
    return left, right


def to_image28(group: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """One group's ink, fitted and centred MNIST-style: float32 ``(28, 28)``."""
    y0, x0, y1, x1 = _box(group)
    crop = np.where(group[y0:y1, x0:x1], ink[y0:y1, x0:x1], 0.0).astype(np.float32)
    return center_by_mass(fit_to_box(crop, FIT_SIZE), IMAGE_SIZE)


def _split(group: np.ndarray, memo: _Memo, threshold: float,
           depth: int = 0, whole: float | None = None) -> list[np.ndarray]:
    """Cut a group in two where the scorer likes both pieces better than the whole.

    A group is tried when it is wide for one digit, or when the scorer rejects it and it
    is wide enough to hold two (a 1 touching a 6 makes a narrow "16"). The cut is kept
    when both pieces pass the threshold and either the whole does not, or both pieces
    score clearly higher than the whole (by :data:`SPLIT_MARGIN` in logits): a wide 0 is
    not cut into two brackets that the scorer merely likes as much.
    """
    y0, x0, y1, x1 = _box(group)
    h, w = y1 - y0, x1 - x0
    if depth >= 3 or w <= MIN_SPLIT_ASPECT * h:
        return [group]
    narrow = w <= SPLIT_ASPECT * h
    if narrow and whole is not None and whole >= threshold and w <= BRIDGE_ASPECT * h:
        return [group]  # accepted, and too narrow to hide a 1 joined to another digit
    pairs = []
    for col, thin in _valley_cuts(group, memo.ink):
        left, right = _cut(group, col)
        if left.any() and right.any():
            pairs.append((thin < BRIDGE_DEPTH, left, right))
    # A narrow group the scorer accepts may still hide two digits joined by a thin bridge
    # (a 1 touching the 5 beside it reads as one fat digit): the whole and its bridge cuts
    # go through the scorer in one batch first, the other cuts only if it is rejected.
    first = [p for p in pairs if p[0]] if narrow else pairs
    scored, options = _score_cuts(None if whole is not None else group, first, memo)
    whole = scored if whole is None else whole
    accepted = whole >= threshold and narrow
    if narrow and not accepted:
        options += _score_cuts(None, [p for p in pairs if not p[0]], memo)[1]
    if not options:
        return [group]
    if whole < threshold:
        # A rejected group may hold three or four digits: a cut that leaves one digit and
        # a piece still wide enough for more is judged by that digit; the wide piece is
        # split in turn (and must pass on its own in the end).
        options = [(min(a if a >= threshold or not _wide(left) else threshold,
                        b if b >= threshold or not _wide(right) else threshold), left, right)
                   for _, left, right, a, b in options]
    best, left, right = max(options, key=lambda o: o[0])[:3]
    if best < threshold or (accepted and best < 0.5):
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


def _wide(piece: np.ndarray) -> bool:
    """Whether a piece is wide enough to hold more than one digit."""
    y0, x0, y1, x1 = _box(piece)
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
    return _left_to_right(_segment(ink, None if scorer is None else _Memo(ink, scorer),
                                   threshold, whole_score))


def _left_to_right(groups: list[np.ndarray]) -> list[np.ndarray]:
    lefts = [int(np.argmax(g.any(axis=0))) for g in groups]
    return [g for _, g in sorted(zip(lefts, groups, strict=True), key=lambda p: p[0])]


def segment_pieces(ink: np.ndarray, scorer: Scorer | None = None, threshold: float = 0.5,
                   whole_score: float | None = None
                   ) -> list[tuple[tuple[int, int, int, int], np.ndarray, float | None]]:
    """The digits in an ink crop with what segmentation already computed for each.

    A crop taller than :data:`WORK_ROWS` is first area-averaged down by a whole factor
    (the live path's budget: mask work costs its area), so pieces and images may differ
    from :func:`segment_masks` by a pixel's rounding.

    Args: as :func:`segment_masks`.

    Returns:
        ``(box, image28, score)`` per digit, left to right: its box ``(y0, x0, y1, x1)`` in
        the crop's pixels, its float32 ``(28, 28)`` image (as :func:`to_image28`) and the
        scorer's score of that image, or ``None`` where segmentation did not need it.
    """
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2:
        raise ValueError(f"Received ink of shape {ink.shape}; expected a 2-D crop (h, w).")
    small, f = _shrink(ink)
    memo = _Memo(small, scorer)
    groups = _left_to_right(_segment(small, memo if scorer is not None else None, threshold,
                                     whole_score))
    return [(_full_box(g, f, ink), memo.image(g), memo.score(g)) for g in groups]


def _shrink(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """``(ink area-averaged f x f, f)`` with ``f`` the whole factor that brings it near WORK_ROWS."""
    f = max(1, ink.shape[0] // WORK_ROWS)
    if f == 1:
        return ink, 1
    return block_sums(ink, f) * np.float32(1.0 / (f * f)), f


def _full_box(group: np.ndarray, f: int, ink: np.ndarray) -> tuple[int, int, int, int]:
    """The box of a shrunk group's ink in the full crop's pixels (tightened to the ink)."""
    y0, x0, y1, x1 = _box(group)
    if f == 1:
        return y0, x0, y1, x1
    y0, x0, y1, x1 = y0 * f, x0 * f, min(ink.shape[0], y1 * f), min(ink.shape[1], x1 * f)
    inked = ink[y0:y1, x0:x1] > 0
    if not inked.any():
        return y0, x0, y1, x1
    by0, bx0, by1, bx1 = _box(inked)
    return y0 + by0, x0 + bx0, y0 + by1, x0 + bx1


def _segment(ink: np.ndarray, memo: _Memo | None, threshold: float,
             whole_score: float | None) -> list[np.ndarray]:
    """The digits' masks in any order (see :func:`segment_pieces`)."""
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
            return [grid.mask]
        return [g for g in _split(grid.mask, memo, threshold, whole=whole_score) if g.any()]
    groups = [grid.group_mask(g.labels) for g in merged]
    if memo is not None:
        # Every group's own score in one batch (narrow ones too: the reader needs them);
        # _split scores only the cuts it tries.
        wholes = memo.scores(groups)
        groups = [part for g, whole in zip(groups, wholes, strict=True)
                  for part in _split(g, memo, threshold, whole=float(whole))]
        groups = [g for g in groups if g.any()]
    return groups


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
