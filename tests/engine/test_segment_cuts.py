"""The array helpers of engine.segment_cuts against their plain definitions."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine import segment_cuts
from digitlab.engine.segment_cuts import BRIDGE_DEPTH, _valley_cuts, mask_box


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
