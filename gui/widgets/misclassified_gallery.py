"""A gallery of test digits a model got wrong; clicking one sends it to the Draw tab."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

from digitlab.gui.common.i18n import translate

#: Each 28x28 digit is shown this many times larger (nearest neighbour: crisp pixels).
_ZOOM = 2


def digit_pixmap(image: np.ndarray, zoom: int = _ZOOM, ratio: float | None = None) -> QPixmap:
    """A ``(28, 28) uint8`` image (ink bright) as a pixmap, dark ink on white like paper.

    Args:
        image: the digit, ink bright.
        zoom: logical pixels per image pixel.
        ratio: device pixels per logical pixel (the screen's, by default): the pixmap
            is made at the screen's resolution, so it stays crisp at 200 % scaling.

    Returns:
        A pixmap of ``28 * zoom`` logical pixels a side (``ratio`` times more device pixels).
    """
    ratio = QGuiApplication.instance().devicePixelRatio() if ratio is None else ratio
    paper = np.ascontiguousarray(255 - np.asarray(image, dtype=np.uint8))
    height, width = paper.shape
    qimage = QImage(paper.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    pixmap = QPixmap.fromImage(qimage).scaled(round(width * zoom * ratio),
                                              round(height * zoom * ratio),
                                              Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.FastTransformation)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class MisclassifiedGallery(QListWidget):
    """Small images captioned "true 3 → predicted 5".

    Signals:
        digit_requested(object): the clicked ``(28, 28) uint8`` image (a copy).
    """

    digit_requested = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(28 * _ZOOM, 28 * _ZOOM))
        # Wide enough for "true 7 → predicted 2" on one line under the digit.
        self.setGridSize(QSize(28 * _ZOOM + 96, 28 * _ZOOM + 26))
        self.setSpacing(4)
        self.setWordWrap(True)
        self.setToolTip(translate("MisclassifiedGallery",
                                  "Test digits the model got wrong, most confident mistakes "
                                  "first. Click one to open it in the Draw tab."))
        self._images = np.zeros((0, 28, 28), np.uint8)
        self.itemClicked.connect(self._on_clicked)

    def set_samples(self, images: np.ndarray, true: np.ndarray, predicted: np.ndarray) -> None:
        """Show ``images`` ``(K, 28, 28) uint8`` with their true and predicted digits ``(K,)``.

        Raises:
            ValueError: the three arrays do not describe the same K digits.
        """
        images = np.asarray(images, dtype=np.uint8)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"Received images of shape {images.shape}; expected (K, 28, 28).")
        if not len(images) == len(true) == len(predicted):
            raise ValueError(f"Received {len(images)} images, {len(true)} labels and "
                             f"{len(predicted)} predictions; they must match.")
        self.clear()
        self._images = images.copy()
        for index, (t, p) in enumerate(zip(true, predicted, strict=True)):
            item = QListWidgetItem(QIcon(digit_pixmap(images[index])),
                                   translate("MisclassifiedGallery",
                                             "true {0} → predicted {1}").format(t, p))
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)

    def clear_samples(self) -> None:
        self.clear()
        self._images = np.zeros((0, 28, 28), np.uint8)

    def request(self, index: int) -> None:
        """Emit ``digit_requested`` with digit ``index`` (what a click does)."""
        self.digit_requested.emit(self._images[index].copy())

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.request(int(item.data(Qt.ItemDataRole.UserRole)))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        # The keyboard's click: arrows pick a digit, Enter or Space opens it.
        item = self.currentItem()
        keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
        if event.key() in keys and item is not None:
            self._on_clicked(item)
            event.accept()
            return
        super().keyPressEvent(event)
