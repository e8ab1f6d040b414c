"""engine.filters: conv2d + max_pool checked against plain numpy, kernels, validation, figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab.engine.filter_figure import render_figure
from digitlab.engine.filters import (
    KERNEL_PRESETS,
    FilterError,
    FilterResult,
    FilterSettings,
    apply_filter,
    parse_kernel,
    resolve_kernel,
)
from digitlab.engine.images import extract_channel, load_photo
from digitlab.resources import path as resource_path


def _same_pads(size: int, window: int, stride: int) -> tuple[int, int, int]:
    """TensorFlow's SAME split: (out, before, after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + window - size, 0)
    return out, total // 2, total - total // 2


def np_conv2d(image: np.ndarray, kernels: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Cross-correlation as tf.nn.conv2d defines it. image (H, W), kernels (kh, kw, C)."""
    kh, kw, channels = kernels.shape
    x = image.astype(np.float64)
    if padding == "SAME":
        _, top, bottom = _same_pads(x.shape[0], kh, stride)
        _, left, right = _same_pads(x.shape[1], kw, stride)
        x = np.pad(x, ((top, bottom), (left, right)))
    out_h = (x.shape[0] - kh) // stride + 1
    out_w = (x.shape[1] - kw) // stride + 1
    out = np.zeros((out_h, out_w, channels))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.tensordot(patch, kernels, axes=([0, 1], [0, 1]))
    return out


def np_max_pool(maps: np.ndarray, window: int, stride: int, padding: str) -> np.ndarray:
    """tf.nn.max_pool on (H, W, C); SAME pads with -inf, so padding never wins."""
    x = maps.astype(np.float64)
    if padding == "SAME":
        _, top, bottom = _same_pads(x.shape[0], window, stride)
        _, left, right = _same_pads(x.shape[1], window, stride)
        x = np.pad(x, ((top, bottom), (left, right), (0, 0)), constant_values=-np.inf)
    out_h = (x.shape[0] - window) // stride + 1
    out_w = (x.shape[1] - window) // stride + 1
    out = np.empty((out_h, out_w, x.shape[2]))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = x[i * stride:i * stride + window, j * stride:j * stride + window].max(
                axis=(0, 1))
    return out


@pytest.fixture(scope="module")
def image():
    # Odd sizes and signed values so off-by-one padding or a flipped kernel shows up.
    return np.random.default_rng(0).uniform(-50, 255, size=(23, 30)).astype(np.float32)


def _kernels(shape, count=1, seed=1):
    return np.random.default_rng(seed).normal(size=(*shape, count)).astype(np.float32)


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("kshape", [(1, 1), (3, 3), (5, 5), (2, 4)])
def test_conv_matches_numpy_reference(image, stride, padding, kshape):
    k = _kernels(kshape)
    result = apply_filter(image, k[:, :, 0], FilterSettings(stride=stride, padding=padding, pool=1))
    expected = np_conv2d(image, k, stride, padding)
    assert result.conv.shape == expected.shape
    assert result.conv_shape == (1, *expected.shape)
    np.testing.assert_allclose(result.conv, expected, rtol=1e-4, atol=1e-2)
    # pool=1 leaves the feature map as it is.
    np.testing.assert_array_equal(result.pooled, result.conv)


@pytest.mark.parametrize("pool", [1, 2, 3, 4])
@pytest.mark.parametrize("pool_stride", [None, 1, 2, 3])
@pytest.mark.parametrize("pool_padding", ["VALID", "SAME"])
def test_pool_matches_numpy_reference(image, pool, pool_stride, pool_padding):
    k = _kernels((3, 3), count=2)
    settings = FilterSettings(pool=pool, pool_stride=pool_stride, pool_padding=pool_padding)
    result = apply_filter(image, [k[:, :, 0], k[:, :, 1]], settings)
    expected = np_max_pool(result.conv, pool, pool_stride or pool, pool_padding)
    assert result.pool_shape == (1, *expected.shape)
    np.testing.assert_allclose(result.pooled, expected, rtol=1e-6)


def test_several_kernels_give_one_channel_each(image):
    k = _kernels((3, 3), count=3)
    stack = np.transpose(k, (2, 0, 1))  # (C, kh, kw), as np.stack makes it
    settings = FilterSettings(stride=2, padding="SAME", pool=2, pool_padding="SAME")
    as_list = apply_filter(image, list(stack), settings)
    as_stack = apply_filter(image, stack, settings)
    as_tf_layout = apply_filter(image, k[:, :, None, :], settings)
    assert as_list.kernel_shape == (3, 3, 1, 3)
    assert as_list.conv_shape == (1, 12, 15, 3)
    np.testing.assert_allclose(as_list.conv, np_conv2d(image, k, 2, "SAME"), rtol=1e-4, atol=1e-2)
    np.testing.assert_array_equal(as_stack.conv, as_list.conv)
    np.testing.assert_array_equal(as_tf_layout.pooled, as_list.pooled)
    np.testing.assert_array_equal(as_list.kernels, k)


def test_lesson_shapes_on_rocket():
    photo = load_photo(resource_path("photos", "rocket.jpg"))
    red = extract_channel(photo.rgb, "red")
    result = apply_filter(red, KERNEL_PRESETS["vertical edge (lesson)"])
    assert result.input_shape == (1, 427, 640, 1)
    assert result.kernel_shape == (3, 3, 1, 1)
    assert result.conv_shape == (1, 425, 638, 1)
    assert result.pool_shape == (1, 141, 212, 1)
    assert result.conv.dtype == np.float32 and result.pooled.dtype == np.float32
    # A vertical-edge kernel on a photo responds both ways: bright-to-dark and dark-to-bright.
    assert result.conv.min() < -100 and result.conv.max() > 100


def test_vertical_edge_kernel_finds_a_vertical_edge():
    step = np.zeros((8, 8), np.float32)
    step[:, 4:] = 255  # dark left half, bright right half
    result = apply_filter(step, KERNEL_PRESETS["vertical edge (lesson)"], FilterSettings(pool=1))
    response = result.conv[:, :, 0]
    assert np.all(response[:, 2:4] == 3 * 255)  # windows straddling the edge
    assert np.all(response[:, :2] == 0) and np.all(response[:, 4:] == 0)


def test_presets_are_in_display_order_and_sane():
    names = list(KERNEL_PRESETS)
    assert names[:4] == ["vertical edge (lesson)", "lesson filter 1", "lesson filter 2",
                         "lesson filter 3"]
    for name in ("sobel x", "sobel y", "laplacian", "box blur", "gaussian blur", "sharpen",
                 "emboss", "identity"):
        assert name in KERNEL_PRESETS
    np.testing.assert_array_equal(KERNEL_PRESETS["vertical edge (lesson)"],
                                  [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])
    for name in ("box blur", "gaussian blur"):
        assert KERNEL_PRESETS[name].sum() == pytest.approx(1.0)  # blurs keep brightness
    for name, kernel in KERNEL_PRESETS.items():
        assert kernel.dtype == np.float32 and kernel.ndim == 2, name
    ramp = np.arange(49, dtype=np.float32).reshape(7, 7)
    identity = apply_filter(ramp, KERNEL_PRESETS["identity"], FilterSettings(pool=1))
    np.testing.assert_array_equal(identity.conv[:, :, 0], ramp[1:-1, 1:-1])


def test_presets_cannot_be_modified_through_resolve_kernel():
    kernel = resolve_kernel("Sobel X")
    kernel[0, 0] = 100
    assert KERNEL_PRESETS["sobel x"][0, 0] == -1
    with pytest.raises(ValueError):
        KERNEL_PRESETS["sobel x"][0, 0] = 100


@pytest.mark.parametrize("text, expected", [
    ("-1,0,1;-1,0,1;-1,0,1", [[-1, 0, 1]] * 3),
    ("1 2\n3 4", [[1, 2], [3, 4]]),
    ("  1, 2 ;\n 3 ,4 ; ", [[1, 2], [3, 4]]),
    ("1/9 1/9", [[1 / 9, 1 / 9]]),
    ("[[1, 0], [0, -1]]", [[1, 0], [0, -1]]),
    ("0.5", [[0.5]]),
])
def test_parse_kernel_accepts_rows(text, expected):
    np.testing.assert_allclose(parse_kernel(text), np.array(expected, np.float32))


@pytest.mark.parametrize("text, quoted", [
    ("1,2,3;4,5", "lengths 3, 2"),
    ("1,x,3", "'x'"),
    ("1,nan;2,3", "'nan'"),
    ("inf", "'inf'"),
    ("1/0", "'1/0'"),
    ("", "''"),
    (" ; \n ", "holds no numbers"),
    (";".join([",".join(["1"] * 16)] * 3), "3x16"),
    (";".join(["1"] * 16), "16x1"),
])
def test_parse_kernel_rejects_bad_text(text, quoted):
    with pytest.raises(FilterError) as info:
        parse_kernel(text)
    message = str(info.value)
    assert quoted in message and "\n" not in message


def test_resolve_kernel_names_and_rows():
    np.testing.assert_array_equal(resolve_kernel("  LAPLACIAN "), KERNEL_PRESETS["laplacian"])
    np.testing.assert_array_equal(resolve_kernel("1,2;3,4"), [[1, 2], [3, 4]])
    with pytest.raises(FilterError, match="'blurry'.*not a preset"):
        resolve_kernel("blurry")


@pytest.mark.parametrize("kwargs, quoted", [
    ({"stride": 0}, "stride=0"),
    ({"stride": -2}, "stride=-2"),
    ({"stride": 1.5}, "stride=1.5"),
    ({"stride": True}, "stride=True"),
    ({"pool": 0}, "pool=0"),
    ({"pool": "3"}, "pool='3'"),
    ({"pool_stride": 0}, "pool_stride=0"),
    ({"pool_stride": 2.0}, "pool_stride=2.0"),
    ({"padding": "FULL"}, "padding='FULL'"),
    ({"pool_padding": None}, "pool_padding=None"),
])
def test_settings_reject_bad_values(kwargs, quoted):
    with pytest.raises(FilterError, match=quoted.replace(".", r"\.").replace("(", r"\(")):
        FilterSettings(**kwargs)


def test_settings_normalise_padding_case():
    settings = FilterSettings(padding="same", pool_padding=" Valid ")
    assert (settings.padding, settings.pool_padding) == ("SAME", "VALID")
    assert settings == FilterSettings(padding="SAME")
    assert FilterSettings(pool=4).effective_pool_stride == 4


@pytest.mark.parametrize("image, kernels, settings, quoted", [
    (np.zeros((4, 4)), np.ones((5, 5)), FilterSettings(), "5x5 kernel for a 4x4 image"),
    (np.zeros((9, 4)), np.ones((2, 5)), FilterSettings(), "2x5 kernel for a 9x4 image"),
    (np.zeros((6, 6)), np.ones((3, 3)), FilterSettings(pool=5), "pool=5 for a 4x4 feature map"),
    (np.zeros((6, 6)), [np.ones((3, 3)), np.ones((2, 2))], FilterSettings(), "3x3, 2x2"),
    (np.zeros((6, 6)), np.ones((16, 3)), FilterSettings(padding="SAME"), "16x3 kernel"),
    (np.zeros((6, 6)), np.array([[1, np.nan]]), FilterSettings(), "NaN"),
    (np.zeros((6, 6)), np.ones((0, 3)), FilterSettings(), "empty"),
    (np.zeros((6, 6)), [], FilterSettings(), "empty list"),
    (np.zeros((6, 6, 3)), np.ones((3, 3)), FilterSettings(), "(6, 6, 3)"),
    (np.zeros((0, 6)), np.ones((3, 3)), FilterSettings(), "empty image"),
    (np.full((6, 6), np.inf), np.ones((3, 3)), FilterSettings(), "NaN or infinite"),
    (np.zeros((6, 6)), np.ones((2, 3, 3, 1)), FilterSettings(), "(2, 3, 3, 1)"),
])
def test_apply_filter_rejects_bad_input_with_one_line(image, kernels, settings, quoted):
    with pytest.raises(FilterError) as info:
        apply_filter(image, kernels, settings)
    assert quoted in str(info.value)
    assert "\n" not in str(info.value)


def test_same_padding_lets_a_large_kernel_run_on_a_small_image():
    result = apply_filter(np.ones((4, 4)), np.ones((7, 7)),
                          FilterSettings(padding="SAME", pool=2, pool_padding="SAME"))
    assert result.conv_shape == (1, 4, 4, 1)
    assert result.pool_shape == (1, 2, 2, 1)
    np.testing.assert_allclose(result.conv[:, :, 0], np_conv2d(np.ones((4, 4)),
                               np.ones((7, 7, 1)), 1, "SAME")[:, :, 0])


def test_result_is_frozen_and_keeps_settings():
    settings = FilterSettings(stride=2)
    result = apply_filter(np.ones((9, 9)), np.ones((3, 3)), settings)
    assert isinstance(result, FilterResult)
    assert result.settings is settings
    with pytest.raises(AttributeError):
        result.conv = None  # type: ignore[misc]


def test_render_figure_shows_every_map_with_titles():
    rng = np.random.default_rng(3)
    image = rng.uniform(0, 255, (60, 90)).astype(np.float32)
    one = render_figure(image, apply_filter(image, KERNEL_PRESETS["sobel x"]))
    three = render_figure(image, apply_filter(
        image, [KERNEL_PRESETS["sobel x"], KERNEL_PRESETS["sobel y"], KERNEL_PRESETS["emboss"]]))
    assert one.mode == "RGB" and three.mode == "RGB"
    # Three kernels -> three rows of feature and pooled maps: a taller figure.
    assert three.height > 2 * one.height * 0.8
    pixels = np.asarray(one)
    assert pixels.min() < 50 and pixels.max() > 200  # maps stretched to full contrast
    # Flat maps (a constant image) render as mid grey instead of failing on 0/0.
    flat = render_figure(np.ones((20, 20)), apply_filter(np.ones((20, 20)), np.ones((3, 3))))
    assert flat.width > 0


def test_tensorflow_errors_become_one_line_filter_errors(monkeypatch):
    from digitlab.engine.tf_runtime import import_tensorflow

    tf = import_tensorflow()

    def out_of_memory(*args, **kwargs):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating\nstack trace...")

    monkeypatch.setattr(tf.nn, "conv2d", out_of_memory)
    with pytest.raises(FilterError) as info:
        apply_filter(np.ones((9, 9)), np.ones((3, 3)))
    assert str(info.value).endswith("OOM when allocating")
    assert info.value.__cause__ is None and info.value.__suppress_context__
