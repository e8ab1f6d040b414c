"""Robustness sweep: shift, rotate, scale or thicken the drawing and watch each model's confidence.

The transforms act on the 28x28 model input without re-centring (see
:mod:`engine.sweep`), so a shift stays a shift: the dense models lose the digit
after a few pixels, the CNN keeps it much longer. A whole sweep is a few dozen
numpy forward passes (about 10-20 ms), so it runs on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine import MODEL_KINDS
from digitlab.engine.sweep import TRANSFORM_IDENTITY, TRANSFORM_RANGES, TRANSFORMS, sweep
from digitlab.gui.common import theme
from digitlab.gui.common.i18n import model_name, translate

if TYPE_CHECKING:
    from digitlab.engine.sweep import SweepResult
    from digitlab.gui.model_store import ModelStore

COLOURS = {"multinomial": (90, 160, 255), "dnn": (80, 200, 120), "cnn": (255, 150, 40)}
#: Points per transform: half-pixel shifts, 5-degree turns, 0.05x scale, 1/4 thicken steps.
#: The engine's transform names and units as the dialog shows them (translated).
_WORDS = (QT_TRANSLATE_NOOP("SweepDialog", "shift x"), QT_TRANSLATE_NOOP("SweepDialog", "shift y"),
          QT_TRANSLATE_NOOP("SweepDialog", "rotate"), QT_TRANSLATE_NOOP("SweepDialog", "scale"),
          QT_TRANSLATE_NOOP("SweepDialog", "thicken"), QT_TRANSLATE_NOOP("SweepDialog", "px"),
          QT_TRANSLATE_NOOP("SweepDialog", "deg"), QT_TRANSLATE_NOOP("SweepDialog", "steps"))
POINTS = {"shift x": 33, "shift y": 33, "rotate": 25, "scale": 25, "thicken": 21}


def format_value(transform: str, value: float) -> str:
    """``"+2.5 px"``, ``"-30 deg"``, ``"1.25x"``, ``"+0.75 steps"``."""
    unit = translate("SweepDialog", TRANSFORM_RANGES[transform][2])
    if transform == "scale":
        return f"{value:.3g}x"
    return f"{value:+.3g} {unit}" if value else f"0 {unit}"


class SweepDialog(QDialog):
    """Confidence curves of the three models along one transform, with a scrubbing slider.

    Args:
        store: the app's model store; ``store.predictor`` (numpy) runs the sweep.
    """

    def __init__(self, store: ModelStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SweepDialog", "Robustness sweep"))
        self._store = store
        self._image28: np.ndarray | None = None
        self._result: SweepResult | None = None

        self.transform_combo = QComboBox()
        for name in TRANSFORMS:
            lo, hi, unit = TRANSFORM_RANGES[name]
            self.transform_combo.addItem(
                translate("SweepDialog", "{0} ({1:g}..{2:g} {3})").format(
                    translate("SweepDialog", name), lo, hi, translate("SweepDialog", unit)), name)
        self.digit_combo = QComboBox()
        self.digit_combo.addItem(translate("SweepDialog", "the CNN's answer"), None)
        for digit in range(10):
            self.digit_combo.addItem(str(digit), digit)
        # Bound methods, not lambdas over self (a reference cycle the GC may break on a
        # worker thread).
        self.transform_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.digit_combo.currentIndexChanged.connect(self._on_choice_changed)

        self.plot = pg.PlotWidget()
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.setYRange(0, 1.02, padding=0)
        item.setLabel("left", translate("SweepDialog", "confidence in the digit"))
        item.showGrid(x=True, y=True, alpha=0.2)
        item.addLegend(offset=(-10, 10))
        self.curves = {kind: item.plot([], [], name=model_name(kind),
                                       pen=pg.mkPen(COLOURS[kind], width=2))
                       for kind in MODEL_KINDS}
        self.flip_markers = {kind: pg.ScatterPlotItem(size=14, symbol="x",
                                                      brush=pg.mkBrush(COLOURS[kind]),
                                                      pen=pg.mkPen(COLOURS[kind], width=2))
                             for kind in MODEL_KINDS}
        for marker in self.flip_markers.values():
            item.addItem(marker)
        self.cursor = pg.InfiniteLine(0, angle=90, movable=True,
                                      pen=pg.mkPen(200, 200, 200, width=1))
        self.cursor.sigDragged.connect(self._on_cursor_dragged)
        item.addItem(self.cursor)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self._show_index)
        self.value_label = QLabel("")
        self.flip_label = QLabel("")
        self.flip_label.setWordWrap(True)
        self.image_view = pg.GraphicsLayoutWidget()
        self.image_view.setBackground(None)
        view = self.image_view.addViewBox(lockAspect=True, enableMouse=False, enableMenu=False,
                                          invertY=True)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        view.addItem(self.image_item)
        self.image_view.setFixedSize(180, 180)
        self.prediction_labels = {kind: QLabel("") for kind in MODEL_KINDS}

        controls = QHBoxLayout()
        controls.addWidget(QLabel(translate("SweepDialog", "Transform")))
        controls.addWidget(self.transform_combo, 1)
        controls.addWidget(QLabel(translate("SweepDialog", "Track")))
        controls.addWidget(self.digit_combo)
        side = QVBoxLayout()
        side.addWidget(QLabel(translate("SweepDialog", "Model input at this value")))
        side.addWidget(self.image_view)
        for label in self.prediction_labels.values():
            side.addWidget(label)
        side.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.plot, 0, 0)
        grid.addLayout(side, 0, 1)
        scrub = QHBoxLayout()
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.value_label)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(grid, 1)
        layout.addLayout(scrub)
        layout.addWidget(self.flip_label)
        self.resize(900, 520)
        store.models_changed.connect(self.recompute)
        self._clear(translate(
                "SweepDialog",
                "Draw a digit first: the sweep transforms the Draw tab's model input."))

    # ----- state ------------------------------------------------------------------------
    @property
    def result(self) -> SweepResult | None:
        """The sweep on screen (None before there is a drawing and a predictor)."""
        return self._result

    @property
    def transform(self) -> str:
        return self.transform_combo.currentData()

    def prediction_texts(self) -> dict[str, str]:
        """kind -> the prediction line at the slider's value, e.g. ``"CNN: 7 (93.1%)"``."""
        return {kind: label.text() for kind, label in self.prediction_labels.items()}

    def curve_data(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """The ``(values, confidences)`` plotted for ``kind``."""
        x, y = self.curves[kind].getData()
        return (np.zeros(0) if x is None else np.asarray(x),
                np.zeros(0) if y is None else np.asarray(y))

    def shown_image(self) -> np.ndarray | None:
        """The ``(28, 28)`` transformed input shown next to the plot."""
        image = self.image_item.image
        return None if image is None else np.asarray(image).copy()

    # ----- commands ---------------------------------------------------------------------
    def set_image28(self, image28: np.ndarray | None) -> None:
        """Sweep this ``(28, 28)`` model input in [0, 1] (None: nothing drawn)."""
        self._image28 = None if image28 is None else np.asarray(image28, np.float32).copy()
        self.recompute()

    def set_transform(self, transform: str) -> None:
        """Show the sweep of ``transform`` (one of ``engine.sweep.TRANSFORMS``)."""
        index = self.transform_combo.findData(transform)
        if index < 0:
            raise ValueError(f"Received transform={transform!r}; expected one of {TRANSFORMS}.")
        self.transform_combo.setCurrentIndex(index)

    def set_value(self, value: float) -> None:
        """Move the slider to the sweep point closest to ``value``."""
        if self._result is not None:
            self.slider.setValue(int(np.argmin(np.abs(self._result.values - value))))

    @Slot()
    def recompute(self) -> None:
        """Run the sweep again (drawing, transform, tracked digit or models changed)."""
        predictor = self._store.predictor if self._store.is_ready else None
        if self._image28 is None or not np.any(self._image28 > 0):
            self._clear(translate(
                "SweepDialog",
                "Draw a digit first: the sweep transforms the Draw tab's model input."))
            return
        if predictor is None or not predictor.kinds:
            self._clear(translate("SweepDialog", "The models are still loading."))
            return
        transform = self.transform
        try:
            result = sweep(predictor, self._image28, transform, n=POINTS[transform],
                           digit=self.digit_combo.currentData(),
                           temperatures=self._store.temperatures)
        except ValueError as exc:
            self._clear(str(exc))
            return
        old_value = None if self._result is None or self._result.transform != transform else \
            float(self._result.values[self.slider.value()])
        self._result = result
        item = self.plot.getPlotItem()
        lo, hi, unit = TRANSFORM_RANGES[transform]
        item.setXRange(lo, hi, padding=0.02)
        item.setLabel("bottom", translate("SweepDialog", "{0} ({1})").format(
            translate("SweepDialog", transform), translate("SweepDialog", unit)))
        item.setTitle(translate("SweepDialog", "Confidence in {0} as the drawing is transformed")
                      .format(result.digit))
        for kind in MODEL_KINDS:
            if kind in result.confidence:
                self.curves[kind].setData(result.values, result.confidence[kind])
            else:
                self.curves[kind].setData([], [])
            flip = result.flip_at.get(kind)
            if flip is None:
                self.flip_markers[kind].setData([], [])
            else:
                at = int(np.argmin(np.abs(result.values - flip)))
                self.flip_markers[kind].setData([flip], [result.confidence[kind][at]])
        self.flip_label.setText(self._flip_summary(result))
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(result.values) - 1)
        self.slider.blockSignals(False)
        start = TRANSFORM_IDENTITY[transform] if old_value is None else old_value
        self.slider.setValue(int(np.argmin(np.abs(result.values - start))))
        self._show_index(self.slider.value())

    def retranslate(self) -> None:
        """Say the flip points again in the language just installed."""
        if self._result is not None:
            self.flip_label.setText(self._flip_summary(self._result))
            self._show_index(self.slider.value())

    # ----- internals --------------------------------------------------------------------
    @Slot(int)
    def _on_choice_changed(self, _index: int) -> None:
        self.recompute()

    def _flip_summary(self, result: SweepResult) -> str:
        lo, hi, unit = TRANSFORM_RANGES[result.transform]
        parts = []
        for kind in MODEL_KINDS:
            if kind not in result.flip_at:
                continue
            flip = result.flip_at[kind]
            parts.append(
                translate("SweepDialog", "{0} never (within {1:g}..{2:g} {3})").format(
                    model_name(kind), lo, hi, translate("SweepDialog", unit))
                if flip is None else
                translate("SweepDialog", "{0} at {1}").format(
                    model_name(kind), format_value(result.transform, flip)))
        return translate(
            "SweepDialog",
            "Stops saying {0} (× on the curves): {1}. No re-centring after the transform: "
            "a dense model has one weight per pixel, so moved ink lands on the wrong weights; "
            "the CNN's shared kernels and pooling follow it.").format(
            result.digit, translate("SweepDialog", "; ").join(parts))

    @Slot(int)
    def _show_index(self, index: int) -> None:
        result = self._result
        if result is None or not 0 <= index < len(result.values):
            return
        value = float(result.values[index])
        self.value_label.setText(format_value(result.transform, value))
        self.cursor.setValue(value)
        self.image_item.setImage(result.images[index], autoLevels=False, levels=(0.0, 1.0))
        for kind, label in self.prediction_labels.items():
            if kind not in result.predicted:
                label.setText(translate("SweepDialog", "{0}: no model").format(model_name(kind)))
                continue
            digit = int(result.predicted[kind][index])
            confidence = float(result.confidence[kind][index])
            label.setText(translate("SweepDialog", "{0}: {1} ({2:.1%} for {3})").format(
                model_name(kind), digit, confidence, result.digit))
            flip = theme.readable(theme.DISAGREE_ORANGE, theme.window_color())  # 4.5:1
            label.setStyleSheet("" if digit == result.digit else f"color: {flip};")

    def _on_cursor_dragged(self) -> None:
        self.set_value(self.cursor.value())

    def _clear(self, message: str) -> None:
        self._result = None
        for kind in MODEL_KINDS:
            self.curves[kind].setData([], [])
            self.flip_markers[kind].setData([], [])
            self.prediction_labels[kind].setText("")
        self.image_item.setImage(np.zeros((28, 28), np.float32), autoLevels=False,
                                 levels=(0.0, 1.0))
        self.value_label.setText("")
        self.flip_label.setText(message)
