"""The Draw tab's commands as QActions, for its buttons and the main window's menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def make_action(owner: QWidget, text: str, keys: list, tip: str,
                slot: Callable[..., object], checkable: bool = False) -> QAction:
    """A QAction on ``owner`` whose shortcuts work only while focus is inside ``owner``.

    Args:
        owner: the widget the action belongs to (its parent and shortcut scope).
        text: the menu and button text.
        keys: shortcuts (strings, ``Qt.Key`` values or ``QKeySequence.StandardKey``).
        tip: the tooltip; the shortcuts are appended, e.g. ``"Clear the canvas (Del, Ctrl+L)"``.
        slot: called on ``triggered`` (with ``checked`` when ``checkable``).
        checkable: a toggle instead of a command.
    """
    action = QAction(text, owner)
    sequences = [QKeySequence(k) for k in keys]
    action.setShortcuts(sequences)
    # Only while focus is in the owner, so e.g. Delete in the Filters tab clears nothing here.
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    names = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)
    action.setToolTip(f"{tip} ({names})")
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action
