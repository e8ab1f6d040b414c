"""Many small signed maps as one grid: weight templates, kernels, feature maps.

Used by the "What the models learned" dialog (the multinomial model's ten
templates, the DNN's 64 first-layer units, the CNN's 32 kernels) and by the
Filters tab's "all feature maps" window (the CNN's 32 learned kernels applied to
a photo). The colours and the mosaic are :mod:`engine.mosaics`' (blue =
negative, white = zero, red = positive); this widget shows them, zoomable, with
a caption per tile and a hover read-out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QWidget

from digitlab.engine.mosaics import GAP_RGB, tile_mosaic
from digitlab.gui.common.i18n import current, translate

class LearnedMapsGrid(pg.GraphicsLayoutWidget):
    """A titled grid of signed maps with a caption per tile and a hover read-out.

    The mosaic is one ``pg.ImageItem`` created once (updated with ``setImage``);
    scroll to zoom, drag to pan.

    Signals:
        hovered(str): e.g. ``"unit 12 (y=3, x=20) = -0.0412"``, "" when leaving.
    """

    hovered = Signal(str)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(None)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self._title_text = title
        self._title = self.addLabel(title, row=0, col=0, size="10pt")
        self.view = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True)
        self.view.setMenuEnabled(False)
        self.view.setDefaultPadding(0.01)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image_item)
        self._texts: list[pg.TextItem] = []
        self._maps: np.ndarray | None = None
        self._labels: list[str] = []
        self._captions = False
        self._layout = (1, 1, 1, 1, 1, 1)  # columns, tile h, tile w, gap, step, zoom
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.setMinimumSize(200, 160)
        self.clear_maps()

    @property
    def title_text(self) -> str:
        return self._title_text

    @property
    def shown_title(self) -> str:
        """The title as shown, with the reason when cleared (e.g. "… — no model")."""
        return self._title.text

    @property
    def labels(self) -> list[str]:
        """The tile captions, in tile order."""
        return list(self._labels)

    @property
    def image(self) -> np.ndarray | None:
        """The RGB mosaic shown, ``(H, W, 3) uint8`` (None when cleared)."""
        return None if self._maps is None else np.asarray(self.image_item.image).copy()

    @property
    def tile_count(self) -> int:
        return 0 if self._maps is None else len(self._maps)

    def retranslate(self) -> None:
        """Keep the remembered title and tile labels in the language just installed."""
        self._title_text = current(self._title_text)
        self._labels = [current(label) for label in self._labels]

    def set_title(self, title: str) -> None:
        self._title_text = title
        self._title.setText(title, size="10pt")

    def set_maps(self, maps: np.ndarray, columns: int = 8, labels: Sequence[str] | None = None,
                 shared_scale: bool = False, max_tile: int | None = None,
                 captions: bool = True, zoom: int = 1) -> None:
        """Show ``(N, h, w)`` signed maps as a grid (see :func:`tile_mosaic`).

        Args:
            maps: ``(N, h, w)`` float.
            columns: tiles per row.
            labels: ``N`` captions drawn above the tiles (e.g. the digit of a template);
                ``None`` = numbers ``1..N``.
            shared_scale: one colour scale for every tile.
            max_tile: subsample tiles larger than this.
            captions: draw the labels on the tiles (tiny tiles such as 3x3 kernels
                would be hidden by them; the hover read-out names the tile anyway).
            zoom: draw each map pixel this many display pixels wide.

        Raises:
            ValueError: bad ``maps`` shape, or ``labels`` not ``N`` long.
        """
        maps = np.asarray(maps, dtype=np.float32)
        rgb, step = tile_mosaic(maps, columns, shared_scale, max_tile, zoom=zoom)
        labels = [str(i + 1) for i in range(len(maps))] if labels is None else list(labels)
        if len(labels) != len(maps):
            raise ValueError(f"Received {len(labels)} labels for {len(maps)} maps.")
        old_shape = None if self._maps is None else self.image_item.image.shape
        self._maps, self._labels, self._captions = maps, labels, captions
        cols = max(1, min(columns, len(maps)))
        h, w = math.ceil(maps.shape[1] / step), math.ceil(maps.shape[2] / step)
        self._layout = (cols, h * zoom, w * zoom, 1, step, zoom)
        self.image_item.setImage(rgb, autoLevels=False, levels=(0, 255))
        self._place_captions()
        if old_shape != rgb.shape:
            self.view.autoRange(padding=0.01)

    def clear_maps(self, message: str = "") -> None:
        """Show nothing (e.g. "no CNN loaded"); the message replaces the title's detail."""
        self._maps, self._labels, self._captions = None, [], False
        self.image_item.setImage(np.full((8, 8, 3), GAP_RGB, np.uint8), autoLevels=False,
                                 levels=(0, 255))
        self._place_captions()
        if message:
            self._title.setText(translate("LearnedMapsGrid", "{0} — {1}").format(
                current(self._title_text), message), size="10pt")
        else:
            self._title.setText(self._title_text, size="10pt")

    def tile_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """``(tile index, row, col)`` of mosaic point ``(x, y)`` in map pixels, or None."""
        if self._maps is None or x < 0 or y < 0:
            return None
        cols, h, w, gap, step, zoom = self._layout
        c, xi = divmod(int(x), w + gap)
        r, yi = divmod(int(y), h + gap)
        index = r * cols + c
        if c >= cols or xi >= w or yi >= h or index >= len(self._maps):
            return None
        return index, yi // zoom * step, xi // zoom * step

    def hover_text(self, x: float, y: float) -> str:
        """The read-out for mosaic point ``(x, y)``: tile caption, map pixel and value."""
        hit = self.tile_at(x, y)
        if hit is None:
            return ""
        index, row, col = hit
        value = float(self._maps[index, row, col])
        return f"{self._labels[index]} (y={row}, x={col}) = {value:.4g}"

    def _place_captions(self) -> None:
        # Captions are reused TextItems: creating 64 items per update would be wasteful.
        count = len(self._labels) if self._captions and len(self._labels) <= 64 else 0
        while len(self._texts) < count:
            # Dark on a light box: readable over white, red or blue tiles alike.
            text = pg.TextItem(color=(20, 20, 20), fill=pg.mkBrush(255, 255, 255, 190),
                               anchor=(0, 0))
            text.setZValue(5)
            self.view.addItem(text)
            self._texts.append(text)
        cols, h, w, gap, _, _ = self._layout
        for i, text in enumerate(self._texts):
            if i < count:
                r, c = divmod(i, cols)
                text.setText(self._labels[i])
                text.setPos(QPointF(c * (w + gap), r * (h + gap)))
                text.show()
            else:
                text.hide()

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        text = ""
        if self.view.sceneBoundingRect().contains(scene_pos):
            point = self.view.mapSceneToView(scene_pos)
            text = self.hover_text(point.x(), point.y())
        self.setToolTip(text)
        self.hovered.emit(text)

