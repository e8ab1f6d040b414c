"""FiltersTab: the lesson's conv/pool on rocket.jpg, live, with shapes, hover and export."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtCore import QObject, QPointF, Signal

from digitlab import resources
from digitlab.engine.filters import KERNEL_PRESETS, FilterSettings, apply_filter
from digitlab.engine.images import extract_channel, load_photo
from digitlab.engine.filter_geometry import Window
from digitlab.gui.filters.filters_tab import FiltersTab
from digitlab.gui.filters.kernel_editor import TRAINED_PRESET
from digitlab.gui.filters.worked_example import WorkedExample

pg.setConfigOptions(imageAxisOrder="row-major")

ROCKET = resources.path("photos", "rocket.jpg")
LESSON = KERNEL_PRESETS["vertical edge (lesson)"]
TIMEOUT = 60_000  # the first filter imports TensorFlow


class FakePredictor:
    """What the tab reads from a predictor: its kinds and the CNN's first-layer kernels."""

    kinds = ("cnn",)

    def __init__(self) -> None:
        rng = np.random.default_rng(1)
        self.kernels = rng.normal(size=(3, 3, 32)).astype(np.float32)

    def cnn_first_layer_kernels(self) -> np.ndarray:
        return self.kernels


class FakeStore(QObject):
    """The slice of gui.model_store.ModelStore the Filters tab uses."""

    models_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.predictor = None

    @property
    def is_ready(self) -> bool:
        return self.predictor is not None


@pytest.fixture(scope="module")
def red():
    return extract_channel(load_photo(ROCKET).rgb, "red")


@pytest.fixture
def tab(qtbot):
    widget = FiltersTab(FakeStore())
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.result is not None, timeout=TIMEOUT)
    yield widget
    widget.shutdown()


def _next_result(qtbot, tab, action):
    with qtbot.waitSignal(tab.result_shown, timeout=TIMEOUT) as blocker:
        action()
    return blocker.args[0]


def test_rocket_shows_the_lessons_shapes(tab, red):
    assert tab.picker.photo_combo.currentText() == "rocket.jpg"
    assert tab.picker.channel_combo.currentText() == "Red"
    assert "640×427" in tab.picker.photo_label.text()
    assert tab.view.title_text("input") == "input (1, 427, 640, 1)"
    assert tab.view.title_text("conv") == "tf.nn.conv2d → (1, 425, 638, 1)"
    assert "kernel (3, 3, 1, 1)" in tab.view.titles["conv"].text
    assert tab.view.title_text("pool").endswith("→ (1, 141, 212, 1)")
    np.testing.assert_array_equal(tab.view.shown_array("input"), red)
    expected = apply_filter(red, LESSON)
    np.testing.assert_allclose(tab.view.shown_array("conv"), expected.conv[..., 0], atol=1e-3)
    np.testing.assert_allclose(tab.view.shown_array("pool"), expected.pooled[..., 0], atol=1e-3)
    np.testing.assert_array_equal(tab.view.images["conv"].image, tab.view.shown_array("conv"))


def test_editing_a_kernel_cell_updates_the_feature_map(tab, qtbot, red):
    before = tab.view.shown_array("conv").copy()
    _next_result(qtbot, tab, lambda: tab.kernel_editor.grid.item(1, 1).setText("4"))
    kernel = np.array([[-1, 0, 1], [-1, 4, 1], [-1, 0, 1]], dtype=np.float32)
    shown = tab.view.images["conv"].image
    assert not np.allclose(shown, before)
    np.testing.assert_allclose(shown, apply_filter(red, kernel).conv[..., 0], atol=1e-3)


def test_choosing_a_preset_updates_the_feature_map(tab, qtbot, red):
    combo = tab.kernel_editor.preset_combo
    index = combo.findText("sobel y")
    _next_result(qtbot, tab, lambda: combo.activated.emit(index))
    expected = apply_filter(red, KERNEL_PRESETS["sobel y"])
    np.testing.assert_allclose(tab.view.images["conv"].image, expected.conv[..., 0], atol=1e-3)
    np.testing.assert_allclose(tab.view.images["pool"].image, expected.pooled[..., 0], atol=1e-3)


def test_typing_kernel_rows_updates_the_shapes(tab, qtbot, red):
    edit = tab.kernel_editor.rows_edit
    edit.clear()
    qtbot.keyClicks(edit, "1,1,1,1,1")
    qtbot.waitUntil(lambda: tab.result.kernel_shape == (1, 5, 1, 1), timeout=TIMEOUT)
    assert tab.view.title_text("conv").endswith("→ (1, 427, 636, 1)")
    expected = apply_filter(red, np.ones((1, 5), np.float32))
    np.testing.assert_allclose(tab.view.images["conv"].image, expected.conv[..., 0], atol=1e-2)


def test_same_padding_keeps_the_input_size(tab, qtbot):
    _next_result(qtbot, tab, lambda: tab.settings_panel.padding_combo.setCurrentText("SAME"))
    assert tab.view.title_text("conv").endswith("→ (1, 427, 640, 1)")
    assert tab.view.title_text("pool").endswith("→ (1, 142, 213, 1)")


def test_stride_shrinks_the_feature_map(tab, qtbot):
    _next_result(qtbot, tab, lambda: tab.settings_panel.stride_spin.setValue(2))
    assert tab.view.title_text("conv").endswith("→ (1, 213, 319, 1)")  # ceil(425/2), ceil(638/2)


def test_invalid_combination_keeps_the_last_result_and_says_why(tab, qtbot):
    shown, conv_title = tab.result, tab.view.title_text("conv")
    with qtbot.waitSignal(tab.message_changed, timeout=TIMEOUT) as blocker:
        tab.settings_panel.stride_spin.setValue(50)  # a 9x13 feature map...
        tab.settings_panel.pool_spin.setValue(20)  # ...that a 20x20 pool cannot fit
    assert "pool=20" in blocker.args[0] and "last valid result" in blocker.args[0]
    assert tab.result is shown and tab.view.title_text("conv") == conv_title
    # Fixing the value computes again and clears the message.
    _next_result(qtbot, tab, lambda: tab.settings_panel.pool_spin.setValue(3))
    assert tab.message == "" and tab.view.title_text("conv").endswith("→ (1, 9, 13, 1)")


def test_invalid_kernel_value_keeps_the_last_result(tab, qtbot, red):
    shown = tab.result
    tab.kernel_editor.grid.item(0, 0).setText("1e999")
    assert "'1e999'" in tab.kernel_editor.error_label.text()
    qtbot.wait(100)  # longer than the debounce: nothing was queued
    assert tab.result is shown
    np.testing.assert_array_equal(tab.kernel_editor.kernels()[0], LESSON)


def test_a_bad_photo_file_keeps_the_previous_photo(tab, qtbot, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"this is not a JPEG")
    photo, shown = tab.photo, tab.result
    with qtbot.waitSignal(tab.message_changed, timeout=TIMEOUT) as blocker:
        tab.open_photo(str(broken))
    assert "broken.jpg" in blocker.args[0]
    assert tab.photo is photo and tab.result is shown
    assert tab.view.title_text("input") == "input (1, 427, 640, 1)"


def test_other_photo_channel_and_downscale_notice(tab, qtbot, tmp_path):
    _next_result(qtbot, tab, lambda: tab.open_photo(str(resources.path("photos", "camera.png"))))
    assert tab.view.title_text("input") == "input (1, 512, 512, 1)"
    big = tmp_path / "wide.png"
    Image.new("RGB", (3000, 1200), (10, 200, 30)).save(big)
    _next_result(qtbot, tab, lambda: tab.open_photo(str(big)))
    assert "working size 2048×819 (original 3000×1200)" in tab.picker.photo_label.text()
    _next_result(qtbot, tab, lambda: tab.picker.channel_combo.setCurrentText("Green"))
    assert np.all(tab.view.shown_array("input") == 200)


def _hover(qtbot, tab, panel: str, y: int, x: int) -> str:
    """Move the mouse (as a scene event) over pixel (y, x) of a panel; return the hover line."""
    view = tab.view.views[panel]
    scene_pos = view.mapViewToScene(QPointF(x + 0.5, y + 0.5))
    with qtbot.waitSignal(tab.view.hovered, timeout=1000) as blocker:
        tab.view.graphics.scene().sigMouseMoved.emit(scene_pos)
    return blocker.args[0]


def test_origin_is_top_left_and_hover_reads_the_input(tab, qtbot, red):
    view = tab.view.views["input"]
    top = view.mapViewToScene(QPointF(0, 0)).y()
    bottom = view.mapViewToScene(QPointF(0, 400)).y()
    assert top < bottom  # row 0 is drawn at the top
    assert _hover(qtbot, tab, "input", 2, 5) == f"input (y=2, x=5) = {red[2, 5]:.4g}"


def test_hovering_a_feature_map_pixel_outlines_its_kernel_window(tab, qtbot, red):
    _next_result(qtbot, tab, lambda: (
        tab.settings_panel.stride_spin.setValue(2),
        tab.settings_panel.padding_combo.setCurrentText("SAME"),
    ))
    y, x = 100, 150
    value = tab.result.conv[y, x, 0]
    assert _hover(qtbot, tab, "conv", y, x).startswith(f"conv (y={y}, x={x}) = {value:.4g}")
    window = tab.view.highlight("input")
    assert (window.height, window.width) == (3, 3)
    patch = red[window.y0 : window.y1, window.x0 : window.x1]
    assert float(np.sum(patch * LESSON)) == pytest.approx(float(value), abs=1e-2)
    # The padded top-left corner: SAME with stride 2 on 427 rows pads 1 row on top.
    _hover(qtbot, tab, "conv", 0, 0)
    assert tab.view.highlight("input") == Window(-1, 0, 2, 3)


def test_hovering_a_pooled_pixel_outlines_the_pool_window_and_receptive_field(tab, qtbot):
    y, x = 40, 70
    value = tab.result.pooled[y, x, 0]
    assert _hover(qtbot, tab, "pool", y, x).startswith(f"pool (y={y}, x={x}) = {value:.4g}")
    window = tab.view.highlight("conv")
    assert window == Window(120, 210, 123, 213)
    assert tab.result.conv[window.y0 : window.y1, window.x0 : window.x1, 0].max() == value
    assert tab.view.highlight("input_field") == Window(120, 210, 125, 215)
    assert tab.view.highlight("input") is None  # the kernel window is for conv pixels


def test_several_kernels_give_several_maps(tab, qtbot, red):
    editor = tab.kernel_editor
    editor.add_kernel()
    _next_result(qtbot, tab, lambda: editor.apply_preset("sobel y"))
    assert tab.result.conv_shape == (1, 425, 638, 2)
    assert tab.view.title_text("pool").endswith("→ (1, 141, 212, 2)")
    assert tab.view.map_spin.isVisible()
    # The map of the kernel being edited (the second) is the one shown.
    assert tab.view.map_spin.value() == 2
    expected = apply_filter(red, KERNEL_PRESETS["sobel y"])
    np.testing.assert_allclose(tab.view.images["conv"].image, expected.conv[..., 0], atol=1e-3)
    tab.view.map_spin.setValue(1)  # the selector picks the kernel too
    assert editor.current_index == 0
    np.testing.assert_allclose(tab.view.images["conv"].image, tab.result.conv[..., 0])
    lesson_map = apply_filter(red, LESSON).conv[..., 0]
    np.testing.assert_allclose(tab.view.images["conv"].image, lesson_map, atol=1e-3)


def test_trained_cnn_kernels_appear_when_models_are_ready(tab, qtbot, red):
    assert TRAINED_PRESET not in tab.kernel_editor.presets()
    tab.store.predictor = FakePredictor()
    tab.store.models_changed.emit()
    assert TRAINED_PRESET in tab.kernel_editor.presets()
    _next_result(qtbot, tab, lambda: tab.kernel_editor.apply_preset(TRAINED_PRESET))
    assert tab.result.conv_shape == (1, 425, 638, 32)
    tab.view.set_map_index(5)
    kernel = tab.store.predictor.kernels[..., 5]
    expected = apply_filter(red, kernel, FilterSettings())
    np.testing.assert_allclose(tab.view.images["conv"].image, expected.conv[..., 0], atol=1e-2)


def test_real_model_store_offers_the_cnn_kernels(qtbot, tiny_models):
    inference = pytest.importorskip("digitlab.engine.inference")
    from digitlab.gui.model_store import ModelStore

    store = ModelStore.from_predictor(inference.Predictor.from_keras(tiny_models))
    widget = FiltersTab(store)
    qtbot.addWidget(widget)
    try:
        assert TRAINED_PRESET in widget.kernel_editor.presets()
        widget.kernel_editor.apply_preset(TRAINED_PRESET)
        kernels = np.stack(widget.kernel_editor.kernels(), axis=-1)
        np.testing.assert_allclose(kernels, store.predictor.cnn_first_layer_kernels())
    finally:
        widget.shutdown()


def test_export_writes_a_png(tab, tmp_path):
    path = tmp_path / "figure.png"
    assert tab.export_png(str(path))
    with Image.open(path) as figure:
        assert figure.format == "PNG" and figure.width > 640
    assert not tab.export_png(str(tmp_path / "missing-folder" / "figure.png"))
    assert "missing-folder" in tab.message


def test_actions_offer_export_and_the_worked_example(tab, qtbot):
    actions = {action.text(): action for action in tab.actions()}
    assert set(actions) == {"Export figure…", "Worked example…"}
    assert all(not action.shortcut().isEmpty() for action in actions.values())
    actions["Worked example…"].trigger()
    example = tab.findChild(WorkedExample)
    assert example is not None and example.isVisible()


def test_dropping_a_photo_file_opens_it(tab, qtbot):
    from PySide6.QtCore import QMimeData, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(resources.path("photos", "coffee.png")))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    _next_result(qtbot, tab, lambda: tab.dropEvent(event))
    assert tab.photo.path.endswith("coffee.png")
    assert "coffee.png" in tab.picker.photo_label.text()


class StoreLoadingTensorFlow(FakeStore):
    """A store whose TensorFlow is still being imported in the background (issue 14)."""

    tensorflow_loaded = Signal(float)
    tensorflow_ready = False


def test_the_first_filter_waits_for_the_stores_tensorflow(qtbot):
    # At start-up the store imports TensorFlow after the first live prediction; the
    # Filters tab must not import it first (it would delay the Draw tab's models).
    store = StoreLoadingTensorFlow()
    widget = FiltersTab(store)
    qtbot.addWidget(widget)
    try:
        qtbot.waitUntil(lambda: widget.message == "Loading TensorFlow…", timeout=TIMEOUT)
        assert widget.result is None
        with qtbot.waitSignal(widget.result_shown, timeout=TIMEOUT):
            store.tensorflow_loaded.emit(0.0)
        assert widget.message == "" and widget.result is not None
    finally:
        widget.shutdown()
