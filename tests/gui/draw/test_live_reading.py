"""The Draw tab's live read (gui.draw.live_reading, no Qt): the shown piece's bars and maps."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitlab.engine.gate import SHIPPED_GATE, Gate
from digitlab.engine.gate_data import compose_number, shape_sampler
from digitlab.engine.inference import Predictor
from digitlab.engine.reading import Reader
from digitlab.engine.fit_box import center_by_mass
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.gui.draw.live_reading import framed_piece, read_drawing, shown_piece

pytestmark = pytest.mark.skipif(not SHIPPED_GATE.exists(), reason="no shipped gate")


class _NoSecondPass(Predictor):
    """A predictor whose single-image feature_maps() must not be called."""

    def feature_maps(self, image28):
        raise AssertionError("the CNN ran a second time for the feature maps")


@pytest.fixture(scope="module")
def reader():
    shipped = Predictor.load_shipped()
    predictor = _NoSecondPass({kind: shipped._network(kind) for kind in shipped.kinds})
    return Reader(predictor, Gate.load(), {"multinomial": 0.9, "dnn": 1.1, "cnn": 1.4})


def a_digit_a_shape_and_a_digit(mnist) -> np.ndarray:
    """Three pieces in a row; the middle one (a circle with a cross) is not a digit."""
    rng = np.random.default_rng(1)
    shape = np.asarray(Image.fromarray(shape_sampler("shape:circle-cross")(rng)).resize((28, 28)))
    image, _ = compose_number([mnist.x_test[0], shape, mnist.x_test[1]], rng, height=90,
                              gap_range=(0.3, 0.4))
    return image


def drawing_of(which: str, mnist) -> np.ndarray:
    """A 4-digit number, a digit-shape-digit row, or one digit on a 280x280 canvas."""
    if which == "number":
        image, _ = compose_number(list(mnist.x_test[[3, 2, 1, 18]]), np.random.default_rng(0),
                                  height=150, gap_range=(0.1, 0.3))
        return image
    if which == "mixed":
        return a_digit_a_shape_and_a_digit(mnist)
    return np.asarray(Image.fromarray(mnist.x_test[0]).resize((280, 280)))


@pytest.mark.parametrize("which", ["number", "mixed", "one digit"])
def test_number_mode_shows_the_maps_of_the_shown_piece_from_the_readers_pass(reader, mnist,
                                                                            which):
    image = drawing_of(which, mnist)
    reading, prediction = read_drawing(reader, image, "bright", True)
    shown = reading.digits[shown_piece(reading)]
    expected_pieces = {"number": 4, "mixed": 3, "one digit": 1}[which]
    assert len(reading.digits) == expected_pieces
    assert shown_piece(reading) == (1 if which == "mixed" else 0)
    assert prediction.feature_maps == shown.feature_maps and len(shown.feature_maps) == 5
    for kind, probabilities in shown.probabilities.items():
        np.testing.assert_array_equal(prediction.probabilities[kind],
                                      probabilities.astype(np.float32))
    np.testing.assert_array_equal(prediction.preprocess.image28, shown.image28)
    alone = Predictor.feature_maps(reader.predictor, shown.image28)
    for feature_map, expected in zip(prediction.feature_maps, alone, strict=True):
        assert feature_map.name == expected.name
        np.testing.assert_allclose(feature_map.array, expected.array, rtol=1e-5, atol=1e-5)


def test_an_empty_number_canvas_has_no_maps(reader):
    reading, prediction = read_drawing(reader, np.zeros((100, 300), np.uint8), "bright", True)
    assert reading.is_empty and prediction.is_empty and prediction.feature_maps == ()


@pytest.mark.parametrize("which", ["number", "mixed", "one digit"])
def test_the_strip_shows_the_shown_pieces_own_fit_and_frames_it_on_the_whole_crop(
        reader, mnist, which):
    image = drawing_of(which, mnist)
    whole = preprocess_drawing(image, "bright")
    reading, prediction = read_drawing(reader, image, "bright", True)
    shown = reading.digits[shown_piece(reading)]
    shown_pre = prediction.preprocess
    # The crop and its box stay the whole drawing's.
    np.testing.assert_array_equal(shown_pre.cropped, whole.cropped)
    assert shown_pre.bbox == whole.bbox
    if which == "one digit":
        assert shown.fitted is None and framed_piece(reading) is None
        np.testing.assert_array_equal(shown_pre.fitted, whole.fitted)
        return
    # The fitted stage is the piece's own: centring it gives exactly what the models read.
    assert max(shown_pre.fitted.shape) == 20
    assert shown_pre.fitted.shape != whole.fitted.shape
    np.testing.assert_array_equal(shown_pre.fitted, shown.fitted)
    np.testing.assert_array_equal(center_by_mass(shown_pre.fitted), shown.image28)
    # The frame on the crop is the piece's box, in the crop's pixels.
    (y0, x0, y1, x1), ok = framed_piece(reading)
    top, left = whole.bbox[:2]
    assert (y0 + top, x0 + left, y1 + top, x1 + left) == shown.box and ok == shown.is_digit
    assert 0 <= y0 < y1 <= whole.cropped.shape[0] and 0 <= x0 < x1 <= whole.cropped.shape[1]
