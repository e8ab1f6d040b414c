"""Connected pieces of ink and block sums (engine.components), against plain references."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from digitlab.engine.components import (block_sums, components_with_boxes, label_components,
                                        runs)


def reference_labels(mask: np.ndarray) -> int:
    """Number of 8-connected components by breadth-first flood fill (slow, obviously right)."""
    seen = np.zeros_like(mask, bool)
    n = 0
    h, w = mask.shape
    for y, x in zip(*np.nonzero(mask), strict=True):
        if seen[y, x]:
            continue
        n += 1
        queue = deque([(y, x)])
        seen[y, x] = True
        while queue:
            cy, cx = queue.popleft()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = cy + dy, cx + dx
                    if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
    return n


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("density", [0.2, 0.45])
def test_components_match_a_flood_fill(seed, density):
    mask = np.random.default_rng(seed).random((23, 31)) < density
    labels, n = label_components(mask)
    assert n == reference_labels(mask)
    assert set(np.unique(labels[mask])) == set(range(1, n + 1))
    assert (labels[~mask] == 0).all()
    # Every component is connected and different components never touch (8-connected).
    for i in range(1, n + 1):
        assert reference_labels(labels == i) == 1


@pytest.mark.parametrize("seed", range(4))
def test_component_numbers_and_boxes(seed):
    """Components are numbered in raster order of their first pixel; boxes frame them."""
    rng = np.random.default_rng(seed)
    for _ in range(40):
        shape = tuple(int(v) for v in rng.integers(1, 30, 2))
        mask = rng.random(shape) < rng.uniform(0.05, 0.7)
        labels, n, boxes = components_with_boxes(mask)
        assert labels.dtype == np.int32 and boxes.shape == (n + 1, 4)
        assert n == reference_labels(mask)
        firsts = []
        for i in range(1, n + 1):
            ys, xs = np.nonzero(labels == i)
            firsts.append(ys[0] * shape[1] + xs[0])
            assert tuple(boxes[i]) == (ys.min(), xs.min(), ys.max() + 1, xs.max() + 1)
        assert firsts == sorted(firsts)


@pytest.mark.parametrize("shape,f", [((7, 11), 3), ((9, 9), 3), ((5, 13), 4), ((4, 4), 1)])
def test_block_sums_match_a_padded_reshape_sum(shape, f):
    ink = np.random.default_rng(0).random(shape).astype(np.float32)
    gh, gw = -(-shape[0] // f), -(-shape[1] // f)
    pad = np.zeros((gh * f, gw * f), np.float32)
    pad[:shape[0], :shape[1]] = ink  # ragged last blocks sum only the pixels they hold
    expected = pad.reshape(gh, f, gw, f).sum(axis=(1, 3))
    np.testing.assert_allclose(block_sums(ink, f), expected, rtol=1e-6)


def test_diagonal_neighbours_are_one_component():
    mask = np.eye(5, dtype=bool)
    assert label_components(mask)[1] == 1
    assert label_components(np.eye(5, dtype=bool)[::-1])[1] == 1


def plain_block_sums(ink: np.ndarray, f: int) -> np.ndarray:
    """Block sums from zero, one slice after another (the definition block_sums keeps)."""
    h, w = ink.shape
    rows = np.zeros((-(-h // f), w), np.float32)
    for i in range(f):
        rows[:len(ink[i::f])] += ink[i::f]
    out = np.zeros((rows.shape[0], -(-w // f)), np.float32)
    for j in range(f):
        out[:, :rows[:, j::f].shape[1]] += rows[:, j::f]
    return out


def test_block_sums_bit_for_bit():
    """Same bits as summing from zero, -0.0 included (dark-ink crops are full of it)."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        shape = tuple(int(v) for v in rng.integers(1, 30, 2))
        f = int(rng.integers(1, 5))
        ink = (rng.random(shape) * (rng.random(shape) < 0.5)).astype(np.float32)
        ink[rng.random(shape) < 0.4] = -0.0
        assert block_sums(ink, f).tobytes() == plain_block_sums(ink, f).tobytes()
        scaled = block_sums(ink, f, 1.0 / (f * f))
        assert scaled.tobytes() == (plain_block_sums(ink, f) * np.float32(1.0 / (f * f))).tobytes()


def test_runs_of_true_left_to_right():
    assert runs(np.array([False, True, True, False, True])) == [(1, 3), (4, 5)]
    assert runs(np.array([True, True])) == [(0, 2)]
    assert runs(np.zeros(4, bool)) == []
