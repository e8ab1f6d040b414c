"""Printed boxes around the writing: a worksheet's answer box, a form's field, a comb of
boxes (one per digit).

A photo of such a box brings it with the digit: read with it, the digit came out small in
a frame. :func:`frame_inset` finds the box's four sides on the edges of the ink's box,
:func:`frame_walls` a comb's inner walls, and ``engine.preprocess`` reads the inside (the
walls made paper). Rule lines, the other printed thing a photo brings, are
:mod:`engine.rule_lines`.
"""

from __future__ import annotations

import numpy as np

from digitlab.engine.components import runs
from digitlab.engine.rule_lines import LINE_PAD

#: A printed box around the writing (a worksheet's answer box, a form's field): each of
#: its four sides is a band along the edge of the ink's box, with ink over FRAME_COVER of
#: that edge within at most FRAME_THICK of the box's side (3 px at least; a hand-drawn
#: square wobbles more), and the row past it (and its fringe) covers at most FRAME_PAST
#: of the edge (no filled area, no heavy frame); the box is FRAME_MIN_SIDE px or more on
#: both sides.
FRAME_COVER, FRAME_THICK, FRAME_PAST, FRAME_MIN_SIDE = 0.9, 0.05, 0.5, 40


def frame_inset(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The rows and columns ``(top, left, bottom, right)`` that a printed box's sides take
    from the edges of ``mask`` (the ink's bounding box, bool), their anti-aliased fringe
    (:data:`LINE_PAD`) included, or None when its edges are not such a box."""
    h, w = mask.shape
    if min(h, w) < FRAME_MIN_SIDE:
        return None
    sides = []
    for edge in (mask, mask.T, mask[::-1], mask.T[::-1]):  # top, left, bottom, right
        side = _frame_side(edge)
        if side is None:
            return None
        sides.append(side)
    top, left, bottom, right = sides
    return top, left, bottom, right


def _frame_side(edge: np.ndarray) -> int | None:
    """How many rows from the top of ``edge`` a straight side takes (with :data:`LINE_PAD`),
    or None when its first rows are no such side."""
    h, w = edge.shape
    thick = max(3, round(FRAME_THICK * h))
    if np.count_nonzero(np.logical_or.reduce(edge[:thick], axis=0)) < FRAME_COVER * w:
        return None  # the common case, a drawing's edge: one test
    union = np.zeros(w, bool)
    for k in range(min(thick, h)):
        union |= edge[k]
        if np.count_nonzero(union) >= FRAME_COVER * w:
            # The side ends at the first row past it at most FRAME_PAST inked, within
            # FRAME_THICK (a heavy frame, a filled area: no side).
            for past in range(k + 1, min(thick + 1, h)):
                if np.count_nonzero(edge[past]) <= FRAME_PAST * w:
                    return past + LINE_PAD
            return None
    return None


def frame_walls(inner: np.ndarray) -> list[tuple[int, int]]:
    """Column ranges ``[a, b)`` of a printed box's inner walls (a comb of boxes, one per
    digit) in the ink mask ``inner`` of its inside: straight columns at most
    :data:`FRAME_THICK` of the height wide (3 px at least) with ink over
    :data:`FRAME_COVER` of the height, widened by :data:`LINE_PAD` for their fringe. A
    digit's stroke spans less of the box, or is wider."""
    h, w = inner.shape
    full = np.count_nonzero(inner, axis=0) >= FRAME_COVER * h
    if not full.any():
        return []
    thick = max(3, round(FRAME_THICK * h))
    return [(max(0, a - LINE_PAD), min(w, b + LINE_PAD)) for a, b in runs(full) if b - a <= thick]
