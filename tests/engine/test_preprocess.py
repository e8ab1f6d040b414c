"""MNIST-style preprocessing of drawings: polarity, crop, fit to 20 px, centre of mass."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitlab.engine import preprocess as pre
from digitlab.engine.fit_box import fit_to_box
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.stroke_width import stroke_width


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(image.shape)
    mass = image.sum()
    return float((ys * image).sum() / mass), float((xs * image).sum() / mass)


def render(digit28: np.ndarray, scale: int, canvas: tuple[int, int], at: tuple[int, int],
           dark: bool = False) -> np.ndarray:
    """An MNIST digit upscaled (anti-aliased) onto a bigger canvas, as a user would draw it."""
    side = 28 * scale
    up = np.asarray(Image.fromarray(digit28).resize((side, side), Image.BILINEAR))
    out = np.zeros(canvas, np.uint8)
    out[at[0]:at[0] + side, at[1]:at[1] + side] = up
    return 255 - out if dark else out


@pytest.mark.parametrize("index", [0, 1, 2, 3, 4])
def test_off_centre_drawing_is_centred_by_mass(mnist, index):
    canvas = render(mnist.x_test[index], 8, (400, 520), (150, 10))
    result = preprocess_drawing(canvas)
    assert not result.is_empty
    assert result.image28.shape == (28, 28) and result.image28.dtype == np.float32
    cy, cx = center_of_mass(result.image28)
    assert abs(cy - 14) <= 1.0 and abs(cx - 14) <= 1.0
    assert 0.0 <= result.image28.min() and result.image28.max() == pytest.approx(1.0, abs=1e-6)


def test_bbox_and_crop_of_a_drawn_rectangle():
    canvas = np.zeros((300, 200), np.uint8)
    canvas[40:160, 70:100] = 255
    result = preprocess_drawing(canvas)
    assert result.bbox == (40, 70, 160, 100)
    assert result.cropped.shape == (120, 30)
    np.testing.assert_array_equal(result.cropped, 1.0)


def test_tall_thin_one_keeps_its_aspect_ratio():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[30:250, 130:148] = 255  # a "1": 220 tall, 18 wide
    result = preprocess_drawing(canvas)
    assert result.fitted.shape == (20, 2)  # 18 * 20/220 = 1.6 -> 2, not stretched to 20
    rows = np.flatnonzero(result.image28.sum(axis=1) > 0)
    cols = np.flatnonzero(result.image28.sum(axis=0) > 0)
    assert len(rows) == 20 and len(cols) <= 3


def test_wide_stroke_is_fitted_by_its_width():
    canvas = np.zeros((100, 400), np.uint8)
    canvas[40:70, 20:320] = 255  # 300 x 30: 2 px tall at 20 px, as wide as MNIST's strokes
    result = preprocess_drawing(canvas)
    assert result.fitted.shape == (2, 20)


def _ring(size: int, pen: int) -> np.ndarray:
    """A "0": an ellipse drawn with a round pen ``pen`` px wide on a ``size`` px canvas."""
    yy, xx = np.mgrid[0:size, 0:size]
    t = np.linspace(0, 2 * np.pi, 4 * size)
    ys, xs = size / 2 + 0.35 * size * np.sin(t), size / 2 + 0.22 * size * np.cos(t)
    near = np.min((yy[..., None] - ys) ** 2 + (xx[..., None] - xs) ** 2, axis=-1)
    return np.where(near <= (pen / 2) ** 2, 255, 0).astype(np.uint8)


def test_a_fine_pen_on_a_large_canvas_is_thickened_to_mnist_strokes():
    # A 2 px pen on a 200 px canvas is a hairline at 20 px (0.3 px), a shape MNIST never
    # had; thickened it carries about the ink of the same 0 drawn with an MNIST-wide pen.
    fine_result = preprocess_drawing(_ring(200, 2))
    fine, mnist_wide = fine_result.image28, preprocess_drawing(_ring(200, 20)).image28
    assert fine.sum() > 0.6 * mnist_wide.sum()
    assert (fine > 0.5).sum() > 0.6 * (mnist_wide > 0.5).sum()
    assert fine_result.widened  # the Draw tab says so under the fitted stage


def test_strokes_as_wide_as_mnists_are_fitted_as_they_are():
    result = preprocess_drawing(_ring(200, 20))
    np.testing.assert_array_equal(result.fitted, fit_to_box(result.cropped))
    assert not result.widened


def test_stroke_width_is_the_pens_width_at_the_fitted_scale():
    bar = np.zeros((200, 12), np.float32)
    bar[:, 2:10] = 1.0  # 8 px wide, 200 tall: 0.8 px at 20 px
    assert stroke_width(bar) == pytest.approx(0.8, rel=0.1)
    assert stroke_width(np.zeros((5, 5), np.float32)) == float("inf")


def test_dark_ink_on_white_gives_the_same_image_as_bright_ink_on_black(mnist):
    bright = render(mnist.x_test[7], 6, (300, 300), (60, 40))
    dark = 255 - bright
    auto_bright, auto_dark = preprocess_drawing(bright), preprocess_drawing(dark)
    assert (auto_bright.ink, auto_dark.ink) == ("bright", "dark")
    np.testing.assert_allclose(auto_dark.image28, auto_bright.image28, atol=1e-5)
    assert auto_dark.bbox == auto_bright.bbox
    # Telling the ink explicitly gives the same answer as detecting it.
    np.testing.assert_allclose(preprocess_drawing(dark, ink="dark").image28, auto_dark.image28)


def test_wrong_explicit_polarity_sees_no_digit_in_a_white_canvas():
    canvas = np.full((100, 100), 255, np.uint8)
    canvas[20:80, 45:55] = 0
    assert preprocess_drawing(canvas, ink="bright").is_empty
    assert not preprocess_drawing(canvas, ink="dark").is_empty


def test_grey_ink_on_a_grey_canvas_is_stretched_to_full_intensity(mnist):
    digit = render(mnist.x_test[3], 5, (200, 200), (30, 30)).astype(np.float32) / 255
    canvas = 0.3 + 0.4 * digit  # grey pen (0.7) on a grey canvas (0.3)
    result = preprocess_drawing(canvas)
    reference = preprocess_drawing(digit)
    assert result.ink == "bright"
    np.testing.assert_allclose(result.image28, reference.image28, atol=1e-4)


@pytest.mark.parametrize("canvas", [
    np.zeros((280, 280), np.uint8),
    np.full((280, 280), 255, np.uint8),
    np.full((50, 80), 0.5, np.float32),
], ids=["black", "white", "grey"])
def test_blank_canvas_is_empty(canvas):
    result = preprocess_drawing(canvas)
    assert result.is_empty and result.bbox is None
    assert result.cropped.shape == (1, 1) and result.fitted.shape == (20, 20)
    np.testing.assert_array_equal(result.image28, np.zeros((28, 28), np.float32))


def test_white_canvas_is_reported_as_dark_ink():
    assert preprocess_drawing(np.full((280, 280), 255, np.uint8)).ink == "dark"


def test_stray_dot_and_faint_noise_are_no_digit():
    rng = np.random.default_rng(0)
    dot = np.zeros((280, 280), np.uint8)
    dot[100:104, 200:204] = 255
    noise = rng.integers(0, 12, (280, 280)).astype(np.uint8)  # below 5 % of full scale
    assert preprocess_drawing(dot).is_empty
    assert preprocess_drawing(noise).is_empty


@pytest.mark.parametrize("scale, canvas", [(4, (1000, 1000)), (1, (280, 280)), (10, (2400, 1800))])
def test_a_digit_written_small_on_a_large_image_is_a_digit(mnist, scale, canvas):
    """Its ink is under MIN_MASS_FRACTION of the image (0.07-0.17 %), but it spans
    over 5 % of the image's longer side and fills its own box: a photo of a digit on a
    page, or a small number on the Number canvas, is no speck."""
    digit = mnist.x_test[0]
    image = render(digit, scale, canvas, (canvas[0] // 3, canvas[1] // 2), dark=True)
    result = preprocess_drawing(image)
    assert not result.is_empty
    assert np.abs(result.image28 - preprocess_drawing(digit).image28).mean() < 0.05
    ink = (255 - image.astype(np.float32)) / 255
    assert ink.sum() < pre.MIN_MASS_FRACTION * image.size  # the old rule said empty


def test_a_digit_drawn_with_a_one_pixel_pencil_is_a_digit(mnist):
    """As a paint program's pencil draws it: 1 px lines, 450 px tall on 800x600 (its ink
    fills about 1 % of its box and 0.3 % of the image)."""
    from PIL import ImageDraw

    from digitlab.engine.strokes import skeleton

    lines = skeleton(np.asarray(Image.fromarray(mnist.x_test[0]).resize((112, 112))) > 100)
    image = Image.new("L", (800, 600), 255)
    draw, scale = ImageDraw.Draw(image), 450 / 112
    ys, xs = np.nonzero(lines)
    on = set(zip(ys.tolist(), xs.tolist(), strict=True))
    for y, x in on:  # each skeleton pixel joined to its neighbours
        for dy, dx in ((0, 1), (1, -1), (1, 0), (1, 1)):
            if (y + dy, x + dx) in on:
                draw.line([(100 + x * scale, 50 + y * scale),
                           (100 + (x + dx) * scale, 50 + (y + dy) * scale)], fill=0, width=1)
    pencil = np.asarray(image)
    assert (pencil < 128).sum() < pre.MIN_MASS_FRACTION * pencil.size
    result = preprocess_drawing(pencil)
    assert not result.is_empty and result.bbox[2] - result.bbox[0] > 250


def test_specks_clustered_or_faint_grain_in_a_corner_are_no_digit():
    rng = np.random.default_rng(5)
    clustered = np.full((1000, 1000), 255, np.uint8)
    for y, x in zip(rng.permutation(np.arange(100, 220, 20))[:6], range(100, 220, 20), strict=True):
        clustered[y:y + 5, x:x + 5] = 0  # 6 specks: 1 % of their box, in a quarter of its rows
    assert preprocess_drawing(clustered).is_empty
    grain = np.full((1000, 1000), 255, np.uint8)
    patch = grain[300:500, 300:500]
    patch[rng.random(patch.shape) < 0.03] = 225  # in every row, but 0.4 % of its box
    grain[400, 400] = 0  # the peak the grain is measured against
    assert preprocess_drawing(grain).is_empty


@pytest.mark.parametrize("surround", ["desk", "frame"])
def test_a_page_photographed_on_a_desk_or_framed_is_read_inside(mnist, surround):
    """The image's edges are the desk (or a thin frame), darker than the page: the page is
    no bright ink, the digit on it is the drawing."""
    digit = mnist.x_test[0]
    page = np.full((800, 1000), 60 if surround == "desk" else 0, np.uint8)
    inset = (80, 100) if surround == "desk" else (2, 2)
    page[inset[0]:-inset[0], inset[1]:-inset[1]] = 235
    written = 255 - np.asarray(Image.fromarray(digit).resize((300, 300), Image.BILINEAR))
    page[250:550, 350:650] = np.minimum(page[250:550, 350:650], written)
    result = preprocess_drawing(page)
    assert result.ink == "dark"
    y0, x0, y1, x1 = result.bbox
    assert 250 <= y0 < y1 <= 550 and 350 <= x0 < x1 <= 650
    assert np.abs(result.image28 - preprocess_drawing(digit).image28).mean() < 0.05


def test_a_solid_blob_painted_on_the_canvas_stays_the_drawing():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[40:240, 60:250] = 255  # nothing inside it: it is what was drawn
    result = preprocess_drawing(canvas)
    assert not result.is_empty and result.bbox == (40, 60, 240, 250)


def test_specks_scattered_over_a_large_image_are_no_digit():
    rng = np.random.default_rng(3)
    image = np.full((1000, 1000), 255, np.uint8)
    for y, x in rng.integers(0, 997, (40, 2)):
        image[y:y + 3, x:x + 3] = 0  # their box spans the image, but is nearly empty
    assert preprocess_drawing(image).is_empty
    short = np.full((1000, 1000), 255, np.uint8)
    short[500:503, 300:340] = 0  # a short scratch: 4 % of the image's side
    assert preprocess_drawing(short).is_empty
    short[500:503, 300:360] = 0  # 6 %: a stroke (the gate then judges it)
    assert not preprocess_drawing(short).is_empty


def test_faint_noise_does_not_move_the_bounding_box(mnist):
    rng = np.random.default_rng(1)
    clean = render(mnist.x_test[5], 6, (280, 300), (50, 70))
    noisy = np.maximum(clean, rng.integers(0, 20, clean.shape).astype(np.uint8))
    noisy_box, clean_box = preprocess_drawing(noisy).bbox, preprocess_drawing(clean).bbox
    # The background estimate rises with the noise, so an anti-aliased edge pixel may go.
    assert np.abs(np.subtract(noisy_box, clean_box)).max() <= 1


def test_tiny_and_huge_canvases_give_the_mnist_image(mnist):
    digit = mnist.x_test[11]
    reference = preprocess_drawing(digit).image28
    huge = np.kron(digit, np.ones((60, 60), np.uint8))  # 1680 x 1680, pixel-exact
    big = np.zeros((2000, 1800), np.uint8)
    big[100:1780, 50:1730] = huge
    small = np.asarray(Image.fromarray(digit).resize((14, 14), Image.BOX))
    assert np.abs(preprocess_drawing(big).image28 - reference).mean() < 0.02
    tiny = preprocess_drawing(small)
    assert not tiny.is_empty and max(tiny.fitted.shape) == 20  # enlarged, not left small
    assert np.corrcoef(tiny.image28.ravel(), reference.ravel())[0, 1] > 0.7


def test_uint8_and_float_inputs_agree(mnist):
    canvas = render(mnist.x_test[9], 7, (250, 330), (20, 90))
    from_uint8 = preprocess_drawing(canvas)
    from_float = preprocess_drawing(canvas.astype(np.float64) / 255)
    np.testing.assert_allclose(from_float.image28, from_uint8.image28, atol=1e-5)
    assert from_float.bbox == from_uint8.bbox


def test_input_array_is_not_modified(mnist):
    canvas = render(mnist.x_test[0], 4, (150, 150), (10, 10)).astype(np.float32) / 255
    before = canvas.copy()
    preprocess_drawing(canvas)
    np.testing.assert_array_equal(canvas, before)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((28, 28, 3)), r"\(28, 28, 3\)"),
    (np.zeros((0, 5)), r"\(0, 5\)"),
    (np.full((5, 5), np.nan), "NaN"),
])
def test_bad_images_are_refused_with_the_value_received(bad, message):
    with pytest.raises(ValueError, match=message):
        preprocess_drawing(bad)


def test_unknown_ink_mode_is_refused():
    with pytest.raises(ValueError, match="ink='white'"):
        preprocess_drawing(np.zeros((10, 10)), ink="white")


def test_shrinking_matches_pillow_area_averaging():
    rng = np.random.default_rng(2)
    image = rng.random((60, 45)).astype(np.float32)
    fitted = fit_to_box(image)  # (20, 15): means of 3x3 blocks, where Pillow's BOX agrees
    pillow = np.asarray(Image.fromarray(image, "F").resize((15, 20), Image.BOX))
    np.testing.assert_allclose(fitted, pillow / pillow.max(), atol=1e-5)


def test_enlarging_matches_pillow_bilinear():
    rng = np.random.default_rng(3)
    image = rng.random((5, 7)).astype(np.float32)
    fitted = fit_to_box(image)
    pillow = np.asarray(Image.fromarray(image, "F").resize((20, 14), Image.BILINEAR))
    np.testing.assert_allclose(fitted, pillow / pillow.max(), atol=1e-5)


def test_mnist_digits_reprocessed_keep_the_models_accuracy(mnist, tiny_models):
    """MNIST digits are already preprocessed: doing it again must not cost accuracy."""
    from digitlab.engine.inference import Predictor
    from digitlab.engine.models import shipped_model_path

    if shipped_model_path("cnn").exists():
        predictor = Predictor.load_shipped(("cnn",))
    else:
        predictor = Predictor.from_keras({"cnn": tiny_models["cnn"]})
    images, labels = mnist.x_test[:500], mnist.y_test[:500]
    again = np.stack([preprocess_drawing(image).image28 for image in images])
    raw_accuracy = (predictor.predict_batch(images)["cnn"].argmax(1) == labels).mean()
    again_accuracy = (predictor.predict_batch(again)["cnn"].argmax(1) == labels).mean()
    assert raw_accuracy > 0.5  # the model itself works
    assert again_accuracy >= raw_accuracy - 0.01


def test_uneven_paper_lighting_does_not_count_as_ink(mnist):
    """A photo of dark ink on paper lit from one side: the darker corner is not ink."""
    digit = mnist.x_test[3].astype(np.float32) / 255.0  # a 0
    h, w = 300, 240
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 0.95 - 0.25 * (yy / h) * (1 - xx / w)  # darker towards the bottom-left
    ink = np.zeros((h, w), np.float32)
    ink[100:212, 80:192] = np.kron(digit, np.ones((4, 4), np.float32))
    photo = (paper * (1 - 0.8 * ink) * 255).astype(np.uint8)
    result = preprocess_drawing(photo)
    assert result.ink == "dark"
    y0, x0, y1, x1 = result.bbox
    # The box hugs the digit (rows 100..212, columns 80..192), not the dark corner.
    assert 95 <= y0 and y1 <= 217 and 75 <= x0 and x1 <= 197
