"""A 10x10 confusion matrix on the MNIST test set: counts, coloured by how bad they are."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from digitlab.gui.common.i18n import translate


def cell_colour(count: int, row_total: int, diagonal: bool, worst_mistake: int) -> QColor:
    """Green for correct answers (by the row's recall), red for mistakes (by count)."""
    if diagonal:
        strength = count / row_total if row_total else 0.0
        return QColor.fromRgbF(1.0 - 0.55 * strength, 1.0 - 0.2 * strength, 1.0 - 0.55 * strength)
    # Mistakes are rare (a few per thousand); scale against the worst one so they show.
    strength = np.sqrt(count / worst_mistake) if worst_mistake else 0.0
    return QColor.fromRgbF(1.0, 1.0 - 0.6 * strength, 1.0 - 0.6 * strength)


class ConfusionMatrixView(QTableWidget):
    """Rows are the true digits, columns the predicted ones; each cell shows a count."""

    def __init__(self, parent=None):
        super().__init__(10, 10, parent)
        labels = [str(d) for d in range(10)]
        self.setHorizontalHeaderLabels([f"→{d}" for d in labels])
        self.setVerticalHeaderLabels([f"{d}" for d in labels])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # A column never gets narrower than a 4-digit count (MNIST's 1135 test ones):
        # a narrow window scrolls the matrix instead of showing "9…".
        self.horizontalHeader().setMinimumSectionSize(
            self.fontMetrics().horizontalAdvance("0000") + 10)
        self.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 4)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setToolTip(translate("ConfusionMatrixView",
                                  "Rows: true digit. Columns: predicted digit. Off-diagonal "
                                  "cells are mistakes."))
        self._matrix = np.zeros((10, 10), dtype=np.int64)
        self.setAccessibleName(translate("ConfusionMatrixView", "Confusion matrix of the test set"))
        self.clear_matrix()

    @property
    def matrix(self) -> np.ndarray:
        """The ``(10, 10)`` counts shown (a copy)."""
        return self._matrix.copy()

    def clear_matrix(self) -> None:
        """Show empty cells (no evaluated model yet)."""
        self._matrix = np.zeros((10, 10), dtype=np.int64)
        for row in range(10):
            for col in range(10):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(row, col, item)

    def set_matrix(self, matrix: np.ndarray) -> None:
        """Show ``matrix``: ``(10, 10)`` integer counts, row = true, column = predicted.

        Raises:
            ValueError: the shape is not ``(10, 10)``.
        """
        matrix = np.asarray(matrix)
        if matrix.shape != (10, 10):
            raise ValueError(f"Received a confusion matrix of shape {matrix.shape}; "
                             "expected (10, 10).")
        self._matrix = matrix.astype(np.int64)
        totals = self._matrix.sum(axis=1)
        mistakes = self._matrix.copy()
        np.fill_diagonal(mistakes, 0)
        worst = int(mistakes.max())
        for row in range(10):
            for col in range(10):
                count = int(self._matrix[row, col])
                item = self.item(row, col)
                item.setText(str(count))
                item.setBackground(QBrush(cell_colour(count, int(totals[row]), row == col, worst)))
                item.setForeground(QBrush(QColor("black")))
                share = count / totals[row] if totals[row] else 0.0
                tip = (translate("ConfusionMatrixView",
                                 "{0} test images of a {1} recognised ({2:.1%} of the {1}s)")
                       if row == col else
                       translate("ConfusionMatrixView",
                                 "{0} test images of a {1} taken for a {3} ({2:.1%} of the {1}s)"))
                item.setToolTip(tip.format(count, row, share, col))
