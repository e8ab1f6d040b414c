"""Keep the main window on its screen.

The window opens at its default size (made for a 1366x768 laptop) or at the geometry
remembered from the last session. On a smaller screen, or one smaller than the screen
it was remembered on, that window would run past the screen's edges: without a window
manager to shrink it (or with one that does not), the Draw tab's CNN bars and half the
feature maps were off screen on a 1024x640 display. :func:`fit_to_screen` shrinks and
moves it inside the screen's available area before it is shown, never below its
minimum size (every tab stays usable there).
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Room left for a title bar the window manager adds above the window (not known
#: before the window is shown).
TITLE_BAR_PX = 30


def fitted_geometry(geometry: tuple[int, int, int, int], available: tuple[int, int, int, int],
                    minimum: tuple[int, int]) -> tuple[int, int, int, int]:
    """A window's ``(x, y, width, height)`` shrunk to ``available``'s size (the same form)
    less :data:`TITLE_BAR_PX` of height, never below ``minimum`` ``(width, height)``, and
    moved inside ``available`` if it runs past an edge; one that fits is kept as it is."""
    x, y, w, h = geometry
    ax, ay, aw, ah = available
    w = max(min(w, aw), minimum[0])
    h = max(min(h, ah - TITLE_BAR_PX), minimum[1])
    # Clamped between the area's first position and the last one that still fits it.
    x = min(max(x, ax), max(ax, ax + aw - w))
    y = min(max(y, ay), max(ay, ay + ah - h))
    return x, y, w, h


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move ``window`` into its screen's available area (see the module)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    now = window.geometry()
    minimum = window.minimumSize()
    x, y, w, h = fitted_geometry((now.x(), now.y(), now.width(), now.height()),
                                 (area.x(), area.y(), area.width(), area.height()),
                                 (minimum.width(), minimum.height()))
    if (w, h) != (now.width(), now.height()):
        window.resize(w, h)
    if (x, y) != (now.x(), now.y()):
        window.move(x, y)
