"""Filters tab, forgiving and faithful to the lesson: its three filters in one click, a
half-typed kernel that keeps the last valid one (and says so)."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.gui.filters.kernel_editor import KernelEditor


@pytest.fixture
def editor(qtbot):
    widget = KernelEditor()
    qtbot.addWidget(widget)
    return widget


def test_a_half_typed_kernel_keeps_the_last_valid_one_and_says_so(editor):
    changes = []
    editor.kernels_changed.connect(lambda: changes.append(1))
    editor.rows_edit.textEdited.emit("1")  # a 1x1 kernel is valid: it is used
    kept = editor.kernels()[0].copy()
    assert kept.shape == (1, 1) and len(changes) == 1
    for text in ("1,", "1,2,3;", "1,2,3;4,5", "1,2,3;4,5,x"):
        editor.rows_edit.textEdited.emit(text)
        np.testing.assert_array_equal(editor.kernels()[0], kept)
        assert editor.error.endswith("still using the last valid kernel: 1"), (text, editor.error)
        assert editor.error_label.isVisibleTo(editor)
    assert len(changes) == 1
    editor.rows_edit.textEdited.emit("1,2,3;4,5,6")
    assert editor.error == "" and editor.kernels()[0].shape == (2, 3)


def test_a_wrong_cell_keeps_the_kernel_and_says_which(editor):
    before = editor.kernels()[0].copy()
    editor.grid.item(0, 1).setText("abc")
    assert "'abc'" in editor.error and "still using the last valid kernel: -1, 0, 1;" in \
        editor.error
    np.testing.assert_array_equal(editor.kernels()[0], before)


def test_the_lessons_three_filters_in_one_click(editor):
    assert "lesson filters 1-3" in editor.presets()
    editor.preset_combo.activated.emit(editor.preset_combo.findData("lesson filters 1-3"))
    assert editor.kernel_names() == ["lesson filter 1", "lesson filter 2", "lesson filter 3"]
    assert [k.tolist() for k in editor.kernels()] == [
        [[1, 1, 0], [0, 0, 1], [1, 0, 0]],
        [[0, 0, 1], [1, 1, 0], [1, 1, 1]],
        [[0, 0, 1], [0, 0, 0], [0, 1, 0]],
    ]


# ----- the Filters tab --------------------------------------------------------------------
TIMEOUT = 60_000  # the first filter waits for TensorFlow


@pytest.fixture
def tab(qtbot):
    from PySide6.QtCore import QObject, Signal

    from digitlab.gui.filters.filters_tab import FiltersTab

    class FakeStore(QObject):
        """The slice of gui.model_store.ModelStore the Filters tab uses (no CNN)."""

        models_changed = Signal()
        predictor = None
        is_ready = False

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


def test_three_filters_turn_one_image_into_three_maps(qtbot, tab):
    editor = tab.kernel_editor
    index = editor.preset_combo.findData("lesson filters 1-3")
    result = _next_result(qtbot, tab, lambda: editor.preset_combo.activated.emit(index))
    assert result.kernel_shape == (3, 3, 1, 3) and result.conv_shape == (1, 425, 638, 3)
    assert tab.view.map_spin.maximum() == 3


def test_the_lessons_grey_image_is_a_channel(qtbot, tab):
    from digitlab import resources
    from digitlab.engine.images import load_photo

    combo = tab.picker.channel_combo
    index = combo.findData("mean")
    assert index == 3 and "(R+G+B)/3" in combo.itemText(index)
    assert combo.itemData(0) == "red"  # the lesson's choice stays the default
    _next_result(qtbot, tab, lambda: combo.setCurrentIndex(index))
    rgb = load_photo(resources.path("photos", "rocket.jpg")).rgb.astype(np.float32)
    np.testing.assert_allclose(tab.view.shown_array("input"), rgb.sum(axis=2) / 3, rtol=1e-5)


def test_the_photo_box_names_the_photo_shown(qtbot, tab, tmp_path):
    from PIL import Image

    combo = tab.picker.photo_combo
    path = tmp_path / "my street.png"
    Image.fromarray(np.full((40, 60, 3), 90, np.uint8)).save(path)
    _next_result(qtbot, tab, lambda: tab.open_photo(str(path)))
    assert combo.currentText() == "my street.png"
    # A sample picked again is shown and named.
    index = combo.findText("rocket.jpg")
    combo.setCurrentIndex(index)
    _next_result(qtbot, tab, lambda: combo.activated.emit(index))
    assert tab.photo.size == (640, 427) and combo.currentText() == "rocket.jpg"
    # A file that cannot be opened leaves the box naming the photo still shown.
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not an image")
    with qtbot.waitSignal(tab.message_changed, timeout=TIMEOUT):
        tab.open_photo(str(bad))
    assert combo.currentText() == "rocket.jpg" and tab.photo.size == (640, 427)


def test_the_figure_and_lab_buttons_sit_above_the_maps(tab):
    # Not at the bottom of the scrolling controls, where a short screen hid them.
    for button in (tab.example_button, tab.export_button, tab.maps_button, tab.code_button):
        top = button.mapTo(tab, button.rect().topLeft()).y()
        assert top < tab.view.mapTo(tab, tab.view.rect().topLeft()).y()
