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
