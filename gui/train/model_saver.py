"""Save as…: put a trained model where the user chooses, and offer that when a save fails.

A trained model lives in memory until it is written. When writing it fails
(a read-only data folder, a full disk, a folder named like the file), the model
is kept and :class:`ModelSaver` offers another place: a warning that says what
failed, with a "Save as…" button that opens a file dialog. Saving runs in a
:class:`~gui.workers.model_load_worker.ModelSaveWorker` (the model and its
card, atomically), off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from digitlab.gui.common.i18n import model_name, translate
from digitlab.gui.workers.model_load_worker import ModelSaveWorker

#: What the Save as… dialog offers (translate at use).
KERAS_FILTER = QT_TRANSLATE_NOOP("ModelSaver", "Keras models (*.keras)")


class ModelSaver(QObject):
    """Asks where to save a model, saves it in the background, offers again on failure.

    Args:
        parent: the widget the dialogs belong to.

    Signals:
        saved(str, str): kind and path of a model written by Save as….
        failed(str, str): kind and the one-line reason a Save as… failed (the model
            is still in memory; :attr:`problem_box` offers another place).
    """

    saved = Signal(str, str)
    failed = Signal(str, str)

    def __init__(self, parent: QWidget):
        super().__init__(parent)  # the dialogs' parent is parent(): no Python cycle
        # Each running save and what it saves (kind, model, test accuracy), to offer again.
        self._workers: dict[ModelSaveWorker, tuple[str, object, float | None]] = {}
        self._offered: tuple[str, object, float | None] | None = None
        self._save_as_choice = None
        #: The open "could not save" warning, or None.
        self.problem_box: QMessageBox | None = None

    @property
    def is_saving(self) -> bool:
        return any(worker.isRunning() for worker in self._workers)

    def save_as(self, kind: str, model, test_accuracy: float | None) -> bool:
        """Ask for a file and save ``model`` (a Keras model of ``kind``) there.

        Returns:
            Whether a save was started (False when the dialog was cancelled).
        """
        start = Path.home() / f"{kind}.keras"
        path, _ = QFileDialog.getSaveFileName(
            self.parent(),
            translate("ModelSaver", "Save the {0} model as").format(model_name(kind)),
            str(start), translate("ModelSaver", KERAS_FILTER))
        if not path:
            return False
        path = Path(path)
        if path.suffix != ".keras":  # Keras saves only .keras files
            path = path.with_name(path.name + ".keras")
        worker = ModelSaveWorker(kind, model, path, test_accuracy)
        worker.result.connect(self._on_saved)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_worker_finished)
        self._workers[worker] = (kind, model, test_accuracy)
        worker.start()
        return True

    def offer_another_place(self, kind: str, model, test_accuracy: float | None,
                            reason: str) -> QMessageBox:
        """Say that saving ``model`` failed and why, that it is kept, and offer Save as….

        Non-blocking (``open()``): the box is :attr:`problem_box` until answered.
        """
        if self.problem_box is not None:
            self.problem_box.close()
        self._offered = (kind, model, test_accuracy)
        box = QMessageBox(
            QMessageBox.Icon.Warning, translate("ModelSaver", "Model not saved"),
            translate("ModelSaver", "Could not save the {0} model: {1}\n\nThe trained model is "
                                    "kept in memory and can still be used until Digit Lab "
                                    "closes. Save it somewhere else?").format(
                model_name(kind), reason),
            QMessageBox.StandardButton.NoButton, self.parent())
        self._save_as_choice = box.addButton(translate("ModelSaver", "Save as…"),
                                             QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(self._save_as_choice)
        box.finished.connect(self._on_problem_answered)  # bound: no cycle over self
        self.problem_box = box
        box.open()
        return box

    def shutdown(self) -> None:
        """Let running saves finish (the window is closing)."""
        for worker in list(self._workers):
            worker.wait()

    @Slot(int)
    def _on_problem_answered(self, _result: int) -> None:
        box = self.sender()
        wants_another_place = box.clickedButton() is self._save_as_choice
        self.problem_box = None
        box.deleteLater()
        if wants_another_place and self._offered is not None:
            self.save_as(*self._offered)

    @Slot(object)
    def _on_saved(self, path: str) -> None:
        self.saved.emit(self.sender().kind, path)

    @Slot(str)
    def _on_failed(self, reason: str) -> None:
        offered = self._workers.get(self.sender())
        if offered is None:
            return
        self.failed.emit(offered[0], reason)
        self.offer_another_place(*offered, reason)

    @Slot()
    def _on_worker_finished(self) -> None:
        worker = self.sender()
        self._workers.pop(worker, None)
        worker.release()
