"""The three models' reliability diagrams side by side, with what they mean."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from digitlab.engine import MODEL_KINDS
from digitlab.gui.common.i18n import model_name, translate
from digitlab.gui.widgets.reliability_chart import ReliabilityChart


class ReliabilityPanel(QWidget):
    """One :class:`ReliabilityChart` per model and a line explaining them.

    Args:
        kinds: the models to show, left to right.
    """

    def __init__(self, kinds: tuple[str, ...] = MODEL_KINDS, parent: QWidget | None = None):
        super().__init__(parent)
        self.charts = {kind: ReliabilityChart(model_name(kind)) for kind in kinds}
        self.note = QLabel(translate(
            "ReliabilityPanel", "Reliability on the MNIST test set: of the digits a model calls "
                                "with 90% confidence, about 90% should be right (the diagonal). "
                                "Dots: before calibration; bars: after dividing the logits by the "
                                "temperature T fitted on the validation split. ECE: expected "
                                "calibration error, the average gap."))
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        for chart in self.charts.values():
            row.addWidget(chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.note)

    def set_reports(self, reports: Mapping[str, dict | None], missing: str) -> None:
        """Show kind -> calibration entry; a kind without one says ``missing``."""
        for kind, chart in self.charts.items():
            entry = reports.get(kind)
            if entry:
                chart.set_report(entry)
            else:
                chart.clear_report(missing)
