"""Live loss and accuracy curves of a training run (pyqtgraph)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from digitlab.gui.common import theme
from digitlab.gui.common.i18n import translate

#: name -> (plot, metric key in the epoch logs, colour)
_SERIES = {
    "train_loss": ("loss", "loss", "#1f77b4"),
    "val_loss": ("loss", "val_loss", "#ff7f0e"),
    "train_accuracy": ("accuracy", "accuracy", "#1f77b4"),
    "val_accuracy": ("accuracy", "val_accuracy", "#ff7f0e"),
}


class TrainingCurves(pg.GraphicsLayoutWidget):
    """Two plots: loss and accuracy against epochs, train and validation.

    One point per finished epoch (x = 1, 2, ...). While an epoch runs, the
    train curves end in a moving point at ``x = epoch + batch / batches`` with
    the running loss and accuracy from the batch events, so progress is
    visible long before the first epoch ends.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(theme.plot_background())
        self.setAccessibleName(translate("TrainingCurves", "Loss and accuracy curves"))
        self.setAccessibleDescription(translate("TrainingCurves", "No epoch has finished yet."))
        self._plots = {
            "loss": self.addPlot(row=0, col=0, title=translate("TrainingCurves", "Loss")),
            "accuracy": self.addPlot(row=0, col=1,
                                     title=translate("TrainingCurves", "Accuracy")),
        }
        # Loss falls and accuracy rises: legends where the curves are not.
        for plot, legend_offset in zip(self._plots.values(), ((-10, 10), (-10, -10)), strict=True):
            plot.setLabel("bottom", translate("TrainingCurves", "epoch"))
            plot.showGrid(x=True, y=True, alpha=0.25)
            # As on every other plot of the app: pyqtgraph's options menu speaks English only
            # (its "A" button still resets the view after a pan or zoom).
            plot.setMenuEnabled(False)
            plot.addLegend(offset=legend_offset)
        self._curves: dict[str, pg.PlotDataItem] = {}
        for name, (plot, _, colour) in _SERIES.items():
            label = (translate("TrainingCurves", "train") if name.startswith("train")
                     else translate("TrainingCurves", "validation"))
            self._curves[name] = self._plots[plot].plot(
                [], [], name=label, pen=pg.mkPen(colour, width=2),
                symbol="o", symbolSize=6, symbolBrush=colour, symbolPen=None)
        self._points: dict[str, list[tuple[float, float]]] = {name: [] for name in _SERIES}
        self._running: dict[str, tuple[float, float]] = {}

    def clear_curves(self) -> None:
        """Forget all points (a new run begins)."""
        for name in _SERIES:
            self._points[name].clear()
        self._running.clear()
        self._refresh()

    def add_epoch(self, epoch: int, logs: dict) -> None:
        """Add the metrics of a finished epoch (``epoch`` is 0-based)."""
        for name, (_, key, _) in _SERIES.items():
            value = logs.get(key)
            if value is not None and np.isfinite(value):
                self._points[name].append((epoch + 1.0, float(value)))
        self._running.clear()
        self._refresh()
        # The curves' text alternative: the numbers of the epoch just finished.
        values = ", ".join(f"{key} {logs[key]:.4g}" for key in
                           ("loss", "accuracy", "val_loss", "val_accuracy")
                           if logs.get(key) is not None)
        self.setAccessibleDescription(
            translate("TrainingCurves", "After epoch {0}: {1}").format(epoch + 1, values))

    def set_running(self, epoch: int, batch: int, batches_per_epoch: int, logs: dict) -> None:
        """Move the running train point to where the current epoch has got."""
        x = epoch + batch / max(batches_per_epoch, 1)
        for name, key in (("train_loss", "loss"), ("train_accuracy", "accuracy")):
            value = logs.get(key)
            if value is not None and np.isfinite(value):
                self._running[name] = (x, float(value))
        self._refresh(("train_loss", "train_accuracy"))

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The ``(x, y)`` arrays shown for ``name`` (``"train_loss"``, ``"val_accuracy"``...)."""
        x, y = self._curves[name].getData()
        if x is None:
            return np.zeros(0), np.zeros(0)
        return np.asarray(x), np.asarray(y)

    def x_range(self) -> tuple[float, float]:
        """The epochs axis shown: whole epochs from 0, never a sliver like 1.0000…1.0020."""
        low, high = self._plots["loss"].getViewBox().viewRange()[0]
        return float(low), float(high)

    def _refresh(self, names=tuple(_SERIES)) -> None:
        last = max((p[0] for pts in (*self._points.values(), self._running.values())
                    for p in pts), default=0.0)
        # Whole epochs from 0 to the epoch under way: the axis grows one epoch at a
        # time instead of zooming onto the running point at the start of an epoch.
        right = max(1.0, float(math.ceil(last - 1e-9)))
        for plot in self._plots.values():
            plot.setXRange(0.0, right, padding=0.02)
        for name in names:
            points = list(self._points[name])
            if name in self._running:
                points.append(self._running[name])
            xs = np.array([p[0] for p in points], dtype=float)
            ys = np.array([p[1] for p in points], dtype=float)
            self._curves[name].setData(xs, ys)
