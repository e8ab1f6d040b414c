"""The Draw tab with the shipped models, gate and temperatures: not a digit, numbers, honest
bars."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent

from digitlab.gui.draw.draw_canvas import CANVAS_SIZE, NUMBER_WIDTH
from tests.gui.draw.test_draw_tab import NONE, draw_line, fine_pen_zeros, send_mouse


@pytest.fixture(scope="module")
def shipped():
    """The shipped predictor, gate and temperatures, read without TensorFlow."""
    from digitlab.engine.calibration import load_temperatures
    from digitlab.engine.gate import Gate
    from digitlab.engine.inference import Predictor
    from digitlab.engine.models import SHIPPED_MODELS_DIR

    predictor = Predictor.load_shipped()
    files = {kind: SHIPPED_MODELS_DIR / f"{kind}.keras" for kind in predictor.kinds}
    return predictor, Gate.load(), load_temperatures(model_files=files)


@pytest.fixture
def tab(qtbot, shipped):
    from digitlab.gui.draw.draw_tab import DrawTab
    from digitlab.gui.model_store import ModelStore

    predictor, gate, temperatures = shipped
    store = ModelStore.from_predictor(predictor, gate=gate, temperatures=temperatures)
    widget = DrawTab(store)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.canvas.setFixedSize(CANVAS_SIZE + 2, CANVAS_SIZE + 2)  # 1 widget px = 1 canvas px
    return widget


@pytest.fixture(scope="module")
def mnist():
    from digitlab.gui.draw.draw_sources import mnist_test_set

    return mnist_test_set()


def draw_circle_with_a_cross(canvas):
    """The issue's example: today "All models say 8" at 95-100 %."""
    angles = np.linspace(0, 2 * np.pi, 40)
    points = [(140 + 80 * np.cos(a), 140 + 80 * np.sin(a)) for a in angles]
    send_mouse(canvas, QEvent.Type.MouseButtonPress, *points[0])
    for x, y in points[1:]:
        send_mouse(canvas, QEvent.Type.MouseMove, x, y, button=NONE)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, *points[-1], buttons=NONE)
    draw_line(canvas, 80, 80, 200, 200)
    draw_line(canvas, 80, 200, 200, 80)


def test_a_circle_with_a_cross_is_not_a_digit_and_says_why(tab, shipped):
    draw_circle_with_a_cross(tab.canvas)
    piece = tab.last_reading.digits[0]
    assert tab.verdict_label.text() == "This doesn't look like a digit"
    for chart in tab.charts.values():  # the bars stay, faded
        assert chart.dimmed and chart.probabilities is not None
        assert chart.heights.max() > 0.3
    line = tab.lesson_label.text()
    assert tab.lesson_label.isVisibleTo(tab)
    assert "Softmax always spreads 100%" in line and "confidence, not certainty" in line
    # The threshold that decided: the gate's own, or where the gate was unsure (this
    # drawing: score under 0.15) its second stage's, when the card has one.
    gate = shipped[1]
    threshold = piece.gate.threshold
    decided_by = {round(gate.threshold, 9)} if gate.stage is None else {
        round(1 / (1 + math.exp(-gate.stage.threshold)), 9)}
    assert round(threshold, 9) in decided_by
    assert f"{piece.gate.digit_score:.3g}" in line and f"{threshold:.3g}" in line
    assert piece.gate.digit_score < threshold


def test_in_number_mode_a_drawing_judged_whole_is_neither_a_digit_nor_a_number(tab):
    # A star (or "3+4=7": not a row of digits) on the number canvas is judged whole; the
    # canvas asked for a number, so the verdict names both.
    from PIL import Image, ImageDraw

    tab.set_number_mode(True)
    try:
        star = Image.new("L", (28, 28))  # a five-pointed star, one stroke
        ImageDraw.Draw(star).line([(14, 2), (19, 25), (3, 10), (25, 10), (8, 25), (14, 2)],
                                  fill=255, width=2)
        tab.show_digit(np.asarray(star))
        assert len(tab.last_reading.digits) == 1 and not tab.last_reading.digits[0].is_digit
        assert tab.verdict_label.text() == "This doesn't look like a digit or a number"
    finally:
        tab.set_number_mode(False)
    tab.show_digit(np.asarray(star))
    assert tab.verdict_label.text() == "This doesn't look like a digit"


def test_a_real_digit_is_read_as_before_without_dimming(tab, mnist):
    x, y = mnist
    tab.show_digit(x[0])
    assert tab.verdict_label.text() == f"All models say {y[0]}"
    assert not any(chart.dimmed for chart in tab.charts.values())
    assert not tab.lesson_label.isVisibleTo(tab)
    assert tab.canvas.boxes == []  # one digit: no boxes, like today


def two_digits(mnist, first=0, second=1, gap=8):
    x, y = mnist
    image = np.zeros((28, 56 + gap), np.uint8)
    image[:, :28], image[:, 28 + gap:] = x[first], x[second]
    return image, f"{y[first]}{y[second]}"


def test_number_mode_reads_two_digits_with_a_box_each(tab, mnist):
    tab.number_action.trigger()
    assert tab.canvas.canvas_width == NUMBER_WIDTH
    image, number = two_digits(mnist)
    tab.canvas.set_ink_image(image)
    tab.refresh()
    reading = tab.last_reading
    assert reading.number == number
    assert tab.verdict_label.text() == f"Number: {number}"
    # Which digit the bars show, by its place: "digit 1" read as the digit one under a 0's bars.
    assert tab.lesson_label.text().startswith(
        "2 digits found; the bars show the first (leftmost), each box shows")
    assert tab.charts["cnn"].heights.argmax() == int(number[0])
    boxes = tab.canvas.boxes
    assert len(boxes) == 2
    (first, caption1, ok1), (second, caption2, ok2) = boxes
    assert ok1 and ok2 and first[3] <= second[1], "left to right, side by side"
    assert caption1 == " · ".join(number[0] * 3) and caption2 == " · ".join(number[1] * 3)
    assert all(0 <= b[1] < b[3] <= NUMBER_WIDTH and 0 <= b[0] < b[2] <= CANVAS_SIZE
               for b, _, _ in boxes)


def test_for_a_number_the_strip_shows_the_shown_digits_stages_framed_on_the_whole_crop(
        tab, mnist):
    tab.number_action.trigger()
    image, _ = two_digits(mnist)
    tab.canvas.set_ink_image(image)
    tab.refresh()
    reading, strip = tab.last_reading, tab.strip
    first = reading.digits[0]
    assert len(reading.digits) == 2
    shown = strip.images
    np.testing.assert_array_equal(shown["cropped"], reading.preprocess.cropped)
    np.testing.assert_array_equal(shown["fitted"], first.fitted)
    np.testing.assert_array_equal(shown["image28"], first.image28)
    h, w = first.fitted.shape
    assert strip.captions["fitted"] == f"fitted to 20 px ({h}x{w})"
    top, left = reading.preprocess.bbox[:2]
    y0, x0, y1, x1 = first.box
    assert strip.piece_frame == ((y0 - top, x0 - left, y1 - top, x1 - left), True)
    assert strip._piece_frame.isVisible()
    # Back to one digit: no frame.
    tab.set_number_mode(False)
    tab.show_digit(mnist[0][0])
    assert strip.piece_frame is None and not strip._piece_frame.isVisible()


@pytest.mark.parametrize("pen", [2, 20])
def test_for_a_number_the_strip_says_whether_the_shown_digits_strokes_were_thickened(tab, pen):
    # Fitted whole, the three 0s' strokes are too fine for 20 px with either pen; a digit's
    # own fit needs thickening with the 2 px pen only.
    tab.number_action.trigger()
    tab.canvas.set_ink_image(fine_pen_zeros(3, pen))
    tab.refresh()
    reading = tab.last_reading
    assert reading.preprocess.widened and len(reading.digits) == 3
    assert [piece.widened for piece in reading.digits] == [pen == 2] * 3
    h, w = reading.digits[0].fitted.shape
    fit = "strokes thickened, fitted to 20 px" if pen == 2 else "fitted to 20 px"
    assert tab.strip.captions["fitted"] == f"{fit} ({h}x{w})"


def test_one_digit_in_number_mode_reads_like_digit_mode(tab, mnist):
    x, y = mnist
    tab.show_digit(x[0])
    before = {kind: chart.heights for kind, chart in tab.charts.items()}
    tab.set_number_mode(True)
    tab.show_digit(x[0])
    assert tab.last_reading.number == str(y[0])
    assert tab.verdict_label.text() == f"All models say {y[0]}"
    assert len(tab.canvas.boxes) == 1
    for kind, chart in tab.charts.items():
        np.testing.assert_allclose(chart.heights, before[kind], atol=1e-6)
    tab.set_number_mode(False)
    assert tab.canvas.canvas_width == CANVAS_SIZE and tab.canvas.boxes == []


def test_bars_are_calibrated_and_the_raw_logits_stay_in_why_this_digit(tab, mnist, shipped):
    from digitlab.engine.calibration import apply_temperature

    predictor, _, temperatures = shipped
    assert temperatures, "the shipped calibration.json fits the shipped models"
    x, _ = mnist
    tab.show_digit(x[8])  # a 5 the models are less sure of
    raw = predictor.predict(tab.canvas.to_array(), ink="bright").probabilities
    logits = tab.why_panel.logits.logits
    for kind, chart in tab.charts.items():
        z = np.log(np.maximum(raw[kind].astype(np.float64), 1e-45))
        np.testing.assert_allclose(logits[kind], z, atol=1e-4)
        calibrated = apply_temperature(z, temperatures.get(kind, 1.0))
        np.testing.assert_allclose(chart.heights, calibrated, atol=1e-5)
        if temperatures.get(kind, 1.0) != 1.0:
            assert not np.allclose(chart.heights, raw[kind], atol=1e-4), kind
    text = tab.why_panel.logits.text()
    assert "Raw logits" in text and "T = " in text
    assert not tab.why_panel.logits_area.isVisibleTo(tab)
    tab.why_panel.logits_button.click()  # shown on demand in "Why this digit"
    assert tab.why_panel.logits_area.isVisibleTo(tab.why_panel)


def test_a_number_with_a_star_in_it_is_not_read(tab, mnist):
    from PIL import Image, ImageDraw

    tab.set_number_mode(True)
    x, _ = mnist
    scribble = Image.new("L", (28, 28))  # a five-pointed star, one stroke
    ImageDraw.Draw(scribble).line([(14, 2), (19, 25), (3, 10), (25, 10), (8, 25), (14, 2)],
                                  fill=255, width=2)
    image = np.zeros((28, 28 * 2 + 8), np.uint8)
    image[:, :28], image[:, 36:] = x[0], np.asarray(scribble)
    tab.show_digit(image)
    reading = tab.last_reading
    assert len(reading.digits) >= 2 and reading.number is None
    first_bad = next(i for i, d in enumerate(reading.digits) if not d.is_digit)
    assert tab.verdict_label.text() == (f"This doesn't look like a number: digit {first_bad + 1} "
                                        f"of {len(reading.digits)} is not a digit")
    boxes = tab.canvas.boxes
    assert boxes[0][2], "the 7 on the left is a digit"
    assert [ok for _, _, ok in boxes] == [d.is_digit for d in reading.digits]
    assert all(caption.startswith("? ") != ok for _, caption, ok in boxes)
    assert all(chart.dimmed for chart in tab.charts.values()), "the bars show the scribble"
    assert "Softmax always spreads 100%" in tab.lesson_label.text()
    # The score in the lesson line is the scribble's, named as the verdict names it.
    gate = reading.digits[first_bad].gate
    assert (f"gave digit {first_bad + 1} a digit score of {gate.digit_score:.3g}; "
            f"a digit needs {gate.threshold:.3g}.") in tab.lesson_label.text()


def draw_path(canvas, points):
    """One stroke through canvas-image ``points`` (mouse down, moves, up)."""
    rect = canvas._target_rect()
    scale = rect.width() / canvas.canvas_width
    at = [(rect.x() + x * scale, rect.y() + y * scale) for x, y in points]
    send_mouse(canvas, QEvent.Type.MouseButtonPress, *at[0])
    for x, y in at[1:]:
        send_mouse(canvas, QEvent.Type.MouseMove, x, y, button=NONE)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, *at[-1], buttons=NONE)


def test_number_mode_tells_overlapping_digits_apart_by_their_strokes(tab):
    from tests.engine.test_stroke_reading import oval

    tab.set_number_mode(True)
    tab.canvas.setFixedSize(NUMBER_WIDTH + 6, CANVAS_SIZE + 2)  # the image at 1:1
    for cx in (120, 200):  # two leaning 0s sharing a stretch of ink
        draw_path(tab.canvas, oval(cx))
    tab.refresh()
    assert tab.last_reading.number == "00"
    assert tab.verdict_label.text() == "Number: 00"
    # The line under it says what told them apart: the strokes; the models saw pixels.
    assert tab.lesson_label.text().startswith(
        "2 digits found, told apart by the strokes that drew them (the models see only pixels)")
    (left, _, ok1), (right, _, ok2) = tab.canvas.boxes
    assert ok1 and ok2 and left[1] < right[1] < left[3] < right[3]  # overlapping boxes
    # The same ink without its strokes (loaded as an image) is one piece, no "00".
    ink = tab.canvas.to_array()
    tab.canvas.set_ink_image(ink)
    assert tab.canvas.stroke_layers() is None
    tab.refresh()
    assert tab.last_reading.number != "00"
