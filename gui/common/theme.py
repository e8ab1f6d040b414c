"""Colours that follow the system's light or dark palette and stay readable (WCAG AA).

Widgets never hard-code a text colour: they ask here, with the background the
text sits on, and get the wanted colour or the nearest shade of it that reaches
4.5:1 (:func:`digitlab.engine.contrast.readable_color`). pyqtgraph's defaults
(grey text on black plots) are replaced by the palette's own text and base
colours by :func:`apply_plot_theme`, which the app calls before building its
window and again whenever the system palette changes.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from digitlab.engine.contrast import readable_color

#: Text colours the app wants, before they are fitted to the background.
ERROR_RED = "#c62828"
DISAGREE_ORANGE = "#e8590c"


def _hex(color: QColor) -> str:
    return color.name(QColor.NameFormat.HexRgb)


def palette() -> QPalette:
    """The application palette (the system's, unless someone set another)."""
    return QGuiApplication.palette()


def is_dark(pal: QPalette | None = None) -> bool:
    """True when the window background is dark (a dark system theme)."""
    return (pal or palette()).color(QPalette.ColorRole.Window).lightness() < 128


def window_color(pal: QPalette | None = None) -> str:
    """The window background as ``#rrggbb``."""
    return _hex((pal or palette()).color(QPalette.ColorRole.Window))


def text_color(pal: QPalette | None = None) -> str:
    """The window text colour as ``#rrggbb``."""
    return _hex((pal or palette()).color(QPalette.ColorRole.WindowText))


def plot_background(pal: QPalette | None = None) -> str:
    """Charts and image panels sit on the palette's Base colour (white / near black)."""
    return _hex((pal or palette()).color(QPalette.ColorRole.Base))


def plot_foreground(pal: QPalette | None = None) -> str:
    """Axis, tick and title text on :func:`plot_background`."""
    pal = pal or palette()
    return _hex(QColor(*readable_color(_hex(pal.color(QPalette.ColorRole.Text)),
                                       plot_background(pal))))


def readable(preferred: str, background: str) -> str:
    """``preferred`` or the nearest shade of it readable on ``background`` (``#rrggbb``)."""
    return "#{:02x}{:02x}{:02x}".format(*readable_color(preferred, background))


def caption_color(background: str | None = None, pal: QPalette | None = None) -> str:
    """A softer text colour for captions that still reaches 4.5:1 on ``background``.

    Half way between the text colour and the background, then darkened (or
    lightened) just enough: a caption looks secondary without turning unreadable.
    """
    pal = pal or palette()
    bg = background or window_color(pal)
    fg = QColor(text_color(pal))
    back = QColor(bg)
    mixed = QColor((fg.red() + back.red()) // 2, (fg.green() + back.green()) // 2,
                   (fg.blue() + back.blue()) // 2)
    return readable(_hex(mixed), bg)


def error_style(pal: QPalette | None = None) -> str:
    """A style sheet for error lines: red, readable on the window background."""
    return f"color: {readable(ERROR_RED, window_color(pal))};"


def apply_theme(app=None) -> None:
    """Make the application's palette and pyqtgraph's defaults readable; call before the
    window is built (and again when the system palette changes).

    Qt's placeholder text (the greyed hint in an empty field) is the text colour at half
    opacity, about 3.9:1 on white: it is replaced by the nearest shade that reaches 4.5:1.
    """
    app = app or QGuiApplication.instance()
    pal = app.palette()
    base = pal.color(QPalette.ColorRole.Base)
    hint = pal.color(QPalette.ColorRole.PlaceholderText)
    alpha = hint.alphaF()
    shown = QColor.fromRgbF(hint.redF() * alpha + base.redF() * (1 - alpha),
                            hint.greenF() * alpha + base.greenF() * (1 - alpha),
                            hint.blueF() * alpha + base.blueF() * (1 - alpha))
    fixed = QColor(readable(_hex(shown), _hex(base)))
    if fixed != hint:
        pal.setColor(QPalette.ColorRole.PlaceholderText, fixed)
        app.setPalette(pal)
    apply_plot_theme(pal)


def apply_plot_theme(pal: QPalette | None = None) -> None:
    """pyqtgraph's default text and background from the palette (call before building plots)."""
    pal = pal or palette()
    pg.setConfigOptions(foreground=plot_foreground(pal), background=plot_background(pal))


def restyle_plots(root) -> None:
    """Re-colour the charts and maps under ``root`` after the palette changed (light <-> dark).

    Views with a background get the new base colour; axes, titles, legends and captions the
    new text colour. Widgets that colour their own texts (the probability charts' titles)
    have a ``restyle()`` method, called last.
    """
    from PySide6.QtWidgets import QWidget  # noqa: PLC0415

    pal = palette()
    background, foreground = plot_background(pal), plot_foreground(pal)
    for view in root.findChildren(pg.GraphicsView):
        if view.backgroundBrush().style() != Qt.BrushStyle.NoBrush:
            view.setBackground(background)
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(foreground)
                item.setTextPen(foreground)
            elif isinstance(item, pg.LabelItem) and item.text:
                item.setAttr("color", foreground)
                item.setText(item.text)
    for widget in root.findChildren(QWidget):
        if callable(getattr(widget, "restyle", None)):
            widget.restyle()
