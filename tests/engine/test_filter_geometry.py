"""engine.filter_geometry: one padding rule for the filter's shapes and the hover's windows."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.filter_geometry import FilterGeometry, Window, output_size, pad_before
from digitlab.engine.filters import FilterSettings, apply_filter


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize(("size", "kernel", "stride"), [
    (9, 3, 1), (9, 3, 2), (10, 4, 3), (7, 5, 2), (5, 5, 1), (6, 1, 4),
])
@pytest.mark.parametrize(("pool", "pool_stride", "pool_padding"), [
    (1, None, "VALID"), (2, None, "VALID"), (3, 2, "SAME"), (2, 3, "SAME"),
])
def test_the_geometry_predicts_the_shapes_tensorflow_gives(size, kernel, stride, padding, pool,
                                                            pool_stride, pool_padding):
    settings = FilterSettings(stride=stride, padding=padding, pool=pool,
                              pool_stride=pool_stride, pool_padding=pool_padding)
    image = np.random.default_rng(0).random((size, size + 1), dtype=np.float32)
    kernels = [np.ones((kernel, kernel), np.float32)]
    geometry = FilterGeometry.from_settings(image.shape, kernels[0].shape, settings)
    conv_h, conv_w = geometry.conv_hw
    if min(conv_h, conv_w) < pool and pool_padding == "VALID":
        pytest.skip("the pool does not fit: apply_filter refuses it")
    result = apply_filter(image, kernels, settings)
    assert result.conv.shape[:2] == geometry.conv_hw
    pool_hw = tuple(output_size(n, pool, settings.effective_pool_stride, pool_padding)
                    for n in geometry.conv_hw)
    assert result.pooled.shape[:2] == pool_hw


@pytest.mark.parametrize(("size", "stride", "expected"), [(9, 1, 1), (9, 2, 1), (10, 3, 1),
                                                          (10, 4, 0), (4, 1, 1)])
def test_same_padding_puts_the_smaller_half_before(size, stride, expected):
    # 3-wide window: total = (ceil(n/s) - 1) * s + 3 - n, and TensorFlow pads total // 2 first.
    assert pad_before(size, 3, stride, "SAME") == expected
    assert pad_before(size, 3, stride, "VALID") == 0


def test_the_hovered_window_is_the_one_that_produced_the_value():
    rng = np.random.default_rng(1)
    image = rng.random((11, 13), dtype=np.float32)
    kernel = rng.random((3, 3), dtype=np.float32)
    settings = FilterSettings(stride=2, padding="SAME", pool=1)
    result = apply_filter(image, [kernel], settings)
    geometry = FilterGeometry.from_settings(image.shape, kernel.shape, settings)
    padded = np.pad(image, 3)  # room for any window reaching into the SAME padding
    for y, x in [(0, 0), (2, 3), (5, 6)]:
        w = geometry.conv_window(y, x)
        assert (w.height, w.width) == (3, 3)
        patch = padded[w.y0 + 3:w.y1 + 3, w.x0 + 3:w.x1 + 3]
        assert result.conv[y, x, 0] == pytest.approx(float(np.sum(patch * kernel)), rel=1e-5)
    # 11 rows, stride 2: 6 outputs, 2 padded rows, 1 of them before: the first window starts at -1.
    assert geometry.conv_window(0, 0) == Window(-1, -1, 2, 2)
