"""Facts about the app's widgets stated once: file-dialog filters, caption sizing.

The error colour is :func:`gui.common.theme.error_style` (red, readable on the palette).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel, QSizePolicy

#: The images the app opens (photos in the Filters tab, digits in the Draw tab):
#: what ``engine.images`` loads.
#: (Translate at use: ``translate("FileDialogs", IMAGE_FILTER)``.)
IMAGE_FILTER = QT_TRANSLATE_NOOP(
    "FileDialogs", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)")
#: Exported figures.
PNG_FILTER = QT_TRANSLATE_NOOP("FileDialogs", "PNG images (*.png)")


def no_width_demand(label: QLabel) -> None:
    """Let a caption take whatever width its column has, without wrapping.

    A word-wrapped label's height-for-width makes the Draw tab's layout squeeze the
    charts, and a plain label's text width would set the column's minimum width.
    """
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
