"""Find the digits of a number in a drawing: connected strokes, merged and split.

Works on the ink crop of :func:`engine.preprocess.preprocess_drawing` (background
removed, ink bright, noise zeroed), so it shares the app's ink detection:

1. connected components of the ink (8-connected, on a grid of at most ~96 rows, so
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

from digitlab.engine.preprocess import FIT_SIZE, IMAGE_SIZE, center_by_mass, fit_to_box

#: Rows of the grid the components are found on (a larger crop is max-pooled down).
GRID_ROWS = 96
#: Two pieces merge when they share at least this fraction of the narrower one's columns.
MERGE_OVERLAP = 0.5
#: A piece with less than this share of the largest piece's ink is a speck (dot, bar end).
SPECK_MASS = 0.12
#: A group wider than this times its height may hold touching digits.
SPLIT_ASPECT = 0.95
#: A group narrower than this times its height is kept whole if the scorer accepts it.
KEEP_ASPECT = 1.45

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


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a binary image, by runs and union-find.

    Args:
        mask: bool ``(H, W)``.

    Returns:
        ``(labels, n)``: int32 ``(H, W)`` with 0 for background and 1..n for components
        (numbered in order of their first run, top to bottom).
    """
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    parent: list[int] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs = []  # (row, start, end, run id)
    prev: list[tuple[int, int, int]] = []
    for y in range(h):
        starts = np.flatnonzero(d[y] == 1)
        ends = np.flatnonzero(d[y] == -1)
        cur = []
        j = 0
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            rid = len(parent)
            parent.append(rid)
            # 8-connectivity: a run touches the previous row's runs overlapping [s-1, e].
            while j < len(prev) and prev[j][1] < s:
                j += 1
            k = max(j - 1, 0)
            while k < len(prev) and prev[k][0] <= e:
                ps, pe, pid = prev[k]
                if pe >= s and ps <= e:
                    a, b = find(rid), find(pid)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                k += 1
            cur.append((s, e, rid))
            runs.append((y, s, e, rid))
        prev = cur
    labels = np.zeros((h, w), np.int32)
    roots: dict[int, int] = {}
    for y, s, e, rid in runs:
        root = find(rid)
        labels[y, s:e] = roots.setdefault(root, len(roots) + 1)
    return labels, len(roots)


def _components(ink: np.ndarray) -> list[np.ndarray]:
    """Boolean masks ``(H, W)`` of the connected pieces of ink (on a pooled grid)."""
    mask = ink > 0
    h, w = mask.shape
    f = max(1, -(-h // GRID_ROWS), -(-w // (GRID_ROWS * 4)))
    if f > 1:
        gh, gw = -(-h // f), -(-w // f)
        pad = np.zeros((gh * f, gw * f), bool)
        pad[:h, :w] = mask
        small = pad.reshape(gh, f, gw, f).any(axis=(1, 3))
    else:
        small = mask
    labels, n = label_components(small)
    if f > 1:
        labels = np.repeat(np.repeat(labels, f, axis=0), f, axis=1)[:h, :w]
    labels = np.where(mask, labels, 0)
    return [labels == i for i in range(1, n + 1) if (labels == i).any()]


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _merge(pieces: list[np.ndarray], ink: np.ndarray) -> list[np.ndarray]:
    """Join pieces that share most of their columns, and specks with their nearest piece."""
    groups = list(pieces)
    changed = True
    while changed and len(groups) > 1:
        changed = False
        boxes = [_box(g) for g in groups]
        masses = [float(ink[g].sum()) for g in groups]
        heaviest = max(masses)
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                (ay0, ax0, ay1, ax1), (by0, bx0, by1, bx1) = boxes[i], boxes[j]
                overlap = min(ax1, bx1) - max(ax0, bx0)
                narrow = min(ax1 - ax0, bx1 - bx0)
                small = min(masses[i], masses[j]) < SPECK_MASS * heaviest
                # A speck joins a piece it overlaps a little or nearly touches.
                gap = max(ax0, bx0) - min(ax1, bx1)
                ref = max(ay1 - ay0, by1 - by0)
                if overlap >= MERGE_OVERLAP * narrow or (small and gap <= 0.15 * ref):
                    groups[i] = groups[i] | groups[j]
                    del groups[j]
                    changed = True
                    break
            if changed:
                break
    return groups


def _valley_cuts(group: np.ndarray, ink: np.ndarray, n: int = 3) -> list[int]:
    """Up to ``n`` candidate cut columns (absolute) at the lowest points of the projection."""
    y0, x0, y1, x1 = _box(group)
    profile = (ink * group)[y0:y1, x0:x1].sum(axis=0)
    w = x1 - x0
    k = max(1, w // 40)
    smooth = np.convolve(profile, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    lo, hi = int(0.2 * w), int(0.8 * w)
    if hi - lo < 2:
        return []
    order = np.argsort(smooth[lo:hi], kind="stable")
    cuts: list[int] = []
    for c in order:
        col = int(c) + lo
        if all(abs(col - other) > w // 8 for other in cuts):
            cuts.append(col)
        if len(cuts) == n:
            break
    return [x0 + c for c in cuts]


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


def _split(group: np.ndarray, ink: np.ndarray, scorer: Scorer, threshold: float,
           depth: int = 0) -> list[np.ndarray]:
    """Cut a too-wide group in two where the scorer likes both pieces better than the whole."""
    y0, x0, y1, x1 = _box(group)
    h, w = y1 - y0, x1 - x0
    if depth >= 3 or w <= SPLIT_ASPECT * h:
        return [group]
    whole = float(scorer(to_image28(group, ink)[None])[0])
    if whole >= threshold and w <= KEEP_ASPECT * h:
        return [group]
    options = []
    for col in _valley_cuts(group, ink):
        left, right = _cut(group, col)
        if not left.any() or not right.any():
            continue
        scores = scorer(np.stack([to_image28(left, ink), to_image28(right, ink)]))
        options.append((float(scores.min()), left, right))
    if not options:
        return [group]
    best, left, right = max(options, key=lambda o: o[0])
    if best <= whole and whole >= threshold:
        return [group]
    if best < threshold and best <= whole:
        return [group]
    return (_split(left, ink, scorer, threshold, depth + 1)
            + _split(right, ink, scorer, threshold, depth + 1))


def segment_masks(ink: np.ndarray, scorer: Scorer | None = None, threshold: float = 0.5
                  ) -> list[np.ndarray]:
    """The digits' ink masks in an ink crop, left to right (see :func:`segment_digits`).

    Returns:
        bool ``(h, w)`` masks, sorted by their left edge; empty when there is no ink.
    """
    ink = np.asarray(ink, np.float32)
    if ink.ndim != 2:
        raise ValueError(f"Received ink of shape {ink.shape}; expected a 2-D crop (h, w).")
    pieces = _components(ink)
    if not pieces:
        return []
    groups = _merge(pieces, ink)
    if scorer is not None:
        groups = [part for g in groups for part in _split(g, ink, scorer, threshold)]
        groups = [g for g in groups if g.any()]
    groups.sort(key=lambda g: _box(g)[1])
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
