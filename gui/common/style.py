"""How the app looks, stated once: the error colour, file-dialog filters, caption sizing."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel, QSizePolicy

#: Text that reports a problem (a file that cannot be read, a kernel that does not parse).
ERROR_COLOUR = "#d32f2f"
#: The style sheet of a label showing a problem.
ERROR_STYLE = f"color: {ERROR_COLOUR};"

#: The images the app opens (photos in the Filters tab, digits in the Draw tab):
#: what ``engine.images`` loads.
#: (Translate at use: ``translate("FileDialogs", IMAGE_FILTER)``.)
IMAGE_FILTER = QT_TRANSLATE_NOOP(
    "FileDialogs", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)")
#: Exported figures.
PNG_FILTER = QT_TRANSLATE_NOOP("FileDialogs", "PNG images (*.png)")


def error_style(error: bool) -> str:
    """The style sheet of a message label: :data:`ERROR_STYLE` for a problem, else plain."""
    return ERROR_STYLE if error else ""


def no_width_demand(label: QLabel) -> None:
    """Let a caption take whatever width its column has, without wrapping.

    A word-wrapped label's height-for-width makes the Draw tab's layout squeeze the
    charts, and a plain label's text width would set the column's minimum width.
    """
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
