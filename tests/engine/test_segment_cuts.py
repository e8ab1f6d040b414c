"""The array helpers of engine.segment_cuts against their plain definitions."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine import segment_cuts
from digitlab.engine.segment_cuts import (BRIDGE_DEPTH, LINE_SPREAD, _column_moments, _straight,
                                          _valley_cuts, mask_box)


def test_mask_box_matches_nonzero():
    rng = np.random.default_rng(0)
    for _ in range(300):
        shape = tuple(int(v) for v in rng.integers(1, 25, 2))
        mask = rng.random(shape) < rng.uniform(0.01, 0.3)
        if not mask.any():
            mask[tuple(int(rng.integers(s)) for s in shape)] = True
        ys, xs = np.nonzero(mask)
        expected = (ys.min(), xs.min(), ys.max() + 1, xs.max() + 1)
        assert mask_box(mask) == expected
        assert mask_box(np.asfortranarray(mask)) == expected  # any layout, views too
        assert mask_box(mask.astype(np.int32) * 7) == expected  # any nonzero value is ink
    with pytest.raises(ValueError, match="empty"):
        mask_box(np.zeros((3, 4), bool))


def _groups(rng: np.random.Generator):
    """Ink with its group mask: random blobs, and columns around the search window's edges
    made thin or empty (where a shortcut that looked at too few columns would go wrong)."""
    for i in range(400):
        h, w = int(rng.integers(6, 40)), int(rng.integers(8, 160))
        inked = rng.random((h, w)) < rng.uniform(0.2, 0.9)
        ink = (rng.random((h, w)) * inked).astype(np.float32)
        lo, hi, k = int(0.12 * w), int(0.88 * w), max(1, w // 40)
        if i % 2:
            # Inner columns near BRIDGE_DEPTH of a tall peak, the edge of the window empty.
            ink[:, w // 2] = 1.0
            for edge in (lo, hi - 1):
                thin = rng.uniform(0.05, 0.2) * (rng.random() < 0.8)  # or empty
                ink[:, max(edge - k, 0):edge + k + 1] *= thin
            for c in rng.integers(0, w, int(rng.integers(0, 3))):
                ink[:, c] = 0.0
        group = ink > 0
        if group.any():
            yield group, ink, mask_box(group)


def test_valley_cuts_shortcut_matches_the_full_search(monkeypatch):
    """With bridges only, skipping the smoothing never changes the cuts found."""
    rng = np.random.default_rng(7)
    taken = [0, 0]
    real = segment_cuts._clearly_no_bridge
    for group, ink, box in _groups(rng):
        y0, x0, y1, x1 = box
        profile = (ink[y0:y1, x0:x1] * group[y0:y1, x0:x1]).sum(axis=0)
        w = x1 - x0
        shortcut = real(profile, int(0.12 * w), int(0.88 * w), max(1, w // 40))
        taken[shortcut] += 1
        fast = _valley_cuts(group, ink, box, bridges_only=True)
        monkeypatch.setattr(segment_cuts, "_clearly_no_bridge", lambda *args: False)
        plain = _valley_cuts(group, ink, box, bridges_only=True)
        monkeypatch.setattr(segment_cuts, "_clearly_no_bridge", real)
        assert fast == plain
        if shortcut:
            assert plain == []
    assert min(taken) > 50, taken  # both ways were tried


def test_valley_cuts_shortcut_at_the_threshold():
    """A smoothed valley just under BRIDGE_DEPTH of the peak is a bridge; the shortcut sees it."""
    profile = np.full(100, 0.1, np.float32)
    profile[50] = 1.0
    lo, hi, k = 12, 88, 2
    assert segment_cuts._clearly_no_bridge(profile, lo, hi, k)
    profile[lo - 1] = np.float32(BRIDGE_DEPTH * 0.5)  # outside [lo, hi), inside the average
    assert not segment_cuts._clearly_no_bridge(profile, lo, hi, k)
    # A group of inkless pixels: all its columns are empty, the best cuts there are.
    assert not segment_cuts._clearly_no_bridge(np.zeros(100, np.float32), lo, hi, k)


def _spread(mask: np.ndarray) -> float:
    """The plain definition: smaller over larger eigenvalue of the ink coordinates' covariance."""
    ys, xs = np.nonzero(mask)
    low, high = np.linalg.eigvalsh(np.cov(np.stack([ys, xs]).astype(np.float64)))
    return low / high


def test_column_moments_give_each_sides_covariance():
    rng = np.random.default_rng(5)
    for _ in range(300):
        h, w = int(rng.integers(4, 48)), int(rng.integers(4, 120))
        mask = rng.random((h, w)) < rng.uniform(0.02, 0.5)
        moments = _column_moments(mask)
        c = int(rng.integers(1, w))
        for offset, side, m in ((0, mask[:, :c], moments[:, c - 1]),
                                (c, mask[:, c:], moments[:, -1] - moments[:, c - 1])):
            ys, xs = np.nonzero(side)
            xs = xs + offset
            expected = [len(ys), ys.sum(), xs.sum(),
                        (ys * ys).sum(), (xs * xs).sum(), (xs * ys).sum()]
            np.testing.assert_array_equal(m, expected)
            if (len(ys) >= 3 and np.ptp(ys) and np.ptp(xs)
                    and abs(_spread(side) - LINE_SPREAD) > 1e-6):
                assert _straight(m) == (_spread(side) <= LINE_SPREAD)


def _line(h: int, w: int, points: list[tuple[float, float]], width: float) -> np.ndarray:
    """A pen line through ``points`` ((y, x) pairs) on an (h, w) grid."""
    yy, xx = np.mgrid[:h, :w]
    mask = np.zeros((h, w), bool)
    for (ya, xa), (yb, xb) in zip(points, points[1:], strict=False):
        t = np.clip(((yy - ya) * (yb - ya) + (xx - xa) * (xb - xa))
                    / ((yb - ya) ** 2 + (xb - xa) ** 2), 0, 1)
        mask |= np.hypot(yy - ya - t * (yb - ya), xx - xa - t * (xb - xa)) <= width / 2
    return mask


@pytest.mark.parametrize("slant", [-20, -10, 0, 10, 20])
def test_a_pen_line_is_straight_and_a_bent_stroke_or_a_loop_is_not(slant):
    straight = _line(48, 48, [(2, 24 - slant / 2), (45, 24 + slant / 2)], 5)
    assert _straight(_column_moments(straight)[:, -1])
    broad = _line(48, 48, [(2, 24 - slant / 2), (45, 24 + slant / 2)], 12)  # a broad pen's 1
    assert _straight(_column_moments(broad)[:, -1])
    bent = _line(48, 48, [(2, 10), (24, 30), (45, 10)], 5)  # a "<" mirrored: a 7's turn
    assert not _straight(_column_moments(bent)[:, -1])
    ring = _line(48, 48, [(4, 24), (24, 34), (44, 24), (24, 14), (4, 24)], 5)  # a narrow 0
    # A narrow 8 (two loops 10-12 px wide, 46 tall; variance ratio 0.12) is a digit beside
    # a 1 it touches, not a stroke; at a limit of 0.15 it was taken for one.
    loops = [(cy + ry * np.sin(a), 24 + rx * np.cos(a))
             for cy, ry, rx in ((12, 10, 5), (34, 12, 6)) for a in np.linspace(0, 2 * np.pi, 17)]
    assert not _straight(_column_moments(_line(48, 48, loops, 4))[:, -1])
    assert not _straight(_column_moments(ring)[:, -1])
    assert not _straight(_column_moments(np.eye(2, dtype=bool))[:, -1])  # too little ink
