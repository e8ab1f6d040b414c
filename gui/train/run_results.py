"""A finished run's test-set results: confusion matrix, calibration and the digits it got wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from digitlab.gui.common.i18n import translate
from digitlab.gui.train.confusion_matrix_view import ConfusionMatrixView
from digitlab.gui.widgets.misclassified_gallery import MisclassifiedGallery
from digitlab.gui.widgets.reliability_chart import ReliabilityChart

if TYPE_CHECKING:
    from digitlab.engine.train_report import TrainOutcome


class RunResults(QSplitter):
    """The test-set views of a trained model, side by side.

    Left: the confusion matrix and the reliability diagram share a pane (both are
    test-set results); right: the gallery of misclassified test digits.

    Args:
        parent: the owner (the Train tab).

    Signals:
        digit_requested(object): a ``(28, 28) uint8`` digit clicked in the gallery.
    """

    digit_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.confusion = ConfusionMatrixView()
        # The trained model's reliability diagram and ECE before/after its temperature.
        self.reliability = ReliabilityChart(translate("TrainTab", "Trained model"))
        self.gallery = MisclassifiedGallery()
        self.gallery.digit_requested.connect(self.digit_requested)
        self.views = QTabWidget()
        self.views.setDocumentMode(True)
        self.views.addTab(self.confusion, translate("TrainTab", "Confusion matrix (test set)"))
        self.views.addTab(self.reliability, translate("TrainTab", "Calibration (test set)"))
        self.addWidget(self.views)
        box = QGroupBox(translate("TrainTab", "Misclassified test digits (click to draw)"))
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.gallery)
        self.addWidget(box)
        # The matrix's ten columns of counts need the room more than the gallery, which wraps.
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setSizes([600, 400])

    def clear_results(self) -> None:
        """Empty every view while a new run trains."""
        self.confusion.clear_matrix()
        self.gallery.clear_samples()
        self.reliability.clear_report(translate("TrainTab", "after training"))

    def show_outcome(self, outcome: TrainOutcome) -> None:
        """Show a finished run's confusion matrix and misclassified digits."""
        self.confusion.set_matrix(outcome.confusion)
        self.gallery.set_samples(outcome.misclassified_images, outcome.misclassified_true,
                                 outcome.misclassified_predicted)

    def show_calibration(self, entry: dict | None, name: str) -> None:
        """Show the model's reliability diagram (``entry`` None: there was nothing to fit T on)."""
        if entry is None:
            self.reliability.clear_report(translate("TrainTab", "no validation split to fit T on"))
        else:
            self.reliability.set_report(entry, name)
