"""One model's reliability diagram: how often it is right at each confidence, before and after."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from digitlab.gui.common import theme
from digitlab.gui.common.i18n import current, translate

_AFTER = pg.mkBrush(110, 140, 190, 200)
_BEFORE = pg.mkBrush(255, 170, 40)


class ReliabilityChart(pg.PlotWidget):
    """Accuracy against confidence in equal-width bins; the diagonal is an honest model.

    Bars: each bin's accuracy after temperature scaling; orange dots: before. The
    title gives the expected calibration error (ECE) before -> after and ``T``.

    Args:
        name: the model's display name, e.g. ``"CNN"``.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._entry: dict | None = None
        self._title = ""
        item = self.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setXRange(0, 1, padding=0.02)
        item.setYRange(0, 1, padding=0.02)
        item.setLabel("bottom", translate("ReliabilityChart", "confidence"))
        item.setLabel("left", translate("ReliabilityChart", "accuracy"))
        diagonal = pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine)
        item.addItem(pg.PlotCurveItem([0, 1], [0, 1], pen=diagonal))
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.06, brush=_AFTER, pen=pg.mkPen(None))
        self._before = pg.ScatterPlotItem([], [], size=7, brush=_BEFORE, pen=pg.mkPen(None))
        item.addItem(self._bars)
        item.addItem(self._before)
        self.setMinimumSize(160, 150)
        self.clear_report(translate("ReliabilityChart", "no calibration yet"))

    @property
    def title_text(self) -> str:
        """The title, e.g. ``"CNN: ECE 0.18% → 0.19% (T = 1.44)"``."""
        return self._title

    @property
    def ece(self) -> tuple[float, float] | None:
        """``(before, after)`` of the report shown, or None."""
        if self._entry is None:
            return None
        return float(self._entry["ece_before"]), float(self._entry["ece_after"])

    def set_report(self, entry: dict, name: str | None = None) -> None:
        """Show one model's calibration (an entry of ``engine.calibration.calibrate_kind``).

        Args:
            entry: holds ``temperature``, ``ece_before``, ``ece_after`` and
                ``reliability_before`` / ``reliability_after`` (JSON bins).
            name: the model's display name, if it changed (the Train tab's last run).
        """
        if name is not None:
            self._name = name
        from digitlab.engine.calibration import reliability_from_json  # noqa: PLC0415

        before = reliability_from_json(entry["reliability_before"])
        after = reliability_from_json(entry["reliability_after"])
        centres = (after.edges[:-1] + after.edges[1:]) / 2
        filled = after.counts > 0
        self._bars.setOpts(x=centres[filled], height=after.accuracy[filled],
                           width=0.9 * float(np.diff(after.edges).min()))
        shown = before.counts > 0
        self._before.setData(before.confidence[shown], before.accuracy[shown])
        self._entry = dict(entry)
        self._set_title(translate("ReliabilityChart", "{0}: ECE {1:.2%} → {2:.2%} (T = {3:.2f})")
                        .format(current(self._name), entry["ece_before"], entry["ece_after"],
                                entry["temperature"]))

    def clear_report(self, message: str) -> None:
        """No diagram: empty plot and ``message`` in the title."""
        self._bars.setOpts(x=[], height=[])
        self._before.setData([], [])
        self._entry = None
        self._set_title(translate("ReliabilityChart", "{0}: {1}").format(current(self._name),
                                                                        message))

    def retranslate(self) -> None:
        """Keep the title in the current language."""
        if self._entry is not None:
            self.set_report(self._entry)
        else:
            self._set_title(current(self._title))

    def restyle(self) -> None:
        """The palette changed (light <-> dark)."""
        self._set_title(self._title)

    def _set_title(self, text: str) -> None:
        self._title = text
        self.setBackground(theme.plot_background())
        self.getPlotItem().setTitle(html.escape(text), color=theme.plot_foreground(), size="9pt")
        self.setAccessibleDescription(text)
