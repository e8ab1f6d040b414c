"""Beyond the lesson, in the Draw tab: why this digit, robustness sweep, learned weights,
and saving drawings to the personal set.

Kept out of :mod:`gui.draw.draw_tab` so the tab stays short: the tab creates one
:class:`DrawExtras`, places its widgets and hands it every prediction.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QTabWidget, QToolButton, QWidget

from digitlab.gui.common.actions import make_action
from digitlab.gui.draw.why_panel import WhyPanel

if TYPE_CHECKING:
    from digitlab.engine.inference import Prediction
    from digitlab.engine.personal import PersonalSet
    from digitlab.gui.dialogs.learned_view import LearnedView
    from digitlab.gui.model_store import ModelStore
    from digitlab.gui.dialogs.personal_set_dialog import PersonalSetDialog, SaveDigitDialog
    from digitlab.gui.draw.sweep_dialog import SweepDialog

#: The sweep dialog follows the drawing at most this often (a sweep is ~15 ms).
SWEEP_FOLLOW_MS = 150


class DrawExtras(QObject):
    """The Draw tab's "beyond the lesson" panel, actions and dialogs.

    Args:
        tab: the :class:`gui.draw.draw_tab.DrawTab` (its canvas, charts and last prediction).
        store: the app's model store.

    Signals:
        message(str): a line for the tab's message label (e.g. "Saved as 7 …").
    """

    message = Signal(str)

    def __init__(self, tab, store: ModelStore) -> None:
        super().__init__(tab)
        # A weak reference: tab -> extras -> tab would be a cycle, and Python's GC may
        # break cycles on a worker thread, deleting Qt objects there.
        self._tab_ref = weakref.ref(tab)
        self._store = store
        self._image28: np.ndarray | None = None
        self._suggested: int | None = None
        self._personal_set: PersonalSet | None = None
        self.sweep_dialog: SweepDialog | None = None
        self.learned_view: LearnedView | None = None
        self.personal_dialog: PersonalSetDialog | None = None
        self.save_dialog: SaveDigitDialog | None = None
        self.why_panel = WhyPanel(store)
        self.tabs: QTabWidget | None = None
        self._sweep_timer = QTimer(self)
        self._sweep_timer.setSingleShot(True)
        self._sweep_timer.setInterval(SWEEP_FOLLOW_MS)
        self._sweep_timer.timeout.connect(self._update_sweep)

        self.save_action = make_action(
            tab, "Save drawing as digit…", ["Ctrl+S"],
            "Save the drawing's 28x28 model input, labelled, to your personal set",
            self.save_drawing)
        self.personal_action = make_action(
            tab, "My handwriting…", ["Ctrl+Shift+H"],
            "Review and delete the drawings saved in your personal set", self.show_personal_set)
        self.sweep_action = make_action(
            tab, "Robustness sweep…", ["Ctrl+Shift+R"],
            "Shift, rotate, scale or thicken the drawing and watch each model's confidence",
            self.show_sweep)
        self.learned_action = make_action(
            tab, "What the models learned…", ["Ctrl+Shift+L"],
            "The multinomial templates, the DNN's first layer and the CNN's kernels",
            self.show_learned)
        self.save_action.setEnabled(False)
        for chart in tab.charts.values():
            chart.digit_clicked.connect(self.explain_digit)

    @property
    def _tab(self):
        return self._tab_ref()

    def actions(self) -> list:
        """Save drawing as digit…, My handwriting…, Robustness sweep…, What the models learned…"""
        return [self.save_action, self.personal_action, self.sweep_action, self.learned_action]

    # ----- widgets for the tab's layout -------------------------------------------------
    def lower_tabs(self, feature_grid: QWidget) -> QTabWidget:
        """"Inside the CNN" (the feature maps) and "Why this digit" as tabs."""
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(feature_grid, "Inside the CNN")
        self.tabs.addTab(self.why_panel, "Why this digit")
        return self.tabs

    def buttons(self) -> QWidget:
        """Tool buttons for the four actions, two per row."""
        widget = QWidget()
        grid = QGridLayout(widget)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, action in enumerate(self.actions()):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(button, i // 2, i % 2)
        return widget

    def connect_canvas(self) -> None:
        """Explain as soon as a stroke ends (call after the tab's own stroke connection)."""
        self._tab.canvas.stroke_finished.connect(self.why_panel.flush)

    # ----- following the drawing --------------------------------------------------------
    def show_prediction(self, prediction: Prediction | None) -> None:
        """The tab's newest prediction (None while models load or after an error)."""
        if prediction is None or prediction.is_empty:
            self._image28, self._suggested = None, None
        else:
            self._image28 = prediction.preprocess.image28
            self._suggested = prediction.digit
        self.save_action.setEnabled(self._image28 is not None)
        self.why_panel.set_input(self._image28)
        if self.sweep_dialog is not None and self.sweep_dialog.isVisible():
            self._sweep_timer.start()

    def shutdown(self) -> None:
        """Stop the attribution worker (the window is closing)."""
        self._sweep_timer.stop()
        self.why_panel.shutdown()

    # ----- commands ---------------------------------------------------------------------
    @Slot(int)
    def explain_digit(self, digit: int) -> None:
        """A bar was clicked: show "Why this digit" for ``digit``."""
        if self.tabs is not None:
            self.tabs.setCurrentWidget(self.why_panel)
        self.why_panel.select_digit(digit)

    @property
    def personal_set(self) -> PersonalSet:
        if self._personal_set is None:
            from digitlab.engine.personal import PersonalSet  # noqa: PLC0415

            self._personal_set = PersonalSet()
        return self._personal_set

    @Slot()
    def save_drawing(self) -> SaveDigitDialog | None:
        """Ask for the label of the drawing and save its model input (non-blocking dialog)."""
        from digitlab.gui.dialogs.personal_set_dialog import SaveDigitDialog  # noqa: PLC0415

        if self._image28 is None:
            self.message.emit("Draw a digit first, then save it with its label.")
            return None
        dialog = SaveDigitDialog(self._image28, self.personal_set, self._suggested, self._tab)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_saved)
        self.save_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def show_personal_set(self) -> PersonalSetDialog:
        from digitlab.gui.dialogs.personal_set_dialog import PersonalSetDialog  # noqa: PLC0415

        if self.personal_dialog is None:
            self.personal_dialog = PersonalSetDialog(self.personal_set, self._tab)
        self.personal_dialog.reload()
        return _raise(self.personal_dialog)

    @Slot()
    def show_sweep(self) -> SweepDialog:
        from digitlab.gui.draw.sweep_dialog import SweepDialog  # noqa: PLC0415

        if self.sweep_dialog is None:
            self.sweep_dialog = SweepDialog(self._store, self._tab)
        self.sweep_dialog.set_image28(self._image28)
        return _raise(self.sweep_dialog)

    @Slot()
    def show_learned(self) -> LearnedView:
        from digitlab.gui.dialogs.learned_view import LearnedView  # noqa: PLC0415

        if self.learned_view is None:
            self.learned_view = LearnedView(self._store, self._tab)
        return _raise(self.learned_view)

    def _on_saved(self, sample) -> None:
        total = len(self.personal_set)
        self.message.emit(f"Saved as a {sample.label} ({total} drawing{'s' * (total != 1)} in "
                          "your set; fine-tune on them in the Train tab).")
        if self.personal_dialog is not None and self.personal_dialog.isVisible():
            self.personal_dialog.reload()

    def _update_sweep(self) -> None:
        if self.sweep_dialog is not None and self.sweep_dialog.isVisible():
            self.sweep_dialog.set_image28(self._image28)


def _raise(dialog):
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
