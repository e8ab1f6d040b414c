"""The Train tab's result includes the trained model's reliability diagram and ECE before/after."""

from __future__ import annotations

import pytest

from digitlab.gui.train.train_tab import TrainTab
from tests.gui.train.test_train_tab import RUN_TIMEOUT_MS, configure


@pytest.fixture
def tab(qtbot, store):
    widget = TrainTab(store)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    yield widget
    widget.shutdown()


def test_a_run_shows_its_reliability_and_ece_before_and_after(qtbot, tab, store, mnist):
    from digitlab.gui.train.train_worker import calibrate_run

    assert tab.reliability.ece is None
    configure(tab, "multinomial", samples=600, epochs=1, batch=20, split=0.25)
    with qtbot.waitSignal(tab.training_finished, timeout=RUN_TIMEOUT_MS):
        tab.start_button.click()
    outcome = tab.outcome
    expected = calibrate_run(outcome.model, outcome.config, mnist)
    before, after = tab.reliability.ece
    assert before == pytest.approx(expected["ece_before"], abs=1e-6)
    assert after == pytest.approx(expected["ece_after"], abs=1e-6)
    title = tab.reliability.title_text
    assert title == (f"Multinomial: ECE {expected['ece_before']:.2%} → "
                     f"{expected['ece_after']:.2%} (T = {expected['temperature']:.2f})")
    assert "Calibration: T = " in tab.log.toPlainText()
    # "Use this model": the Draw tab's bars use the temperature fitted for it.
    with qtbot.waitSignal(store.model_saved, timeout=RUN_TIMEOUT_MS):
        tab.use_button.click()
    assert store.temperatures["multinomial"] == pytest.approx(expected["temperature"], abs=1e-6)
    assert store.reader.temperatures["multinomial"] == store.temperatures["multinomial"]


def test_a_run_without_validation_split_says_it_cannot_calibrate(qtbot, tab):
    configure(tab, "multinomial", samples=300, epochs=1, batch=50, split=0.0)
    with qtbot.waitSignal(tab.training_finished, timeout=RUN_TIMEOUT_MS):
        tab.start_button.click()
    assert tab.reliability.ece is None
    assert tab.reliability.title_text.endswith("no validation split to fit T on")
