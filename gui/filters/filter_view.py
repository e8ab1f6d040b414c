"""Original | feature map | pooled map, side by side, with the lesson's shapes.

Hovering a pixel shows its (y, x) image coordinate (top-left origin, as the
lesson teaches) and value, and outlines the pixels it came from: the kernel
window in the input for a feature-map pixel; the pool window in the feature
map and the receptive field in the input for a pooled pixel.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine.filter_geometry import FilterGeometry, Window
from digitlab.gui.common import theme
from digitlab.gui.common.i18n import current, translate

pg.setConfigOptions(imageAxisOrder="row-major")

#: Panel names, left to right.
PANELS = ("input", "conv", "pool")
_TITLES = {"input": QT_TRANSLATE_NOOP("FilterView", "input"), "conv": "tf.nn.conv2d",
           "pool": "tf.nn.max_pool"}
#: Panel names in the hover line.
_PANEL_WORDS = {"input": QT_TRANSLATE_NOOP("FilterView", "input"),
                "conv": QT_TRANSLATE_NOOP("FilterView", "conv"),
                "pool": QT_TRANSLATE_NOOP("FilterView", "pool")}
_KERNEL_PEN = QColor(255, 200, 0)
_POOL_PEN = QColor(0, 220, 255)
_HINT = QT_TRANSLATE_NOOP(
    "FilterView", "Hover a pixel for its (y, x) and value · scroll to zoom · drag to pan")


def _levels(array: np.ndarray) -> tuple[float, float]:
    """Display levels spanning the array's values (a flat map gets a non-empty range)."""
    lo, hi = float(np.min(array)), float(np.max(array))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(int(v)) for v in shape) + ")"


class FilterView(QWidget):
    """Three image panels (input, conv output, pooled output) and a feature-map selector.

    Signals:
        hovered(str): the hover line ("conv (y=10, x=20) = 3.5"), or "" when leaving.
    """

    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._input: np.ndarray | None = None
        self._result = None
        self._geometry: FilterGeometry | None = None
        self._map_index = 0
        self._title_texts: dict[str, str] = {}
        self._title_details: dict[str, str] = {}

        self.map_spin = QSpinBox()
        self.map_spin.setRange(1, 1)
        self.map_spin.setPrefix(translate("FilterView", "feature map "))
        self.map_spin.setToolTip(
            translate("FilterView", "Each kernel gives one feature map (one output channel)."))
        self.map_spin.valueChanged.connect(self._on_map_spin)
        self.map_count_label = QLabel("")
        self.hover_label = QLabel(translate("FilterView", _HINT))
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(self.map_spin)
        bar.addWidget(self.map_count_label)
        bar.addSpacing(12)
        bar.addWidget(self.hover_label, 1)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.plot_background())
        self.graphics.setAccessibleName(
            translate("FilterView", "Input, feature map and pooled map"))
        self.titles: dict[str, pg.LabelItem] = {}
        self.views: dict[str, pg.ViewBox] = {}
        self.images: dict[str, pg.ImageItem] = {}
        for col, name in enumerate(PANELS):
            title = self.graphics.addLabel(translate("FilterView", _TITLES[name]), row=0, col=col,
                                           color=theme.plot_foreground(), size="10pt")
            view = self.graphics.addViewBox(row=1, col=col, lockAspect=True, invertY=True)
            view.setMenuEnabled(False)
            image = pg.ImageItem(axisOrder="row-major")
            view.addItem(image)
            self.titles[name], self.views[name], self.images[name] = title, view, image
            # Equal columns, so a long title does not shrink its neighbours' images.
            self.graphics.ci.layout.setColumnStretchFactor(col, 1)
        # Highlights are created once and moved; the input can show both a kernel
        # window (hovering the feature map) and a receptive field (hovering pooled).
        self._rects = {
            "input": self._make_rect("input", _KERNEL_PEN),
            "input_field": self._make_rect("input", _POOL_PEN),
            "conv": self._make_rect("conv", _POOL_PEN),
        }
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.sigDeviceRangeChanged.connect(self._fit_titles)  # resized

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self._update_selector()

    def _make_rect(self, panel: str, color: QColor) -> QGraphicsRectItem:
        rect = QGraphicsRectItem()
        pen = QPen(color)
        pen.setCosmetic(True)  # constant on-screen width whatever the zoom
        pen.setWidth(2)
        rect.setPen(pen)
        rect.setZValue(10)
        rect.hide()
        self.views[panel].addItem(rect)
        return rect

    # --- content -----------------------------------------------------------------

    def set_input(self, image: np.ndarray) -> None:
        """Show the input channel, (H, W) float values 0..255."""
        image = np.asarray(image, dtype=np.float32)
        reshape = self._input is None or self._input.shape != image.shape
        self._input = image
        self.images["input"].setImage(image, autoLevels=False, levels=(0.0, 255.0))
        self._set_title("input", translate("FilterView", "input {0}").format(
            _shape_text((1, *image.shape, 1))), translate("FilterView", "one channel"))
        if reshape:
            self.views["input"].autoRange(padding=0.02)

    def set_result(self, result, geometry: FilterGeometry) -> None:
        """Show a ``FilterResult``; ``geometry`` maps its pixels back to the input."""
        old = self._result
        self._result, self._geometry = result, geometry
        self._set_title("conv", f"tf.nn.conv2d → {_shape_text(result.conv_shape)}",
                        translate("FilterView", "kernel {0}").format(
                            _shape_text(result.kernel_shape)))
        settings = getattr(result, "settings", None)
        detail = "" if settings is None else (
            translate("FilterView", "{0}×{0} window, stride {1}").format(
                settings.pool, geometry.pool_stride)
        )
        self._set_title("pool", f"tf.nn.max_pool → {_shape_text(result.pool_shape)}", detail)
        self._map_index = min(self._map_index, result.conv.shape[-1] - 1)
        self._update_selector()
        self._show_maps()
        if old is None or old.conv.shape[:2] != result.conv.shape[:2]:
            self.views["conv"].autoRange(padding=0.02)
        if old is None or old.pooled.shape[:2] != result.pooled.shape[:2]:
            self.views["pool"].autoRange(padding=0.02)
        self._hide_highlights()

    def _on_map_spin(self, number: int) -> None:
        self.set_map_index(number - 1)  # the spin box counts from 1

    def set_map_index(self, index: int) -> None:
        """Show feature map ``index`` (0-based) of the several kernels' outputs."""
        if self._result is None:
            return
        index = int(np.clip(index, 0, self._result.conv.shape[-1] - 1))
        if index != self._map_index:
            self._map_index = index
            self._show_maps()
        if self.map_spin.value() != index + 1:
            self.map_spin.setValue(index + 1)

    @property
    def map_index(self) -> int:
        return self._map_index

    def shown_array(self, panel: str) -> np.ndarray | None:
        """The (H, W) array the panel shows (the selected map for conv/pool)."""
        if panel == "input":
            return self._input
        if self._result is None:
            return None
        data = self._result.conv if panel == "conv" else self._result.pooled
        return data[..., self._map_index]

    def title_text(self, panel: str) -> str:
        """The panel's title as plain text, e.g. "tf.nn.conv2d → (1, 425, 638, 1)"."""
        return self._title_texts.get(panel, "")

    def _set_title(self, panel: str, text: str, detail: str) -> None:
        # Two short lines rather than one long one: a long title would widen its
        # column and shrink the neighbouring images.
        self._title_texts[panel] = text
        self._title_details[panel] = detail
        caption = theme.caption_color(theme.plot_background())  # softer, still 4.5:1
        self.titles[panel].setText(f"{text}<br><span style='color:{caption}'>{detail}</span>")
        self.graphics.setAccessibleDescription("; ".join(
            f"{self._title_texts[p]} ({self._title_details[p]})" for p in PANELS
            if p in self._title_texts))
        self._fit_titles()

    def _fit_titles(self, *_) -> None:
        """Titles at 10 pt, or 9 or 8 pt when the three side by side would be wider than the
        view: they set the columns' widths, and would push the pooled map out of view."""
        room = self.graphics.viewport().width() - 30
        for points in (10, 9, 8):
            for label in self.titles.values():
                label.setAttr("size", f"{points}pt")
                label.setText(label.text)
            if sum(label.minimumWidth() for label in self.titles.values()) <= room:
                break
        self.graphics.ci.setGeometry(self.graphics.range)  # lay out again at the view's size

    def restyle(self) -> None:
        """The palette changed (light <-> dark): background and two-colour titles again."""
        self.graphics.setBackground(theme.plot_background())
        for panel, text in list(self._title_texts.items()):
            self.titles[panel].setAttr("color", theme.plot_foreground())
            self._set_title(panel, text, self._title_details[panel])

    def retranslate(self) -> None:
        """Set the two-line panel titles again in the language just installed."""
        for panel, text in list(self._title_texts.items()):
            self._set_title(panel, current(text), current(self._title_details[panel]))

    def _show_maps(self) -> None:
        for panel in ("conv", "pool"):
            array = self.shown_array(panel)
            self.images[panel].setImage(array, autoLevels=False, levels=_levels(array))

    def _update_selector(self) -> None:
        count = 1 if self._result is None else int(self._result.conv.shape[-1])
        self.map_spin.blockSignals(True)
        self.map_spin.setRange(1, count)
        self.map_spin.setValue(self._map_index + 1)
        self.map_spin.blockSignals(False)
        self.map_spin.setVisible(count > 1)
        self.map_count_label.setText(
            translate("FilterView", "of {0}").format(count) if count > 1 else "")

    # --- hover -------------------------------------------------------------------

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        for panel in PANELS:
            view = self.views[panel]
            if not view.sceneBoundingRect().contains(scene_pos):
                continue
            point = view.mapSceneToView(scene_pos)
            self.hover_at(panel, math.floor(point.y()), math.floor(point.x()))
            return
        self.hover_at(None, 0, 0)

    def hover_at(self, panel: str | None, y: int, x: int) -> str:
        """Describe pixel ``(y, x)`` of ``panel`` and outline where it came from.

        Returns:
            The hover line shown, "" when the position is outside the panel's image.
        """
        self._hide_highlights()
        array = self.shown_array(panel) if panel else None
        if array is None or not (0 <= y < array.shape[0] and 0 <= x < array.shape[1]):
            self.hover_label.setText(translate("FilterView", _HINT))
            self.hovered.emit("")
            return ""
        text = translate("FilterView", "{0} (y={1}, x={2}) = {3:.4g}").format(
            translate("FilterView", _PANEL_WORDS[panel]), y, x, float(array[y, x]))
        geometry = self._geometry
        if panel == "conv" and geometry is not None:
            window = geometry.conv_window(y, x)
            self._place(self._rects["input"], window)
            text = translate("FilterView", "{0}   ← input rows {1}..{2}, cols {3}..{4}").format(
                text, window.y0, window.y1 - 1, window.x0, window.x1 - 1)
        elif panel == "pool" and geometry is not None:
            pool_window = geometry.pool_window(y, x)
            field = geometry.pool_receptive_field(y, x)
            self._place(self._rects["conv"], pool_window)
            self._place(self._rects["input_field"], field)
            text = translate(
                "FilterView", "{0}   ← max of conv rows {1}..{2}, cols {3}..{4}").format(
                text, pool_window.y0, pool_window.y1 - 1, pool_window.x0, pool_window.x1 - 1)
        self.hover_label.setText(text)
        self.hovered.emit(text)
        return text

    def highlight(self, name: str) -> Window | None:
        """The window outlined by highlight ``name`` ("input", "input_field", "conv"), if shown."""
        rect = self._rects[name]
        if not rect.isVisible():
            return None
        r = rect.rect()
        return Window(round(r.top()), round(r.left()), round(r.bottom()), round(r.right()))

    @staticmethod
    def _place(rect: QGraphicsRectItem, window: Window) -> None:
        rect.setRect(QRectF(window.x0, window.y0, window.width, window.height))
        rect.show()

    def _hide_highlights(self) -> None:
        for rect in self._rects.values():
            rect.hide()
