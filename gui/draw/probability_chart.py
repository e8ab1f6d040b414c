"""A bar chart of one model's ten digit probabilities."""

from __future__ import annotations

import html
import weakref

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from digitlab.gui.common import theme
from digitlab.gui.common.i18n import current, translate

_BAR = pg.mkBrush(110, 140, 190)
_TOP = pg.mkBrush(255, 170, 40)
# Not a digit: the same bars, faded, so they read as "what softmax says anyway".
_BAR_DIM = pg.mkBrush(110, 140, 190, 70)
_TOP_DIM = pg.mkBrush(255, 170, 40, 90)


class ProbabilityChart(pg.PlotWidget):
    """Ten bars (digits 0..9) of one model's softmax output, the top bar highlighted.

    The title reads e.g. ``"CNN: 3 (98.7%)"``, or a message such as
    ``"CNN: draw a digit"`` when there is nothing to predict.

    Args:
        name: the model's display name, e.g. ``"CNN"``.

    Signals:
        digit_clicked(int): a bar (or its digit under the axis) was clicked.
    """

    digit_clicked = Signal(int)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._title = ""
        self._probabilities: np.ndarray | None = None
        self._disagrees = False
        self._dimmed = False
        #: The other charts shown beside it, weakly (a cycle would leave a dropped chart to
        #: the cyclic GC): their titles share one size (see :meth:`share_title_size`).
        self._peers: list[weakref.ref[ProbabilityChart]] = []
        #: The size its own title fits at, measured when the title or the width changes
        #: (the peers read it: a stroke's update measures each title once, not per peer).
        self._fits = 11
        self._title_points = 11
        item = self.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setXRange(-0.6, 9.6, padding=0)
        item.setYRange(0.0, 1.08, padding=0)  # room above a 100% bar
        item.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)], []])
        item.getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0.0, 0.5, 1.0)], []])
        item.showGrid(y=True, alpha=0.2)
        # Created once; every update only changes heights and brushes.
        self._bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                     brushes=[_BAR] * 10, pen=pg.mkPen(None))
        item.addItem(self._bars)
        self.setMinimumSize(120, 110)
        self.setAccessibleName(translate("ProbabilityChart", "{0} probabilities").format(name))
        self.setToolTip(translate("ProbabilityChart",
                                   "Click a digit to see why the models would say it"))
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.show_message(translate("ProbabilityChart", "draw a digit"))

    @staticmethod
    def share_title_size(charts: list[ProbabilityChart]) -> None:
        """Show these charts' titles at one size, the largest at which each fits (or
        8 pt): side by side, a longer name ("Multinomial") set smaller than "DNN" looks
        like a lesser model, not a longer word."""
        for chart in charts:
            chart._peers = [weakref.ref(c) for c in charts if c is not chart]
        charts[0]._fit_title()

    @property
    def title_points(self) -> int:
        """The point size the title is shown at (11 down to 8)."""
        return self._title_points

    @property
    def name(self) -> str:
        """The model's display name."""
        return self._name

    @property
    def title_text(self) -> str:
        """The plain text of the title, e.g. ``"CNN: 3 (98.7%)"``."""
        return self._title

    @property
    def probabilities(self) -> np.ndarray | None:
        """The ``(10,)`` probabilities shown, or None while showing a message."""
        return None if self._probabilities is None else self._probabilities.copy()

    @property
    def heights(self) -> np.ndarray:
        """The ``(10,)`` bar heights as drawn."""
        return np.asarray(self._bars.opts["height"], dtype=np.float32).copy()

    @property
    def top_digit(self) -> int | None:
        """The highlighted digit, or None while showing a message."""
        return None if self._probabilities is None else int(np.argmax(self._probabilities))

    @property
    def disagrees(self) -> bool:
        """True when marked as disagreeing with the other models."""
        return self._disagrees

    @property
    def dimmed(self) -> bool:
        """True when the bars are faded (the drawing is not a digit)."""
        return self._dimmed

    def set_probabilities(self, probabilities: np.ndarray, disagrees: bool = False,
                          dimmed: bool = False) -> None:
        """Show ``(10,)`` probabilities; highlight the top bar.

        Args:
            probabilities: ``(10,)`` array summing to about 1.
            disagrees: colour the title to show this model's digit differs from
                the other models'.
            dimmed: fade the bars (the title stays readable): the not-a-digit check said no, and the
                bars are only what softmax makes of any input.

        Raises:
            ValueError: ``probabilities`` does not have shape ``(10,)``.
        """
        probs = np.asarray(probabilities, dtype=np.float32)
        if probs.shape != (10,):
            raise ValueError(f"Received probabilities of shape {probs.shape}; expected (10,).")
        top = int(np.argmax(probs))
        brushes = [_BAR_DIM if dimmed else _BAR] * 10
        brushes[top] = _TOP_DIM if dimmed else _TOP
        self._bars.setOpts(height=probs, brushes=brushes)
        self._probabilities = probs
        self._disagrees = disagrees and not dimmed
        self._dimmed = dimmed
        self._set_title(translate("ProbabilityChart", "{0}: {1} ({2:.1%})")
                        .format(current(self._name), top, probs[top]), self._disagrees)

    def show_message(self, message: str) -> None:
        """Show ``message`` (e.g. ``"draw a digit"``) instead of a guess; bars go flat."""
        self._bars.setOpts(height=np.zeros(10, dtype=np.float32), brushes=[_BAR] * 10)
        self._probabilities = None
        self._disagrees = False
        self._dimmed = False
        self._set_title(translate("ProbabilityChart", "{0}: {1}")
                        .format(current(self._name), message), False)

    def digit_at(self, scene_x: float) -> int | None:
        """The digit whose bar column contains scene x-coordinate ``scene_x``, if any."""
        view = self.getPlotItem().getViewBox()
        x = view.mapSceneToView(QPointF(scene_x, 0.0)).x()
        digit = round(x)
        return digit if 0 <= digit <= 9 and abs(x - digit) <= 0.5 else None

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.scenePos()
        if not self.getPlotItem().sceneBoundingRect().contains(pos):
            return
        digit = self.digit_at(pos.x())
        if digit is not None:
            self.digit_clicked.emit(digit)

    def restyle(self) -> None:
        """The palette changed (light <-> dark): background and title colours again."""
        if self._title:
            self._set_title(self._title, self._disagrees)

    def retranslate(self) -> None:
        """Keep :attr:`title_text` in step with the title after a language change."""
        self._title = current(self._title)
        self._describe()
        self._fit_title()

    def _describe(self) -> None:
        """The chart's text alternative: its title and all ten probabilities, digit by digit."""
        if self._probabilities is None:
            self.setAccessibleDescription(self._title)
            return
        values = ", ".join(f"{d}: {p:.1%}" for d, p in enumerate(self._probabilities))
        self.setAccessibleDescription(
            translate("ProbabilityChart", "{0}. Probabilities: {1}").format(self._title, values))

    def _set_title(self, text: str, highlight: bool) -> None:
        self._title = text
        # The palette's text colour on the palette's base (light or dark); a disagreeing
        # model's title in an orange dark or light enough to read on it.
        background = theme.plot_background()
        color = (theme.readable(theme.DISAGREE_ORANGE, background) if highlight
                 else theme.plot_foreground())
        self.setBackground(background)
        self._title_color = color
        self._describe()
        self._fit_title()

    def _room(self) -> int | None:
        """Pixels the title may take (over the bars' column, right of the percent axis),
        or ``None`` while the view is being torn down."""
        item = self.getPlotItem()
        if item is None:
            return None
        return max(20, self.width() - item.getAxis("left").width() - 16)

    def _fitting_points(self) -> int:
        """The largest size from 11 pt down to 8 pt at which the title fits (else 8)."""
        room, font = self._room(), QFont(self.font())
        for points in (11, 10, 9, 8):
            font.setPointSize(points)
            if room is None or QFontMetrics(font).horizontalAdvance(self._title) <= room:
                return points
        return 8

    def _fit_title(self) -> None:
        """Show the title at the largest size from 11 pt down to 8 pt that fits the chart
        and every chart of its row, shortened with "…" below that: a title wider than the
        chart would push the plot, and the bars of 8 and 9, out of view on a small screen."""
        self._fits = self._fitting_points()
        # A peer whose Python wrapper lives on after its widget was deleted is left out:
        # asking its width would raise.
        row = [self, *(c for c in (ref() for ref in self._peers)
                       if c is not None and shiboken6.isValid(c))]
        points = min(c._fits for c in row)
        for chart in row:  # the others only when the row's size changed
            if chart is self or chart._title_points != points:
                chart._show_title(points)

    def _show_title(self, points: int) -> None:
        """Set the title at ``points``, shortened with "…" if it still does not fit."""
        room = self._room()
        if room is None:  # the view is being torn down
            return
        item = self.getPlotItem()
        font = QFont(self.font())
        font.setPointSize(points)
        metrics = QFontMetrics(font)
        shown = self._title
        if metrics.horizontalAdvance(shown) > room:
            # Shorten the model's name, never the answer after it ("7 (99.3%)"): long
            # names (Korean "다항 로지스틱 회귀") would otherwise push the answer out.
            name, sep, answer = shown.rpartition(": ")
            left = room - metrics.horizontalAdvance(sep + answer)
            if sep and left >= metrics.horizontalAdvance("…"):
                shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, left) + sep + answer
            else:
                shown = metrics.elidedText(shown, Qt.TextElideMode.ElideRight, room)
        item.setTitle(html.escape(shown), color=getattr(self, "_title_color", None),
                      size=f"{points}pt")
        self._title_points = points
        item.titleLabel.setMinimumWidth(0)  # the title never sets the plot's width
        item.setGeometry(self.sceneRect())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if getattr(self, "_title", ""):  # resized during construction, before any title
            self._fit_title()
