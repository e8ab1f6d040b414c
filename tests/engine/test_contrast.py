"""WCAG 2.x contrast: the published reference values and the caption fix."""

from __future__ import annotations

import pytest

from digitlab.engine.contrast import (
    AA_NORMAL_TEXT,
    contrast_ratio,
    readable_color,
    relative_luminance,
    to_rgb,
)


def test_relative_luminance_of_reference_colours():
    assert relative_luminance("#000") == 0.0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    # sRGB primaries: the WCAG weights themselves.
    assert relative_luminance((255, 0, 0)) == pytest.approx(0.2126)
    assert relative_luminance((0, 255, 0)) == pytest.approx(0.7152)
    assert relative_luminance((0, 0, 255)) == pytest.approx(0.0722)
    # Mid grey #777 is about 0.184, not 0.467: the sRGB curve is linearised first.
    assert relative_luminance("#777777") == pytest.approx(0.1845, abs=5e-4)
    # Below the 0.04045 threshold the curve is linear: 10/255/12.92.
    assert relative_luminance((10, 10, 10)) == pytest.approx(10 / 255 / 12.92)


@pytest.mark.parametrize("fg, bg, expected", [
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#ffffff", 1.0),
    ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
    ("#777777", "#ffffff", 4.48),  # one step lighter fails
    ("#888888", "#ffffff", 3.54),  # the grey captions used before
    ("#0000ff", "#ffffff", 8.59),
    ("#ff0000", "#ffffff", 4.00),
])
def test_contrast_ratio_matches_published_values(fg, bg, expected):
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(expected, abs=0.01)  # order does not matter


def test_aa_boundary_is_between_767676_and_777777():
    assert contrast_ratio("#767676", "#fff") >= AA_NORMAL_TEXT > contrast_ratio("#777", "#fff")


@pytest.mark.parametrize("preferred, background", [
    ("#888888", "#efefef"),  # grey caption on a light window
    ("#555555", "#353535"),  # the same caption colour on a dark window
    ("#1f77b4", "#202020"),  # matplotlib blue on dark
    ("#ff7f0e", "#ffffff"),  # matplotlib orange on white
])
def test_readable_color_keeps_the_hue_and_reaches_aa(preferred, background):
    fixed = readable_color(preferred, background)
    assert contrast_ratio(fixed, background) >= AA_NORMAL_TEXT
    # The nearest passing shade: one step less would still fail.
    assert fixed != to_rgb(preferred)
    light_bg = relative_luminance(background) > 0.18
    darker = sum(fixed) < sum(to_rgb(preferred))
    assert darker == light_bg


def test_readable_color_leaves_good_colours_alone():
    assert readable_color("#000", "#fff") == (0, 0, 0)
    assert readable_color((240, 240, 240), (30, 30, 30)) == (240, 240, 240)


@pytest.mark.parametrize("bad", ["#12", "#gggggg", "red", (1, 2), (0, 0, 300), None])
def test_bad_colours_are_quoted(bad):
    with pytest.raises(ValueError, match="Received color="):
        to_rgb(bad)


def test_bad_minimum_is_quoted():
    with pytest.raises(ValueError, match="minimum=30"):
        readable_color("#000", "#fff", minimum=30)
