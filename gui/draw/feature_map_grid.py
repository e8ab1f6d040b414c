"""Inside the CNN: every conv and pooling layer's feature maps as one mosaic each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from digitlab.engine.mosaics import activation_mosaic
from digitlab.gui.common.i18n import translate
if TYPE_CHECKING:
    from digitlab.engine.inference import FeatureMap

#: The lesson CNN's layers, shown before the first drawing.
DEFAULT_LAYERS = ("conv1", "pool1", "conv2", "pool2", "conv3")
_LUT = pg.colormap.get("inferno").getLookupTable(nPts=256).astype(np.uint8)


def shape_text(shape: Sequence[int]) -> str:
    """``(26, 26, 32)`` -> ``"26x26x32"``."""
    return "x".join(str(int(n)) for n in shape)


class FeatureMapGrid(pg.GraphicsLayoutWidget):
    """One mosaic per CNN layer (conv1 26x26x32 ... conv3 3x3x64), captioned with its shape.

    Each layer is a single ``pg.ImageItem`` (created once, updated with
    ``setImage(..., autoLevels=False)``), so updating while drawing stays cheap.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(None)
        self.setAccessibleName(translate("FeatureMapGrid", "Inside the CNN: feature maps"))
        self.ci.setContentsMargins(2, 2, 2, 2)
        self._title = self.addLabel(translate(
            "FeatureMapGrid", "Inside the CNN: feature maps (each scaled to its own "
                              "maximum; bright = strong activation)"), row=0, col=0,
                                    colspan=len(DEFAULT_LAYERS), size="9pt")
        self._names: list[str] = []
        self._shapes: list[tuple[int, ...] | None] = []
        self._labels: list[pg.LabelItem] = []
        self._items: list[pg.ImageItem] = []
        for name in DEFAULT_LAYERS:
            self._add_slot(name)
        self.setMinimumHeight(140)
        self.clear_maps()

    def _add_slot(self, name: str) -> None:
        col = len(self._items)
        label = self.addLabel(name, row=1, col=col, size="9pt")
        view = self.addViewBox(row=2, col=col, lockAspect=True, enableMouse=False,
                               enableMenu=False, invertY=True)
        view.setDefaultPadding(0.02)
        item = pg.ImageItem(axisOrder="row-major")
        view.addItem(item)
        # The first layers' mosaics (4 rows of 8 wide tiles) are twice as wide as tall.
        self.ci.layout.setColumnStretchFactor(col, 2 if col < 2 else 1)
        self._names.append(name)
        self._shapes.append(None)
        self._labels.append(label)
        self._items.append(item)

    @property
    def captions(self) -> list[str]:
        """Each layer's caption, e.g. ``"conv1 26x26x32"``."""
        return [self._caption(i) for i in range(len(self._items))]

    @property
    def mosaics(self) -> dict[str, np.ndarray]:
        """Layer name -> the RGB mosaic shown (``(h, w, 3) uint8``)."""
        pairs = zip(self._names, self._items, strict=True)
        return {name: np.asarray(item.image).copy() for name, item in pairs}

    def _caption(self, i: int) -> str:
        shape = self._shapes[i]
        return self._names[i] if shape is None else f"{self._names[i]} {shape_text(shape)}"

    def set_feature_maps(self, feature_maps: Sequence[FeatureMap]) -> None:
        """Show ``feature_maps`` (the CNN's layers in order); blank the grid if empty."""
        if not feature_maps:
            self.clear_maps()
            return
        while len(self._items) < len(feature_maps):
            self._add_slot(f"layer{len(self._items) + 1}")
        for i, fmap in enumerate(feature_maps):
            image = activation_mosaic(fmap.array, _LUT)
            item = self._items[i]
            relayout = item.image is None or item.image.shape != image.shape
            item.setImage(image, autoLevels=False, levels=(0, 255))
            if relayout and item.getViewBox() is not None:
                item.getViewBox().autoRange(padding=0.02)
            self._names[i] = fmap.name
            self._shapes[i] = tuple(int(n) for n in fmap.array.shape)
            self._labels[i].setText(self._caption(i), size="9pt")
        for i in range(len(feature_maps), len(self._items)):
            self._blank(i)
        # The grid's text alternative: each layer with its shape.
        self.setAccessibleDescription(translate("FeatureMapGrid", "CNN layers: {0}").format(
            ", ".join(self._caption(i) for i in range(len(feature_maps)))))

    def clear_maps(self) -> None:
        """Blank every mosaic (nothing drawn, or no CNN); keep the captions' shapes."""
        for i in range(len(self._items)):
            self._blank(i)

    def _blank(self, i: int) -> None:
        item = self._items[i]
        shape = item.image.shape if item.image is not None else (8, 8, 3)
        item.setImage(np.zeros(shape, np.uint8), autoLevels=False, levels=(0, 255))
        self._labels[i].setText(self._caption(i), size="9pt")
