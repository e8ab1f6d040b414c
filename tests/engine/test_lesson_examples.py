"""The lesson's own examples, exactly: its three filters and its grey image."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.engine.codegen import filter_code
from digitlab.engine.filters import FilterSettings, apply_filter
from digitlab.engine.images import CHANNELS, extract_channel, load_photo
from digitlab.engine.kernels import (
    KERNEL_PRESETS,
    KERNEL_SETS,
    FilterError,
    resolve_kernel,
    resolve_kernels,
)
from digitlab.resources import path as resource_path

ROCKET = str(resource_path("photos", "rocket.jpg"))

#: Row by row, as the lesson writes them.
LESSON_FILTERS = {
    "lesson filter 1": [[1, 1, 0], [0, 0, 1], [1, 0, 0]],
    "lesson filter 2": [[0, 0, 1], [1, 1, 0], [1, 1, 1]],
    "lesson filter 3": [[0, 0, 1], [0, 0, 0], [0, 1, 0]],
}


@pytest.mark.parametrize("name, rows", LESSON_FILTERS.items())
def test_lesson_filter_presets_are_the_lessons(name, rows):
    np.testing.assert_array_equal(KERNEL_PRESETS[name], np.array(rows, np.float32))
    np.testing.assert_array_equal(resolve_kernel(name.upper()), rows)


def test_the_three_lesson_filters_in_one_go_give_three_feature_maps():
    kernels = resolve_kernels("Lesson  Filters 1-3")
    assert [k.tolist() for k in kernels] == list(LESSON_FILTERS.values())
    kernels[0][0, 0] = 9  # a fresh copy: the shared preset stays as the lesson wrote it
    assert KERNEL_PRESETS["lesson filter 1"][0, 0] == 1
    red = extract_channel(load_photo(ROCKET).rgb, "red")
    result = apply_filter(red, resolve_kernels("lesson filters 1-3"))
    assert result.kernel_shape == (3, 3, 1, 3)
    assert result.conv_shape == (1, 425, 638, 3)
    assert result.pool_shape == (1, 141, 212, 3)
    # Each map is its own filter's map, in order.
    for c, rows in enumerate(LESSON_FILTERS.values()):
        single = apply_filter(red, np.array(rows, np.float32))
        np.testing.assert_array_equal(result.conv[:, :, c], single.conv[:, :, 0])


def test_resolve_kernels_passes_single_kernels_through_and_refuses_a_set_as_one():
    assert len(resolve_kernels("sobel x")) == 1
    np.testing.assert_array_equal(resolve_kernels("1,2;3,4")[0], [[1, 2], [3, 4]])
    assert set(KERNEL_SETS) == {"lesson filters 1-3"}
    with pytest.raises(FilterError, match="'lesson filters 1-3'; it is a set of 3"):
        resolve_kernel("lesson filters 1-3")
    with pytest.raises(FilterError, match="'wobble'"):
        resolve_kernels("wobble")


def test_mean_channel_is_the_lessons_grey_image():
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 100, 52
    assert CHANNELS == ("red", "green", "blue", "mean", "gray")
    grey = extract_channel(rgb, "mean")
    assert grey.dtype == np.float32 and grey.shape == (4, 6)
    np.testing.assert_allclose(grey, (200 + 100 + 52) / 3, rtol=1e-6)  # 117.33, not luma's 125
    assert not np.allclose(grey, extract_channel(rgb, "gray"))
    # No uint8 overflow: 255 * 3 stays 255 after the division.
    assert (extract_channel(np.full((2, 2, 3), 255, np.uint8), "mean") == 255).all()


def test_copy_as_code_reproduces_the_mean_channel_and_the_three_filters(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (21, 30, 3), dtype=np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(rgb).save(path)
    kernels = resolve_kernels("lesson filters 1-3")
    code = filter_code(kernels, FilterSettings(pool=2), "mean", str(path))
    namespace: dict = {"__name__": "__snippet__"}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - our own generated code
    expected = apply_filter(extract_channel(rgb, "mean"), kernels, FilterSettings(pool=2))
    assert tuple(namespace["conv"].shape) == expected.conv_shape
    np.testing.assert_allclose(namespace["conv"].numpy()[0], expected.conv, rtol=1e-5, atol=1e-3)


def test_cli_takes_the_lesson_set_and_the_mean_channel(capsys):
    code = main(["filter", ROCKET, "--kernel", "lesson filters 1-3", "--channel", "mean",
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["kernel_shape"] == [3, 3, 1, 3]
    assert report["conv_shape"] == [1, 425, 638, 3]
    assert report["channel"] == "mean"
    assert main(["filter", "--list-kernels"]) == 0
    listing = capsys.readouterr().out
    assert "lesson filter 1          3x3  1,1,0;0,0,1;1,0,0" in listing
    assert "lesson filters 1-3" in listing
