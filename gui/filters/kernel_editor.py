"""Edit the convolution kernels: a grid of numbers, a rows text field, presets, a list.

Several kernels at once give several feature maps (output channels), as the
lesson's trained CNN does with its 32 first-layer kernels. All kernels share one
size (tf.nn.conv2d takes a (kh, kw, 1, n) filter), so resizing or choosing a
preset of another size resizes them all, keeping each centred.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine.filters import KERNEL_PRESETS, MAX_KERNEL_SIDE, FilterError, parse_kernel
from digitlab.engine.kernels import KERNEL_SETS, kernel_to_text, resize_centered
from digitlab.gui.common.i18n import translate
from digitlab.gui.common.theme import error_style

#: The preset that takes all 32 first-layer kernels of the trained CNN at once.
TRAINED_PRESET = QT_TRANSLATE_NOOP("KernelEditor", "trained CNN conv1 kernels")
_PLACEHOLDER = QT_TRANSLATE_NOOP("KernelEditor", "Choose a preset…")
#: The engine's preset names, as the editor shows them (translated; the key stays English).
_PRESET_NAMES = (
    QT_TRANSLATE_NOOP("KernelEditor", "vertical edge (lesson)"),
    QT_TRANSLATE_NOOP("KernelEditor", "lesson filter 1"),
    QT_TRANSLATE_NOOP("KernelEditor", "lesson filter 2"),
    QT_TRANSLATE_NOOP("KernelEditor", "lesson filter 3"),
    QT_TRANSLATE_NOOP("KernelEditor", "lesson filters 1-3"),
    QT_TRANSLATE_NOOP("KernelEditor", "sobel x"),
    QT_TRANSLATE_NOOP("KernelEditor", "sobel y"),
    QT_TRANSLATE_NOOP("KernelEditor", "laplacian"),
    QT_TRANSLATE_NOOP("KernelEditor", "box blur"),
    QT_TRANSLATE_NOOP("KernelEditor", "gaussian blur"),
    QT_TRANSLATE_NOOP("KernelEditor", "sharpen"),
    QT_TRANSLATE_NOOP("KernelEditor", "emboss"),
    QT_TRANSLATE_NOOP("KernelEditor", "identity"),
    QT_TRANSLATE_NOOP("KernelEditor", "custom"),
)
_ERROR_BRUSH = QBrush(QColor(255, 190, 190))


class KernelEditor(QWidget):
    """A list of same-size kernels, the selected one editable as a grid or as rows text.

    Signals:
        kernels_changed(): the kernels changed and are all valid.
        error_changed(str): a one-line error quoting the bad value, or "" once fixed.
        current_changed(int): another kernel is selected (0-based index).
    """

    kernels_changed = Signal()
    error_changed = Signal(str)
    current_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        first = next(iter(KERNEL_PRESETS))
        self._kernels: list[np.ndarray] = [KERNEL_PRESETS[first].astype(np.float32)]
        self._names: list[str] = [first]
        self._current = 0
        self._trained: np.ndarray | None = None
        self._error = ""
        self._updating = False  # set while widgets are filled from code, not by the user

        self.preset_combo = QComboBox()
        self.preset_combo.addItem(translate("KernelEditor", _PLACEHOLDER), None)
        for name in KERNEL_PRESETS:
            self.preset_combo.addItem(translate("KernelEditor", name), name)
        # "lesson filters 1-3": the lesson's three filters at once, three feature maps.
        for name in KERNEL_SETS:
            self.preset_combo.addItem(translate("KernelEditor", name), name)
        self.preset_combo.setToolTip(
            translate("KernelEditor", "Replace the selected kernel with a classic one."))
        self.preset_combo.activated.connect(self._on_preset_activated)

        self.kernel_list = QListWidget()
        self.kernel_list.setMaximumHeight(90)
        self.kernel_list.currentRowChanged.connect(self._on_row_changed)
        self.add_button = QPushButton(translate("KernelEditor", "Add"))
        self.add_button.setToolTip(
            translate("KernelEditor", "Add a copy of the selected kernel: one more feature map."))
        self.add_button.clicked.connect(self.add_kernel)
        self.remove_button = QPushButton(translate("KernelEditor", "Remove"))
        self.remove_button.clicked.connect(self.remove_current_kernel)

        self.rows_spin = QSpinBox()
        self.cols_spin = QSpinBox()
        for spin, label in ((self.rows_spin, translate("KernelEditor", " rows")),
                           (self.cols_spin, translate("KernelEditor", " cols"))):
            spin.setRange(1, MAX_KERNEL_SIDE)
            spin.setSuffix(label)
            spin.valueChanged.connect(self._on_size_changed)

        self.grid = QTableWidget()
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.setMinimumHeight(110)
        self.grid.itemChanged.connect(self._on_cell_changed)

        self.rows_edit = QLineEdit()
        self.rows_edit.setPlaceholderText("-1,0,1;-1,0,1;-1,0,1")
        self.rows_edit.setToolTip(
            translate("KernelEditor", "Rows separated by ';', values by ',' or spaces."))
        self.rows_edit.textEdited.connect(self.set_rows_text)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet(error_style())
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        list_buttons = QVBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        list_row = QHBoxLayout()
        list_row.addWidget(self.kernel_list, 1)
        list_row.addLayout(list_buttons)
        size_row = QHBoxLayout()
        size_row.addWidget(QLabel(translate("KernelEditor", "Size")))
        size_row.addWidget(self.rows_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.cols_spin)
        size_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preset_combo)
        layout.addLayout(list_row)
        layout.addLayout(size_row)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.rows_edit)
        layout.addWidget(self.error_label)
        self._refresh()

    # --- public API --------------------------------------------------------------

    def kernels(self) -> list[np.ndarray]:
        """Copies of the kernels, each (kh, kw) float32, all the same size."""
        return [k.copy() for k in self._kernels]

    @property
    def current_index(self) -> int:
        return self._current

    @property
    def error(self) -> str:
        """The current inline error ("" when every value is valid)."""
        return self._error

    def kernel_names(self) -> list[str]:
        return list(self._names)

    def set_kernels(self, kernels, names: list[str] | None = None) -> None:
        """Replace all kernels: one (kh, kw) array or a list of same-size ones.

        Raises:
            FilterError: empty list, sizes differ, over ``MAX_KERNEL_SIDE`` square, or
                non-finite values.
        """
        arrays = [np.asarray(kernels, np.float32)] if np.ndim(kernels) == 2 else kernels
        arrays = [np.asarray(k, dtype=np.float32) for k in arrays]
        if not arrays:
            raise FilterError("Received no kernels; at least one kernel is needed.")
        shapes = {k.shape for k in arrays}
        if len(shapes) != 1 or arrays[0].ndim != 2:
            raise FilterError(
                f"Received kernels of shapes {sorted(shapes)}; all must be one 2-D size."
            )
        if max(arrays[0].shape) > MAX_KERNEL_SIDE or not all(np.isfinite(k).all() for k in arrays):
            raise FilterError(
                f"Received a kernel of shape {arrays[0].shape}; kernels must be finite, "
                f"at most {MAX_KERNEL_SIDE}x{MAX_KERNEL_SIDE}."
            )
        self._kernels = arrays
        self._names = list(names) if names else ["custom"] * len(arrays)
        self._current = 0
        self._changed()

    def set_trained_kernels(self, kernels: np.ndarray | None) -> None:
        """Offer the trained CNN's first-layer kernels, (kh, kw, n), as a preset (None: remove)."""
        self._trained = None if kernels is None else np.asarray(kernels, dtype=np.float32)
        index = self.preset_combo.findData(TRAINED_PRESET)
        if self._trained is None and index >= 0:
            self.preset_combo.removeItem(index)
        elif self._trained is not None and index < 0:
            self.preset_combo.addItem(translate("KernelEditor", TRAINED_PRESET), TRAINED_PRESET)

    def presets(self) -> list[str]:
        """The preset names offered now, in the combo's order (English: the engine's names)."""
        return [self.preset_combo.itemData(i) for i in range(1, self.preset_combo.count())]

    def apply_preset(self, name: str) -> None:
        """Put preset ``name`` in the selected kernel (the trained preset replaces all).

        Raises:
            FilterError: ``name`` is not one of :meth:`presets`.
        """
        if name == TRAINED_PRESET and self._trained is not None:
            count = self._trained.shape[-1]
            self.set_kernels(
                [self._trained[..., i] for i in range(count)],
                [f"conv1 #{i + 1}" for i in range(count)],
            )
            return
        if name in KERNEL_SETS:
            members = KERNEL_SETS[name]
            self.set_kernels([KERNEL_PRESETS[m] for m in members], list(members))
            return
        if name not in KERNEL_PRESETS:
            raise FilterError(f"Received preset {name!r}; expected one of {self.presets()}.")
        kernel = KERNEL_PRESETS[name].astype(np.float32)
        if kernel.shape != self._kernels[0].shape:
            self._kernels = [resize_centered(k, *kernel.shape) for k in self._kernels]
        self._kernels[self._current] = kernel
        self._names[self._current] = name
        self._changed()

    def add_kernel(self) -> None:
        """Add a copy of the selected kernel and select it."""
        self._kernels.insert(self._current + 1, self._kernels[self._current].copy())
        self._names.insert(self._current + 1, self._names[self._current])
        self._current += 1
        self._changed()

    def remove_current_kernel(self) -> None:
        """Remove the selected kernel (the Remove button)."""
        self.remove_kernel(self._current)

    def remove_kernel(self, index: int) -> None:
        """Remove kernel ``index`` (the last one stays)."""
        if len(self._kernels) > 1 and 0 <= index < len(self._kernels):
            del self._kernels[index], self._names[index]
            self._current = min(self._current, len(self._kernels) - 1)
            self._changed()

    def select(self, index: int) -> None:
        """Show kernel ``index`` in the grid and the rows field."""
        if 0 <= index < len(self._kernels) and index != self._current:
            self._current = index
            self._set_error("")
            self._refresh()
            self.current_changed.emit(index)

    def set_rows_text(self, text: str) -> None:
        """Parse rows text into the selected kernel; while it is unfinished or wrong, the
        last valid kernel stays in use and the error line says so."""
        if text.rstrip().endswith((",", ";", "-", "/", ".", "[")):
            self._set_error(self._keeping(translate("KernelEditor", "Still typing")))
            return
        try:
            kernel = parse_kernel(text)
        except FilterError as exc:
            self._set_error(self._keeping(str(exc)))
            return
        if kernel.shape != self._kernels[0].shape:
            self._kernels = [resize_centered(k, *kernel.shape) for k in self._kernels]
        self._kernels[self._current] = kernel.astype(np.float32)
        self._names[self._current] = "custom"
        self._changed(keep_text=True)

    # --- internals ---------------------------------------------------------------

    def _on_preset_activated(self, index: int) -> None:
        if index > 0:
            self.apply_preset(self.preset_combo.itemData(index))
        self.preset_combo.setCurrentIndex(0)

    def _on_row_changed(self, row: int) -> None:
        if not self._updating:
            self.select(row)

    def _on_size_changed(self) -> None:
        if self._updating:
            return
        rows, cols = self.rows_spin.value(), self.cols_spin.value()
        self._kernels = [resize_centered(k, rows, cols) for k in self._kernels]
        self._changed()

    def _on_cell_changed(self, item: QTableWidgetItem) -> None:
        if self._updating:
            return
        row, col, text = item.row(), item.column(), item.text().strip()
        try:
            value = float(text)
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            self._updating = True
            item.setBackground(_ERROR_BRUSH)
            self._updating = False
            self._set_error(self._keeping(translate(
                "KernelEditor",
                "Received {0!r} in row {1}, column {2}; kernel values must be finite numbers.")
                .format(text, row + 1, col + 1)))
            return
        self._kernels[self._current][row, col] = value
        self._names[self._current] = "custom"
        self._changed()

    def _keeping(self, reason: str) -> str:
        """``reason``, then what stays in use: the last valid kernel, as rows."""
        return translate("KernelEditor", "{0} — still using the last valid kernel: {1}").format(
            reason.rstrip("."), kernel_to_text(self._kernels[self._current]))

    def _set_error(self, message: str) -> None:
        if message != self._error:
            self._error = message
            self.error_label.setText(message)
            self.error_label.setVisible(bool(message))
            self.error_changed.emit(message)

    def _changed(self, keep_text: bool = False) -> None:
        self._set_error("")
        self._refresh(keep_text=keep_text)
        self.kernels_changed.emit()
        self.current_changed.emit(self._current)

    def _refresh(self, keep_text: bool = False) -> None:
        """Fill the widgets from the kernels (without echoing back as user edits)."""
        self._updating = True
        try:
            kernel = self._kernels[self._current]
            rows, cols = kernel.shape
            self.rows_spin.setValue(rows)
            self.cols_spin.setValue(cols)
            self.kernel_list.clear()
            for i, (k, name) in enumerate(zip(self._kernels, self._names, strict=True)):
                self.kernel_list.addItem(translate("KernelEditor", "{0}. {1} ({2}×{3})").format(
                    i + 1, translate("KernelEditor", name), k.shape[0], k.shape[1]))
            self.kernel_list.setCurrentRow(self._current)
            self.remove_button.setEnabled(len(self._kernels) > 1)
            self.grid.setRowCount(rows)
            self.grid.setColumnCount(cols)
            # 0-based headers: the kernel is indexed like the (y, x) image coordinates.
            self.grid.setVerticalHeaderLabels([str(i) for i in range(rows)])
            self.grid.setHorizontalHeaderLabels([str(i) for i in range(cols)])
            for r in range(rows):
                for c in range(cols):
                    item = QTableWidgetItem(f"{kernel[r, c]:.6g}")
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.grid.setItem(r, c, item)
            if not keep_text:
                self.rows_edit.setText(kernel_to_text(kernel))
        finally:
            self._updating = False
