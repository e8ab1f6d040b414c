"""Robustness sweep: the transforms themselves, and what the models do under them."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.inference import Predictor
from digitlab.engine.sweep import (
    TRANSFORM_IDENTITY,
    TRANSFORM_RANGES,
    TRANSFORMS,
    sweep,
    transform_image,
)


@pytest.fixture(scope="module")
def shipped_predictor():
    from digitlab.engine.models import shipped_model_path

    missing = [str(p) for p in map(shipped_model_path, ("multinomial", "dnn", "cnn"))
               if not p.exists()]
    if missing:
        pytest.skip(f"shipped models missing: {', '.join(missing)}")
    return Predictor.load_shipped()


@pytest.fixture(scope="module")
def digits(mnist):
    return mnist.x_test[:30].astype(np.float32) / 255.0


def _bar():
    """A horizontal bar through the centre, with two unequal blobs: not symmetric."""
    image = np.zeros((28, 28), np.float32)
    image[13:15, 4:24] = 1.0
    image[4:8, 20:22] = 0.5
    image[20:24, 6:8] = 0.5
    return image


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_identity_value_returns_the_image(transform, digits):
    out = transform_image(digits[0], transform, TRANSFORM_IDENTITY[transform])
    np.testing.assert_array_equal(out, digits[0])
    assert out.dtype == np.float32 and out.shape == (28, 28)


def test_whole_pixel_shifts_move_the_image_exactly(digits):
    image = digits[0]
    right = transform_image(image, "shift x", 3)
    np.testing.assert_allclose(right[:, 3:], image[:, :-3], atol=1e-6)
    assert np.all(right[:, :3] == 0)
    up = transform_image(image, "shift y", -2)
    np.testing.assert_allclose(up[:-2], image[2:], atol=1e-6)
    # A half-pixel shift lands between the two whole-pixel ones.
    half = transform_image(image, "shift x", 0.5)
    np.testing.assert_allclose(half, 0.5 * image + 0.5 * transform_image(image, "shift x", 1),
                               atol=1e-6)


def test_rotation_is_counter_clockwise_about_the_centre_of_mass():
    image = _bar()  # centre of mass at (13.5, 13.5), the array centre
    np.testing.assert_allclose(transform_image(image, "rotate", 90), np.rot90(image), atol=1e-5)
    np.testing.assert_allclose(transform_image(image, "rotate", -90), np.rot90(image, -1),
                               atol=1e-5)


def test_scale_grows_and_shrinks_the_ink_in_place(digits):
    image = digits[1]
    rows, cols = np.mgrid[0:28, 0:28]

    def spread(a):
        m = a.sum()
        cy, cx = (rows * a).sum() / m, (cols * a).sum() / m
        return (np.hypot(rows - cy, cols - cx) * a).sum() / m, (cy, cx)  # mean ink radius

    r1, c1 = spread(image)
    r_big, c_big = spread(transform_image(image, "scale", 1.3))
    r_small, c_small = spread(transform_image(image, "scale", 0.5))
    assert r_small < 0.7 * r1 < r1 < r_big
    np.testing.assert_allclose(c_small, c1, atol=0.5)
    np.testing.assert_allclose(c_big, c1, atol=0.5)


def test_thicken_adds_ink_and_thinning_removes_it(digits):
    image = digits[2]
    ink = [transform_image(image, "thicken", v).sum() for v in (-2, -1, -0.5, 0, 0.5, 1, 3)]
    assert np.all(np.diff(ink) > 0)
    assert transform_image(image, "thicken", 1).max() <= 1.0


def test_bad_transform_inputs_are_refused(digits):
    with pytest.raises(ValueError, match="transform='blur'"):
        transform_image(digits[0], "blur", 1)
    with pytest.raises(ValueError, match="value=nan"):
        transform_image(digits[0], "rotate", float("nan"))
    with pytest.raises(ValueError, match="scale value=-1"):
        transform_image(digits[0], "scale", -1)
    with pytest.raises(ValueError, match=r"shape \(27, 28\)"):
        transform_image(digits[0][:27], "rotate", 10)


def test_sweep_tracks_the_cnns_digit_and_includes_the_untouched_image(tiny_models, digits):
    predictor = Predictor.from_keras(tiny_models)
    result = sweep(predictor, digits[0], "thicken", n=10)
    base = predictor.predict_image28(digits[0])
    assert result.digit == int(np.argmax(base["cnn"]))
    assert 0.0 in result.values and np.all(np.diff(result.values) > 0)
    lo, hi, unit = TRANSFORM_RANGES["thicken"]
    assert (result.values[0], result.values[-1], unit) == (lo, hi, "steps")
    assert len(result.values) == 11 and result.images.shape == (11, 28, 28)
    at = int(np.flatnonzero(result.values == 0)[0])
    np.testing.assert_array_equal(result.images[at], digits[0])
    for kind in predictor.kinds:
        assert result.confidence[kind].shape == (11,)
        assert result.confidence[kind][at] == pytest.approx(base[kind][result.digit])
        assert result.predicted[kind][at] == int(np.argmax(base[kind]))
        flips = result.values[result.predicted[kind] != result.digit]
        expected = None if len(flips) == 0 else flips[np.argmin(np.abs(flips))]
        assert result.flip_at[kind] == expected


def test_with_temperatures_the_confidences_are_the_calibrated_probabilities(tiny_models,
                                                                          digits):
    from digitlab.engine.reading import Reader

    predictor = Predictor.from_keras(tiny_models)
    temperatures = {"multinomial": 0.5, "cnn": 2.0}  # the DNN uncalibrated: T = 1
    raw = sweep(predictor, digits[0], "rotate", n=6)
    calibrated = sweep(predictor, digits[0], "rotate", n=6, temperatures=temperatures)
    reader = Reader(predictor, None, temperatures)
    for i, image in enumerate(calibrated.images):
        bars = reader.read_image28(image).probabilities
        for kind in predictor.kinds:
            assert calibrated.confidence[kind][i] == pytest.approx(
                bars[kind][calibrated.digit], rel=1e-5, abs=1e-7)
    for kind in predictor.kinds:
        np.testing.assert_array_equal(calibrated.predicted[kind], raw.predicted[kind])
        same = np.allclose(calibrated.confidence[kind], raw.confidence[kind])
        assert same == (kind == "dnn"), kind
    assert calibrated.flip_at == raw.flip_at
    with pytest.raises(ValueError, match="temperature"):
        sweep(predictor, digits[0], "rotate", n=3, temperatures={"cnn": -1.0})


def test_sweep_refuses_bad_arguments(tiny_models, digits):
    predictor = Predictor.from_keras(tiny_models)
    with pytest.raises(ValueError, match="n=1"):
        sweep(predictor, digits[0], "rotate", n=1)
    with pytest.raises(ValueError, match="digit=11"):
        sweep(predictor, digits[0], "rotate", digit=11)


def test_shift_of_zero_keeps_the_prediction_of_a_real_digit(shipped_predictor, digits, mnist):
    result = sweep(shipped_predictor, digits[0], "shift x")
    at = int(np.flatnonzero(result.values == 0)[0])
    assert result.digit == mnist.y_test[0] == 7
    for kind in shipped_predictor.kinds:
        assert result.predicted[kind][at] == 7


def test_dense_models_lose_a_shifted_digit_sooner_than_the_cnn(shipped_predictor, digits):
    # The lesson's point: Flatten + Dense has one weight per pixel, so moving the digit
    # moves it off the weights it learned; the CNN's shared kernels and pooling follow it.
    mean_confidence = {kind: [] for kind in shipped_predictor.kinds}
    for transform in ("shift x", "shift y"):
        for image in digits:
            result = sweep(shipped_predictor, image, transform, n=17)
            for kind, confidence in result.confidence.items():
                mean_confidence[kind].append(confidence.mean())
    m = {kind: float(np.mean(v)) for kind, v in mean_confidence.items()}
    assert m["multinomial"] < m["dnn"] < m["cnn"]
