"""What a tab offers the main window, written down as a typed ``Protocol``."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtGui import QAction


@runtime_checkable
class Tab(Protocol):
    """A page of the main window (Draw, Filters, Train).

    The window adds the tab under :attr:`title`, builds a menu of
    :meth:`menu_actions` named after it, and calls :meth:`shutdown` once when
    it closes - the one way a tab is stopped. Anything that crosses tabs
    (e.g. "draw this misclassified digit") is a signal of the tab that the
    window connects, never a call from one tab into another.
    """

    #: The tab's title with its mnemonic, e.g. ``"&Draw"``.
    title: str

    def menu_actions(self) -> list[QAction | None]:
        """The tab's commands for its menu; ``None`` is a separator."""
        ...

    def shutdown(self) -> None:
        """Stop the tab's workers and wait for them (the window is closing)."""
        ...
