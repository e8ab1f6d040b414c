"""engine.mosaics: the colour scales, colour maps and mosaics the map grids show."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.mosaics import (
    ACTIVATION_GAP_RGB,
    DIVERGING_LUT,
    activation_mosaic,
    diverging_rgb,
    overlay_rgb,
    tile_mosaic,
)


def test_diverging_colours_blue_white_red():
    rgb = diverging_rgb(np.array([-2.0, 0.0, 2.0, 1.0]), scale=2.0)
    np.testing.assert_array_equal(rgb[0], DIVERGING_LUT[0])
    assert rgb[0, 2] > rgb[0, 0], "negative is blue"
    assert rgb[2, 0] > rgb[2, 2], "positive is red"
    assert rgb[1].min() > 230, "zero is (near) white"
    assert rgb[3, 0] > rgb[3, 2] and rgb[3].sum() > rgb[2].sum(), "half as strong: lighter red"


def test_one_outlier_weight_does_not_wash_a_tile_out():
    tile = np.full((1, 28, 28), 0.5, np.float32)
    tile[0, 0, 0] = 50.0  # e.g. a weight that grew on a never-inked corner pixel
    rgb, _ = tile_mosaic(tile)
    np.testing.assert_array_equal(rgb[5, 5], DIVERGING_LUT[255])


def test_mosaic_places_tile_i_at_row_i_div_cols():
    maps = np.zeros((5, 2, 3), np.float32)
    maps[4, 1, 2] = -1.0  # tile 4 of 3 columns: row 1, column 1
    maps[4, 0, 0] = 1.0
    rgb, step = tile_mosaic(maps, columns=3)
    assert step == 1 and rgb.shape == (2 * 3 - 1, 3 * 4 - 1, 3)
    y, x = 1 * 3, 1 * 4
    np.testing.assert_array_equal(rgb[y + 1, x + 2], DIVERGING_LUT[0])
    np.testing.assert_array_equal(rgb[y, x], DIVERGING_LUT[255])
    with pytest.raises(ValueError, match=r"Received maps of shape \(2, 2\)"):
        tile_mosaic(np.zeros((2, 2)))


def test_overlay_is_red_for_evidence_blue_against_grey_elsewhere():
    image = np.zeros((28, 28), np.float32)
    image[10, 10] = 1.0
    attribution = np.zeros((28, 28), np.float32)
    attribution[5, 5], attribution[6, 6] = 2.0, -2.0
    rgb = overlay_rgb(image, attribution)
    assert rgb.shape == (28, 28, 3) and rgb.dtype == np.uint8
    red, blue = rgb[5, 5].astype(int), rgb[6, 6].astype(int)
    assert red[0] > 200 and red[2] < 80, "positive evidence is red"
    assert blue[2] > 200 and blue[0] < 80, "negative evidence is blue"
    ink, background = rgb[10, 10], rgb[0, 0]
    assert ink[0] == ink[1] == ink[2] and background[0] == background[1] == background[2]
    assert ink[0] > background[0] + 100, "the input shows through as grey ink on black"


def test_activation_mosaic_scales_each_map_to_its_own_peak():
    lut = np.stack([np.arange(256)] * 3, axis=1).astype(np.uint8)  # grey ramp: index visible
    maps = np.zeros((2, 3, 3), np.float32)  # (H, W, C): 3 maps of 2x3
    maps[0, 0, 0], maps[1, 2, 0] = 1.0, 0.5  # map 0 peaks at 1.0
    maps[1, 1, 1] = 0.01  # map 1 is weak but still reaches full colour
    maps[0, 0, 2] = -3.0  # ReLU outputs are >= 0: negatives draw as 0
    rgb = activation_mosaic(maps, lut, columns=2)
    assert rgb.shape == (2 * 3 - 1, 2 * 4 - 1, 3)  # 3 maps in 2 columns, 1-px gaps
    assert rgb[0, 0, 0] == 255 and rgb[1, 2, 0] == 128
    assert rgb[1, 4 + 1, 0] == 255, "map 1's own peak is full colour"
    assert rgb[3, 0, 0] == 0, "map 2 (all <= 0) stays at the bottom of the map"
    np.testing.assert_array_equal(rgb[0, 3], ACTIVATION_GAP_RGB)
    with pytest.raises(ValueError, match=r"Received feature maps of shape \(2, 2\)"):
        activation_mosaic(np.zeros((2, 2)), lut)
