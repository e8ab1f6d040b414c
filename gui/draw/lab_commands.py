"""The Draw tab's commands beyond the lesson: save the drawing to the personal set, my
handwriting, robustness sweep, what the models learned.

:class:`LabCommands` owns the four actions and the dialogs they open. It reads
nothing of the tab: the tab hands it every prediction (:meth:`LabCommands.set_prediction`)
and shows its ``message`` lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from digitlab.gui.common.actions import make_action, raise_window
from digitlab.gui.common.i18n import translate
from digitlab.gui.common.timing import SWEEP_FOLLOW_MS

if TYPE_CHECKING:
    from digitlab.engine.inference import Prediction
    from digitlab.engine.personal import PersonalSet
    from digitlab.gui.dialogs.learned_view import LearnedView
    from digitlab.gui.model_store import ModelStore
    from digitlab.gui.dialogs.personal_set_dialog import PersonalSetDialog, SaveDigitDialog
    from digitlab.gui.draw.sweep_dialog import SweepDialog



class LabCommands(QObject):
    """Save drawing as digit…, My handwriting…, Robustness sweep…, What the models learned….

    Args:
        parent: the widget the actions belong to and the dialogs open over.
        store: the app's model store (the sweep and the learned weights use its models).

    Signals:
        message(str): a line for the tab's message label (e.g. "Saved as 7 …").
    """

    message = Signal(str)

    def __init__(self, parent: QWidget, store: ModelStore) -> None:
        super().__init__(parent)
        self._store = store
        self._image28: np.ndarray | None = None
        self._suggested: int | None = None
        self._personal_set: PersonalSet | None = None
        self.sweep_dialog: SweepDialog | None = None
        self.learned_view: LearnedView | None = None
        self.personal_dialog: PersonalSetDialog | None = None
        self.save_dialog: SaveDigitDialog | None = None
        self._sweep_timer = QTimer(self)
        self._sweep_timer.setSingleShot(True)
        self._sweep_timer.setInterval(SWEEP_FOLLOW_MS)
        self._sweep_timer.timeout.connect(self._update_sweep)

        self.save_action = make_action(
            parent, translate("LabCommands", "Save drawing as digit…"), ["Ctrl+S"],
            translate("LabCommands",
                      "Save the drawing's 28x28 model input, labelled, to your personal set"),
            self.save_drawing)
        self.personal_action = make_action(
            parent, translate("LabCommands", "My handwriting…"), ["Ctrl+Shift+H"],
            translate("LabCommands", "Review and delete the drawings saved in your personal set"),
            self.show_personal_set)
        self.sweep_action = make_action(
            parent, translate("LabCommands", "Robustness sweep…"), ["Ctrl+Shift+R"],
            translate("LabCommands",
                      "Shift, rotate, scale or thicken the drawing and watch each model's "
                      "confidence"),
            self.show_sweep)
        self.learned_action = make_action(
            parent, translate("LabCommands", "What the models learned…"), ["Ctrl+Shift+L"],
            translate("LabCommands",
                      "The multinomial templates, the DNN's first layer and the CNN's kernels"),
            self.show_learned)
        self.save_action.setEnabled(False)

    def actions(self) -> list:
        """Save drawing as digit…, My handwriting…, Robustness sweep…, What the models learned…"""
        return [self.save_action, self.personal_action, self.sweep_action, self.learned_action]

    # ----- following the drawing --------------------------------------------------------
    def set_prediction(self, prediction: Prediction | None) -> None:
        """The tab's newest prediction (None while models load or after an error)."""
        if prediction is None or prediction.is_empty:
            self._image28, self._suggested = None, None
        else:
            self._image28 = prediction.preprocess.image28
            self._suggested = prediction.digit
        self.save_action.setEnabled(self._image28 is not None)
        if self.sweep_dialog is not None and self.sweep_dialog.isVisible():
            self._sweep_timer.start()

    def shutdown(self) -> None:
        """Stop following the drawing (the window is closing)."""
        self._sweep_timer.stop()

    # ----- commands ---------------------------------------------------------------------
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
            self.message.emit(
                translate("LabCommands", "Draw a digit first, then save it with its label."))
            return None
        dialog = SaveDigitDialog(self._image28, self.personal_set, self._suggested, self.parent())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_saved)
        self.save_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def show_personal_set(self) -> PersonalSetDialog:
        from digitlab.gui.dialogs.personal_set_dialog import PersonalSetDialog  # noqa: PLC0415

        if self.personal_dialog is None:
            self.personal_dialog = PersonalSetDialog(self.personal_set, self.parent())
        self.personal_dialog.reload()
        return raise_window(self.personal_dialog)

    @Slot()
    def show_sweep(self) -> SweepDialog:
        from digitlab.gui.draw.sweep_dialog import SweepDialog  # noqa: PLC0415

        if self.sweep_dialog is None:
            self.sweep_dialog = SweepDialog(self._store, self.parent())
        self.sweep_dialog.set_image28(self._image28)
        return raise_window(self.sweep_dialog)

    @Slot()
    def show_learned(self) -> LearnedView:
        from digitlab.gui.dialogs.learned_view import LearnedView  # noqa: PLC0415

        if self.learned_view is None:
            self.learned_view = LearnedView(self._store, self.parent())
        return raise_window(self.learned_view)

    def _on_saved(self, sample) -> None:
        total = len(self.personal_set)
        text = (translate("LabCommands", "Saved as a {0} (1 drawing in your set; fine-tune on it "
                                        "in the Train tab).") if total == 1 else
                translate("LabCommands", "Saved as a {0} ({1} drawings in your set; fine-tune on "
                                        "them in the Train tab)."))
        self.message.emit(text.format(sample.label, total))
        if self.personal_dialog is not None and self.personal_dialog.isVisible():
            self.personal_dialog.reload()

    def _update_sweep(self) -> None:
        if self.sweep_dialog is not None and self.sweep_dialog.isVisible():
            self.sweep_dialog.set_image28(self._image28)

