"""A column of controls that scrolls vertically when the window is too short for it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scroll_column(content: QWidget, width: int) -> QScrollArea:
    """Put ``content`` in a frameless scroll area ``width`` pixels wide (plus its scroll bar).

    The column keeps its width; when the window is shorter than the content, a
    vertical scroll bar appears instead of squeezing or cutting the controls.

    Args:
        content: the column's widget (its layout holds the controls).
        width: the width the content is laid out at, in pixels.

    Returns:
        The scroll area, to add to the tab's layout.
    """
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    content.setFixedWidth(width)
    bar = area.verticalScrollBar().sizeHint().width()
    area.setFixedWidth(width + bar)
    return area
