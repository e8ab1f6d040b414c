"""TrainTab: real (tiny) training runs in the worker, progress, stop, results, adoption."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox

from digitlab.engine.paths import user_model_path
from digitlab.gui.train.train_tab import TrainTab

pg.setConfigOptions(imageAxisOrder="row-major")

RUN_TIMEOUT_MS = 120_000


def wait_for_first_batch(qtbot, tab):
    """Wait until the curves show the running point of the first batch.

    (Not ``waitSignal(worker.progress)``: the worker may be deleted while more
    of its batch events are queued, which pytest-qt's blocker does not survive.)
    """
    qtbot.waitUntil(lambda: len(tab.curves.series("train_loss")[0]) > 0, timeout=RUN_TIMEOUT_MS)


@pytest.fixture
def tab(qtbot, store):
    widget = TrainTab(store)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    yield widget
    widget.shutdown()  # before the dangling-thread check, even if the test failed


def configure(tab, kind, samples, epochs, batch, patience=0, dropout=True, split=0.2):
    tab.settings.select_model(kind, dropout=dropout)
    tab.settings.samples.setValue(samples)
    tab.settings.epochs.setValue(epochs)
    tab.settings.batch_size.setValue(batch)
    tab.settings.patience.setValue(patience)
    tab.settings.validation_split.setValue(split)
    tab.settings.augment.setChecked(False)


def test_presets_fill_the_knobs_with_the_engine_recipes(tab):
    from digitlab.engine.training import improved_recipe, lesson_recipe

    tab.settings.select_model("dnn")
    assert tab.settings.config() == lesson_recipe("dnn")
    tab.settings.recipe_combo.setCurrentText("Improved recipe")
    assert tab.settings.learning_rate.value() == pytest.approx(1e-3)
    assert tab.settings.config() == improved_recipe("dnn")
    tab.settings.select_model("cnn", dropout=False)
    assert tab.settings.config() == improved_recipe("cnn", dropout=False)
    tab.settings.samples.setValue(5000)
    tab.settings.patience.setValue(0)
    config = tab.settings.config()
    assert (config.limit, config.patience, config.dropout) == (5000, 0, False)


def test_a_tiny_run_reports_progress_curves_and_a_test_accuracy(qtbot, tab, store, mnist):
    configure(tab, "multinomial", samples=500, epochs=1, batch=20)
    tab.settings.learning_rate.setValue(0.005)

    events = []
    tab.progress_changed.connect(lambda event: events.append(
        (event.type, tab.progress.epoch_bar.value(), tab.progress.run_bar.value())))
    with qtbot.waitSignal(tab.training_finished, timeout=RUN_TIMEOUT_MS):
        tab.start_button.click()
        assert tab.is_training
        assert not tab.start_button.isEnabled() and tab.stop_button.isEnabled()

    epoch_bar_values = [bar for kind, bar, _ in events if kind == "batch"]
    run_bar_values = [bar for kind, _, bar in events if kind == "epoch_end"]
    assert epoch_bar_values and max(epoch_bar_values) > 0
    assert run_bar_values == [1000]  # one epoch of one: the whole run
    assert len(tab.curves.series("train_loss")[0]) == 1
    assert len(tab.curves.series("val_accuracy")[0]) == 1
    outcome = tab.outcome
    assert outcome.stop_reason == "completed" and outcome.epochs_run == 1
    assert 0.3 < outcome.test_accuracy <= 1.0  # 400 samples, one epoch: well above chance
    assert f"Test accuracy {outcome.test_accuracy:.2%}" in tab.result_label.text()
    assert "the lesson's multinomial: 91.80%" in tab.result_label.text()
    assert tab.confusion.matrix.sum() == len(mnist.y_test)
    assert np.trace(tab.confusion.matrix) == round(outcome.test_accuracy * len(mnist.y_test))
    assert tab.gallery.count() == len(outcome.misclassified_images) > 0
    assert "true" in tab.gallery.item(0).text() and "→ predicted" in tab.gallery.item(0).text()
    assert "Epoch 1: loss" in tab.log.toPlainText()
    assert not tab.is_training and tab.start_button.isEnabled() and tab.use_button.isEnabled()

    # "Use this model" puts it into the store (the Draw tab) and saves it.
    before = store.predictor
    with qtbot.waitSignals([store.models_changed, store.model_saved], timeout=RUN_TIMEOUT_MS):
        tab.use_button.click()
    assert store.predictor is not before
    assert store.models["multinomial"] is outcome.model
    assert store.info["multinomial"].source == "user"
    assert store.info["multinomial"].test_accuracy == outcome.test_accuracy
    assert user_model_path("multinomial").exists()
    image = mnist.x_test[0].astype(np.float32) / 255
    np.testing.assert_allclose(store.predictor.predict_image28(image)["multinomial"],
                               np.asarray(outcome.model(image[None]))[0], atol=1e-5)
    assert not tab.use_button.isEnabled()


def test_clicking_a_misclassified_digit_requests_it(qtbot, tab):
    images = np.stack([np.full((28, 28), v, np.uint8) for v in (10, 200)])
    tab.gallery.set_samples(images, np.array([3, 4]), np.array([5, 9]))
    tab.show()
    qtbot.waitExposed(tab)
    item = tab.gallery.item(1)
    assert item.text() == "true 4 → predicted 9"
    rect = tab.gallery.visualItemRect(item)
    with qtbot.waitSignal(tab.digit_requested) as blocker:
        qtbot.mouseClick(tab.gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    sent = blocker.args[0]
    assert sent.shape == (28, 28) and sent.dtype == np.uint8
    assert np.array_equal(sent, images[1])


def test_stop_ends_the_run_soon_keeps_a_model_and_offers_it(qtbot, tab, store):
    configure(tab, "dnn", samples=5000, epochs=50, batch=8, patience=3)
    tab.start_button.click()
    worker = tab.worker
    wait_for_first_batch(qtbot, tab)
    with qtbot.waitSignals([worker.result, worker.finished], timeout=RUN_TIMEOUT_MS):
        tab.stop_button.click()

    outcome = tab.outcome
    assert outcome.stop_reason == "user"
    assert outcome.epochs_run < 50 and outcome.model is not None
    assert outcome.test_accuracy is not None
    assert "Stopped by you after" in tab.result_label.text()
    # The bars show where the run stopped (a few epochs of 50), not 100 %.
    assert tab.progress.run_bar.value() < tab.progress.run_bar.maximum() // 2
    prompt = tab.stopped_prompt
    assert prompt is not None and prompt.isVisible()
    with qtbot.waitSignals([store.models_changed, store.model_saved], timeout=RUN_TIMEOUT_MS):
        prompt.button(QMessageBox.StandardButton.Yes).click()
    assert store.models["dnn"] is outcome.model
    assert store.info["dnn"].source == "user"


def test_declining_the_stopped_model_keeps_the_store_unchanged(qtbot, tab, store):
    configure(tab, "multinomial", samples=5000, epochs=50, batch=8)
    tab.start_button.click()
    worker = tab.worker
    wait_for_first_batch(qtbot, tab)
    with qtbot.waitSignal(worker.finished, timeout=RUN_TIMEOUT_MS):
        tab.stop_training()
    before = store.predictor
    tab.stopped_prompt.button(QMessageBox.StandardButton.No).click()
    assert store.predictor is before and store.info["multinomial"].source == "shipped"
    assert tab.use_button.isEnabled()  # still possible later


def test_shutdown_aborts_the_run_without_a_result(qtbot, tab):
    configure(tab, "dnn", samples=5000, epochs=50, batch=8)
    tab.start_button.click()
    wait_for_first_batch(qtbot, tab)
    tab.shutdown()
    assert not tab.is_training and tab.worker is None
    qtbot.wait(50)  # let any queued signal of the aborted run arrive: it must be ignored
    assert tab.outcome is None and tab.stopped_prompt is None
    assert tab.start_button.isEnabled()


def test_a_failed_run_shows_the_reason(qtbot, tab, monkeypatch):
    from digitlab.engine import training

    def nan_at_once(*args, **kwargs):
        raise FloatingPointError("the loss became NaN before any epoch finished; no usable "
                                 "model (learning_rate=1.0 may be too high)")

    monkeypatch.setattr(training, "train", nan_at_once)
    # The worker fails at once, maybe before a test could connect to it: wait on the tab.
    with qtbot.waitSignal(tab.training_finished, timeout=RUN_TIMEOUT_MS):
        tab.start_button.click()
    assert "Training failed: the loss became NaN" in tab.result_label.text()
    assert "learning_rate=1.0" in tab.log.toPlainText()
    assert tab.outcome is None and not tab.use_button.isEnabled()
    assert tab.start_button.isEnabled()


class FakeWorker(QObject):
    """Stands in for a TrainWorker whose batch events arrive faster than they are drawn."""

    progress = Signal(object)

    def requestInterruption(self):  # noqa: N802 - QThread's name
        pass

    def wait(self):
        return True


def batch_event(batch, loss):
    from digitlab.engine.training_progress import TrainingEvent

    return TrainingEvent("batch", epoch=0, epochs=2, batch=batch, batches_per_epoch=100,
                         samples_per_second=1000.0, logs={"loss": loss, "accuracy": 0.5})


def test_batch_events_are_drawn_at_most_every_redraw_interval_and_the_last_is_shown(qtbot, tab):
    """A burst of batch events costs one redraw now and one at the next tick, not one each.

    Drawing every event took a third of the CPU from training on two cores
    (tests/benchmarks/bench_training.py); the newest event must still be shown.
    """
    from digitlab.engine.training_progress import TrainingEvent
    from digitlab.gui.train import run_monitor
    from digitlab.gui.train.train_worker import EVALUATING

    worker = FakeWorker()
    worker.progress.connect(tab._on_progress)
    tab._worker = worker
    shown = []
    tab.progress_changed.connect(lambda event: shown.append((event.type, event.batch)))

    for batch in range(1, 41):
        worker.progress.emit(batch_event(batch, loss=2.0 - batch / 100))
    assert shown == [("batch", 1)]  # the first at once, the rest wait for the tick
    assert "batch 1/100" in tab.progress.details.text()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5 * run_monitor.PROGRESS_REDRAW_MS)
    assert shown[-1] == ("batch", 40)  # the newest, not each one between
    assert "batch 40/100" in tab.progress.details.text()
    assert tab.progress.epoch_bar.value() == 400
    # The curves' running point moves at most once a second: still batch 1's loss...
    x, y = tab.curves.series("train_loss")
    assert x.tolist() == [pytest.approx(0.01)] and y.tolist() == [pytest.approx(1.99)]
    # ...and within a second it moves to the newest batch shown.
    qtbot.waitUntil(lambda: tab.curves.series("train_loss")[0].tolist() == [pytest.approx(0.4)],
                    timeout=4 * run_monitor.CURVES_REDRAW_MS)
    assert tab.curves.series("train_loss")[1].tolist() == [pytest.approx(1.6)]

    # An epoch's end is drawn at once, and drops a batch event still waiting.
    worker.progress.emit(batch_event(99, loss=1.0))
    worker.progress.emit(TrainingEvent("epoch_end", epoch=0, epochs=2, batch=100,
                                         batches_per_epoch=100, logs={"loss": 0.9,
                                                                      "accuracy": 0.7}))
    assert shown[-1] == ("epoch_end", 100)
    qtbot.wait(3 * run_monitor.PROGRESS_REDRAW_MS)
    assert shown[-1] == ("epoch_end", 100)
    assert tab.curves.series("train_loss")[1].tolist() == [pytest.approx(0.9)]

    # Training is over: a batch event still waiting must not cover the evaluating line.
    worker.progress.emit(batch_event(1, loss=0.8))
    worker.progress.emit(batch_event(2, loss=0.8))
    worker.progress.emit(EVALUATING)
    qtbot.wait(3 * run_monitor.PROGRESS_REDRAW_MS)
    assert tab.progress.details.text().startswith("Training done; evaluating")
    tab._worker = None
