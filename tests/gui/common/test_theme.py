"""Theme colours follow the palette, light or dark, and every text colour reaches 4.5:1."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from digitlab.engine.contrast import AA_NORMAL_TEXT, contrast_ratio
from digitlab.gui.common import theme

DARK = {QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#f0f0f0",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.Text: "#f0f0f0",
        QPalette.ColorRole.Button: "#353535", QPalette.ColorRole.ButtonText: "#f0f0f0"}


def palette(kind: str) -> QPalette:
    if kind == "light":
        return QStyleFactory.create("Fusion").standardPalette()
    pal = QPalette()
    for role, colour in DARK.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(240, 240, 240, 80))
    return pal


@pytest.fixture(params=["light", "dark"])
def pal(request):
    return palette(request.param)


def test_text_colours_reach_aa_on_their_background(pal):
    window, base = theme.window_color(pal), theme.plot_background(pal)
    assert contrast_ratio(theme.plot_foreground(pal), base) >= AA_NORMAL_TEXT
    assert contrast_ratio(theme.caption_color(pal=pal), window) >= AA_NORMAL_TEXT
    assert contrast_ratio(theme.caption_color(base, pal), base) >= AA_NORMAL_TEXT
    error = theme.error_style(pal).removeprefix("color: ").rstrip(";")
    assert contrast_ratio(error, window) >= AA_NORMAL_TEXT
    assert contrast_ratio(theme.readable(theme.DISAGREE_ORANGE, base), base) >= AA_NORMAL_TEXT
    # A caption is softer than the text, not the text itself.
    assert theme.caption_color(pal=pal) != theme.text_color(pal)


def test_charts_sit_on_the_palettes_base(pal):
    assert theme.plot_background(pal) == pal.color(QPalette.ColorRole.Base).name()
    assert theme.is_dark(pal) == (pal.color(QPalette.ColorRole.Window).lightness() < 128)


def test_apply_theme_makes_placeholders_readable_and_sets_pyqtgraph(pal):
    app = QApplication.instance()
    old, old_fg, old_bg = (app.palette(), pg.getConfigOption("foreground"),
                           pg.getConfigOption("background"))
    try:
        app.setPalette(pal)
        theme.apply_theme(app)
        now = app.palette()
        hint, base = (now.color(QPalette.ColorRole.PlaceholderText),
                      now.color(QPalette.ColorRole.Base))
        a = hint.alphaF()  # the hint as painted: blended over the field's base
        shown = [round(h * a + b * (1 - a))
                 for h, b in zip(hint.getRgb()[:3], base.getRgb()[:3], strict=True)]
        assert contrast_ratio(shown, base.name()) >= AA_NORMAL_TEXT
        assert pg.mkColor(pg.getConfigOption("background")).name() == theme.plot_background(now)
    finally:
        app.setPalette(old)
        pg.setConfigOptions(foreground=old_fg, background=old_bg)
