"""Read a number by the strokes it was drawn with, where its ink alone runs digits together.

:meth:`engine.reading.Reader.read` sees pixels. Two digits drawn overlapping (two
leaning 0s sharing a stretch of ink, a 2 whose tail runs into the 3 beside it) are one
piece of ink to it: no valley or path cut separates them, and the piece is read as one
digit or called "not a digit". The Draw tab knows more: which pixels came from which
stroke. A writer lifts the pen between digits, so the strokes, grouped by the columns
they cover, are the digits' own ink, overlap included, and no cut has to guess.

The strokes are grouped as segmentation merges pieces of ink
(:data:`engine.segment.MERGE_OVERLAP`): two strokes that share at least half of the
narrower one's columns belong to one digit (a 4 or a 7 in two strokes, a 5's top bar,
an ``i``-like dot), and so do two whose ends meet (a V drawn as two lines); otherwise
they are side by side. Each group is drawn alone and read as any drawing is. The strokes'
reading replaces the ink's only where the ink's has fewer pieces than there are groups or
calls a piece "not a digit", and only when every piece it finds is more likely a digit
than not (:data:`STROKE_PIECE_SCORE`, as a piece cut out of connected ink inside a number
needs: a letter's strokes, a K's stem and its angle, pass as "digits" more easily than a
whole letter does), each at least :data:`STROKE_PIECE_HEIGHT` of the tallest's height,
side by side like the digits of a number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from digitlab.engine.reading import (
    NUMBER_PIECE_SCORE,
    DigitReading,
    Reader,
    Reading,
    looks_like_a_row,
)
from digitlab.engine.segment import BLOB_CUT_HEIGHT, MERGE_OVERLAP

__all__ = ["ENDS_MEET", "ENDS_MEET_WIDTH", "MAX_STROKES", "SPAN_PAD", "STROKE_PIECE_HEIGHT",
           "STROKE_PIECE_SCORE", "group_strokes", "read_by_strokes"]

#: The digit score every piece of a reading by strokes needs: more likely a digit than not,
#: as a piece cut out of connected ink inside a number needs (:data:`NUMBER_PIECE_SCORE`).
#: 0.9, as for cutting a one-piece drawing, left unread many overlapping numbers whose
#: digits, drawn alone, score 0.5-0.9; the gate's own threshold let letters through
#: (2026-12-04, ``--only strokes``' kinds of drawing on fresh seeds; README).
STROKE_PIECE_SCORE = NUMBER_PIECE_SCORE
#: Every piece of a reading by strokes spans this share of the tallest piece's height (the
#: digits of one writer share a height; a letter's stroke, such as a K's angle, is shorter).
STROKE_PIECE_HEIGHT = BLOB_CUT_HEIGHT
#: A stroke covers the columns of its points and this share of its pen's width either side:
#: its line's middle and half its ink's edge, so that digits drawn with a broad pen, whose
#: ink overlaps where their lines only touch, do not share half their columns.
SPAN_PAD = 0.25
#: Two strokes whose ends meet, no further apart than this share of the drawing's
#: height or :data:`ENDS_MEET_WIDTH` of the broader pen's width, are one figure drawn in
#: parts: a V's or an M's straight strokes pass one by one as 1s, while a writer lifts the
#: pen between digits and starts the next one elsewhere. (A tenth of the height, or a
#: whole pen's width, also joined many digits drawn overlapping: a 5's bar ends where the
#: 7's next to it begins.)
ENDS_MEET = 0.05
ENDS_MEET_WIDTH = 0.5
#: A drawing of more strokes than this is no number to read by strokes (a number's
#: digits take one to three strokes each; a scratch-out takes many, and grouping costs
#: their square).
MAX_STROKES = 24


def group_strokes(strokes: Sequence[tuple[np.ndarray, float]]) -> list[list[int]]:
    """Strokes -> groups of stroke indices that belong to one figure, left to right.

    Args:
        strokes: each ``(points, width)``: float ``(K, 2)`` ``(x, y)`` points in the
            drawing's pixels and the round pen's width.

    Strokes whose ends meet (:data:`ENDS_MEET`) join first; then two groups join while
    they share at least :data:`engine.segment.MERGE_OVERLAP` of the narrower one's columns
    (a group covers the columns from its leftmost stroke's left edge to its rightmost
    one's right edge, each widened by :data:`SPAN_PAD`). Each group lists its strokes in
    drawing order.
    """
    pts = [np.asarray(p, np.float64).reshape(-1, 2) for p, _ in strokes]
    counts = [len(p) for p in pts]
    if not all(counts):
        raise ValueError("Received a stroke without points; expected at least one each.")
    widths = np.array([max(float(w), 0.0) for _, w in strokes])
    n = len(pts)
    # All points in one array: a few numpy calls for every stroke at once (the live path).
    xy = np.concatenate(pts)
    first = np.cumsum([0] + counts[:-1])
    last = first + np.array(counts) - 1
    groups = _meeting_ends(xy[first], xy[last], widths, float(np.ptp(xy[:, 1])))
    pad = SPAN_PAD * widths
    lefts = (np.minimum.reduceat(xy[:, 0], first) - pad).tolist()
    rights = (np.maximum.reduceat(xy[:, 0], first) + pad).tolist()
    hulls = [(min(lefts[i] for i in g), max(rights[i] for i in g)) for g in groups]
    joined = n > 1
    while joined:  # passes until none joins (a grown group may now share enough columns)
        joined = False
        a = 0
        while a < len(groups):
            b = a + 1
            while b < len(groups):
                (a0, a1), (b0, b1) = hulls[a], hulls[b]
                if min(a1, b1) - max(a0, b0) >= MERGE_OVERLAP * max(min(a1 - a0, b1 - b0),
                                                                    1e-6):
                    groups[a] = sorted(groups[a] + groups.pop(b))
                    hulls[a] = (min(a0, b0), max(a1, b1))
                    del hulls[b]
                    joined = True
                else:
                    b += 1
            a += 1
    order = sorted(range(len(groups)), key=lambda k: hulls[k])
    return [groups[k] for k in order]


def _meeting_ends(starts: np.ndarray, ends: np.ndarray, widths: np.ndarray, height: float
                  ) -> list[list[int]]:
    """The strokes joined where an end of one meets an end of another (:data:`ENDS_MEET`),
    transitively: groups of indices in drawing order, in the order of their first stroke.

    ``starts``, ``ends``: float ``(n, 2)``, each stroke's first and last point; ``height``:
    the drawing's points' height (the pen's width is added)."""
    n = len(widths)
    both = np.concatenate([starts, ends])  # (2n, 2): stroke i's ends are rows i and n + i
    gaps = np.sqrt(((both[:, None] - both[None]) ** 2).sum(-1)).reshape(2, n, 2, n)
    gaps = gaps.min(axis=(0, 2))
    reach = np.maximum(ENDS_MEET * (height + widths.max()),
                       ENDS_MEET_WIDTH * np.maximum.outer(widths, widths))
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(gaps <= reach, 1)), strict=True):
        parent[root(int(i))] = root(int(j))
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    return list(members.values())


def read_by_strokes(reader: Reader, reading: Reading,
                    strokes: Sequence[tuple[np.ndarray, float]],
                    render: Callable[[Sequence[int]], np.ndarray],
                    feature_maps: bool = False) -> Reading:
    """The reading of a drawing by its strokes where it reads more of a number than ``reading``.

    Args:
        reader: the reader that gave ``reading``.
        reading: :meth:`Reader.read` of the whole drawing.
        strokes: the drawing's strokes in drawing order, each ``(points, width)`` as
            :func:`group_strokes` takes them; more than :data:`MAX_STROKES` are not tried.
        render: stroke indices -> those strokes alone, drawn as the drawing is drawn:
            ``(H, W)`` ink intensity, bright on dark (``uint8`` 0..255 or float 0..1). Called
            only when the strokes are tried, once per group.
        feature_maps: as :meth:`Reader.read`.

    Returns:
        A reading whose pieces are the groups' digits (boxes in the drawing's pixels,
        ``preprocess`` the whole drawing's, ``by_strokes`` set), or ``reading`` itself when
        the strokes do not read as a number of more digits, or the ink already reads as one.
    """
    if reading.is_empty:
        return reading
    if not 2 <= len(strokes) <= MAX_STROKES:
        return reading
    if reading.number is not None and len(reading.digits) >= len(strokes):
        return reading  # as many digits as strokes: no group can add one (nothing to group)
    groups = group_strokes(strokes)
    if len(groups) < 2:
        return reading
    if reading.number is not None and len(reading.digits) >= len(groups):
        return reading
    pieces: list[DigitReading] = []
    for group in groups:
        read = reader.read(render(group), ink="bright", feature_maps=feature_maps)
        if read.is_empty or not all(_likely_digit(p) for p in read.digits):
            return reading
        if len(read.digits) == 1 and read.digits[0].fitted is None:
            # A group read whole: its fitted stage is its own preprocessing's, as for a
            # digit segmentation found (the strip shows each digit's own stages).
            pre = read.preprocess
            pieces.append(dataclasses.replace(read.digits[0], fitted=pre.fitted,
                                              widened=pre.widened))
        else:
            pieces.extend(read.digits)
    pieces.sort(key=lambda p: p.box[1] + p.box[3])
    boxes = [p.box for p in pieces]
    tallest = max(b[2] - b[0] for b in boxes)
    if any(b[2] - b[0] < STROKE_PIECE_HEIGHT * tallest for b in boxes):
        return reading
    if not looks_like_a_row(boxes):
        return reading
    return Reading(reading.preprocess, tuple(pieces), by_strokes=True)


def _likely_digit(piece: DigitReading) -> bool:
    """A digit scoring at least :data:`STROKE_PIECE_SCORE` (any piece, without a gate)."""
    if piece.gate is None:
        return True
    return piece.is_digit and piece.gate.digit_score >= STROKE_PIECE_SCORE
