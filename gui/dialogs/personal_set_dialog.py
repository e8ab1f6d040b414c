"""Teach it my handwriting: save drawings as labelled digits, browse and delete them.

:class:`SaveDigitDialog` asks which digit the drawing is and adds its 28x28
model input to the :class:`engine.personal.PersonalSet`; :class:`PersonalSetDialog`
shows the set as thumbnails (filter by digit, delete). The Train tab's
fine-tune panel trains on the same folder.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine.personal import PersonalSet, Sample
from digitlab.gui.common.i18n import translate
from digitlab.gui.common.theme import error_style
from digitlab.gui.widgets.misclassified_gallery import digit_pixmap

_THUMB_ZOOM = 2


def counts_text(labels: np.ndarray, compact: bool = False) -> str:
    """``"12 drawings — 0: 3 · 1: 0 · …"`` for ``(N,)`` labels (``"no drawings yet"`` if none).

    ``compact`` leaves out the digits with no drawings: ``"3 drawings — 1: 1 · 7: 2"``.
    """
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0:
        return translate("PersonalSetDialog", "no drawings yet")
    counts = np.bincount(labels, minlength=10)
    shown = [d for d in range(10) if counts[d] or not compact]
    text = (translate("PersonalSetDialog", "1 drawing — {1}") if labels.size == 1
            else translate("PersonalSetDialog", "{0} drawings — {1}"))
    return text.format(labels.size, " · ".join(f"{d}: {counts[d]}" for d in shown))


class SaveDigitDialog(QDialog):
    """Ask for the label (0..9) of a drawing and add it to the personal set.

    Press a digit key or click a button, then Save (Enter). Errors (e.g. a
    read-only folder) are shown in the dialog, which then stays open.

    Args:
        image28: ``(28, 28)`` model input in [0, 1] (or uint8), ink bright.
        personal_set: where to save.
        suggested: the digit pre-selected (the models' answer), or None.

    Signals:
        saved(object): the new :class:`engine.personal.Sample`.
    """

    saved = Signal(object)

    def __init__(self, image28: np.ndarray, personal_set: PersonalSet,
                 suggested: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SaveDigitDialog", "Save drawing as digit"))
        self._image = np.asarray(image28)
        self._set = personal_set
        preview = QLabel()
        pixels = np.round(np.clip(self._image.astype(np.float32) / (
            255.0 if self._image.dtype == np.uint8 else 1.0), 0, 1) * 255).astype(np.uint8)
        preview.setPixmap(digit_pixmap(pixels, zoom=5))
        preview.setToolTip(translate("SaveDigitDialog", "The 28x28 model input that will be saved"))
        self.group = QButtonGroup(self)
        digits = QGridLayout()
        for digit in range(10):
            button = QToolButton()
            button.setText(str(digit))
            button.setCheckable(True)
            button.setMinimumSize(34, 30)
            self.group.addButton(button, digit)
            digits.addWidget(button, digit // 5, digit % 5)
            QShortcut(QKeySequence(str(digit)), self, activated=button.click)
        if suggested is not None and 0 <= suggested <= 9:
            self.group.button(int(suggested)).setChecked(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(error_style())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.group.idToggled.connect(self._update_save)

        side = QVBoxLayout()
        side.addWidget(QLabel(translate("SaveDigitDialog", "Which digit is it?")))
        side.addLayout(digits)
        side.addWidget(QLabel(translate("SaveDigitDialog", "Into {0}").format(personal_set.folder)))
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(preview)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._update_save()

    @property
    def label(self) -> int | None:
        """The digit chosen, or None."""
        digit = self.group.checkedId()
        return None if digit < 0 else digit

    def set_label(self, digit: int) -> None:
        self.group.button(int(digit)).setChecked(True)

    @Slot()
    def save(self) -> Sample | None:
        """Add the drawing with the chosen label; close on success.

        Returns:
            The saved sample, or None (no label chosen, or the write failed: the
            reason is shown).
        """
        if self.label is None:
            self.error_label.setText(translate("SaveDigitDialog", "Choose the digit first."))
            return None
        try:
            sample = self._set.add(self._image, self.label)
        except (OSError, ValueError) as exc:
            self.error_label.setText(
                translate("SaveDigitDialog", "Could not save: {0}").format(exc))
            return None
        self.saved.emit(sample)
        self.accept()
        return sample

    @Slot()
    def _update_save(self, *_args) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(
            self.label is not None)


class PersonalSetDialog(QDialog):
    """Browse the personal set: thumbnails labelled with their digit, filter, delete.

    Args:
        personal_set: the set shown; ``None`` = the default folder.

    Signals:
        set_changed(): samples were deleted (or the set was reloaded with changes).
    """

    set_changed = Signal()

    def __init__(self, personal_set: PersonalSet | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("PersonalSetDialog", "My handwriting"))
        self.personal_set = personal_set if personal_set is not None else PersonalSet()
        self._samples: list[Sample] = []
        self.filter_combo = QComboBox()
        self.filter_combo.addItem(translate("PersonalSetDialog", "all digits"), None)
        for digit in range(10):
            self.filter_combo.addItem(
                translate("PersonalSetDialog", "only {0}").format(digit), digit)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.counts_label = QLabel("")
        self.counts_label.setWordWrap(True)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setIconSize(QSize(28 * _THUMB_ZOOM, 28 * _THUMB_ZOOM))
        self.list.setGridSize(QSize(28 * _THUMB_ZOOM + 16, 28 * _THUMB_ZOOM + 24))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.delete_button = QPushButton(translate("PersonalSetDialog", "Delete"))
        self.delete_button.setToolTip(
            translate("PersonalSetDialog", "Delete the selected drawings (Del)"))
        self.delete_button.clicked.connect(self.delete_selected)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.list, activated=self.delete_selected)
        self.warning_label = QLabel("")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(error_style())
        folder = QLabel(
            translate("PersonalSetDialog", "Folder: {0}").format(self.personal_set.folder))
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton(translate("PersonalSetDialog", "Close"))
        close.clicked.connect(self.accept)

        top = QHBoxLayout()
        top.addWidget(QLabel(translate("PersonalSetDialog", "Show")))
        top.addWidget(self.filter_combo)
        top.addWidget(self.counts_label, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.delete_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel(translate(
            "PersonalSetDialog", "Save drawings from the Draw tab (Ctrl+S); fine-tune a model "
                                 "on them in the Train tab.")))
        layout.addWidget(folder)
        layout.addWidget(self.warning_label)
        layout.addLayout(bottom)
        self.resize(640, 480)
        self.reload()

    @property
    def shown_samples(self) -> list[Sample]:
        """The samples listed now (after the digit filter), oldest first."""
        only = self.filter_combo.currentData()
        return [s for s in self._samples if only is None or s.label == only]

    @Slot()
    def reload(self) -> None:
        """Read the folder again and refill the thumbnails."""
        self._samples = self.personal_set.samples()
        warnings = self.personal_set.warnings
        self.warning_label.setText("" if not warnings else translate(
            "PersonalSetDialog", "Skipped {0} file(s): {1}").format(
            len(warnings), "; ".join(warnings[:3])))
        self.counts_label.setText(counts_text([s.label for s in self._samples]))
        self.list.clear()
        for sample in self.shown_samples:
            item = QListWidgetItem(digit_pixmap(sample.image, zoom=_THUMB_ZOOM), str(sample.label))
            item.setData(Qt.ItemDataRole.UserRole, sample.id)
            item.setToolTip(sample.path.name)
            self.list.addItem(item)
        self._update_buttons()

    @Slot()
    def delete_selected(self) -> int:
        """Delete the selected samples from disk.

        Returns:
            How many were deleted (a sample already gone is skipped silently).
        """
        ids = [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]
        deleted = 0
        for sample_id in ids:
            try:
                self.personal_set.delete(sample_id)
                deleted += 1
            except KeyError:
                pass  # removed by hand meanwhile: nothing left to do
            except OSError as exc:
                self.warning_label.setText(
                    translate("PersonalSetDialog", "Could not delete {0}: {1}").format(
                        sample_id, exc))
        self.reload()
        if deleted:
            self.set_changed.emit()
        return deleted

    @Slot(int)
    def _on_filter_changed(self, _index: int) -> None:
        self.reload()

    def select_ids(self, ids: list[str]) -> None:
        """Select the thumbnails of these sample ids (tests, scripting)."""
        wanted = set(ids)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) in wanted)

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(bool(self.list.selectedItems()))
