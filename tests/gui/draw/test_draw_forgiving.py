"""Draw tab, forgiving: Clear can be undone, and the canvas and the charts speak to
keyboard and screen-reader users (the charts' text alternative: the ten probabilities)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
import shiboken6
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from digitlab.gui.draw.draw_canvas import DrawCanvas
from digitlab.gui.draw.probability_chart import ProbabilityChart

pg.setConfigOptions(imageAxisOrder="row-major")


def stroke(canvas, points):
    kinds = [QEvent.Type.MouseButtonPress] + [QEvent.Type.MouseMove] * (len(points) - 2) + [
        QEvent.Type.MouseButtonRelease]
    for kind, (x, y) in zip(kinds, points, strict=True):
        button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else \
            Qt.MouseButton.NoButton
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else \
            Qt.MouseButton.LeftButton
        pos = QPointF(x, y)
        QApplication.sendEvent(canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))


@pytest.fixture
def canvas(qtbot):
    widget = DrawCanvas()
    qtbot.addWidget(widget)
    widget.resize(282, 282)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_clear_can_be_undone(canvas):
    stroke(canvas, [(60 + 10 * i, 100) for i in range(16)])
    stroke(canvas, [(140, 60 + 10 * i) for i in range(16)])
    drawn = canvas.to_array().copy()
    canvas.clear()
    assert not canvas.to_array().any() and canvas.can_undo
    canvas.clear()  # a second Clear of the empty canvas must not forget the drawing
    canvas.undo()
    np.testing.assert_array_equal(canvas.to_array(), drawn)
    assert canvas.stroke_count == 2
    canvas.undo()  # then strokes come off one by one, as before
    assert canvas.stroke_count == 1


def test_a_cleared_digit_image_comes_back_too(canvas):
    digit = np.zeros((28, 28), np.uint8)
    digit[5:23, 12:16] = 255
    canvas.set_ink_image(digit)
    shown = canvas.to_array().copy()
    canvas.clear()
    canvas.undo()
    np.testing.assert_array_equal(canvas.to_array(), shown)


def test_the_canvas_has_a_name_a_description_and_a_visible_focus(qtbot, canvas):
    assert canvas.accessibleName() and "Delete" in canvas.accessibleDescription()
    canvas.clearFocus()
    qtbot.waitUntil(lambda: not canvas.hasFocus())
    unfocused = canvas.grab().toImage()
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    assert canvas.grab().toImage() != unfocused  # the focus frame shows


def test_a_charts_text_alternative_lists_the_ten_probabilities(qtbot):
    chart = ProbabilityChart("CNN")
    qtbot.addWidget(chart)
    assert chart.accessibleName() == "CNN probabilities"
    probs = np.array([0.01, 0.0, 0.02, 0.9, 0.0, 0.03, 0.0, 0.04, 0.0, 0.0], np.float32)
    chart.set_probabilities(probs)
    description = chart.accessibleDescription()
    assert description.startswith(chart.title_text)
    for digit, p in enumerate(probs):
        assert f"{digit}: {p:.1%}" in description
    chart.show_message("draw a digit")
    assert chart.accessibleDescription() == chart.title_text


def _blur(row: np.ndarray) -> int:
    """How many pixels of a scan line are neither ink nor background (edge blur)."""
    return int(np.count_nonzero((row > 0) & (row < 255)))


def test_the_canvas_is_crisp_at_200_percent(canvas):
    stroke(canvas, [(40 + 10 * i, 141) for i in range(21)])  # a horizontal bar
    shown = canvas.display_image(300, 2.0)
    assert (shown.width(), shown.height()) == (600, 600)
    assert shown.devicePixelRatio() == 2.0
    column = np.frombuffer(shown.constBits(), np.uint8).reshape(
        600, shown.bytesPerLine())[:, 300]
    # The model's 280x280 image scaled up to the same 600 device pixels, for comparison.
    upscaled = canvas._image.scaled(600, 600, Qt.AspectRatioMode.IgnoreAspectRatio,
                                    Qt.TransformationMode.SmoothTransformation)
    up = np.frombuffer(upscaled.constBits(), np.uint8).reshape(600, upscaled.bytesPerLine())
    assert column.max() == 255 and _blur(column) < _blur(up[:, 300])
    canvas.set_ink("dark")
    dark = canvas.display_image(300, 2.0)
    row = np.frombuffer(dark.constBits(), np.uint8).reshape(600, dark.bytesPerLine())[:, 300]
    np.testing.assert_array_equal(row, 255 - column)


# ----- the Draw tab -----------------------------------------------------------------------
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def predictor(tiny_models):
    from digitlab.engine.inference import Predictor

    return Predictor.from_keras(tiny_models)


@pytest.fixture
def tab(qtbot, predictor, tiny_models):
    from digitlab.gui.draw.draw_tab import DrawTab
    from digitlab.gui.model_store import ModelStore

    widget = DrawTab(ModelStore.from_predictor(predictor, models=tiny_models))
    qtbot.addWidget(widget)
    widget.resize(1200, 860)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()


def test_a_stray_delete_can_be_undone_in_the_tab(qtbot, tab, mnist):
    tab.show_digit(mnist.x_test[0])
    drawn = tab.canvas.to_array().copy()
    tab.canvas.setFocus()
    qtbot.waitUntil(tab.canvas.hasFocus)
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Delete)
    assert not tab.canvas.to_array().any()
    assert "Undo" in tab.message_text and tab.undo_action.isEnabled()
    tab.undo_action.trigger()
    np.testing.assert_array_equal(tab.canvas.to_array(), drawn)
    assert tab.last_prediction is not None and not tab.last_prediction.is_empty


def test_a_digit_picked_on_a_chart_lasts_only_for_that_drawing(qtbot, tab, mnist):
    why = tab.why_panel
    tab.show_digit(mnist.x_test[0])
    chart = tab.charts["dnn"]
    view = chart.getPlotItem().getViewBox()
    pos = chart.mapFromScene(view.mapViewToScene(QPointF(8, 0.3)))
    with qtbot.waitSignal(why.attributions_shown, timeout=TIMEOUT_MS):
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert why.selected_digit == 8
    # A new drawing: each model explains its own answer again, not "why 8 (0.0 %)".
    with qtbot.waitSignal(why.attributions_shown, timeout=TIMEOUT_MS):
        tab.show_digit(mnist.x_test[1])
        why.flush()
    assert why.selected_digit is None and why.digit_buttons[None].isChecked()
    assert {k: a.digit for k, a in why.attributions.items()} == tab.last_prediction.digits
    # Clearing ends a drawing too.
    why.select_digit(3)
    tab.clear()
    assert why.selected_digit is None


def test_the_tabs_maps_have_text_alternatives(tab, mnist):
    tab.show_digit(mnist.x_test[0])
    assert "conv1" in tab.feature_grid.accessibleDescription()
    assert "centred in 28x28" in tab.strip.accessibleDescription()
    assert tab.feature_grid.accessibleName() and tab.strip.accessibleName()


def test_a_narrow_chart_keeps_all_ten_bars_in_view(qtbot):
    chart = ProbabilityChart("Multinomial")
    qtbot.addWidget(chart)
    chart.resize(125, 140)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_probabilities(np.array([0.0] * 7 + [0.993, 0.004, 0.003], np.float32))
    qtbot.wait(20)
    view = chart.getPlotItem().getViewBox()
    right = view.mapViewToScene(QPointF(9.5, 0.0)).x()
    assert right <= chart.viewport().width()  # the bar of 9 is on screen, not cut off
    assert chart.title_text == "Multinomial: 7 (99.3%)"  # the full text stays readable here


def test_a_shortened_title_keeps_the_digit_and_its_probability(qtbot):
    # Long model names (Korean: "다항 로지스틱 회귀") on a small screen: what is cut is
    # the name, never the answer the chart gives.
    chart = ProbabilityChart("Multinomial logistic regression, the lesson's first model")
    qtbot.addWidget(chart)
    chart.resize(180, 140)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_probabilities(np.array([0.0] * 7 + [0.993, 0.004, 0.003], np.float32))
    qtbot.wait(20)
    shown = chart.getPlotItem().titleLabel.text
    assert "…" in shown, "the title had to be shortened at this width"
    assert shown.endswith(": 7 (99.3%)")


def test_the_clear_hint_goes_once_a_new_drawing_begins(tab, mnist):
    tab.show_digit(mnist.x_test[0])
    tab.clear_action.trigger()
    assert "Undo" in tab.message_text
    stroke(tab.canvas, [(140, 40), (140, 140), (140, 240)])
    assert tab.message_text == ""
    tab.show_digit(mnist.x_test[1])
    tab.clear_action.trigger()
    tab.lab.message.emit("Saved")  # any other message stays after a stroke
    stroke(tab.canvas, [(140, 40), (140, 240)])
    assert tab.message_text == "Saved"


def test_an_empty_number_canvas_asks_for_a_number(tab):
    tab.set_number_mode(True)
    assert tab.verdict_label.text() == "Draw a number on the canvas"
    tab.set_number_mode(False)
    assert tab.verdict_label.text() == "Draw a digit on the canvas"


def test_a_number_canvas_leaves_the_charts_their_room_on_a_small_screen(qtbot, tab):
    from digitlab.gui.draw.draw_tab import NUMBER_COLUMN, RIGHT_MIN

    tab.resize(1400, 860)
    tab.set_number_mode(True)
    qtbot.waitUntil(lambda: tab._left_widget.width() == NUMBER_COLUMN)  # the full canvas
    tab.resize(1000, 620)
    qtbot.waitUntil(lambda: tab._left_widget.width() < NUMBER_COLUMN)
    assert tab._left_scroll.width() <= tab.width() - RIGHT_MIN
    tab.set_number_mode(False)
    tab.resize(1400, 860)
    tab.set_number_mode(True)
    qtbot.waitUntil(lambda: tab._left_widget.width() == NUMBER_COLUMN)


def _three_narrow_charts(qtbot) -> list[ProbabilityChart]:
    """The Draw tab's three charts as narrow as in Number mode, shown."""
    charts = [ProbabilityChart(name) for name in ("Multinomial", "DNN", "CNN")]
    for chart in charts:
        qtbot.addWidget(chart)
        chart.resize(204, 200)
        chart.show()
        qtbot.waitExposed(chart)
    return charts


def test_charts_side_by_side_show_their_titles_at_one_size(qtbot):
    # Number mode's narrow charts: "Multinomial: draw a digit" fits only at 8 pt where
    # "DNN: draw a digit" fits at 11; side by side, the three share the smaller size.
    charts = _three_narrow_charts(qtbot)
    alone = [chart.title_points for chart in charts]
    assert alone[0] < alone[1] == alone[2], alone  # the set-up the row is for
    ProbabilityChart.share_title_size(charts)
    assert {chart.title_points for chart in charts} == {alone[0]}
    # A shorter title lets the whole row grow again, the others following.
    charts[0].show_message("ok")
    assert {chart.title_points for chart in charts} == {alone[1]}
    charts[0].set_probabilities(np.array([0.0] * 7 + [0.993, 0.004, 0.003], np.float32))
    assert len({chart.title_points for chart in charts}) == 1
    assert charts[0].title_points == charts[0]._fitting_points()


def test_a_chart_deleted_under_its_wrapper_leaves_the_row_working(qtbot):
    # The row holds its peers' Python wrappers; a widget deleted on the C++ side (its
    # parent gone first) must drop out of the row, not raise on every title change.
    charts = _three_narrow_charts(qtbot)
    ProbabilityChart.share_title_size(charts)
    shiboken6.delete(charts[0])
    charts[1].show_message("ok")  # raised RuntimeError before the peer was checked
    assert charts[1].title_points == charts[2].title_points == charts[1]._fitting_points()
