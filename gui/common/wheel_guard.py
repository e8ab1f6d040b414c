"""The mouse wheel scrolls the page; it changes a spin box, slider or combo only once focused.

Scrolling a panel full of controls must never change the one that happens to
pass under the pointer (it changed the channel and the pool window in the
Filters tab). :class:`WheelGuard`, installed once on the application, gives
those controls ``Qt.StrongFocus`` (click or Tab to focus them; no focus by
wheel) and hands a wheel event over an unfocused one to its parent, so the
scroll area around it scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
)

#: Controls whose value a wheel turn would change.
GUARDED = (QAbstractSpinBox, QAbstractSlider, QComboBox)


class WheelGuard(QObject):
    """An application-wide event filter: no wheel changes without focus.

    Scroll bars are sliders too but are meant to be wheeled: they are left alone.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == QEvent.Type.Polish and _guarded(watched):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and _guarded(watched) and not watched.hasFocus():
            area = _scroll_area_around(watched)
            if area is not None:
                # The scroll area scrolls, as if the control were not there.
                viewport = area.viewport()
                local = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
                QApplication.sendEvent(viewport, QWheelEvent(
                    local, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                    event.buttons(), event.modifiers(), event.phase(), event.inverted()))
                event.accept()
            else:
                event.ignore()  # an ignored wheel event goes on to the parent
            return True
        return False


def _guarded(obj: QObject) -> bool:
    return isinstance(obj, GUARDED) and not isinstance(obj, QScrollBar)


def _scroll_area_around(widget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, GUARDED):
            return parent
        parent = parent.parentWidget()
    return None


def install_wheel_guard(app: QApplication | None = None) -> WheelGuard:
    """Install one :class:`WheelGuard` on ``app`` (the running application by default).

    Returns:
        The guard (parented to the application; installing twice is harmless).
    """
    app = app or QApplication.instance()
    existing = app.findChild(WheelGuard)
    if existing is not None:
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
