"""Connected pieces of ink and block sums: the array work under :mod:`engine.segment`."""

from __future__ import annotations

import numpy as np


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
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    # Row-major, every run's start (+1) is followed by its (exclusive) end (-1).
    edges = np.flatnonzero(d)
    if len(edges) == 0:
        return np.zeros((h, w), np.int32), 0, np.zeros((1, 4), np.int64)
    run_y, run_s = np.divmod(edges[0::2], w + 1)
    run_e = edges[1::2] - run_y * (w + 1)
    # Pairs of runs on consecutive rows that touch (8-connected). Runs are sorted by row,
    # so run i's candidates are the (few) runs of row y_i + 1: an (R, K) band, not R x R.
    row_start = np.searchsorted(run_y, np.arange(h + 2))
    count = np.diff(row_start)
    k = int(count.max())
    first = row_start[np.minimum(run_y + 1, h)]
    cand = first[:, None] + np.arange(k)[None, :]
    valid = np.arange(k)[None, :] < count[np.minimum(run_y + 1, h)][:, None]
    valid &= run_y[:, None] + 1 < h
    cand = np.where(valid, cand, 0)
    touch = valid & (run_s[:, None] <= run_e[cand]) & (run_e[:, None] >= run_s[cand])
    a_idx, j_idx = np.nonzero(touch)
    b_idx = cand[a_idx, j_idx]
    # Union-find, vectorised: hook every touching pair's roots onto the smaller root,
    # then jump pointers until every run points at its root; repeat until pairs agree.
    parent = np.arange(len(run_y))
    while len(a_idx):
        ra, rb = parent[a_idx], parent[b_idx]
        differ = ra != rb
        if not differ.any():
            break
        ra, rb = ra[differ], rb[differ]
        low = np.minimum(ra, rb)
        np.minimum.at(parent, ra, low)
        np.minimum.at(parent, rb, low)
        while True:
            jumped = parent[parent]
            if (jumped == parent).all():
                break
            parent = jumped
    # Roots are each component's first run: number them in that order (top to bottom).
    is_root = parent == np.arange(len(parent))
    run_label = np.cumsum(is_root, dtype=np.int32)[parent]
    # Paint the runs: +label at each start, -label at each end, then a running sum.
    marks = np.zeros((h, w + 1), np.int32)
    marks[run_y, run_s] = run_label
    marks[run_y, run_e] -= run_label
    labels = np.cumsum(marks, axis=1)[:, :w].astype(np.int32)
    n = int(run_label.max())
    # Boxes from the runs (a few hundred), not from the image.
    boxes = np.zeros((n + 1, 4), np.int64)
    boxes[:, :2] = h + w
    np.minimum.at(boxes[:, 0], run_label, run_y)
    np.minimum.at(boxes[:, 1], run_label, run_s)
    np.maximum.at(boxes[:, 2], run_label, run_y + 1)
    np.maximum.at(boxes[:, 3], run_label, run_e)
    return labels, n, boxes


def block_sums(ink: np.ndarray, f: int) -> np.ndarray:
    """Sums of ``f`` x ``f`` blocks (the last ones ragged): float32 ``(ceil(h/f), ceil(w/f))``.

    Adds ``f`` strided row slices, then ``f`` strided column slices: no padded copy, and
    several times faster than a reshape-sum or ``np.add.reduceat``.
    """
    h, w = ink.shape
    rows = np.zeros((-(-h // f), w), np.float32)
    for i in range(f):
        part = ink[i::f]
        rows[:len(part)] += part
    out = np.zeros((rows.shape[0], -(-w // f)), np.float32)
    for j in range(f):
        part = rows[:, j::f]
        out[:, :part.shape[1]] += part
    return out
