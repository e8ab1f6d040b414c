"""The conv and max-pool arithmetic worked by hand, one output pixel at a time.

Convolution: a 5x5 input, zero-padded to 7x7 (``SAME``), a 3x3 kernel at stride
1 gives a 5x5 output; each step shows the nine products and their sum. Max
pool: a 4x4 input, 2x2 windows at stride 2 give 2x2. Inputs and kernel are
editable. The arrays are tiny, so numpy computes them here directly.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.gui.common.i18n import translate

DEFAULT_INPUT = np.array(
    [[1, 2, 0, 1, 3], [0, 1, 3, 2, 1], [2, 0, 1, 0, 2], [1, 3, 2, 1, 0], [0, 1, 0, 2, 1]],
    dtype=np.float32,
)
DEFAULT_KERNEL = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float32)
DEFAULT_POOL_INPUT = np.array(
    [[1, 3, 2, 1], [4, 6, 5, 0], [3, 2, 1, 8], [1, 0, 7, 4]], dtype=np.float32
)
POOL = 2
_WINDOW = QBrush(QColor(255, 225, 120))
_PADDING = QBrush(QColor(225, 225, 225))
_CURRENT = QBrush(QColor(120, 200, 255))
_PLAIN = QBrush(Qt.GlobalColor.white)
#: Text on the light cell colours above, whatever the palette (light text would vanish).
_INK = QBrush(QColor(20, 20, 20))


def _paint(item, brush: QBrush) -> None:
    item.setBackground(brush)
    item.setForeground(_INK)


def _fmt(value: float) -> str:
    return f"{float(value) + 0.0:g}"  # + 0.0 turns -0.0 (0 × -1) into a plain 0


def _grid(rows: int, cols: int, editable: bool) -> QTableWidget:
    table = QTableWidget(rows, cols)
    table.setVerticalHeaderLabels([str(i) for i in range(rows)])  # y, top-left origin
    table.setHorizontalHeaderLabels([str(i) for i in range(cols)])  # x
    for header in (table.horizontalHeader(), table.verticalHeader()):
        header.setDefaultSectionSize(36)
        header.setMinimumSectionSize(36)
    table.setFixedSize(36 * cols + 24, 36 * rows + 26)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    if not editable:
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r in range(rows):
        for c in range(cols):
            item = QTableWidgetItem("")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            table.setItem(r, c, item)
    return table


def _read(table: QTableWidget) -> np.ndarray:
    return np.array(
        [[float(table.item(r, c).text()) for c in range(table.columnCount())]
         for r in range(table.rowCount())],
        dtype=np.float32,
    )


class _Stepper(QWidget):
    """Previous / slider / Next over ``count`` positions."""

    step_changed = Signal(int)

    def __init__(self, count: int) -> None:
        super().__init__()
        self.previous_button = QPushButton(translate("WorkedExample", "◀ Previous"))
        self.next_button = QPushButton(translate("WorkedExample", "Next ▶"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, count - 1)
        self.slider.valueChanged.connect(self.step_changed)
        # Bound methods, not lambdas over self: a lambda makes a reference cycle that
        # Python's GC may break on a worker thread (tests/gui/test_freed.py).
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.previous_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.next_button)

    def previous(self) -> None:
        """One step back."""
        self.slider.setValue(self.slider.value() - 1)

    def next(self) -> None:
        """One step on."""
        self.slider.setValue(self.slider.value() + 1)


class WorkedExample(QWidget):
    """Step through a 5x5 SAME convolution and a 4x4 -> 2x2 max-pool, cell by cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)

        self.input_grid = _grid(5, 5, editable=True)
        self.kernel_grid = _grid(3, 3, editable=True)
        self.padded_grid = _grid(7, 7, editable=False)
        self.output_grid = _grid(5, 5, editable=False)
        self.conv_stepper = _Stepper(25)
        self.conv_label = QLabel()
        self.conv_label.setFont(mono)
        self.conv_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grids = QGridLayout()
        for col, (title, grid) in enumerate(
            ((translate("WorkedExample", "input 5×5 (edit me)"), self.input_grid),
             (translate("WorkedExample", "kernel 3×3 (edit me)"), self.kernel_grid),
             (translate("WorkedExample", "zero-padded input 7×7"), self.padded_grid),
             (translate("WorkedExample", "output 5×5"), self.output_grid))
        ):
            grids.addWidget(QLabel(title), 0, col)
            grids.addWidget(grid, 1, col, Qt.AlignmentFlag.AlignTop)
        conv_page = QWidget()
        conv_layout = QVBoxLayout(conv_page)
        conv_layout.addWidget(QLabel(translate(
            "WorkedExample",
            "tf.nn.conv2d(input, kernel, strides=1, padding='SAME'): the 5×5 input is padded "
            "with zeros to 7×7, so the 3×3 window fits at all 5×5 positions.")))
        conv_layout.addLayout(grids)
        conv_layout.addWidget(self.conv_stepper)
        conv_layout.addWidget(self.conv_label)
        conv_layout.addStretch(1)

        self.pool_input_grid = _grid(4, 4, editable=True)
        self.pool_output_grid = _grid(2, 2, editable=False)
        self.pool_stepper = _Stepper(4)
        self.pool_label = QLabel()
        self.pool_label.setFont(mono)
        pool_grids = QGridLayout()
        pool_grids.addWidget(QLabel(translate("WorkedExample", "input 4×4 (edit me)")), 0, 0)
        pool_grids.addWidget(self.pool_input_grid, 1, 0, Qt.AlignmentFlag.AlignTop)
        pool_grids.addWidget(QLabel(translate("WorkedExample", "output 2×2")), 0, 1)
        pool_grids.addWidget(self.pool_output_grid, 1, 1, Qt.AlignmentFlag.AlignTop)
        pool_grids.setColumnStretch(2, 1)
        pool_page = QWidget()
        pool_layout = QVBoxLayout(pool_page)
        pool_layout.addWidget(QLabel(translate(
            "WorkedExample",
            "tf.nn.max_pool(input, ksize=2, strides=2, padding='VALID'): each output pixel "
            "is the largest of a 2×2 window; the window moves 2 pixels at a time.")))
        pool_layout.addLayout(pool_grids)
        pool_layout.addWidget(self.pool_stepper)
        pool_layout.addWidget(self.pool_label)
        pool_layout.addStretch(1)

        self.pages = QTabWidget()
        self.pages.addTab(conv_page, translate("WorkedExample", "Convolution"))
        self.pages.addTab(pool_page, translate("WorkedExample", "Max pooling"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self._conv_input = DEFAULT_INPUT.copy()
        self._kernel = DEFAULT_KERNEL.copy()
        self._pool_input = DEFAULT_POOL_INPUT.copy()
        for grid in (self.input_grid, self.kernel_grid, self.pool_input_grid):
            grid.itemChanged.connect(self._on_edited)
        self.conv_stepper.step_changed.connect(self._show_conv)
        self.pool_stepper.step_changed.connect(self._show_pool)
        self._fill_editable()
        self._show_conv()
        self._show_pool()

    # --- values ------------------------------------------------------------------

    def conv_input(self) -> np.ndarray:
        return self._conv_input.copy()

    def kernel(self) -> np.ndarray:
        return self._kernel.copy()

    def pool_input(self) -> np.ndarray:
        return self._pool_input.copy()

    def set_conv_input(self, values: np.ndarray) -> None:
        """Set the (5, 5) input."""
        self._conv_input = np.asarray(values, np.float32).reshape(5, 5).copy()
        self._fill_editable()
        self._show_conv()

    def set_kernel(self, values: np.ndarray) -> None:
        """Set the (3, 3) kernel."""
        self._kernel = np.asarray(values, np.float32).reshape(3, 3).copy()
        self._fill_editable()
        self._show_conv()

    def set_pool_input(self, values: np.ndarray) -> None:
        """Set the (4, 4) max-pool input."""
        self._pool_input = np.asarray(values, np.float32).reshape(4, 4).copy()
        self._fill_editable()
        self._show_pool()

    def padded_input(self) -> np.ndarray:
        """The (7, 7) zero-padded input."""
        return np.pad(self._conv_input, 1)

    def conv_output(self) -> np.ndarray:
        """The full (5, 5) output: out[y, x] = sum(padded[y:y+3, x:x+3] * kernel)."""
        padded = self.padded_input()
        return np.array(
            [[np.sum(padded[y : y + 3, x : x + 3] * self._kernel) for x in range(5)]
             for y in range(5)],
            dtype=np.float32,
        )

    def pool_output(self) -> np.ndarray:
        """The (2, 2) output: out[y, x] = max(input[2y:2y+2, 2x:2x+2])."""
        return self._pool_input.reshape(2, POOL, 2, POOL).max(axis=(1, 3))

    # --- stepping ----------------------------------------------------------------

    @property
    def conv_step(self) -> int:
        return self.conv_stepper.slider.value()

    @property
    def pool_step(self) -> int:
        return self.pool_stepper.slider.value()

    def set_conv_step(self, step: int) -> None:
        self.conv_stepper.slider.setValue(step)

    def set_pool_step(self, step: int) -> None:
        self.pool_stepper.slider.setValue(step)

    def conv_products(self) -> np.ndarray:
        """The nine products (3, 3) of the current step's window and the kernel."""
        y, x = divmod(self.conv_step, 5)
        return self.padded_input()[y : y + 3, x : x + 3] * self._kernel

    def conv_text(self) -> str:
        return self.conv_label.text()

    def pool_text(self) -> str:
        return self.pool_label.text()

    def retranslate(self) -> None:
        """Write the step explanations again in the language just installed."""
        self._show_conv()
        self._show_pool()

    def _show_conv(self) -> None:
        step = self.conv_step
        y, x = divmod(step, 5)
        padded, output = self.padded_input(), self.conv_output()
        self._updating = True
        for r in range(7):
            for c in range(7):
                item = self.padded_grid.item(r, c)
                item.setText(_fmt(padded[r, c]))
                in_window = y <= r < y + 3 and x <= c < x + 3
                border = r in (0, 6) or c in (0, 6)
                _paint(item, _WINDOW if in_window else _PADDING if border else _PLAIN)
        for r in range(5):
            for c in range(5):
                item = self.output_grid.item(r, c)
                done = r * 5 + c <= step
                item.setText(_fmt(output[r, c]) if done else "")
                _paint(item, _CURRENT if (r, c) == (y, x) else _PLAIN)
        self._updating = False
        window = padded[y : y + 3, x : x + 3]
        lines = [
            "  ".join(f"{_fmt(a):>3}×{_fmt(b):<3}" for a, b in zip(wr, kr, strict=True))
            for wr, kr in zip(window, self._kernel, strict=True)
        ]
        terms = " + ".join(f"({_fmt(p)})" for p in self.conv_products().ravel())
        self.conv_label.setText(
            translate("WorkedExample", "step {0} of 25: output (y={1}, x={2}) = sum of the nine "
                                       "products").format(step + 1, y, x) + "\n"
            + "\n".join(lines)
            + f"\n= {terms}\n= {_fmt(output[y, x])}"
        )

    def _show_pool(self) -> None:
        step = self.pool_step
        y, x = divmod(step, 2)
        output = self.pool_output()
        self._updating = True
        for r in range(4):
            for c in range(4):
                inside = r // POOL == y and c // POOL == x
                _paint(self.pool_input_grid.item(r, c), _WINDOW if inside else _PLAIN)
        for r in range(2):
            for c in range(2):
                item = self.pool_output_grid.item(r, c)
                item.setText(_fmt(output[r, c]) if r * 2 + c <= step else "")
                _paint(item, _CURRENT if (r, c) == (y, x) else _PLAIN)
        self._updating = False
        window = self._pool_input[y * POOL : (y + 1) * POOL, x * POOL : (x + 1) * POOL]
        values = ", ".join(_fmt(v) for v in window.ravel())
        self.pool_label.setText(
            translate("WorkedExample", "step {0} of 4: output (y={1}, x={2}) = max({3}) = {4}")
            .format(step + 1, y, x, values, _fmt(output[y, x]))
        )

    # --- editing -----------------------------------------------------------------

    def _fill_editable(self) -> None:
        self._updating = True
        for grid, values in (
            (self.input_grid, self._conv_input),
            (self.kernel_grid, self._kernel),
            (self.pool_input_grid, self._pool_input),
        ):
            for r in range(values.shape[0]):
                for c in range(values.shape[1]):
                    grid.item(r, c).setText(_fmt(values[r, c]))
        self._updating = False

    def _on_edited(self, item: QTableWidgetItem) -> None:
        if self._updating:
            return
        grid = item.tableWidget()
        try:
            values = _read(grid)
            if not np.isfinite(values).all():
                raise ValueError
        except ValueError:
            # Not a number: put the last good values back rather than computing nonsense.
            self._fill_editable()
            return
        if grid is self.input_grid:
            self._conv_input = values
        elif grid is self.kernel_grid:
            self._kernel = values
        else:
            self._pool_input = values
            self._show_pool()
            return
        self._show_conv()
