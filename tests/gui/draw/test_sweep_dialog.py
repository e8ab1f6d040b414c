"""SweepDialog: confidence curves along a transform, flip points, a slider to scrub."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from digitlab.engine.sweep import TRANSFORMS, sweep
from digitlab.gui.model_store import ModelStore
from digitlab.gui.draw.sweep_dialog import POINTS, SweepDialog, format_value

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def dialog(qtbot, store):
    widget = SweepDialog(store)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def image(mnist):
    return mnist.x_test[0].astype(np.float32) / 255.0


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_curves_and_flip_points_are_the_engines_sweep(dialog, predictor, image, transform):
    dialog.set_image28(image)
    dialog.set_transform(transform)
    expected = sweep(predictor, image, transform, n=POINTS[transform])
    result = dialog.result
    assert result.transform == transform and result.digit == expected.digit
    for kind in ("multinomial", "dnn", "cnn"):
        x, y = dialog.curve_data(kind)
        np.testing.assert_allclose(x, expected.values)
        np.testing.assert_allclose(y, expected.confidence[kind], rtol=1e-5, atol=1e-6)
        flip = expected.flip_at[kind]
        marker_x, _ = dialog.flip_markers[kind].getData()
        if flip is None:
            assert len(marker_x) == 0
            assert "never (within" in dialog.flip_label.text()
        else:
            assert list(marker_x) == [pytest.approx(flip)]
            assert format_value(transform, flip) in dialog.flip_label.text()


def test_with_fitted_temperatures_curves_and_lines_are_the_calibrated_probabilities(
        qtbot, predictor, tiny_models, image):
    from digitlab.engine.reading import Reader

    temperatures = {"multinomial": 0.5, "dnn": 1.5, "cnn": 2.0}
    store = ModelStore.from_predictor(predictor, models=tiny_models, temperatures=temperatures)
    dialog = SweepDialog(store)
    qtbot.addWidget(dialog)
    try:
        dialog.set_image28(image)
        dialog.set_transform("rotate")
        expected = sweep(predictor, image, "rotate", n=POINTS["rotate"],
                         temperatures=temperatures)
        raw = sweep(predictor, image, "rotate", n=POINTS["rotate"])
        for kind in ("multinomial", "dnn", "cnn"):
            _, y = dialog.curve_data(kind)
            np.testing.assert_allclose(y, expected.confidence[kind], rtol=1e-5, atol=1e-6)
            assert not np.allclose(y, raw.confidence[kind], rtol=1e-3)
        # The line under the drawing gives the bars' (calibrated) value for the digit.
        index = dialog.slider.value()
        bars = Reader(predictor, None, temperatures).read_image28(
            dialog.result.images[index]).probabilities
        for kind, text in dialog.prediction_texts().items():
            assert f"({bars[kind][dialog.result.digit]:.1%} for" in text
    finally:
        store.shutdown()


def test_the_slider_starts_on_the_untouched_drawing_and_scrubs(dialog, predictor, image):
    dialog.set_image28(image)
    dialog.set_transform("shift x")
    result = dialog.result
    np.testing.assert_array_equal(dialog.shown_image(), image)
    assert dialog.value_label.text() == "0 px"
    index = int(np.argmin(np.abs(result.values - 6.0)))
    dialog.slider.setValue(index)
    shown = dialog.shown_image()
    np.testing.assert_array_equal(shown, result.images[index])
    assert dialog.value_label.text() == "+6 px"
    assert dialog.cursor.value() == pytest.approx(6.0)
    # The ink moved right by 6 px: its centre of mass with it.
    cols = np.arange(28)
    assert (shown.sum(0) @ cols) / shown.sum() == pytest.approx(
        (image.sum(0) @ cols) / image.sum() + 6, abs=0.6)
    probabilities = predictor.predict_image28(result.images[index])
    for kind, text in dialog.prediction_texts().items():
        digit = int(np.argmax(probabilities[kind]))
        confidence = probabilities[kind][result.digit]
        name = dialog.curves[kind].name()
        assert text == f"{name}: {digit} ({confidence:.1%} for {result.digit})"
        flipped = digit != result.digit
        # A flipped model's line is coloured (the theme's orange, fitted to 4.5:1 on the
        # window); an unflipped one keeps the palette's text colour.
        assert ("color:" in dialog.prediction_labels[kind].styleSheet()) == flipped


def test_dragging_the_cursor_moves_the_slider(dialog, image):
    dialog.set_image28(image)
    dialog.set_transform("rotate")
    dialog.cursor.setValue(31.0)
    dialog.cursor.sigDragged.emit(dialog.cursor)
    assert dialog.result.values[dialog.slider.value()] == pytest.approx(30.0)
    assert dialog.value_label.text() == "+30 deg"


def test_switching_transform_keeps_a_valid_slider(dialog, image):
    dialog.set_image28(image)
    dialog.set_transform("thicken")
    assert dialog.slider.maximum() == len(dialog.result.values) - 1
    assert dialog.plot.getPlotItem().getAxis("bottom").labelText == "thicken (steps)"
    dialog.set_transform("scale")
    assert dialog.value_label.text() == "1x"
    with pytest.raises(ValueError, match="Received transform='warp'"):
        dialog.set_transform("warp")


def test_tracking_another_digit(dialog, image):
    dialog.set_image28(image)
    dialog.digit_combo.setCurrentIndex(dialog.digit_combo.findData(3))
    assert dialog.result.digit == 3
    assert "Confidence in 3" in dialog.plot.getPlotItem().titleLabel.text


def test_nothing_drawn_or_no_models_explains_itself(qtbot, dialog, image):
    dialog.set_image28(None)
    assert dialog.result is None and "Draw a digit first" in dialog.flip_label.text()
    assert len(dialog.curve_data("cnn")[0]) == 0
    waiting = SweepDialog(ModelStore())
    qtbot.addWidget(waiting)
    waiting.set_image28(image)
    assert waiting.result is None and "still loading" in waiting.flip_label.text()


def test_models_changed_reruns_the_sweep(dialog, store, tiny_models, image):
    from digitlab.engine.inference import Predictor

    dialog.set_image28(image)
    assert set(dialog.result.confidence) == {"multinomial", "dnn", "cnn"}
    store._predictor = Predictor.from_keras({"dnn": tiny_models["dnn"]})
    store.models_changed.emit()
    assert set(dialog.result.confidence) == {"dnn"}
    assert dialog.prediction_texts()["cnn"] == "CNN: no model"


def test_opened_from_the_draw_tab_it_follows_the_drawing(qtbot, store, mnist):
    from digitlab.gui.draw.draw_tab import DrawTab

    tab = DrawTab(store)
    qtbot.addWidget(tab)
    tab.show_digit(mnist.x_test[1])
    dialog = tab.lab.show_sweep()
    assert dialog.isVisible()
    expected = tab.last_prediction.preprocess.image28
    np.testing.assert_array_equal(dialog.result.images[dialog.slider.value()], expected)
    tab.show_digit(mnist.x_test[2])
    new = tab.last_prediction.preprocess.image28
    qtbot.waitUntil(lambda: np.array_equal(dialog.shown_image(), new), timeout=5000)
    dialog.close()
