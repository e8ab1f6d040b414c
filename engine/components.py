"""Connected pieces of ink and block sums: the array work under :mod:`engine.segment`
(and the runs of a row of flags, for :mod:`engine.segment_cuts` and :mod:`engine.rule_lines`)."""

from __future__ import annotations

import numpy as np


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of True in a 1-D bool array, left to right."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.view(np.int8), [0]))))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a binary image, by runs and union-find.

    See :func:`components_with_boxes`, which also gives each component's box.

    Returns:
        ``(labels, n)``: int32 ``(H, W)`` with 0 for background and 1..n for components.
    """
    labels, n, _ = components_with_boxes(mask)
    return labels, n


def components_with_boxes(mask: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """8-connected components of a binary image and their boxes, by runs and union-find.

    Each row's runs of ink are found at once; two runs on neighbouring rows touch
    when their column ranges overlap or meet diagonally.

    Args:
        mask: bool ``(H, W)``.

    Returns:
        ``(labels, n, boxes)``: int32 ``(H, W)`` labels with 0 for background and 1..n for
        components (numbered in order of their first run, top to bottom), and int64
        ``(n + 1, 4)`` boxes ``(y0, x0, y1, x1)`` (exclusive ends; row 0 unused).
    """
    h, w = mask.shape
    # Row-major with a blank before each row and one at the end: every run's start and
    # (exclusive) end is a change between neighbours of one flat bool array (a bool
    # nonzero is several times cheaper than an int8 one).
    flat = np.zeros(h * (w + 1) + 1, bool)
    flat[:-1].reshape(h, w + 1)[:, 1:] = mask
    edges = (flat[1:] != flat[:-1]).nonzero()[0]
    if len(edges) == 0:
        return np.zeros((h, w), np.int32), 0, np.zeros((1, 4), np.int64)
    starts, ends = edges[0::2], edges[1::2]
    run_y = starts // (w + 1)
    run_s, run_e = starts - run_y * (w + 1), ends - run_y * (w + 1)
    n_runs = len(run_y)
    # The runs of row y + 1 touching run a (8-connected: s_b <= e_a and e_b >= s_a) are one
    # index range [lo, hi), as the runs' flat starts and ends both increase: two binary
    # searches. Run a is joined to the first of them, and each of them to the next one.
    below = ends + (w + 1 - run_e)  # where row y + 1 starts, in the flat array
    lo = ends.searchsorted(below + run_s)
    hi = starts.searchsorted(below + run_e, side="right")
    touching = hi > lo
    a_idx, first, span = touching.nonzero()[0], lo[touching], (hi - lo)[touching]
    wide = span > 1
    chain = np.zeros(n_runs + 1, np.int64)  # +1 where a range starts, -1 at its last run
    np.add.at(chain, first[wide], 1)
    np.add.at(chain, (first + span - 1)[wide], -1)
    linked = np.add.accumulate(chain[:-1]).nonzero()[0]  # runs joined to the next run
    a_idx, b_idx = np.concatenate((a_idx, linked)), np.concatenate((first, linked + 1))
    # Union-find, vectorised: hook every touching pair's roots onto the smaller root,
    # then jump pointers until every run points at its root; repeat until pairs agree.
    # (count_nonzero and a bytes compare: ``.any()``/``.all()`` cost ~4 us more each.)
    parent = np.arange(n_runs)
    while len(a_idx):
        ra, rb = parent[a_idx], parent[b_idx]
        differ = ra != rb
        if not np.count_nonzero(differ):
            break
        ra, rb = ra[differ], rb[differ]
        low = np.minimum(ra, rb)
        np.minimum.at(parent, ra, low)
        np.minimum.at(parent, rb, low)
        while True:
            jumped = parent[parent]
            jumped = jumped[jumped]  # two jumps per check: jumping at the root changes nothing
            if jumped.tobytes() == parent.tobytes():
                break
            parent = jumped
    # Roots are each component's first run: number them in that order (top to bottom).
    is_root = parent == np.arange(n_runs)
    run_label = np.add.accumulate(is_root, dtype=np.int32)[parent]
    n = int(np.count_nonzero(is_root))
    # Paint: the runs and the gaps between them, as one repeat over the flat image.
    values = np.zeros(2 * n_runs + 1, np.int32)
    values[1::2] = run_label
    bounds = np.empty(2 * n_runs + 2, np.int64)
    bounds[0], bounds[-1] = 0, h * w
    bounds[1:-1:2] = run_y * w + run_s
    bounds[2:-1:2] = run_y * w + run_e
    labels = np.repeat(values, bounds[1:] - bounds[:-1]).reshape(h, w)
    # Boxes from the runs (a few hundred), not from the image; a component's first row is
    # its root's.
    boxes = np.zeros((n + 1, 4), np.int64)
    boxes[0, :2] = h + w
    boxes[1:, 0] = run_y[is_root]
    boxes[1:, 1] = h + w
    np.minimum.at(boxes[:, 1], run_label, run_s)
    np.maximum.at(boxes[:, 2], run_label, run_y + 1)
    np.maximum.at(boxes[:, 3], run_label, run_e)
    return labels, n, boxes


def block_sums(ink: np.ndarray, f: int, scale: float | None = None) -> np.ndarray:
    """Sums of ``f`` x ``f`` blocks (the last ones ragged): float32 ``(ceil(h/f), ceil(w/f))``.

    Adds ``f`` strided row slices, then ``f`` strided column slices: no padded copy, and
    several times faster than a reshape-sum or ``np.add.reduceat``. Each sum is
    ``0 + s0 + s1 + ...`` in that order, bit for bit (a leading ``+0.0`` only turns a
    ``-0.0`` into ``+0.0``, so it is added once, at the end).

    Args:
        scale: multiply the sums by this (in place), e.g. ``1 / f**2`` for block means.
    """
    rows = ink[0::f].astype(np.float32)  # the first row of each block (a copy)
    for i in range(1, f):
        part = ink[i::f]
        rows[:len(part)] += part
    out = rows[:, 0::f].copy()
    for j in range(1, f):
        part = rows[:, j::f]
        out[:, :part.shape[1]] += part
    out += np.float32(0.0)
    if scale is not None:
        out *= np.float32(scale)
    return out
