"""What each model learned: its first layer's weights as images."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

from digitlab.gui.common.i18n import translate
from digitlab.gui.widgets.learned_maps_grid import LearnedMapsGrid
from digitlab.gui.widgets.reliability_panel import ReliabilityPanel

if TYPE_CHECKING:
    from digitlab.gui.model_store import ModelStore

TITLES = {
    "multinomial": QT_TRANSLATE_NOOP("LearnedView",
                                     "Multinomial: the ten weight templates (784 → 10)"),
    "dnn": QT_TRANSLATE_NOOP("LearnedView", "DNN: the 64 first-layer units (784 → 64)"),
    "cnn": QT_TRANSLATE_NOOP("LearnedView", "CNN: the 32 first-layer kernels (3×3)"),
}
EXPLANATIONS = {
    "multinomial": QT_TRANSLATE_NOOP(
        "LearnedView", "Template d is column d of the Dense kernel: the score for d is "
                       "template · image + bias. Ink on red pixels raises it, on blue lowers it. "
                       "One colour scale for all ten."),
    "dnn": QT_TRANSLATE_NOOP(
        "LearnedView", "Each tile is one unit's 784 input weights, the pattern it responds to "
                       "before the ReLU. Each tile is scaled to its own range."),
    "cnn": QT_TRANSLATE_NOOP(
        "LearnedView", "Each 3×3 kernel slides over the whole image (weights shared across "
                       "positions): learned edge and blob detectors, like the lesson's hand-made "
                       "filters. Apply them to a photo in the Filters tab."),
}
#: kind -> (columns, shared colour scale, captions on the tiles, zoom).
_LAYOUT = {"multinomial": (5, True, True, 1), "dnn": (8, False, False, 1),
           "cnn": (8, False, False, 8)}


class LearnedView(QDialog):
    """The first-layer weights of the three models, as diverging-colour grids.

    Follows ``store.models_changed`` (e.g. a freshly trained model adopted).

    Args:
        store: the app's model store (its Keras ``models`` are read).
    """

    def __init__(self, store: ModelStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("LearnedView", "What the models learned"))
        self._store = store
        self.grids = {kind: LearnedMapsGrid(translate("LearnedView", title))
                      for kind, title in TITLES.items()}
        self.hover_label = QLabel(translate(
            "LearnedView", "Hover a tile for the weight under the pointer; scroll to zoom, "
                           "drag to pan."))
        layout = QGridLayout()
        # Wide grids (2x5 templates, 4x8 kernels) on the left, the square 8x8 on the right.
        for kind, (row, col, rows) in {"multinomial": (0, 0, 1), "cnn": (2, 0, 1),
                                       "dnn": (0, 1, 3)}.items():
            box = QVBoxLayout()
            box.addWidget(self.grids[kind], 1)
            note = QLabel(translate("LearnedView", EXPLANATIONS[kind]))
            note.setWordWrap(True)
            box.addWidget(note)
            layout.addLayout(box, row, col, rows, 1)
            self.grids[kind].hovered.connect(self._on_hovered)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(layout, 1)
        outer.addWidget(self.hover_label)
        # How honest each model's probabilities are: reliability and ECE before/after.
        self.reliability = ReliabilityPanel()
        outer.addWidget(self.reliability)
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.resize(1100, 860)
        store.models_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the weights of the models in use again."""
        from digitlab.engine import learned  # noqa: PLC0415 - only once models (and Keras) exist

        readers = {"multinomial": learned.multinomial_templates,
                   "dnn": learned.dnn_first_layer, "cnn": learned.cnn_first_layer}
        self._show_calibration()
        models = self._store.models if self._store.is_ready else {}
        for kind, grid in self.grids.items():
            model = models.get(kind)
            if model is None:
                loading = (not self._store.is_ready
                           or not getattr(self._store, "tensorflow_ready", True))
                grid.clear_maps(translate("LearnedView", "loading…") if loading
                                else translate("LearnedView", "no model"))
                continue
            try:
                maps = readers[kind](model)
            except ValueError as exc:
                grid.clear_maps(str(exc))
                continue
            columns, shared, captions, zoom = _LAYOUT[kind]
            label = {"multinomial": translate("LearnedView", "digit {0}"),
                     "dnn": translate("LearnedView", "unit {0}"),
                     "cnn": translate("LearnedView", "kernel {0}")}[kind]
            first = 0 if kind == "multinomial" else 1  # digits count from 0, units from 1
            labels = [label.format(i + first) for i in range(len(maps))]
            grid.set_maps(maps, columns=columns, labels=labels, shared_scale=shared,
                          captions=captions, zoom=zoom)
            grid.set_title(translate("LearnedView", TITLES[kind]))

    def _show_calibration(self) -> None:
        """Reliability diagrams of the models in use whose temperature was fitted for them."""
        from digitlab.engine.calibration import load_calibration_report  # noqa: PLC0415

        calibrated = self._store.temperatures if self._store.is_ready else {}
        report = load_calibration_report() if calibrated else {}
        self.reliability.set_reports(
            {kind: report.get(kind) for kind in calibrated},
            translate("LearnedView", "not calibrated (a model trained here: T = 1)")
            if self._store.is_ready else translate("LearnedView", "loading…"))

    @Slot(str)
    def _on_hovered(self, text: str) -> None:
        if text:
            self.hover_label.setText(text)
