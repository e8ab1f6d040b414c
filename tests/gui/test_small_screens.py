"""Any screen: the window fits a 1366x768 laptop, and at its minimum size no text is cut."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QTableWidget,
    QAbstractScrollArea,
    QComboBox,
    QGroupBox,
    QLabel,
    QScrollArea,
    QTabBar,
    QWidget,
)

from digitlab.gui.main_window import DEFAULT_SIZE, MINIMUM_SIZE, MainWindow
from digitlab.gui.model_store import ModelStore

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def window(qtbot, tmp_path, tiny_models):
    from digitlab.engine.inference import Predictor

    store = ModelStore.from_predictor(Predictor.from_keras(tiny_models), models=tiny_models)
    settings = QSettings(str(tmp_path / "digitlab.ini"), QSettings.Format.IniFormat)
    made = MainWindow(store, settings=settings)
    qtbot.addWidget(made)
    yield made
    made.close()


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _text_room(widget: QWidget) -> tuple[str, int, int] | None:
    """(text, width the text needs, width it has), or None for widgets not checked."""
    fm = widget.fontMetrics()
    if isinstance(widget, QLabel):
        text = widget.text()
        if (not text or widget.wordWrap() or widget.textFormat() == Qt.TextFormat.RichText
                or "<" in text or widget.pixmap() is not None and not widget.pixmap().isNull()):
            return None
        line = max(text.replace("&", "").splitlines(), key=fm.horizontalAdvance)
        return text, fm.horizontalAdvance(line), widget.contentsRect().width() - 2 * widget.margin()
    if isinstance(widget, QAbstractButton) and widget.text():
        text = widget.text().replace("&", "")
        # Buttons draw their text inside a frame: a few pixels each side.
        return text, fm.horizontalAdvance(text) + 8, widget.width()
    if isinstance(widget, QComboBox) and widget.currentText():
        text = widget.currentText()
        arrow = widget.style().pixelMetric(widget.style().PixelMetric.PM_ScrollBarExtent)
        return text, fm.horizontalAdvance(text) + arrow + 8, widget.width()
    if isinstance(widget, QTableWidget):
        cells = [(widget.item(r, c).text(), widget.columnWidth(c))
                 for r in range(widget.rowCount()) for c in range(widget.columnCount())
                 if widget.item(r, c) is not None and widget.item(r, c).text()]
        if cells:
            text, width = max(cells, key=lambda cell: fm.horizontalAdvance(cell[0]) - cell[1])
            return text, fm.horizontalAdvance(text) + 4, width
        return None
    if isinstance(widget, QGroupBox) and widget.title():
        text = widget.title().replace("&", "")
        return text, fm.horizontalAdvance(text), widget.width()
    return None


def cut_texts(root: QWidget) -> list[str]:
    """Texts of visible widgets under ``root`` that are wider than their widget."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget, QTabBar):
            continue
        if widget.visibleRegion().isEmpty() and not _inside_scroll_area(widget):
            continue
        room = _text_room(widget)
        if room is None:
            continue
        text, needed, has = room
        if needed > has:
            problems.append(f"{type(widget).__name__} {text!r}: needs {needed} px, has {has}")
    return problems


def overflowing_plots(root: QWidget) -> list[str]:
    """Charts and maps whose content is wider or taller than their view (cut off at the edge)."""
    found = []
    for view in root.findChildren(pg.GraphicsView):
        central = getattr(view, "centralWidget", None)
        if not view.isVisible() or central is None:
            continue
        size = central.geometry().size()
        room = view.viewport().size()
        if size.width() > room.width() + 1 or size.height() > room.height() + 1:
            found.append(f"{type(view).__name__}: content {size.width():.0f}x"
                         f"{size.height():.0f} in {room.width()}x{room.height()}")
    return found


def test_default_size_fits_a_1366x768_screen_with_a_taskbar():
    width, height = DEFAULT_SIZE
    # 40 px taskbar + 30 px title bar on a 1366x768 laptop.
    assert width <= 1366 and height + 40 + 30 <= 768
    assert MINIMUM_SIZE[0] <= 1024 and MINIMUM_SIZE[1] + 40 + 30 <= 640


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_tab_is_usable_at_the_minimum_size(qtbot, window, language):
    window.language.apply(language, remember=False)  # Korean texts have their own widths
    assert (window.tabs.tabText(0) == "&Draw") == (language == "en")
    window.resize(*MINIMUM_SIZE)
    window.show()
    qtbot.waitExposed(window)
    assert (window.width(), window.height()) == MINIMUM_SIZE
    # Counts as wide as MNIST's (1135 test ones) in every cell of the confusion matrix.
    window.train_tab.confusion.set_matrix(np.full((10, 10), 1135))
    problems = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        tab = window.tabs.currentWidget()
        # Nothing is pushed out of the window: the tab's own minimum fits.
        hint = tab.minimumSizeHint()
        assert hint.width() <= tab.width() and hint.height() <= tab.height(), (
            window.tabs.tabText(index), hint, tab.size())
        cut = cut_texts(tab) + overflowing_plots(tab)
        if cut:
            problems[window.tabs.tabText(index)] = cut
    assert not problems, problems


def test_panels_that_cannot_shrink_scroll_instead(qtbot, window):
    window.resize(*MINIMUM_SIZE)
    window.show()
    qtbot.waitExposed(window)
    for tab in (window.draw_tab, window.filters_tab, window.train_tab):
        areas = [a for a in tab.findChildren(QAbstractScrollArea) if isinstance(a, QScrollArea)]
        assert areas, f"{type(tab).__name__} has no scroll area for its controls"
