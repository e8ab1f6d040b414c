"""The lesson's promises at their exact boundaries, with tests that fail when a bug is planted.

- output_size's VALID boundary: a window equal to the input fits once, one more does not;
- the kernel size limit: 15x15 accepted, 16 refused;
- early stopping keeps the *weights* of the best epoch (not only its number);
- augmentation rotates by degrees (12 degrees, not 12 radians).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab.engine.filters import output_size
from digitlab.engine.kernels import MAX_KERNEL_SIDE, FilterError, parse_kernel


@pytest.mark.parametrize("size", [1, 2, 5, 28])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_valid_output_size_when_the_window_equals_the_input(size, stride):
    assert output_size(size, size, stride, "VALID") == 1
    assert output_size(size, size + 1, stride, "VALID") == 0
    assert output_size(size, size, stride, "SAME") == math.ceil(size / stride)


def test_output_size_matches_tensorflow_at_the_boundary():
    from digitlab.engine.filters import FilterSettings, apply_filter

    image = np.arange(36, dtype=np.float32).reshape(6, 6)
    result = apply_filter(image, np.ones((6, 6), np.float32),
                          FilterSettings(stride=1, padding="VALID", pool=1))
    assert result.conv_shape == (1, 1, 1, 1) and result.conv[0, 0, 0] == image.sum()
    with pytest.raises(FilterError, match="must fit inside the image"):
        apply_filter(image, np.ones((7, 6), np.float32), FilterSettings(padding="VALID", pool=1))
    for stride in (1, 2, 4):
        for k in (1, 3, 6):
            res = apply_filter(image, np.ones((k, k), np.float32),
                               FilterSettings(stride=stride, padding="VALID", pool=1))
            assert res.conv_shape[1] == output_size(6, k, stride, "VALID")


def test_kernel_side_limit_at_and_past_the_boundary():
    side = MAX_KERNEL_SIDE
    row = ",".join(["1"] * side)
    assert parse_kernel(";".join([row] * side)).shape == (side, side)
    longer = ",".join(["1"] * (side + 1))
    for text in (";".join([row] * (side + 1)), ";".join([longer] * side)):
        with pytest.raises(FilterError, match=f"at most {side}x{side}"):
            parse_kernel(text)


def test_early_stopping_restores_the_best_epochs_weights(mnist, monkeypatch):
    """Compare the returned weights with a snapshot taken at the best epoch's end."""
    import digitlab.engine.training as training
    from digitlab.engine.training import lesson_recipe, train

    snapshots = []
    make = training.make_progress_callback

    def recording(keras):
        base = make(keras)

        class Recording(base):
            def on_epoch_end(self, epoch, logs=None):
                snapshots.append([w.copy() for w in self.model.get_weights()])
                super().on_epoch_end(epoch, logs)

        return Recording

    monkeypatch.setattr(training, "make_progress_callback", recording)
    # A tiny training set over-fits fast, so val_loss turns up within a few epochs.
    config = lesson_recipe("dnn", epochs=60, limit=300, learning_rate=3e-3, patience=2, seed=0)
    result = train(config, mnist, evaluate_test=False)
    assert result.stop_reason == "early_stopping"
    best = int(np.argmin(result.history["val_loss"]))
    assert best < len(snapshots) - 1  # the last epoch was not the best one
    final = result.model.get_weights()
    for got, want in zip(final, snapshots[best], strict=True):
        np.testing.assert_array_equal(got, want)
    assert any(not np.array_equal(g, w) for g, w in zip(final, snapshots[-1], strict=True))


class _FixedGenerator:
    """A stand-in for tf.random.Generator whose every draw is the top of its range."""

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype=None):
        import tensorflow as tf

        return tf.fill(shape, tf.cast(maxval, tf.float32))


def _bar_angle(image: np.ndarray) -> float:
    """Orientation in degrees (0 = along x, counter-clockwise positive) of a bright bar."""
    ys, xs = np.nonzero(image > 0.3)
    weights = image[ys, xs]
    x = xs - np.average(xs, weights=weights)
    y = -(ys - np.average(ys, weights=weights))  # image rows grow downwards
    cov = np.cov(np.stack([x, y]), aweights=weights)
    vals, vecs = np.linalg.eigh(cov)
    vx, vy = vecs[:, np.argmax(vals)]
    return math.degrees(math.atan2(vy, vx)) % 180.0


@pytest.mark.parametrize("degrees", [12.0, 30.0])
def test_augmentation_rotates_by_degrees(degrees):
    from digitlab.engine.augment import AugmentConfig, augment_batch

    image = np.zeros((1, 28, 28), np.float32)
    image[0, 13:15, 4:24] = 1.0  # a horizontal bar through the centre
    config = AugmentConfig(max_rotation_deg=degrees, max_shear_deg=0.0, scale_range=(1.0, 1.0),
                           max_shift_px=0.0, p_thicken=0.0, p_thin=0.0)
    out = np.asarray(augment_batch(image, _FixedGenerator(), config))[0]
    angle = _bar_angle(out)
    tilt = min(angle, 180.0 - angle)  # the sign depends on the axis convention, not the unit
    assert tilt == pytest.approx(degrees, abs=2.0), angle
    # Degrees read as radians would tilt it by 12 rad = 687.5 deg = 147.5 deg (32.5 off).


@pytest.mark.parametrize("field, ok, bad", [("batch_size", 1024, 1025), ("epochs", 1000, 1001),
                                            ("seed", 2**32 - 1, 2**32)])
def test_training_knobs_that_multiply_memory_or_time_at_their_limits(field, ok, bad):
    from digitlab.engine.training import lesson_recipe

    assert getattr(lesson_recipe("dnn", **{field: ok}), field) == ok
    with pytest.raises(ValueError, match=f"Received {field}={bad}"):
        lesson_recipe("dnn", **{field: bad})


def test_personal_set_reads_at_most_max_samples(tmp_path, monkeypatch):
    import digitlab.engine.personal as personal

    monkeypatch.setattr(personal, "MAX_SAMPLES", 3)
    store = personal.PersonalSet(tmp_path)
    for label in range(5):
        store.add(np.zeros((28, 28), np.uint8), label)
    assert len(store.samples()) == 3
    assert any("at most 3 samples" in w for w in store.warnings)


def test_personal_samples_that_are_not_regular_or_too_big_are_skipped(tmp_path):
    import os

    from PIL import Image

    from digitlab.engine.personal import PersonalSet

    store = PersonalSet(tmp_path)
    store.add(np.zeros((28, 28), np.uint8), 7)
    os.mkfifo(tmp_path / "1_20250101T120000123456_0.png")
    (tmp_path / "2_20250101T120000123456_0.png").symlink_to("/dev/zero")
    Image.new("L", (20000, 20000)).save(tmp_path / "3_20250101T120000123456_0.png")
    assert [s.label for s in store.samples()] == [7]
    joined = " | ".join(store.warnings)
    assert "is a FIFO" in joined and "character device" in joined
    assert "3_20250101T120000123456_0.png" in joined


def test_apply_filter_refuses_overflow_and_runaway_pools():
    from digitlab.engine.filters import FilterSettings, apply_filter

    image = np.full((10, 10), 255.0, np.float32)
    with pytest.raises(FilterError, match="overflows float32"):
        apply_filter(image, np.full((3, 3), 3e38, np.float32), FilterSettings(pool=1))
    big = np.zeros((300, 300), np.float32)
    with pytest.raises(FilterError, match="comparisons, more than the limit"):
        apply_filter(big, np.ones((1, 1), np.float32),
                     FilterSettings(pool=300, pool_stride=1, pool_padding="SAME"))


# --- kernel text: property-based --------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=32)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-+.,;/ eE[]\nnaif", max_size=80))
def test_kernel_text_parses_or_is_refused_in_one_line(text):
    try:
        kernel = parse_kernel(text)
    except FilterError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 300
        return
    assert kernel.dtype == np.float32 and kernel.ndim == 2
    assert 1 <= kernel.shape[0] <= MAX_KERNEL_SIDE and 1 <= kernel.shape[1] <= MAX_KERNEL_SIDE
    assert np.isfinite(kernel).all()


@settings(max_examples=150, deadline=None)
@given(st.integers(1, MAX_KERNEL_SIDE).flatmap(
    lambda cols: st.lists(st.lists(_values, min_size=cols, max_size=cols), min_size=1,
                          max_size=MAX_KERNEL_SIDE)),
    st.sampled_from([(",", ";"), (" ", "\n"), (", ", "; ")]))
def test_kernel_rows_round_trip(rows, separators):
    between_values, between_rows = separators
    text = between_rows.join(between_values.join(repr(float(v)) for v in row) for row in rows)
    np.testing.assert_array_equal(parse_kernel(text), np.array(rows, np.float32))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-9, 9), min_size=3, max_size=3), min_size=1, max_size=3))
def test_cli_takes_kernel_rows_that_start_with_minus(rows):
    from digitlab.cli import build_parser

    rows[0][0] = -abs(rows[0][0]) - 1  # the first value is negative: the word starts with '-'
    text = ";".join(",".join(str(v) for v in row) for row in rows)
    args = build_parser().parse_args(["filter", "photo.jpg", "--kernel", text, "--kernel", "-1"])
    assert args.kernel == [text, "-1"]


def test_long_kernel_text_is_refused_short():
    with pytest.raises(FilterError) as info:
        parse_kernel("1," * 1_000_000)
    assert len(str(info.value)) < 200
    with pytest.raises(FilterError, match=r"Received a 1x16 kernel"):
        parse_kernel(",".join(["1"] * 16))
