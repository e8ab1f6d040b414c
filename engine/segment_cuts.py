"""Cutting one group of ink into digits where they touch (used by :mod:`engine.segment`).

A group wide for one digit, or one the scorer (the not-a-digit gate) rejects or doubts, is
cut at the lowest columns of its ink's projection (an empty column first: pieces that do
not touch) or between its separate pieces of ink (strokes the coarse grid joined), and
the cut is kept when the scorer likes both pieces clearly better than the whole. Masks
here are bool arrays of the (shrunk) ink crop; :class:`engine.segment_memo.Memo` computes
each mask's box, 28x28 image and score once.
"""

from __future__ import annotations

import numpy as np

from digitlab.engine.components import components_with_boxes, runs
from digitlab.engine.segment_memo import (  # noqa: F401 - re-exported for segment's users
    Memo, Scorer, mask_box, to_image28)
from digitlab.engine.segment_paths import path_cuts, split_along

#: A group wider than this times its height may hold touching digits.
SPLIT_ASPECT = 1.1
#: How many cut columns (valleys of the column projection) a group is tried at.
CUTS_TRIED = 3
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
#: What both pieces of a cut through a narrow group need when the scorer accepts the
#: whole but doubts it (score under CUT_SCORE).
DOUBT_CUT_SCORE = 0.9
#: ...and both pieces must span at least this share of the group's height.
DOUBT_HEIGHT = 0.75
#: Both pieces of a cut are at least this share of the group's height (as a number's
#: digits must be: see ``engine.reading.ROW_HEIGHT``).
CUT_HEIGHT = 0.5
#: A piece cut off that is a stroke (at most this share of its own height wide) passes as
#: a 1 whatever it was part of (an A's leg beside the rest read as a 4): it must span
#: STROKE_HEIGHT of the group's height, as a written 1 spans its row.
STROKE_ASPECT, STROKE_HEIGHT = 0.5, 0.75
#: A cut never leaves two straight strokes: a V or a Λ cut at its tip reads "11" (each
#: half a near-certain 1), but is one letter. A piece is a straight stroke when its ink
#: spreads across its main axis at most ~0.32 as far as along it (variance ratio 0.1): a
#: broad pen's line up to ~0.3 of its length thick, or a thinner one that keeps a bit of a
#: round tip's curve (up to ~0.08 measured). At 0.04 (a fifth, until 2026-12-03), the
#: halves of a V or Λ written with a broad pen or turned on a round tip still read "11" or
#: "17", and so did a sixth of the handwriting fonts' ^, v and V. Digits spread as little:
#: a slanted 2 or a narrow 8 0.12-0.14 (at 0.15, six of 6,000 numbers in unseen fonts lost
#: a cut beside a 1), the narrowest 8s from 0.05; a 7 whose bar is a third of its height
#: 0.08 (half: 0.13), so a 1 touching such a 7 stays one piece.
LINE_SPREAD = 0.1


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def _valley_cuts(group: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int],
                 n: int = CUTS_TRIED, bridges_only: bool = False) -> list[tuple[int, float]]:
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
    if bridges_only and _clearly_no_bridge(profile, lo, hi, k):
        return []
    smooth = np.convolve(profile, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    inside = smooth[lo:hi]
    # A column without ink is the best cut there is (smoothing would hide a narrow gap
    # next to a tall stroke): the middle of each empty run comes first, at depth 0.
    empty = profile[lo:hi] == 0
    if empty.any():
        gaps = [(x0 + lo + (a + b) // 2, 0.0) for a, b in runs(empty)]
        if len(gaps) >= n:
            return gaps[:n]
    else:
        gaps = []
    # The median of the inked columns is at most their peak: nothing under a share of the
    # peak is nothing under that share of the median (the common case, without the median).
    if bridges_only and not gaps and inside.min() >= BRIDGE_DEPTH * float(profile.max()):
        return []
    typical = float(np.median(profile[profile > 0])) or 1.0
    if bridges_only and not gaps and inside.min() >= BRIDGE_DEPTH * typical:
        return []
    order = np.argsort(inside, kind="stable")
    cuts: list[tuple[int, float]] = list(gaps)
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


def _clearly_no_bridge(profile: np.ndarray, lo: int, hi: int, k: int) -> bool:
    """Whether :func:`_valley_cuts` surely finds no bridge in ``[lo, hi)``, without smoothing.

    The smoothed projection there averages the columns ``lo - k .. hi + k - 1``: it is at
    least their minimum, less float64 rounding (under 1e-12 of it for any kernel width
    here). When that minimum is inked and clears :data:`BRIDGE_DEPTH` of the peak with
    that margin, there is no empty column and no shallow valley: the common case of an
    accepted digit, ~25 us cheaper than smoothing and sorting.
    """
    if lo < k or hi + k > len(profile):
        return False  # the average would reach the zero padding past an end
    low = float(np.minimum.reduce(profile[lo - k:hi + k]))
    return low > 0.0 and low * (1.0 - 1e-12) >= BRIDGE_DEPTH * float(np.maximum.reduce(profile))


def _tall_cuts(rows: np.ndarray, x0: int, cuts: list[tuple[int, float]], need: float
               ) -> list[tuple[int, bool]]:
    """The cuts whose both pieces span at least ``need`` rows, or :data:`STROKE_HEIGHT` of
    the group's where a piece is a stroke (:data:`STROKE_ASPECT`), each with whether it
    is a bridge.

    Args:
        rows: the group's bool mask inside its box; x0: the box's left column.
    """
    kept = []
    h, w = rows.shape
    inked_left = np.cumsum(rows, axis=1) > 0  # rows with ink at or left of each column
    inked_right = np.cumsum(rows[:, ::-1], axis=1)[:, ::-1] > 0
    stroke_need = max(need, STROKE_HEIGHT * h)
    moments = None
    for col, depth in cuts:
        c = col - x0
        if not 0 < c < w:
            continue
        left, right = _span(inked_left[:, c - 1]), _span(inked_right[:, c])
        # A piece's width: from the box's edge (its first ink) to the cut.
        if (left >= (need if c > STROKE_ASPECT * left else stroke_need)
                and right >= (need if w - c > STROKE_ASPECT * right else stroke_need)):
            if moments is None:
                moments = _column_moments(rows)
            if _straight(moments[:, c - 1]) and _straight(moments[:, -1] - moments[:, c - 1]):
                continue
            kept.append((col, depth < BRIDGE_DEPTH))
    return kept


def _column_moments(rows: np.ndarray) -> np.ndarray:
    """Running ink moments left of each column: ``(6, W)`` float64 cumulative sums of
    ``n, Σy, Σx, Σy², Σx², Σxy`` over columns ``0..c`` (exact: sums of integers)."""
    h, w = rows.shape
    ink = rows.astype(np.float64)
    y = np.arange(h, dtype=np.float64)
    x = np.arange(w, dtype=np.float64)
    n = ink.sum(axis=0)
    sy = y @ ink
    per_column = np.stack([n, sy, n * x, (y * y) @ ink, n * x * x, sy * x])
    return np.cumsum(per_column, axis=1)


def _straight(m: np.ndarray) -> bool:
    """Whether ink with moments ``m`` (see :func:`_column_moments`) is a straight stroke:
    the smaller eigenvalue of its coordinates' covariance is at most :data:`LINE_SPREAD`
    times the larger."""
    n, sy, sx, syy, sxx, sxy = m
    if n < 3:
        return False
    my, mx = sy / n, sx / n
    vy, vx, cxy = syy / n - my * my, sxx / n - mx * mx, sxy / n - my * mx
    half_trace = (vy + vx) / 2
    root = np.sqrt(max(half_trace * half_trace - (vy * vx - cxy * cxy), 0.0))
    return half_trace - root <= LINE_SPREAD * (half_trace + root)


def _ink_splits(group: np.ndarray, box: tuple[int, int, int, int], need: float
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Splits of a group between its separate pieces of ink (8-connected), left to right.

    The pieces, ordered by their middle column, are split after each one; a split is kept
    when both sides span at least ``need`` rows (at most :data:`CUTS_TRIED`, the first ones).

    Returns:
        ``(left, right)`` bool masks of the group's shape.
    """
    y0, x0, y1, x1 = box
    labels, n, boxes = components_with_boxes(group[y0:y1, x0:x1])
    if n < 2 or n > 8:
        return []  # one piece, or a broken-up drawing (noise) not worth the tries
    order = np.argsort(boxes[1:, 1] + boxes[1:, 3], kind="stable") + 1
    splits = []
    for k in range(1, n):
        pick = np.zeros(n + 1, bool)
        pick[order[:k]] = True
        inside = pick[labels]
        left_rows, right_rows = (inside.any(axis=1), ((labels > 0) & ~inside).any(axis=1))
        if _span(left_rows) >= need and _span(right_rows) >= need:
            left = np.zeros_like(group)
            left[y0:y1, x0:x1] = inside
            splits.append((left, group & ~left))
            if len(splits) == CUTS_TRIED:
                break
    return splits


def _span(inked: np.ndarray) -> int:
    """Rows from the first to the last True of a bool vector (0 when none)."""
    where = np.flatnonzero(inked)
    return int(where[-1] - where[0] + 1) if len(where) else 0


def _cut(group: np.ndarray, col: int) -> tuple[np.ndarray, np.ndarray]:
    left, right = group.copy(), group.copy()
    left[:, col:] = False
    right[:, :col] = False
    return left, right


def split_group(group: np.ndarray, memo: Memo, threshold: float,
                depth: int = 0, whole: float | None = None, cut_score: float = CUT_SCORE
                ) -> list[tuple[np.ndarray, bool]]:
    """Cut a group in two where the scorer likes both pieces better than the whole.

    A group is tried when it is wide for one digit, or when the scorer rejects it and it
    is wide enough to hold two (a 1 touching a 6 makes a narrow "16"). The cut is kept
    when both pieces score at least :data:`CUT_SCORE` (and the threshold) and either the
    whole does not pass, or both pieces score clearly higher than the whole (by
    :data:`SPLIT_MARGIN` in logits): a wide 0 is not cut into two brackets that the
    scorer merely likes as much. A narrow whole the scorer accepts but doubts (under
    :data:`CUT_SCORE`) is tried as a rejected one, but cut through ink only into pieces
    at :data:`DOUBT_CUT_SCORE` and :data:`DOUBT_HEIGHT`. A cut through a column without
    ink (pieces the grid joined but that do not touch) separates pieces: they need only
    the threshold.

    Args:
        group: bool ``(h, w)`` mask of the group in the memo's ink.
        memo: the segmentation's boxes, images and scores.
        threshold: the score a digit needs; depth: how many cuts led here (at most 3).
        whole: the group's score if known. cut_score: what both pieces of a cut through
            ink need (:data:`CUT_SCORE`; a drawing of one piece asks more).

    Returns:
        ``(mask, cut)`` per piece: ``cut`` when it was cut out of connected ink.
    """
    y0, x0, y1, x1 = box = memo.box(group)
    h, w = y1 - y0, x1 - x0
    if depth >= 3 or w <= MIN_SPLIT_ASPECT * h:
        return [(group, False)]
    narrow = w <= SPLIT_ASPECT * h
    # A whole the scorer accepts but doubts (under CUT_SCORE: less likely a digit than not,
    # as a 1 leaning on a 4 scores) is searched for cuts as a rejected one is.
    sure = max(threshold, CUT_SCORE)
    known_accepted = narrow and whole is not None and whole >= sure
    if known_accepted and w <= BRIDGE_ASPECT * h:
        return [(group, False)]  # accepted, and too narrow to hide a 1 joined to another digit
    # Each piece must be tall enough to be a digit of this number (a sliver cut off a
    # digit's stroke is not one: the reader would judge the row of pieces unreadable).
    # An accepted group is only searched for thin bridges.
    candidates = _valley_cuts(group, memo.ink, box, bridges_only=known_accepted)
    if not candidates:
        return [(group, False)]
    cuts = _tall_cuts(group[y0:y1, x0:x1], x0, candidates, CUT_HEIGHT * h)
    bridges = [c for c in cuts if c[1]]
    if known_accepted and not bridges:
        return [(group, False)]

    def pairs(chosen: list[tuple[int, bool]]) -> list[tuple[bool, np.ndarray, np.ndarray]]:
        return [(thin, *_cut(group, col)) for col, thin in chosen]

    def apart(left: np.ndarray, right: np.ndarray) -> bool:
        """Whether a column without ink lies between the two pieces (they do not touch)."""
        return memo.box(right)[1] > memo.box(left)[3]

    # A narrow group the scorer accepts may still hide two digits joined by a thin bridge
    # (a 1 touching the 5 beside it reads as one fat digit): the whole and its bridge cuts
    # go through the scorer in one batch first, the other cuts only if it is rejected.
    scored, options = _score_cuts(None if whole is not None else group,
                                  pairs(bridges if narrow else cuts), memo)
    whole = scored if whole is None else whole
    accepted = whole >= sure and narrow
    if narrow and not accepted:
        options += _score_cuts(None, pairs([c for c in cuts if not c[1]]), memo)[1]
    if not accepted:
        # Pieces of ink the coarse grid joined that do not touch, with no empty column
        # between (a slanted 1 close to a 6): also split along the gap, crossing no ink.
        # Their pieces need what a cut's need (a 4 or a 5 in two strokes is one digit);
        # they come first, so they win a tie with a cut through ink.
        splits = _ink_splits(group, box, CUT_HEIGHT * h)
        options = _score_cuts(None, [(True, left, right) for left, right in splits],
                              memo)[1] + options
        # Digits touching side to side (a 4's bar on a 0, a 5's bowl under a 7) leave no
        # low column: they are also cut along the paths through the least ink
        # (engine.segment_paths). Not in a drawing of one piece of ink (cut_score above
        # CUT_SCORE): a letter is one piece, and a path finds ways to cut it into
        # digit-like pieces that a column does not (there, of 1,680 letters of unseen
        # handwriting fonts 3 more read as numbers and 1 fewer, for 6 more of 1,000 MNIST
        # digit pairs and 1 more of 2,000 pairs in those fonts). Beside other pieces of a
        # number, touching digits are the likely cause.
        if cut_score <= CUT_SCORE:
            options += _score_cuts(None, _path_pairs(group, memo, box, CUT_HEIGHT * h),
                                   memo)[1]
    if not options:
        return [(group, False)]
    # A cut through ink needs both pieces at CUT_SCORE; between pieces, the threshold.
    if narrow and threshold <= whole < sure:
        # A whole the scorer accepts, though doubtfully, is cut through ink only into
        # near-certain digits side by side: a slanted 0 or 8 it doubts cuts into two
        # pieces offset in height that can pass as digits, a 1 leaning on a 4 does not.
        cut_score = max(cut_score, DOUBT_CUT_SCORE)
        options = [o for o in options
                   if min(_height(o[1], memo), _height(o[2], memo)) >= DOUBT_HEIGHT * h]
    options = [(score, left, right, a, b,
                threshold if apart(left, right) else max(threshold, cut_score))
               for score, left, right, a, b in options]
    if whole < threshold:
        # A rejected group may hold three or four digits: a cut that leaves one digit and
        # a piece still wide enough for more is judged by that digit; the wide piece is
        # split in turn (and must pass on its own in the end).
        options = [(min(a if a >= need or not _wide(left, memo) else need,
                        b if b >= need or not _wide(right, memo) else need),
                    left, right, a, b, need)
                   for _, left, right, a, b, need in options]
    # A group the scorer accepts is cut only into pieces it is sure of (a 4 drawn in two
    # strokes with a gap between is still one digit).
    passing = [o for o in options if o[0] >= (max(o[5], CUT_SCORE) if accepted else o[5])]
    if not passing:
        return [(group, False)]
    best, left, right, _, _, need = max(passing, key=lambda o: o[0])
    if not accepted and _logit(best) < _logit(whole) + SPLIT_MARGIN:
        return [(group, False)]
    inside = need > threshold
    return [(part, cut or inside)
            for piece in (left, right)
            for part, cut in split_group(piece, memo, threshold, depth + 1, cut_score=cut_score)]


def _path_pairs(group: np.ndarray, memo: Memo, box: tuple[int, int, int, int], need: float
                ) -> list[tuple[bool, np.ndarray, np.ndarray]]:
    """Cuts along :func:`engine.segment_paths.path_cuts` that a straight cut cannot make and
    whose pieces could be digits of a row, each as ``(False, left, right)``.

    A path whose pieces share no column splits the ink as a straight cut would (the valley
    search's job). Neither piece may be a stroke (:data:`STROKE_ASPECT`): a 1 touching a
    digit is cut by a column (it is narrow and straight), while a stroke cut off along a
    path is most often a letter's leg (π, A, h and V cut into "17" and "11": of 1,555
    numbers with a letter among their digits, 18 more were read as numbers than with
    straight cuts alone when paths could cut off strokes, 7 more when not). Both pieces
    must also be tall enough and not both straight, as :func:`_tall_cuts` asks.
    """
    y0, x0, y1, x1 = box
    kept = []
    for path in path_cuts(group, memo.ink, box, CUTS_TRIED):
        left, right = split_along(group, y0, path)
        if not left.any() or not right.any() or memo.box(right)[1] >= memo.box(left)[3]:
            continue
        boxes = memo.box(left), memo.box(right)
        if any(py1 - py0 < need or px1 - px0 <= STROKE_ASPECT * (py1 - py0)
               for py0, px0, py1, px1 in boxes):
            continue
        if not all(_straight(_column_moments(p[y0:y1, x0:x1])[:, -1]) for p in (left, right)):
            kept.append((False, left, right))
    return kept


def _score_cuts(group: np.ndarray | None, pairs: list, memo: Memo
                ) -> tuple[float, list[tuple[float, np.ndarray, np.ndarray, float, float]]]:
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


def _height(piece: np.ndarray, memo: Memo) -> int:
    """Rows a piece spans."""
    y0, _, y1, _ = memo.box(piece)
    return y1 - y0


def _wide(piece: np.ndarray, memo: Memo) -> bool:
    """Whether a piece is wide enough to hold more than one digit."""
    y0, x0, y1, x1 = memo.box(piece)
    return x1 - x0 > SPLIT_ASPECT * (y1 - y0)
