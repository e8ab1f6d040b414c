"""WorkedExample: the hand-worked conv and max-pool agree with TensorFlow, step by step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from digitlab.engine.filters import FilterSettings, apply_filter
from digitlab.gui.filters.worked_example import WorkedExample

YELLOW = (255, 225, 120)
SAME_NO_POOL = FilterSettings(padding="SAME", pool=1)


@pytest.fixture
def example(qtbot):
    widget = WorkedExample()
    qtbot.addWidget(widget)
    return widget


def _color(item) -> tuple[int, int, int]:
    color = item.background().color()
    return color.red(), color.green(), color.blue()


def test_first_step_shows_the_nine_products_and_their_sum(example):
    padded = example.padded_input()
    assert padded.shape == (7, 7) and np.all(padded[0] == 0) and np.all(padded[:, 0] == 0)
    products = example.conv_products()
    np.testing.assert_array_equal(products, padded[0:3, 0:3] * example.kernel())
    text = example.conv_text()
    assert "output (y=0, x=0)" in text
    # Row 1 of the window is [0, 1, 2] under kernel row [-1, 0, 1]: "0×-1  1×0  2×1".
    assert "2×1" in text.splitlines()[2]
    total = float(products.sum())
    assert text.strip().endswith(f"= {total:g}")
    assert example.output_grid.item(0, 0).text() == f"{total:g}"
    assert example.output_grid.item(0, 1).text() == ""  # not reached yet


def test_conv_output_matches_tensorflow_same_padding(example):
    result = apply_filter(example.conv_input(), example.kernel(), SAME_NO_POOL)
    assert result.conv_shape == (1, 5, 5, 1)
    np.testing.assert_allclose(example.conv_output(), result.conv[..., 0], atol=1e-5)


def test_next_moves_the_window_and_fills_the_output(example, qtbot):
    for _ in range(7):
        qtbot.mouseClick(example.conv_stepper.next_button, Qt.MouseButton.LeftButton)
    assert example.conv_step == 7
    y, x = 1, 2
    assert f"output (y={y}, x={x})" in example.conv_text()
    assert _color(example.padded_grid.item(y, x)) == YELLOW
    assert _color(example.padded_grid.item(y + 2, x + 2)) == YELLOW
    assert _color(example.padded_grid.item(y + 3, x)) != YELLOW
    assert example.output_grid.item(y, x).text() == f"{example.conv_output()[y, x]:g}"
    assert example.output_grid.item(y, x + 1).text() == ""
    qtbot.mouseClick(example.conv_stepper.previous_button, Qt.MouseButton.LeftButton)
    assert example.conv_step == 6 and example.output_grid.item(y, x).text() == ""


def test_editing_input_and_kernel_recomputes(example):
    example.set_conv_step(24)
    before = example.conv_output().copy()
    example.input_grid.item(4, 4).setText("10")
    example.kernel_grid.item(1, 1).setText("2")
    assert example.conv_input()[4, 4] == 10 and example.kernel()[1, 1] == 2
    after = example.conv_output()
    assert not np.array_equal(before, after)
    result = apply_filter(example.conv_input(), example.kernel(), SAME_NO_POOL)
    np.testing.assert_allclose(after, result.conv[..., 0], atol=1e-5)
    assert example.output_grid.item(4, 4).text() == f"{after[4, 4]:g}"
    assert example.conv_text().strip().endswith(f"= {after[4, 4]:g}")


def test_a_cell_that_is_not_a_number_is_put_back(example):
    example.input_grid.item(0, 0).setText("x")
    assert example.input_grid.item(0, 0).text() == "1"
    assert example.conv_input()[0, 0] == 1


def test_max_pool_steps_through_the_four_windows(example):
    result = apply_filter(example.pool_input(), np.ones((1, 1)), FilterSettings(pool=2))
    np.testing.assert_array_equal(example.pool_output(), result.pooled[..., 0])
    example.set_pool_step(3)
    assert example.pool_text() == "step 4 of 4: output (y=1, x=1) = max(1, 8, 7, 4) = 8"
    assert _color(example.pool_input_grid.item(3, 3)) == YELLOW
    assert _color(example.pool_input_grid.item(0, 0)) != YELLOW
    assert example.pool_output_grid.item(1, 1).text() == "8"
    example.pool_input_grid.item(2, 2).setText("9")
    assert example.pool_text().endswith("max(9, 8, 7, 4) = 9")
