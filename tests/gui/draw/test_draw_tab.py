"""DrawTab: draw with real mouse events and watch the charts, strip and CNN maps follow."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeySequence, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from digitlab.engine.preprocess import preprocess_drawing
from digitlab.gui.draw.draw_canvas import CANVAS_SIZE
from digitlab.gui.draw.preprocess_strip import CAPTION_SIZES, STAGES, PreprocessStrip

pg.setConfigOptions(imageAxisOrder="row-major")

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton
LAYER_CAPTIONS = ["conv1 26x26x32", "pool1 13x13x32", "conv2 11x11x64", "pool2 5x5x64",
                  "conv3 3x3x64"]


def send_mouse(widget, kind, x, y, button=LEFT, buttons=LEFT):
    pos = QPointF(x, y)
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def draw_seven(canvas, release=True):
    """A '7': the top bar, then the diagonal, as one stroke (canvas at 1:1 scale)."""
    points = [(70 + 7 * i, 60) for i in range(21)]
    points += [(210 - 4 * i, 60 + 9.5 * i) for i in range(1, 21)]
    send_mouse(canvas, QEvent.Type.MouseButtonPress, *points[0])
    for x, y in points[1:]:
        send_mouse(canvas, QEvent.Type.MouseMove, x, y, button=NONE)
    if release:
        send_mouse(canvas, QEvent.Type.MouseButtonRelease, *points[-1], buttons=NONE)


def draw_line(canvas, x0, y0, x1, y1):
    send_mouse(canvas, QEvent.Type.MouseButtonPress, x0, y0)
    for t in np.linspace(0, 1, 15)[1:]:
        send_mouse(canvas, QEvent.Type.MouseMove, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t,
                   button=NONE)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, x1, y1, buttons=NONE)


@pytest.fixture
def tab(qtbot, store):
    from digitlab.gui.draw.draw_tab import DrawTab

    widget = DrawTab(store)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.canvas.setFixedSize(CANVAS_SIZE + 2, CANVAS_SIZE + 2)  # 1 widget px = 1 canvas px
    return widget


def titles(tab):
    return {kind: chart.title_text for kind, chart in tab.charts.items()}


def assert_matches_predictor(tab, predictor):
    """The charts show exactly what the predictor says about the canvas as drawn."""
    expected = predictor.predict(tab.canvas.to_array(), ink=tab.canvas.ink)
    assert not expected.is_empty
    for kind, chart in tab.charts.items():
        np.testing.assert_allclose(chart.heights, expected.probabilities[kind], atol=1e-6)
        digit = expected.digits[kind]
        assert chart.top_digit == digit
        name = {"multinomial": "Multinomial", "dnn": "DNN", "cnn": "CNN"}[kind]
        assert chart.title_text == f"{name}: {digit} ({expected.probabilities[kind][digit]:.1%})"


def test_empty_canvas_asks_for_a_digit(tab):
    assert titles(tab) == {"multinomial": "Multinomial: draw a digit",
                           "dnn": "DNN: draw a digit", "cnn": "CNN: draw a digit"}
    assert all(chart.probabilities is None for chart in tab.charts.values())
    assert not tab.undo_action.isEnabled()


def test_charts_update_while_drawing_and_after_release(tab, qtbot, predictor):
    draw_seven(tab.canvas, release=False)
    # Live: the throttled refresh runs while the button is still down.
    qtbot.waitUntil(lambda: tab.charts["cnn"].top_digit is not None, timeout=2000)
    assert re.fullmatch(r"CNN: \d \(\d{1,3}\.\d%\)", tab.charts["cnn"].title_text)
    send_mouse(tab.canvas, QEvent.Type.MouseButtonRelease, 130, 250, buttons=NONE)
    assert_matches_predictor(tab, predictor)  # release refreshes at once, no wait
    assert tab.undo_action.isEnabled()
    digits = set(tab.last_prediction.digits.values())
    verdict = tab.verdict_label.text()
    assert verdict.startswith("All models say" if len(digits) == 1 else "The models disagree")


def test_a_burst_of_moves_costs_one_prediction(tab, qtbot, predictor, monkeypatch):
    calls = []
    original = predictor.predict
    monkeypatch.setattr(predictor, "predict", lambda *a, **k: calls.append(1) or original(*a, **k))
    draw_seven(tab.canvas, release=False)  # 40 moves, no event loop in between
    assert calls == [], "nothing is predicted synchronously per mouse move"
    qtbot.waitUntil(lambda: len(calls) >= 1, timeout=2000)
    assert len(calls) == 1
    assert_matches_predictor(tab, predictor)


class FixedPredictor:
    """Says the same thing about every drawing: lets a test choose a disagreement."""

    kinds = ("multinomial", "dnn", "cnn")

    def __init__(self, digits):
        from digitlab.engine.inference import Prediction
        from digitlab.engine.preprocess import preprocess_drawing

        probs = {k: np.eye(10, dtype=np.float32)[d] * 0.9 + 0.01 for k, d in digits.items()}
        self.prediction = Prediction(False, probs, dict(digits),
                                     preprocess_drawing(np.eye(28, dtype=np.float32)))

    def predict(self, drawing, ink="auto", feature_maps=False):
        return self.prediction

    def predict_batch(self, images, kinds=None):  # what engine.reading.Reader asks
        return {k: np.tile(p, (len(images), 1)) for k, p in self.prediction.probabilities.items()}

    def feature_maps(self, image28):
        return ()


def test_models_that_disagree_are_highlighted(qtbot):
    from digitlab.gui.draw.draw_tab import DrawTab
    from digitlab.gui.model_store import ModelStore

    store = ModelStore.from_predictor(FixedPredictor({"multinomial": 1, "dnn": 7, "cnn": 7}))
    tab = DrawTab(store)
    qtbot.addWidget(tab)
    # Some ink: an empty canvas is read as empty.
    tab.canvas.set_ink_image(np.eye(28, dtype=np.float32))
    tab.refresh()
    assert tab.charts["multinomial"].disagrees
    assert not tab.charts["dnn"].disagrees and not tab.charts["cnn"].disagrees
    assert tab.charts["multinomial"].title_text == "Multinomial: 1 (91.0%)"
    assert tab.verdict_label.text() == "The models disagree: Multinomial 1, DNN 7, CNN 7"


def test_undo_and_clear_go_back_to_draw_a_digit(tab, predictor):
    draw_line(tab.canvas, 140, 40, 140, 240)
    draw_line(tab.canvas, 100, 60, 140, 40)
    assert_matches_predictor(tab, predictor)
    before_second = predictor.predict(tab.canvas.to_array(), ink="bright")
    tab.undo_action.trigger()
    assert tab.canvas.stroke_count == 1
    one_stroke = predictor.predict(tab.canvas.to_array(), ink="bright")
    assert not np.allclose(one_stroke.preprocess.image28, before_second.preprocess.image28)
    assert_matches_predictor(tab, predictor)
    tab.clear_action.trigger()
    assert tab.canvas.is_blank
    assert all(t.endswith(": draw a digit") for t in titles(tab).values())
    assert tab.verdict_label.text() == "Draw a digit on the canvas"
    assert tab.strip.images["image28"].max() == 0
    assert all(m.max() == 0 for m in tab.feature_grid.mosaics.values())


def test_invert_ink_inverts_canvas_but_not_the_answer(tab, predictor):
    draw_seven(tab.canvas)
    bright = tab.canvas.to_array()
    probs = {k: c.heights for k, c in tab.charts.items()}
    tab.invert_action.trigger()
    assert tab.canvas.ink == "dark" and tab.invert_action.isChecked()
    np.testing.assert_array_equal(tab.canvas.to_array(), 255 - bright)
    for kind, chart in tab.charts.items():  # same digit, whatever the ink colour
        np.testing.assert_allclose(chart.heights, probs[kind], atol=1e-5)
    assert_matches_predictor(tab, predictor)


def test_preprocess_strip_shows_what_the_models_receive(tab):
    draw_seven(tab.canvas)
    pre = tab.last_prediction.preprocess
    shown = tab.strip.images
    np.testing.assert_array_equal(shown["image28"], pre.image28)
    np.testing.assert_array_equal(shown["fitted"], pre.fitted)
    np.testing.assert_array_equal(shown["cropped"], pre.cropped)
    h, w = pre.fitted.shape
    assert tab.strip.captions["fitted"] == f"fitted to 20 px ({h}x{w})"
    assert tab.strip.captions["image28"] == "centred in 28x28 (model input) (28x28)"


def fine_pen_zeros(count: int = 1, pen: int = 2) -> np.ndarray:
    """``count`` 0s side by side drawn with a ``pen`` px pen on the canvas's 280 px height:
    by default 0.2 px at the 20 px box, too fine for the models until thickened."""
    image = Image.new("L", (CANVAS_SIZE * count, CANVAS_SIZE), 0)
    draw = ImageDraw.Draw(image)
    for i in range(count):
        left = CANVAS_SIZE * i + 90
        draw.ellipse((left, 40, left + 100, 240), outline=255, width=pen)
    return np.asarray(image)


def test_the_strip_says_when_fine_strokes_were_thickened_before_the_fit(tab):
    tab.canvas.set_ink_image(fine_pen_zeros())
    tab.refresh()
    pre = tab.last_prediction.preprocess
    assert pre.widened
    h, w = pre.fitted.shape
    assert tab.strip.captions["fitted"] == f"strokes thickened, fitted to 20 px ({h}x{w})"
    tab.canvas.clear()
    draw_seven(tab.canvas)  # the app's own brush is wide enough: the plain caption again
    assert not tab.last_prediction.preprocess.widened
    assert tab.strip.captions["fitted"].startswith("fitted to 20 px (")


def test_strip_captions_shrink_to_stay_side_by_side_in_a_narrow_strip(qtbot):
    # Inside a plain widget, as the tab holds it: qtbot closes only the holder. Closed on
    # its own, a pyqtgraph view that a failing assertion's traceback keeps alive crashed
    # pytest before the failure was reported.
    holder = QWidget()
    qtbot.addWidget(holder)
    strip = PreprocessStrip(holder)
    strip.resize(1200, 110)
    holder.show()
    strip.set_result(preprocess_drawing(fine_pen_zeros()))
    assert strip.caption_size == CAPTION_SIZES[0]
    full = caption_widths(strip)
    strip.resize(int(full) - 4, 110)  # just too narrow for the captions at full size
    QApplication.processEvents()
    assert strip.caption_size != CAPTION_SIZES[0]
    assert caption_widths(strip) <= strip.width()
    assert [strip._labels[stage].text for stage in STAGES] == [
        strip.captions[stage] for stage in STAGES]
    strip.resize(1200, 110)
    QApplication.processEvents()
    assert strip.caption_size == CAPTION_SIZES[0] and caption_widths(strip) == full


def caption_widths(strip) -> float:
    return sum(strip._labels[stage].item.boundingRect().width() for stage in STAGES)


def test_feature_map_grid_shows_each_layer_and_its_shape(tab):
    assert [c.split()[0] for c in tab.feature_grid.captions] == [
        "conv1", "pool1", "conv2", "pool2", "conv3"]
    draw_seven(tab.canvas)
    assert tab.feature_grid.captions == LAYER_CAPTIONS
    mosaics = tab.feature_grid.mosaics
    assert mosaics["conv1"].shape == (4 * 27 - 1, 8 * 27 - 1, 3)  # 32 maps as 4 x 8 tiles
    assert mosaics["conv3"].shape == (8 * 4 - 1, 8 * 4 - 1, 3)  # 64 maps as 8 x 8 tiles
    conv1 = tab.last_prediction.feature_maps[0].array
    strongest = int(np.argmax(conv1.reshape(-1, 32).max(axis=0)))
    r, c = divmod(strongest, 8)
    tile = mosaics["conv1"][r * 27:r * 27 + 26, c * 27:c * 27 + 26]
    assert tile.max() > 200, "the most active map shows bright where it fires"
    assert len({m.tobytes() for m in mosaics.values()}) == 5


def test_show_digit_of_mnist_digits_gives_the_same_answers(tab, mnist, predictor):
    agree = 0
    for index in range(10):
        digit = mnist.x_test[index]
        tab.show_digit(digit)
        prediction = tab.last_prediction
        assert_matches_predictor(tab, predictor)
        np.testing.assert_array_equal(tab.strip.images["image28"], prediction.preprocess.image28)
        # The 10x upscaled canvas, preprocessed again, looks like the MNIST digit itself.
        similarity = np.corrcoef(prediction.preprocess.image28.ravel(), digit.ravel())[0, 1]
        assert similarity > 0.8, f"test digit {index}: correlation {similarity:.2f}"
        raw = predictor.predict_image28(digit.astype(np.float32) / 255)["cnn"]
        agree += int(np.argmax(raw)) == prediction.digits["cnn"]
    assert agree >= 8


@pytest.mark.parametrize("index", [None, 1775])  # random; one whose refit looks least like it
def test_random_test_digit_names_the_digit_it_shows(tab, mnist, index):
    if index is not None:
        tab._rng = type("Pick", (), {"integers": staticmethod(lambda n: index)})()
    tab.random_action.trigger()
    match = re.fullmatch(r"MNIST test digit #(\d+) \(labelled (\d)\)", tab.message_text)
    assert match, tab.message_text
    index, label = int(match[1]), int(match[2])
    assert mnist.y_test[index] == label
    # The canvas shows that digit (brought back to 28x28), and the models read the canvas.
    # (The 28x28 the models see is the canvas refitted MNIST-style, which for ~2 % of the
    # test digits correlates under 0.8 with the original: not a test of which digit it is.)
    shown = tab.canvas.to_array()
    small = np.asarray(Image.fromarray(shown).resize((28, 28), Image.BOX), np.float64)
    assert np.corrcoef(small.ravel(), mnist.x_test[index].ravel())[0, 1] > 0.95
    np.testing.assert_array_equal(tab.last_prediction.preprocess.image28,
                                  preprocess_drawing(shown).image28)


def test_dark_ink_mode_shows_mnist_digit_dark_on_white(tab, mnist):
    tab.invert_action.trigger()
    tab.show_digit(mnist.x_test[0])
    array = tab.canvas.to_array()
    assert array[0, 0] == 255 and array.min() < 5, "dark ink on white"
    assert tab.last_prediction.preprocess.ink == "dark"


def test_opening_a_digit_image_file(tab, tmp_path, mnist, predictor):
    # A scan-like file: dark ink on off-white paper, not square.
    digit = 255 - mnist.x_test[0].astype(np.uint8)
    paper = np.full((200, 160), 235, np.uint8)
    paper[40:152, 24:136] = np.asarray(Image.fromarray(digit).resize((112, 112)))
    path = tmp_path / "seven.png"
    Image.fromarray(np.minimum(paper, 235)).save(path)
    assert tab.open_digit_image(str(path))
    assert tab.message_text == "Loaded seven.png"
    array = tab.canvas.to_array()
    assert array[0, 0] == 0 and array.max() == 255, "loaded as bright ink on black"
    assert_matches_predictor(tab, predictor)
    similarity = np.corrcoef(tab.last_prediction.preprocess.image28.ravel(),
                             mnist.x_test[0].ravel())[0, 1]
    assert similarity > 0.8


@pytest.mark.parametrize("content", [b"not an image at all", b""])
def test_bad_image_file_shows_an_error_and_keeps_the_canvas(tab, tmp_path, content, qtbot):
    draw_seven(tab.canvas)
    before = tab.canvas.to_array()
    shown = titles(tab)
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    tab.canvas.file_dropped.emit(str(path))  # as a drop onto the canvas does
    assert "broken.png" in tab.message_text
    assert "color" in tab.message_label.styleSheet(), "shown as an error"
    np.testing.assert_array_equal(tab.canvas.to_array(), before)
    assert titles(tab) == shown


def test_blank_image_file_is_refused(tab, tmp_path):
    draw_seven(tab.canvas)
    before = tab.canvas.to_array()
    path = tmp_path / "white.png"
    Image.fromarray(np.full((50, 50), 255, np.uint8)).save(path)
    assert not tab.open_digit_image(str(path))
    assert tab.message_text == "white.png: no digit found (the image is blank)"
    np.testing.assert_array_equal(tab.canvas.to_array(), before)


def test_loading_models_then_ready(qtbot, tiny_models):
    from digitlab.gui.draw.draw_tab import DrawTab
    from digitlab.gui.model_store import ModelStore

    store = ModelStore()  # not started: no predictor yet, as while TensorFlow loads
    tab = DrawTab(store)
    qtbot.addWidget(tab)
    tab.canvas.setFixedSize(CANVAS_SIZE + 2, CANVAS_SIZE + 2)
    assert all(t.endswith(": loading models…") for t in titles(tab).values())
    draw_seven(tab.canvas)
    assert tab.canvas.to_array().max() == 255, "drawing works while models load"
    assert tab.strip.images["image28"].max() > 0, "the preprocessing needs no model"
    assert tab.last_prediction is None
    with qtbot.waitSignal(store.models_changed, timeout=5000):
        store.use_model("cnn", tiny_models["cnn"], None)
    store.shutdown()  # the model is saved in a worker thread
    assert tab.charts["cnn"].top_digit is not None
    assert tab.charts["dnn"].title_text == "DNN: no model"
    assert tab.feature_grid.captions == LAYER_CAPTIONS
    assert tab.verdict_label.text().startswith("CNN says ")


def test_loading_failure_is_shown(qtbot):
    from digitlab.gui.draw.draw_tab import DrawTab
    from digitlab.gui.model_store import ModelStore

    store = ModelStore()
    tab = DrawTab(store)
    qtbot.addWidget(tab)
    store.loading_failed.emit("resources/models/cnn.keras: no such model file")
    assert all(t.endswith(": models failed to load") for t in titles(tab).values())
    assert "no such model file" in tab.message_text


def test_actions_for_the_menus(tab, qtbot):
    names = [a.text() for a in tab.actions()]
    assert names == ["Clear", "Undo stroke", "Random test digit", "Open digit image…",
                     "Black ink on white", "Number"]
    for action in tab.actions():
        assert not action.shortcut().isEmpty(), action.text()
        native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert f"({native}" in action.toolTip(), "the tooltip tells the shortcut"
    with qtbot.waitActive(tab):
        tab.show()
        tab.activateWindow()
    draw_seven(tab.canvas)
    tab.canvas.setFocus()
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tab.canvas.is_blank, "Ctrl+Z undid the stroke"
    draw_seven(tab.canvas)
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Delete)
    assert tab.canvas.is_blank, "Delete cleared the canvas"
    assert tab.charts["cnn"].title_text == "CNN: draw a digit"
    qtbot.keyClick(tab.canvas, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert tab.canvas.ink == "dark" and tab.invert_action.isChecked()
