"""Faults in the app: bad files on each tab, bad user models at start, NaN, closing, full disks.

Each test drives the real widgets (and, for closing during training, the real
app in a subprocess) and checks what the user sees: the message, and that what
was on screen before is still there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from digitlab.engine.models import build_model, save_model_atomic, write_model_card
from digitlab.engine.paths import user_model_path
from digitlab.gui.model_store import ModelInfo, ModelStore
from tests.image_files import png_bomb

pg.setConfigOptions(imageAxisOrder="row-major")

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 120_000


# ----- fixtures and helpers ---------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_dir(tmp_path_factory, tiny_models):
    """A stand-in for resources/models with model cards (no accuracy to measure)."""
    folder = tmp_path_factory.mktemp("shipped")
    for kind, model in tiny_models.items():
        write_model_card(save_model_atomic(model, folder / f"{kind}.keras"), 0.8)
    return folder


def _truncated_jpeg(path: Path) -> Path:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (80, 80, 3), dtype=np.uint8)).save(path, "JPEG")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


BAD_FILES = {
    "truncated jpeg": (lambda d: _truncated_jpeg(d / "cut.jpg"), "corrupt or truncated"),
    "bomb": (lambda d: png_bomb(d / "bomb.png", 30000), "decompression bomb"),
    "unsupported": (lambda d: Image.new("RGB", (8, 8)).save(d / "pic.ppm") or d / "pic.ppm",
                    "unsupported format PPM"),
    "folder": (lambda d: (d / "digits").mkdir() or d / "digits", "folder"),
}


def _draw_a_one(canvas) -> None:
    """One vertical stroke with real mouse events (the canvas at 1:1 scale)."""
    def send(kind, y, button, buttons):
        pos = QPointF(140, y)
        QApplication.sendEvent(canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(QEvent.Type.MouseButtonPress, 40, left, left)
    for y in range(50, 241, 10):
        send(QEvent.Type.MouseMove, y, none, left)
    send(QEvent.Type.MouseButtonRelease, 240, left, none)


# ----- images: Draw tab and Filters tab ---------------------------------------------------
@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_digit_file_on_the_draw_tab_shows_why_and_keeps_the_drawing(
        qtbot, store, tmp_path, kind):
    from digitlab.gui.draw.draw_tab import DrawTab

    tab = DrawTab(store)
    qtbot.addWidget(tab)
    tab.canvas.setFixedSize(282, 282)
    _draw_a_one(tab.canvas)
    before, shown = tab.canvas.to_array(), tab.last_prediction
    assert shown is not None and not shown.is_empty
    make, reason = BAD_FILES[kind]
    path = make(tmp_path)

    assert tab.open_digit_image(str(path)) is False
    assert str(path) in tab.message_text and reason in tab.message_text
    assert "\n" not in tab.message_text
    np.testing.assert_array_equal(tab.canvas.to_array(), before)
    assert tab.last_prediction is shown


@pytest.mark.parametrize("kind", ["truncated jpeg", "bomb", "unsupported"])
def test_a_bad_photo_on_the_filters_tab_keeps_the_previous_photo_and_says_why(
        qtbot, tmp_path, kind):
    from digitlab.gui.filters.filters_tab import FiltersTab

    tab = FiltersTab(None)
    qtbot.addWidget(tab)
    try:
        qtbot.waitUntil(lambda: tab.result is not None, timeout=TIMEOUT_MS)
        photo, result = tab.photo, tab.result
        assert tab.picker.photo_label.text() == "rocket.jpg: 640×427"
        make, reason = BAD_FILES[kind]
        path = make(tmp_path)
        with qtbot.waitSignal(tab.message_changed, timeout=TIMEOUT_MS) as blocker:
            tab.open_photo(str(path))
        assert str(path) in blocker.args[0] and reason in blocker.args[0]
        assert tab.photo is photo and tab.result is result
        # The photo line names the photo still shown, not the file that failed.
        assert tab.picker.photo_label.text() == "rocket.jpg: 640×427"
        assert tab.view.title_text("input") == "input (1, 427, 640, 1)"
    finally:
        tab.shutdown()


def test_a_huge_photo_is_downscaled_and_the_working_size_is_shown(qtbot, tmp_path):
    from digitlab.gui.filters.filters_tab import FiltersTab

    big = tmp_path / "huge.jpg"
    Image.new("RGB", (12000, 9000), (90, 160, 30)).save(big, quality=40)
    tab = FiltersTab(None)
    qtbot.addWidget(tab)
    try:
        qtbot.waitUntil(lambda: tab.result is not None, timeout=TIMEOUT_MS)
        with qtbot.waitSignal(tab.result_shown, timeout=TIMEOUT_MS,
                              check_params_cb=lambda r: r.input_shape == (1, 1536, 2048, 1)):
            tab.open_photo(str(big))
        assert tab.picker.photo_label.text() == (
            "huge.jpg: working size 2048×1536 (original 12000×9000)")
    finally:
        tab.shutdown()


# ----- models at start --------------------------------------------------------------------
def _lambda_model(path: Path) -> Path:
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Lambda(lambda x: x * 2),
                              keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path


def test_bad_user_models_at_start_fall_back_to_shipped_and_say_so(
        qtbot, windows, settings, shipped_dir):
    _lambda_model(user_model_path("cnn"))
    save_model_atomic(build_model("cnn"), user_model_path("dnn"))  # a CNN where a DNN belongs
    user_model_path("multinomial").write_bytes(b"")
    store = ModelStore(shipped_dir=shipped_dir)
    window = windows(store, settings)
    try:
        with qtbot.waitSignal(store.models_changed, timeout=TIMEOUT_MS):
            store.start_loading()
        status = window.statusBar().currentMessage()
        for kind, reason in (("cnn", "serialized code"), ("dnn", "is a cnn model"),
                             ("multinomial", "empty")):
            assert store.info[kind] == ModelInfo("shipped", str(shipped_dir / f"{kind}.keras"),
                                                 0.8)
            assert f"Your {kind} model could not be loaded" in status and reason in status
        assert "Models: multinomial 80.00% (shipped)" in window.models_label.text()
        assert window.draw_tab.last_prediction is not None  # the Draw tab works
    finally:
        store.shutdown()


# ----- training: NaN, disk full ------------------------------------------------------------
@pytest.fixture
def train_tab(qtbot, windows, store, settings):
    window = windows(store, settings)
    tab = window.train_tab
    tab.settings.select_model("multinomial")
    tab.settings.samples.setValue(500)
    tab.settings.epochs.setValue(3)
    tab.settings.batch_size.setValue(20)
    tab.settings.patience.setValue(0)
    tab.settings.learning_rate.setValue(0.01)
    tab.settings.augment.setChecked(False)
    yield window, tab
    tab.shutdown()


def test_nan_in_the_first_epoch_fails_with_a_message_and_offers_no_model(
        qtbot, train_tab, store, monkeypatch):
    import digitlab.engine.training as training

    window, tab = train_tab
    scale = training.scale_images

    def with_nan(images):  # a corrupt sample in the training set: the loss becomes NaN
        x = scale(images)
        x[len(x) // 3] = np.nan
        return x

    monkeypatch.setattr(training, "scale_images", with_nan)
    before = store.predictor
    with qtbot.waitSignal(tab.training_finished, timeout=TIMEOUT_MS):
        tab.start_button.click()
    log = tab.log.toPlainText()
    assert "Epoch 1: the loss became nan" in log and "training stopped" in log
    assert "Training failed: the loss became NaN" in tab.result_label.text()
    assert tab.outcome is None and not tab.use_button.isEnabled()
    assert tab.stopped_prompt is None
    assert store.predictor is before and store.info["multinomial"].source == "shipped"


def test_nan_after_a_good_epoch_offers_only_the_good_weights(qtbot, train_tab, monkeypatch):
    import digitlab.engine.training as training

    window, tab = train_tab
    make_callback = training.make_progress_callback

    def poisoning_callback(keras):
        class Poison(make_callback(keras)):
            def on_epoch_begin(self, epoch, logs=None):
                super().on_epoch_begin(epoch, logs)
                if epoch == 1:  # the weights explode in epoch 2
                    weights = self.model.get_weights()
                    weights[0] = np.full_like(weights[0], np.inf)
                    self.model.set_weights(weights)

        return Poison

    monkeypatch.setattr(training, "make_progress_callback", poisoning_callback)
    with qtbot.waitSignal(tab.training_finished, timeout=TIMEOUT_MS):
        tab.start_button.click()
    outcome = tab.outcome
    assert outcome.stop_reason == "nan" and outcome.best_epoch == 0
    assert "the loss became NaN after 2 epochs; kept the weights of epoch 1" in \
        tab.result_label.text()
    assert "Epoch 2: the loss became" in tab.log.toPlainText()
    assert tab.stopped_prompt is None  # no "use the stopped model?" question for a NaN
    # What is offered is epoch 1's model: finite weights, a real test accuracy.
    assert all(np.isfinite(w).all() for w in outcome.model.get_weights())
    assert outcome.test_accuracy is not None and outcome.test_accuracy > 0.5
    assert tab.use_button.isEnabled()


@pytest.mark.parametrize("fault", ["read-only", "disk full"])
def test_use_this_model_on_an_unwritable_data_folder_keeps_it_in_memory(
        qtbot, train_tab, store, tmp_path, monkeypatch, mnist, fault):
    window, tab = train_tab
    tab.settings.epochs.setValue(1)
    with qtbot.waitSignal(tab.training_finished, timeout=TIMEOUT_MS):
        tab.start_button.click()
    outcome = tab.outcome
    assert outcome is not None and tab.use_button.isEnabled()

    if fault == "read-only":
        # A data folder "inside" a regular file cannot be created, even by root.
        blocker = tmp_path / "read-only"
        blocker.write_text("x")
        monkeypatch.setenv("DIGITLAB_DATA_DIR", str(blocker / "digitlab"))
        expected = "read-only"
    else:
        def full(self, *args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(type(outcome.model), "save", full)
        expected = "No space left on device"

    with qtbot.waitSignal(store.status_changed, timeout=TIMEOUT_MS,
                          check_params_cb=lambda text: "could not be saved" in text):
        tab.use_button.click()
    assert expected in window.statusBar().currentMessage()
    assert "could not be saved" in window.statusBar().currentMessage()
    assert "(yours, not saved)" in window.models_label.text()
    assert store.models["multinomial"] is outcome.model
    assert store.info["multinomial"] == ModelInfo("user", None, outcome.test_accuracy)
    image = mnist.x_test[0].astype(np.float32) / 255
    np.testing.assert_allclose(store.predictor.predict_image28(image)["multinomial"],
                               np.asarray(outcome.model(image[None]))[0], atol=1e-5)
    if fault == "disk full":
        assert not user_model_path("multinomial").exists()
        assert list(user_model_path("multinomial").parent.iterdir()) == []  # no temp left


# ----- closing the real app during training ----------------------------------------------
_CLOSE_DURING_TRAINING = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)

    def start_training():
        window = next(w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow")
        tab = window.train_tab
        window.tabs.setCurrentWidget(tab)
        tab.settings.select_model("dnn")
        tab.settings.samples.setValue(5000)
        tab.settings.batch_size.setValue(8)
        tab.settings.augment.setChecked(False)

        def on_progress(event):
            if event.type == "batch" and window.isVisible():
                print("training", flush=True)
                window.close()  # as the user's click on the close button does

        tab.progress_changed.connect(on_progress)
        tab.start_training()

    QTimer.singleShot(0, start_training)
    from digitlab.gui.app import main
    code = main()
    print("exited", code, flush=True)
    sys.exit(code)
""")


@pytest.mark.slow
def test_closing_the_real_app_during_training_exits_cleanly(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path),
               DIGITLAB_DATA_DIR=str(tmp_path / "data"))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    try:
        proc = subprocess.run([sys.executable, "-c", _CLOSE_DURING_TRAINING], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as exc:  # a hang on close is the bug this test is for
        pytest.fail(f"the app did not exit after closing during training: {exc.stderr!r}")
    assert proc.stdout.splitlines() == ["training", "exited 0"], (proc.stdout, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    assert "QThread" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr == ""
    assert not (tmp_path / "data" / "models").exists()  # an aborted run saves nothing
