"""Cutting touching digits along a path through the least ink (used by :mod:`engine.segment_cuts`).

A straight cut finds two digits that touch at a thin bridge: the column there holds little
ink. Digits that touch side to side (a 4's bar on a 0, a 5's bowl under a 7's bar, two
italic 0s) leave no such column: around the touch, the left digit's right side and the
right digit's left side stand in the same columns, and every column there crosses both. A
person cuts them with a curve: down through the gap above the touch, across it, down
through the gap below. (Digits that overlap along a stretch, a 3's bowl lying on a 0's
side, share ink that no cut gives back to both; they stay one piece.)

:func:`path_cuts` finds such curves: from the top row to the bottom row of a group, one
step down a row at a time, moving at most one column sideways, crossing as little ink as
it can (dynamic programming over the rows, as the "drop-fall" and shortest-path cuts of
handwritten digit strings do). Each path splits the group into what lies left of it and
what lies right of it; :func:`engine.segment_cuts.split_group` scores the pieces like any
other cut through ink.
"""

from __future__ import annotations

import numpy as np

#: What a path pays for each step sideways, in pixels of full ink: among paths crossing as
#: much ink it prefers the straighter, and it does not wander without cause.
SIDE_STEP = 0.05
#: A path runs between these shares of the group's width (as the straight cuts do): a cut
#: nearer an edge leaves a sliver.
PATH_MARGIN = 0.12


def path_cuts(group: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int], n: int
              ) -> list[np.ndarray]:
    """Up to ``n`` top-to-bottom paths through a group crossing the least ink.

    The paths are found in overlapping bands (each a quarter of the width wide, starting
    every eighth), one cheapest path per band: the cheapest paths of the whole group tend
    to meet where the ink is thinnest, and several cuts through one place are one cut.

    Args:
        group: bool mask of the group in ``ink``'s shape. ink: float ink in [0, 1].
        box: the group's ``(y0, x0, y1, x1)``.
        n: how many paths at most.

    Returns:
        One int array of ``y1 - y0`` absolute columns per path, cheapest first, no two
        splitting the group alike: row ``y0 + i`` is cut at column ``path[i]`` (the pixels
        left of it are the left piece).
    """
    y0, x0, y1, x1 = box
    cost = np.where(group[y0:y1, x0:x1], ink[y0:y1, x0:x1], 0.0).astype(np.float64)
    h, w = cost.shape
    lo, hi = int(PATH_MARGIN * w), int((1 - PATH_MARGIN) * w)
    if hi - lo < 2 or h < 2:
        return []
    step = max(1, w // 8)
    cols = np.arange(w)
    # One row per band: the columns a path in it may take (the others cost infinitely).
    starts = np.arange(lo, max(lo + 1, hi - step), step)
    outside = np.where((cols[None] >= starts[:, None]) & (cols[None] < np.minimum(
        starts[:, None] + 2 * step, hi)), 0.0, np.inf)
    total = np.full((len(starts), w + 2), np.inf)  # one padding column each side
    total[:, 1:-1] = cost[0] + outside
    came = np.zeros((h, len(starts), w), np.int8)  # -1, 0, +1: where a step came from
    for y in range(1, h):
        here = total[:, 1:-1]
        left, right = total[:, :-2] + SIDE_STEP, total[:, 2:] + SIDE_STEP
        best = np.minimum(left, here)
        move = np.where(left < here, -1, 0)
        move = np.where(right < best, 1, move)
        came[y] = move
        total[:, 1:-1] = np.minimum(right, best) + cost[y] + outside
    ends = total[:, 1:-1].argmin(axis=1)
    found = []
    for band in np.argsort(total[np.arange(len(starts)), ends + 1], kind="stable"):
        col = int(ends[band])
        if not np.isfinite(total[band, col + 1]):
            break
        path = np.empty(h, np.int64)
        for y in range(h - 1, -1, -1):
            path[y] = col
            col += int(came[y, band, col])
        # Paths apart only where there is no ink split the group alike: one is kept.
        inked_left = (cols[None] < path[:, None]) & (cost > 0)
        if any(np.array_equal(inked_left, other) for other, _ in found):
            continue
        found.append((inked_left, path + x0))
        if len(found) == n:
            break
    return [path for _, path in found]


def split_along(group: np.ndarray, y0: int, path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(left, right)``: the group's pixels left of a :func:`path_cuts` path, and the rest."""
    cols = np.arange(group.shape[1])
    left_of = np.zeros(group.shape, bool)
    left_of[y0:y0 + len(path)] = cols[None, :] < path[:, None]
    return group & left_of, group & ~left_of
