"""The MNIST-style preprocessing made visible: crop, fit to 20 px, centre in 28x28."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from digitlab.gui.common.i18n import current, translate
from digitlab.gui.draw.draw_strokes import digit_box_pen

if TYPE_CHECKING:
    from digitlab.engine.preprocess import PreprocessResult

#: Panel keys in display order, with their captions' fixed part.
STAGES = ("cropped", "fitted", "image28")
_CAPTIONS = {
    "cropped": QT_TRANSLATE_NOOP("PreprocessStrip", "ink cropped"),
    "fitted": QT_TRANSLATE_NOOP("PreprocessStrip", "fitted to 20 px"),
    "image28": QT_TRANSLATE_NOOP("PreprocessStrip", "centred in 28x28 (model input)"),
}
#: The fitted stage's caption when the strokes were too fine for the 20 px box and were
#: thickened first (``PreprocessResult.widened``).
_WIDENED = QT_TRANSLATE_NOOP("PreprocessStrip", "strokes thickened, fitted to 20 px")
# Caption font sizes, largest first: the first at which the three captions fit side by
# side is used (a number's narrower strip, a long caption or a long translation). A plain
# comment: lupdate would hand a "#:" one to the next translated text as its note.
CAPTION_SIZES = ("9pt", "8pt", "7pt")
_EMPTY = {
    "cropped": np.zeros((20, 20), np.float32),  # a blank panel the size of the others
    "fitted": np.zeros((20, 20), np.float32),
    "image28": np.zeros((28, 28), np.float32),
}


class PreprocessStrip(pg.GraphicsLayoutWidget):
    """Three small images: the cropped ink, the 20-px fit and the centred 28x28 input.

    Each image is one ``pg.ImageItem`` created once and updated with
    ``setImage(..., autoLevels=False)``; ink is white on black (levels 0..1),
    as the models see it, whatever the canvas's ink colour. For a digit of a number the
    crop is the whole drawing's, with the digit framed as on the canvas (green, or dashed
    red when it is not a digit), and the other two panels are that digit's.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(None)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self._items: dict[str, pg.ImageItem] = {}
        self._labels: dict[str, pg.LabelItem] = {}
        self._frames: dict[str, QGraphicsRectItem] = {}
        self._captions: dict[str, str] = {}
        self._caption_size = CAPTION_SIZES[0]
        self._piece: tuple[tuple[int, int, int, int], bool] | None = None
        for col, stage in enumerate(STAGES):
            label = self.addLabel("", row=0, col=col, size="9pt")
            view = self.addViewBox(row=1, col=col, lockAspect=True, enableMouse=False,
                                   enableMenu=False, invertY=True)
            view.setDefaultPadding(0.02)
            item = pg.ImageItem(axisOrder="row-major")
            view.addItem(item)
            # A frame shows the image's extent: ink touches the crop's edges.
            frame = QGraphicsRectItem(0, 0, 1, 1)
            frame.setPen(pg.mkPen(120, 120, 120, cosmetic=True))
            view.addItem(frame)
            self._frames[stage] = frame
            if stage == "cropped":
                self._piece_frame = QGraphicsRectItem(0, 0, 1, 1)
                self._piece_frame.setZValue(1)
                self._piece_frame.hide()
                view.addItem(self._piece_frame)
            self._items[stage] = item
            self._labels[stage] = label
        self.setMinimumHeight(90)
        self.setAccessibleName(translate("PreprocessStrip", "Preprocessing: what the models see"))
        self.set_result(None)

    @property
    def images(self) -> dict[str, np.ndarray]:
        """Stage -> the 2-D float32 array shown (``"cropped"``, ``"fitted"``, ``"image28"``)."""
        return {stage: np.asarray(item.image).copy() for stage, item in self._items.items()}

    @property
    def captions(self) -> dict[str, str]:
        """Stage -> caption text, e.g. ``"fitted to 20 px (20x13)"``."""
        return dict(self._captions)

    @property
    def caption_size(self) -> str:
        """The captions' font size now, one of :data:`CAPTION_SIZES`."""
        return self._caption_size

    def retranslate(self) -> None:
        """Keep :attr:`captions` in step with the panels after a language change."""
        self._captions = {stage: current(text) for stage, text in self._captions.items()}
        self._show_captions()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if getattr(self, "_captions", None):  # pyqtgraph resizes during __init__
            self._show_captions()

    def _show_captions(self) -> None:
        """Set the captions at the largest of :data:`CAPTION_SIZES` at which they fit side by
        side (the smallest when none does): a caption wider than its column would push the
        next one out of the strip."""
        left, _, right, _ = self.ci.layout.getContentsMargins()
        room = (self.viewport().width() - left - right
                - 2 * max(0.0, self.ci.layout.horizontalSpacing()))
        # Measured, not set and read back: each setText lays the label out again, and this
        # runs for every stroke. A label is its text plus its document's margin each side.
        item = self._labels[STAGES[0]].item
        font, margins = QFont(item.font()), 2 * len(STAGES) * item.document().documentMargin()
        for size in CAPTION_SIZES:
            font.setPointSizeF(float(size.removesuffix("pt")))
            metrics = QFontMetricsF(font)
            if sum(metrics.horizontalAdvance(self._captions[s]) for s in STAGES) + margins <= room:
                break
        self._caption_size = size
        for stage in STAGES:
            self._labels[stage].setText(self._captions[stage], size=size)

    @property
    def piece_frame(self) -> tuple[tuple[int, int, int, int], bool] | None:
        """The digit framed on the crop: ``((y0, x0, y1, x1), is_digit)`` in the crop's
        pixels, or None (see :meth:`set_result`)."""
        return self._piece

    def set_result(self, result: PreprocessResult | None,
                   piece: tuple[tuple[int, int, int, int], bool] | None = None) -> None:
        """Show ``result``'s stages, or blank panels for None or an empty drawing.

        Args:
            piece: for one digit of a number, its box ``(y0, x0, y1, x1)`` in the crop's
                pixels (exclusive ends) and whether it is a digit: framed on the crop.
        """
        empty = result is None or result.is_empty
        self._piece = None if empty or piece is None else (
            tuple(int(v) for v in piece[0]), bool(piece[1]))
        if self._piece is None:
            self._piece_frame.hide()
        else:
            (y0, x0, y1, x1), ok = self._piece
            pen = digit_box_pen(ok)
            pen.setCosmetic(True)  # 2 screen pixels at any zoom of the crop
            self._piece_frame.setPen(pen)
            self._piece_frame.setRect(x0, y0, x1 - x0, y1 - y0)
            self._piece_frame.show()
        for stage in STAGES:
            array = _EMPTY[stage] if empty else np.asarray(getattr(result, stage), np.float32)
            item = self._items[stage]
            view = item.getViewBox()
            changed = item.image is None or item.image.shape != array.shape
            item.setImage(array, autoLevels=False, levels=(0.0, 1.0))
            self._frames[stage].setRect(0, 0, array.shape[1], array.shape[0])
            if changed and view is not None:
                view.autoRange(padding=0.02)  # a new crop size needs a new fit
            widened = stage == "fitted" and not empty and result.widened
            caption = translate("PreprocessStrip", _WIDENED if widened else _CAPTIONS[stage])
            if not empty:
                caption = translate("PreprocessStrip", "{0} ({1}x{2})").format(
                    caption, array.shape[0], array.shape[1])
            self._captions[stage] = caption
        self._show_captions()
        self.setAccessibleDescription("; ".join(self._captions[s] for s in STAGES))
