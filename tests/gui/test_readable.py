"""Readable: every label, caption and chart title reaches WCAG AA (4.5:1), light or dark."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyleFactory,
    QTableWidget,
    QToolButton,
    QWidget,
)

from digitlab.engine.contrast import AA_NORMAL_TEXT, contrast_ratio
from digitlab.gui.main_window import MainWindow
from digitlab.gui.model_store import ModelStore

#: A dark palette as a dark desktop theme gives it.
DARK = {
    QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#f0f0f0",
    QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#2f2f2f",
    QPalette.ColorRole.Text: "#f0f0f0", QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#f0f0f0", QPalette.ColorRole.ToolTipBase: "#353535",
    QPalette.ColorRole.ToolTipText: "#f0f0f0", QPalette.ColorRole.Highlight: "#3d7fd6",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
}
_COLOR = re.compile(r"color\s*:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b")
_SPAN = re.compile(r"<span[^>]*color\s*:\s*(#[0-9a-fA-F]{3,6})[^>]*>(.*?)</span>", re.S)


def _palette(kind: str) -> QPalette:
    if kind == "light":
        return QStyleFactory.create("Fusion").standardPalette()
    pal = QPalette()
    for role, colour in DARK.items():
        pal.setColor(role, QColor(colour))
    return pal


@pytest.fixture(params=["light", "dark"])
def window(request, qtbot, tmp_path, tiny_models):
    from digitlab.engine.inference import Predictor

    app = QApplication.instance()
    old_palette, old_fg, old_bg = (app.palette(), pg.getConfigOption("foreground"),
                                   pg.getConfigOption("background"))
    app.setPalette(_palette(request.param))
    store = ModelStore.from_predictor(Predictor.from_keras(tiny_models), models=tiny_models)
    made = MainWindow(store, settings=QSettings(str(tmp_path / "s.ini"),
                                                QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.resize(1280, 690)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.close()
    app.setPalette(old_palette)
    pg.setConfigOptions(foreground=old_fg, background=old_bg)


def _hex(color: QColor) -> str:
    return color.name(QColor.NameFormat.HexRgb)


def background_of(widget: QWidget) -> str:
    """The colour behind ``widget``: the nearest filled ancestor, else the window's."""
    node = widget
    while node is not None:
        if node.autoFillBackground() and not node.isWindow():
            return _hex(node.palette().color(node.backgroundRole()))
        node = node.parentWidget()
    return _hex(widget.window().palette().color(QPalette.ColorRole.Window))


def _text_colours(default: str, html: str) -> list[str]:
    """The default colour and every colour a span gives to text (not to ■ symbols)."""
    colours = [default]
    for colour, content in _SPAN.findall(html):
        if re.sub(r"<[^>]+>|■|\s", "", content):
            colours.append(colour)
    return colours


def low_contrast(root: QWidget) -> list[str]:
    """Texts under ``root`` (widgets, table cells, chart titles, axes) below AA."""
    found = []

    def check(what: str, fg: str, bg: str) -> None:
        ratio = contrast_ratio(fg, bg)
        if ratio < AA_NORMAL_TEXT:
            found.append(f"{what}: {fg} on {bg} = {ratio:.2f}:1")

    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or not widget.isEnabled():
            continue
        pal = widget.palette()
        if isinstance(widget, QLabel) and widget.text():
            fg = _hex(pal.color(widget.foregroundRole()))
            for colour in _text_colours(fg, widget.text()):
                check(f"label {widget.text()[:40]!r}", colour, background_of(widget))
        elif isinstance(widget, QGroupBox) and widget.title():
            check(f"group {widget.title()!r}", _hex(pal.color(QPalette.ColorRole.WindowText)),
                  background_of(widget))
        elif isinstance(widget, (QPushButton, QToolButton)) and widget.text():
            check(f"button {widget.text()!r}", _hex(pal.color(QPalette.ColorRole.ButtonText)),
                  _hex(pal.color(QPalette.ColorRole.Button)))
        elif isinstance(widget, QAbstractButton) and widget.text():  # check and radio boxes
            check(f"box {widget.text()!r}", _hex(pal.color(QPalette.ColorRole.WindowText)),
                  background_of(widget))
        elif isinstance(widget, QPlainTextEdit) and widget.placeholderText():
            check("placeholder", _hex(pal.color(QPalette.ColorRole.PlaceholderText)),
                  _hex(pal.color(QPalette.ColorRole.Base)))
        elif isinstance(widget, QTableWidget):
            for r in range(widget.rowCount()):
                for c in range(widget.columnCount()):
                    item = widget.item(r, c)
                    if item is None or not item.text():
                        continue
                    fg = item.foreground()
                    bg = item.background()
                    check(f"cell {item.text()!r}",
                          _hex(fg.color()) if fg.style() != Qt.BrushStyle.NoBrush
                          else _hex(pal.color(QPalette.ColorRole.Text)),
                          _hex(bg.color()) if bg.style() != Qt.BrushStyle.NoBrush
                          else _hex(pal.color(QPalette.ColorRole.Base)))
        elif isinstance(widget, pg.GraphicsView):
            brush = widget.backgroundBrush()
            bg = (_hex(brush.color()) if brush.style() != Qt.BrushStyle.NoBrush
                  else background_of(widget))
            for item in widget.scene().items():
                if not item.isVisible():
                    continue
                if isinstance(item, pg.LabelItem) and item.text:
                    # LabelItem writes its colour into the HTML it shows; spans add theirs.
                    html = item.item.toHtml()
                    default = _hex(pg.mkColor(item.opts.get("color")
                                              or pg.getConfigOption("foreground")))
                    for colour in _COLOR.findall(html) or [default]:
                        check(f"chart text {item.text[:40]!r}", colour, bg)
                elif isinstance(item, pg.AxisItem) and item.style.get("showValues", True):
                    check(f"axis {item.orientation}", _hex(item.textPen().color()), bg)
    return found


def _fill_everything(window) -> None:
    """Put something in every view: a drawn digit, a result, a confusion matrix."""
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255
    window.draw_tab.show_digit(digit)
    window.train_tab.confusion.set_matrix(np.eye(10, dtype=np.int64) * 980
                                          + np.ones((10, 10), dtype=np.int64))


def test_every_text_reaches_aa_contrast_in_light_and_dark(qtbot, window):
    _fill_everything(window)
    problems = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(100)
        found = low_contrast(window.tabs.currentWidget())
        if found:
            problems[window.tabs.tabText(index)] = found
    found = low_contrast(window.statusBar())
    if found:
        problems["status bar"] = found
    assert not problems, problems


def test_charts_follow_the_palette(window):
    pal = QApplication.instance().palette()
    dark = pal.color(QPalette.ColorRole.Window).lightness() < 128
    for chart in window.draw_tab.charts.values():
        background = chart.backgroundBrush().color()
        assert (background.lightness() < 128) == dark
    assert (window.train_tab.curves.backgroundBrush().color().lightness() < 128) == dark


def test_switching_light_and_dark_while_running_restyles_the_charts(qtbot, window):
    app = QApplication.instance()
    was_dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    _fill_everything(window)
    app.setPalette(_palette("light" if was_dark else "dark"))  # the system switched theme
    qtbot.wait(50)
    for chart in window.draw_tab.charts.values():
        assert (chart.backgroundBrush().color().lightness() < 128) != was_dark
    problems = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        found = low_contrast(window.tabs.currentWidget())
        if found:
            problems[window.tabs.tabText(index)] = found
    assert not problems, problems
