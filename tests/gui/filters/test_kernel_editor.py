"""KernelEditor: grid, rows text, size, presets, several kernels, inline errors."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.filters import KERNEL_PRESETS
from digitlab.engine.kernels import kernel_to_text, resize_centered
from digitlab.gui.filters.kernel_editor import TRAINED_PRESET, KernelEditor

LESSON = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float32)


@pytest.fixture
def editor(qtbot):
    widget = KernelEditor()
    qtbot.addWidget(widget)
    changes = []
    widget.kernels_changed.connect(lambda: changes.append(widget.kernels()))
    widget.changes = changes
    return widget


def test_starts_with_the_lessons_vertical_edge_kernel(editor):
    assert len(editor.kernels()) == 1
    np.testing.assert_array_equal(editor.kernels()[0], LESSON)
    assert editor.rows_edit.text() == "-1, 0, 1; -1, 0, 1; -1, 0, 1"
    assert editor.grid.rowCount() == 3 and editor.grid.columnCount() == 3
    assert editor.grid.item(1, 0).text() == "-1"


def test_editing_a_cell_changes_the_kernel_and_the_rows_text(editor):
    editor.grid.item(1, 1).setText("4")
    assert editor.kernels()[0][1, 1] == 4
    assert editor.rows_edit.text() == "-1, 0, 1; -1, 4, 1; -1, 0, 1"
    assert len(editor.changes) == 1 and editor.error == ""


def test_a_cell_that_is_not_a_number_is_refused_inline(editor):
    editor.grid.item(0, 2).setText("abc")
    assert "'abc'" in editor.error and "row 1, column 3" in editor.error
    assert editor.error_label.text() == editor.error
    assert editor.changes == []  # nothing recomputed with a bad kernel
    np.testing.assert_array_equal(editor.kernels()[0], LESSON)
    editor.grid.item(0, 2).setText("2")  # fixing it clears the message
    assert editor.error == "" and editor.kernels()[0][0, 2] == 2


def test_typing_rows_text_sets_the_kernel_and_its_size(editor, qtbot):
    editor.rows_edit.clear()
    qtbot.keyClicks(editor.rows_edit, "1 2; 3 4")
    np.testing.assert_array_equal(editor.kernels()[0], [[1, 2], [3, 4]])
    assert (editor.rows_spin.value(), editor.cols_spin.value()) == (2, 2)
    assert editor.grid.item(1, 0).text() == "3"
    assert editor.rows_edit.text() == "1 2; 3 4"  # the user's text is left as typed


def test_ragged_rows_text_shows_an_error_and_keeps_the_kernel(editor, qtbot):
    editor.rows_edit.clear()
    qtbot.keyClicks(editor.rows_edit, "1,2,3;4,5")
    assert "3, 2" in editor.error  # the parser quotes the row lengths it received
    assert editor.error_label.isVisibleTo(editor)
    # The last complete kernel typed ("1,2,3;4" was ragged too; "1,2,3" was valid).
    np.testing.assert_array_equal(editor.kernels()[0], [[1, 2, 3]])


def test_resizing_keeps_the_kernel_centred(editor):
    editor.rows_spin.setValue(5)
    editor.cols_spin.setValue(5)
    kernel = editor.kernels()[0]
    assert kernel.shape == (5, 5)
    np.testing.assert_array_equal(kernel[1:4, 1:4], LESSON)
    assert np.count_nonzero(kernel) == np.count_nonzero(LESSON)
    np.testing.assert_array_equal(resize_centered(kernel, 3, 3), LESSON)


def test_preset_replaces_the_selected_kernel(editor):
    editor.apply_preset("sobel y")
    np.testing.assert_array_equal(editor.kernels()[0], KERNEL_PRESETS["sobel y"])
    assert editor.kernel_names() == ["sobel y"]


def test_several_kernels_share_one_size(editor):
    editor.add_kernel()
    assert len(editor.kernels()) == 2 and editor.current_index == 1
    editor.apply_preset("gaussian blur")  # 5x5: the other kernel grows to 5x5 too
    first, second = editor.kernels()
    assert first.shape == second.shape == (5, 5)
    np.testing.assert_array_equal(first[1:4, 1:4], LESSON)
    np.testing.assert_allclose(second, KERNEL_PRESETS["gaussian blur"])
    assert editor.kernel_list.count() == 2
    editor.select(0)
    assert editor.grid.item(2, 1).text() == "-1"
    editor.remove_kernel(0)
    assert len(editor.kernels()) == 1
    assert not editor.remove_button.isEnabled()  # the last kernel cannot be removed


def test_trained_kernels_preset_gives_all_kernels_at_once(editor):
    assert TRAINED_PRESET not in editor.presets()
    trained = np.random.default_rng(0).normal(size=(3, 3, 32)).astype(np.float32)
    editor.set_trained_kernels(trained)
    assert TRAINED_PRESET in editor.presets()
    editor.apply_preset(TRAINED_PRESET)
    kernels = editor.kernels()
    assert len(kernels) == 32
    np.testing.assert_array_equal(kernels[7], trained[..., 7])
    assert editor.kernel_list.item(7).text().startswith("8. conv1 #8")
    editor.set_trained_kernels(None)
    assert TRAINED_PRESET not in editor.presets()


def test_kernel_text_round_trips_through_the_engine_parser():
    from digitlab.engine.filters import parse_kernel

    kernel = KERNEL_PRESETS["gaussian blur"]
    np.testing.assert_allclose(parse_kernel(kernel_to_text(kernel)), kernel, rtol=1e-5)
