"""The main window is kept on its screen (gui/common/screen_fit.py)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from digitlab.gui.common.screen_fit import TITLE_BAR_PX, fit_to_screen, fitted_geometry
from digitlab.gui.main_window import DEFAULT_SIZE, MINIMUM_SIZE

SMALL = (0, 0, 1024, 640)


def test_the_default_window_shrinks_to_a_small_screen():
    x, y, w, h = fitted_geometry((0, 0, *DEFAULT_SIZE), SMALL, MINIMUM_SIZE)
    assert (x, y) == (0, 0)
    assert (w, h) == (1024, 640 - TITLE_BAR_PX)


def test_a_window_that_fits_is_left_alone():
    for geometry in [(0, 0, *DEFAULT_SIZE), (300, 200, *DEFAULT_SIZE), (640, 390, *DEFAULT_SIZE)]:
        assert fitted_geometry(geometry, (0, 0, 1920, 1080), MINIMUM_SIZE) == geometry


@pytest.mark.parametrize("geometry, moved", [
    ((1200, 700, 1280, 690), (640, 390)),   # remembered past the bottom right corner
    ((-300, -50, 1280, 690), (0, 0)),       # remembered past the top left corner
])
def test_a_window_past_an_edge_is_moved_inside(geometry, moved):
    assert fitted_geometry(geometry, (0, 0, 1920, 1080), MINIMUM_SIZE)[:2] == moved


def test_never_below_the_minimum_size():
    fitted = fitted_geometry((0, 0, *DEFAULT_SIZE), (0, 0, 800, 480), MINIMUM_SIZE)
    assert fitted[2:] == MINIMUM_SIZE


def test_a_widget_larger_than_its_screen_is_fitted(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.setMinimumSize(200, 100)
    widget.resize(9000, 7000)
    fit_to_screen(widget)
    area = widget.screen().availableGeometry()
    assert widget.width() <= area.width() and widget.height() <= area.height() - TITLE_BAR_PX
    assert area.contains(widget.geometry())
