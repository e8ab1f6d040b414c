"""One way to make a command: a QAction for a tab's buttons and the main window's menus.

Also the two things every tab does with its actions: a grid of tool buttons for
them, and bringing a non-modal dialog to the front.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QToolButton, QWidget

from digitlab.gui.common.i18n import translate


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
    action.setToolTip(translate("Actions", "{0} ({1})").format(tip, names))
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def action_buttons(actions: list[QAction], columns: int = 2) -> QWidget:
    """Text-only tool buttons for ``actions``, ``columns`` per row, stretching in width."""
    widget = QWidget()
    grid = QGridLayout(widget)
    grid.setContentsMargins(0, 0, 0, 0)
    for i, action in enumerate(actions):
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        grid.addWidget(button, i // columns, i % columns)
    return widget


def raise_window(window: QWidget) -> QWidget:
    """Show a non-modal window, bring it to the front and return it."""
    window.show()
    window.raise_()
    window.activateWindow()
    return window
