"""Many small signed maps as one grid: weight templates, kernels, feature maps.

Used by the "What the models learned" dialog (the multinomial model's ten
templates, the DNN's 64 first-layer units, the CNN's 32 kernels) and by the
Filters tab's "all feature maps" window (the CNN's 32 learned kernels applied to
a photo). Signed values use one diverging colour map everywhere in the app:
blue = negative, white = zero, red = positive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QWidget

#: ColorBrewer RdBu (reversed): blue for negative, near-white for 0, red for positive.
_RDBU = np.array([
    (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240),
    (247, 247, 247),
    (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
], dtype=np.float64)
DIVERGING_LUT = np.stack(
    [np.interp(np.linspace(0, len(_RDBU) - 1, 256), np.arange(len(_RDBU)), _RDBU[:, c])
     for c in range(3)], axis=1).round().astype(np.uint8)
GAP_RGB = (60, 60, 68)


#: Tiles are coloured up to this percentile of ``|value|``: one outlier weight would
#: otherwise wash every other weight out to near white.
TILE_PERCENTILE = 99.0


def symmetric_scale(values: np.ndarray, percentile: float = 100.0) -> float:
    """The ``percentile`` of ``|value|`` (the largest by default), for a symmetric colour map.

    Returns 1.0 for an all-zero or non-finite array.
    """
    finite = np.abs(np.asarray(values, dtype=np.float64))
    finite = finite[np.isfinite(finite)]
    peak = float(np.percentile(finite, percentile)) if finite.size else 0.0
    if peak <= 0 and finite.size:
        peak = float(finite.max())  # mostly zeros: fall back to the largest
    return peak if peak > 0 else 1.0


def diverging_rgb(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Colour signed ``values`` (any shape) on the app's blue-white-red map.

    Args:
        values: float array ``(...)``.
        scale: the ``|value|`` shown at full colour; ``None`` = the array's largest.

    Returns:
        uint8 ``(..., 3)``: ``-scale`` -> dark blue, ``0`` -> white, ``+scale`` -> dark red.
    """
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    scale = symmetric_scale(values) if scale is None or scale <= 0 else float(scale)
    index = np.clip(np.round((values / scale + 1.0) * 127.5), 0, 255).astype(np.intp)
    return DIVERGING_LUT[index]


def tile_mosaic(maps: np.ndarray, columns: int = 8, shared_scale: bool = False,
                max_tile: int | None = None, gap: int = 1,
                zoom: int = 1) -> tuple[np.ndarray, int]:
    """Tile ``N`` signed 2-D maps into one RGB image.

    Args:
        maps: ``(N, h, w)`` float.
        columns: tiles per row (fewer when ``N`` is smaller).
        shared_scale: one colour scale for all tiles (to compare their strengths)
            instead of one per tile (to see each tile's pattern).
        max_tile: tiles larger than this many pixels are subsampled by a whole step
            (a photo's 32 feature maps would otherwise make a 100-megapixel mosaic).
        gap: pixels of grey between tiles.
        zoom: each map pixel drawn as ``zoom x zoom`` pixels (3x3 kernels would
            otherwise be as thin as the gaps between them).

    Returns:
        ``(rgb, step)``: uint8 ``(rows*(h'+gap)-gap, cols*(w'+gap)-gap, 3)`` with
        ``h' = ceil(h / step) * zoom``; tile ``i`` at row ``i // cols``, column
        ``i % cols``. Colours reach full strength at the :data:`TILE_PERCENTILE`
        of ``|value|`` (per tile, or over all tiles with ``shared_scale``).

    Raises:
        ValueError: ``maps`` is not 3-D or is empty.
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3 or maps.shape[0] == 0:
        raise ValueError(f"Received maps of shape {maps.shape}; expected (N, h, w) with N >= 1.")
    step = 1 if not max_tile else max(1, math.ceil(max(maps.shape[1:]) / max_tile))
    maps = maps[:, ::step, ::step]
    if zoom > 1:
        maps = np.repeat(np.repeat(maps, zoom, axis=1), zoom, axis=2)
    n, h, w = maps.shape
    cols = max(1, min(columns, n))
    rows = math.ceil(n / cols)
    shared = symmetric_scale(maps, TILE_PERCENTILE) if shared_scale else None
    out = np.empty((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), np.uint8)
    out[:] = GAP_RGB
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = r * (h + gap), c * (w + gap)
        scale = shared if shared else symmetric_scale(maps[i], TILE_PERCENTILE)
        out[y:y + h, x:x + w] = diverging_rgb(maps[i], scale)
    return out, step


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
            self._title.setText(f"{self._title_text} — {message}", size="10pt")
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

