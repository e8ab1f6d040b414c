"""WhyPanel: each model's attribution map over the input, throttled, in a worker thread."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt

from digitlab.gui.model_store import ModelStore
from digitlab.gui.draw.why_panel import WhyPanel

pg.setConfigOptions(imageAxisOrder="row-major")

TIMEOUT_MS = 30_000


@pytest.fixture
def panel(qtbot, store):
    widget = WhyPanel(store)
    qtbot.addWidget(widget)
    widget.resize(900, 360)
    yield widget
    widget.shutdown()  # before the dangling-thread check


def digit_image(mnist, index):
    return mnist.x_test[index].astype(np.float32) / 255.0


def explained(qtbot, panel):
    """Explain the current input now and wait until every map is on screen."""
    with qtbot.waitSignal(panel.attributions_shown, timeout=TIMEOUT_MS):
        assert panel.explain_now()


def test_each_model_explains_its_own_answer_with_the_engines_maps(qtbot, panel, mnist,
                                                                 tiny_models, predictor):
    from digitlab.engine.explain import explain

    image = digit_image(mnist, 0)
    panel.set_input(image)
    explained(qtbot, panel)
    probabilities = predictor.predict_image28(image)
    shown = panel.attributions
    assert set(shown) == {"multinomial", "dnn", "cnn"}
    for kind, attribution in shown.items():
        digit = int(np.argmax(probabilities[kind]))
        expected = explain(tiny_models[kind], kind, image, digit=digit)
        assert attribution.digit == digit
        np.testing.assert_allclose(attribution.map, expected.map, rtol=1e-4, atol=1e-6)
        assert panel.title_text(kind).endswith(f"why {digit} ({probabilities[kind][digit]:.1%})")
        # The strongest evidence for the digit is drawn red, the strongest against blue.
        rgb = panel.shown_image(kind).astype(int)
        y, x = np.unravel_index(np.argmax(attribution.map), (28, 28))
        assert rgb[y, x, 0] > rgb[y, x, 2]
        if attribution.map.min() < 0:
            y, x = np.unravel_index(np.argmin(attribution.map), (28, 28))
            assert rgb[y, x, 2] > rgb[y, x, 0]
    assert shown["multinomial"].method == "weight x input"
    # The multinomial map is exact: it adds up to the digit's logit minus its bias.
    kernel, bias = tiny_models["multinomial"].layers[-1].get_weights()
    digit = shown["multinomial"].digit
    logit = float(image.reshape(-1) @ kernel[:, digit] + bias[digit])
    assert shown["multinomial"].map.sum() == pytest.approx(logit - bias[digit], rel=1e-4)
    assert f"Σ {logit - bias[digit]:.3g} = logit − bias" in panel.detail_text("multinomial")
    assert shown["cnn"].method == "integrated gradients"


def test_titles_give_the_calibrated_probability_the_bars_show(qtbot, mnist, tiny_models,
                                                              predictor):
    from digitlab.engine.reading import Reader

    temperatures = {"multinomial": 0.6, "dnn": 1.8, "cnn": 2.5}
    store = ModelStore.from_predictor(predictor, models=tiny_models, temperatures=temperatures)
    panel = WhyPanel(store)
    qtbot.addWidget(panel)
    try:
        image = digit_image(mnist, 0)
        panel.set_input(image)
        explained(qtbot, panel)
        bars = Reader(predictor, None, temperatures).read_image28(image).probabilities
        for kind, attribution in panel.attributions.items():
            digit = attribution.digit
            calibrated, raw = bars[kind][digit], attribution.probability
            assert f"{calibrated:.1%}" != f"{raw:.1%}"  # the temperature shows
            assert panel.title_text(kind).endswith(f"why {digit} ({calibrated:.1%})")
    finally:
        panel.shutdown()
        store.shutdown()


def test_a_digit_button_makes_all_three_explain_that_digit(qtbot, panel, mnist):
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_input(digit_image(mnist, 1))
    with qtbot.waitSignal(panel.attributions_shown, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.digit_buttons[3], Qt.MouseButton.LeftButton)
    assert panel.selected_digit == 3
    assert {a.digit for a in panel.attributions.values()} == {3}
    assert all(" why 3 " in panel.title_text(kind) for kind in panel.attributions)
    with qtbot.waitSignal(panel.attributions_shown, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.digit_buttons[None], Qt.MouseButton.LeftButton)
    assert panel.selected_digit is None


def test_grad_cam_can_replace_integrated_gradients_for_the_cnn(qtbot, panel, mnist):
    panel.set_input(digit_image(mnist, 2))
    panel.cnn_method_combo.setCurrentIndex(1)
    explained(qtbot, panel)
    cam = panel.attributions["cnn"]
    assert cam.method == "grad-cam" and cam.map.min() >= 0
    assert "Grad-CAM" in panel.detail_text("cnn")


def test_drawing_fast_explains_only_the_last_input_once_idle(qtbot, panel, mnist, monkeypatch):
    panel.show()
    qtbot.waitExposed(panel)
    submitted = []
    original = panel.worker.submit
    monkeypatch.setattr(panel.worker, "submit", lambda r: (submitted.append(r), original(r)))
    # A burst of changes, as while drawing: each restarts the idle timer.
    images = [digit_image(mnist, i) for i in range(3, 9)]
    for image in images:
        panel.set_input(image)
    assert submitted == [], "nothing is computed while the drawing keeps changing"
    with qtbot.waitSignal(panel.attributions_shown, timeout=TIMEOUT_MS):
        pass
    assert len(submitted) == 1
    np.testing.assert_array_equal(submitted[0].image28, images[-1])
    panel.set_input(images[-1])  # unchanged: costs nothing
    qtbot.wait(300)
    assert len(submitted) == 1


def test_a_stroke_end_explains_at_once(qtbot, panel, mnist):
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_input(digit_image(mnist, 9))
    with qtbot.waitSignal(panel.attributions_shown, timeout=TIMEOUT_MS):
        panel.flush()
    assert panel.attributions


def test_a_newer_drawing_wins_over_one_in_flight(qtbot, panel, mnist, tiny_models):
    from digitlab.engine.explain import explain

    first, second = digit_image(mnist, 10), digit_image(mnist, 11)
    panel.set_input(first)
    assert panel.explain_now()
    panel.set_input(second)
    explained(qtbot, panel)
    qtbot.wait(100)  # any late map of the first drawing has arrived by now and was dropped
    expected = explain(tiny_models["dnn"], "dnn", second)
    np.testing.assert_allclose(panel.attributions["dnn"].map, expected.map, rtol=1e-4, atol=1e-6)


def test_hidden_panel_computes_nothing_until_shown(qtbot, panel, mnist, monkeypatch):
    submitted = []
    original = panel.worker.submit
    monkeypatch.setattr(panel.worker, "submit", lambda r: (submitted.append(r), original(r)))
    panel.set_input(digit_image(mnist, 12))
    qtbot.wait(400)
    assert submitted == [], "integrated gradients cost CPU: not while the panel is hidden"
    with qtbot.waitSignal(panel.attributions_shown, timeout=TIMEOUT_MS):
        panel.show()
    assert len(submitted) == 1


def test_empty_drawing_and_missing_models_say_so(qtbot, panel, predictor, mnist):
    panel.set_input(None)
    assert all(panel.title_text(k).endswith("draw a digit") for k in ("dnn", "cnn"))
    assert panel.shown_image("cnn").max() == 0
    bare = WhyPanel(ModelStore.from_predictor(predictor))  # no Keras models
    qtbot.addWidget(bare)
    bare.set_input(digit_image(mnist, 0))
    assert not bare.explain_now()
    assert bare.status_text == "no Keras models to explain"
    loading = WhyPanel(ModelStore())
    qtbot.addWidget(loading)
    loading.set_input(digit_image(mnist, 0))
    assert not loading.explain_now() and loading.status_text == "loading models…"


def test_hovering_a_pixel_reads_its_attribution(qtbot, panel, mnist):
    image = digit_image(mnist, 0)
    panel.set_input(image)
    explained(qtbot, panel)
    value = float(panel.attributions["cnn"].map[14, 15])
    text = panel.value_text("cnn", 14, 15)
    assert text.startswith("CNN (y=14, x=15): ") and f"{value:+.4g}" in text
    assert panel.value_text("cnn", 30, 3) == ""


def test_clicking_a_bar_in_the_draw_tab_shows_why_that_digit(qtbot, store, mnist):
    from digitlab.gui.draw.draw_tab import DrawTab

    tab = DrawTab(store)
    qtbot.addWidget(tab)
    tab.resize(1200, 860)
    tab.show()
    qtbot.waitExposed(tab)
    try:
        tab.show_digit(mnist.x_test[0])
        why = tab.why_panel
        chart = tab.charts["dnn"]
        view = chart.getPlotItem().getViewBox()
        pos = chart.mapFromScene(view.mapViewToScene(QPointF(4, 0.3)))
        assert chart.digit_at(view.mapViewToScene(QPointF(4, 0.3)).x()) == 4
        with qtbot.waitSignal(why.attributions_shown, timeout=TIMEOUT_MS):
            qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert tab.lower_tabs.currentWidget() is why, "the Why tab comes to the front"
        assert {a.digit for a in why.attributions.values()} == {4}
        np.testing.assert_array_equal(why.input_image, tab.last_prediction.preprocess.image28)
    finally:
        tab.shutdown()
