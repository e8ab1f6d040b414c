"""The drawing canvas: strokes of mouse or pen become a grayscale numpy array."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitlab.gui.common.i18n import translate
from digitlab.gui.draw.draw_strokes import (
    Stroke,
    StrokeLayers,
    array_to_qimage,
    paint_digit_boxes,
    paint_stroke,
    qimage_to_array,
)

#: Side of the canvas image in pixels: ten times MNIST's 28, so a drawing
#: shrinks to the models' input the way the lesson's digits did.
CANVAS_SIZE = 280
#: Width of the canvas image in number mode: room for four digits side by side.
NUMBER_WIDTH = 3 * CANVAS_SIZE
MIN_BRUSH, MAX_BRUSH, DEFAULT_BRUSH = 4, 48, 20


class DrawCanvas(QWidget):
    """A grayscale canvas, square for a digit or wide for a number, for the mouse or a pen.

    The drawing lives in an image of ink intensity, ``CANVAS_SIZE`` high and
    :attr:`canvas_width` wide (strokes are kept as point lists and re-rendered, so the last
    stroke can be undone). With ``ink == "bright"`` it shows and exports white
    ink on black, like MNIST; with ``"dark"``, black ink on white.

    Signals:
        changed(): the drawing changed; emitted on every move while a stroke
            is being drawn, and after clear, undo, ink toggle and loading.
        stroke_finished(): the pen or mouse button was released.
        file_dropped(str): a local file was dropped onto the canvas.
    """

    changed = Signal()
    stroke_finished = Signal()
    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._width = CANVAS_SIZE
        # Boxes around the digits found: ((y0, x0, y1, x1), caption, is_digit), canvas pixels.
        self._boxes: list[tuple[tuple[int, int, int, int], str, bool]] = []
        self._ink = "bright"
        self._brush = float(DEFAULT_BRUSH)
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._background: QImage | None = None  # a loaded digit, as ink intensity
        # What Clear removed, so that Undo can bring it back: (strokes, background).
        self._before_clear: tuple[list[Stroke], QImage | None] | None = None
        # The committed drawing rendered for the screen, at its device pixels.
        self._version = 0
        self._display: tuple[tuple[int, int], QImage] | None = None
        self._committed = self._blank()  # background + finished strokes
        self._image = self._committed  # what is shown: committed + current stroke
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(140, 140)
        self.setToolTip(translate(
            "DrawCanvas",
            "Draw a digit with the mouse or a pen. Drop a digit image here to load it."))
        self.setAccessibleName(translate("DrawCanvas", "Drawing canvas"))
        self.setAccessibleDescription(translate(
            "DrawCanvas", "Draw a digit with the mouse or a pen; the three models read it as you "
            "draw. Delete clears, Ctrl+Z undoes, Ctrl+R puts a random test digit here."))

    # ----- public API -------------------------------------------------------------------
    @property
    def ink(self) -> str:
        """``"bright"`` (white ink on black, like MNIST) or ``"dark"``."""
        return self._ink

    def set_ink(self, ink: str) -> None:
        """Show and export the drawing as ``"bright"`` or ``"dark"`` ink."""
        if ink not in ("bright", "dark"):
            raise ValueError(f"Received ink={ink!r}; expected 'bright' or 'dark'.")
        if ink != self._ink:
            self._ink = ink
            self.update()
            self.changed.emit()

    @property
    def canvas_width(self) -> int:
        """Width of the canvas image: ``CANVAS_SIZE`` (a digit) or ``NUMBER_WIDTH`` (a number)."""
        return self._width

    def set_canvas_width(self, width: int) -> None:
        """Make the canvas image ``width`` pixels wide (height stays ``CANVAS_SIZE``).

        The strokes keep their place from the left edge; a loaded image is dropped
        only if it no longer fits. Emits ``changed``.

        Raises:
            ValueError: ``width`` is not in ``CANVAS_SIZE..NUMBER_WIDTH``.
        """
        width = int(width)
        if not CANVAS_SIZE <= width <= NUMBER_WIDTH:
            raise ValueError(f"Received width={width}; expected {CANVAS_SIZE}..{NUMBER_WIDTH}.")
        if width == self._width:
            return
        self._width = width
        if self._background is not None:
            old, self._background = self._background, self._blank()
            painter = QPainter(self._background)
            painter.drawImage(0, 0, old)
            painter.end()
        self._before_clear = None
        self._display = None
        self._boxes = []
        self.updateGeometry()
        self._rerender()

    @property
    def boxes(self) -> list[tuple[tuple[int, int, int, int], str, bool]]:
        """The digit boxes drawn over the canvas (see :meth:`set_boxes`)."""
        return list(self._boxes)

    def set_boxes(self, boxes) -> None:
        """Draw a frame around each digit found, with a caption above it.

        Args:
            boxes: ``((y0, x0, y1, x1), caption, is_digit)`` in canvas pixels
                (``y1``, ``x1`` exclusive); a piece that is not a digit gets a dashed frame.
        """
        boxes = [(tuple(int(v) for v in box), str(text), bool(ok)) for box, text, ok in boxes]
        if boxes != self._boxes:
            self._boxes = boxes
            self.update()

    @property
    def brush_width(self) -> float:
        """Brush width in canvas pixels (the canvas is ``CANVAS_SIZE`` wide)."""
        return self._brush

    def set_brush_width(self, width: float) -> None:
        """Set the width of the next strokes; clamped to ``MIN_BRUSH..MAX_BRUSH``."""
        self._brush = float(min(max(width, MIN_BRUSH), MAX_BRUSH))

    @property
    def is_blank(self) -> bool:
        """True when nothing is drawn or loaded."""
        return not self._strokes and self._current is None and self._background is None

    @property
    def can_undo(self) -> bool:
        """True when there is a stroke, a loaded image or a Clear to undo."""
        return (bool(self._strokes) or self._background is not None
                or self._before_clear is not None)

    @property
    def stroke_count(self) -> int:
        """Number of finished strokes."""
        return len(self._strokes)

    def stroke_layers(self) -> StrokeLayers | None:
        """The strokes drawn so far (the one being drawn too), for reading a number by its
        strokes; ``None`` over a loaded image, whose ink has no strokes."""
        if self._background is not None:
            return None
        strokes = self._strokes + ([self._current] if self._current is not None else [])
        return StrokeLayers(strokes, (self._width, CANVAS_SIZE))

    def to_array(self) -> np.ndarray:
        """The drawing as shown: ``(CANVAS_SIZE, canvas_width) uint8``, 0..255.

        With ``ink == "bright"`` ink is 255 on 0; with ``"dark"`` ink is 0 on 255.
        Includes the stroke being drawn.
        """
        ink = qimage_to_array(self._image)
        return ink if self._ink == "bright" else 255 - ink

    def clear(self) -> None:
        """Remove all strokes and any loaded image; :meth:`undo` brings them back."""
        if self._strokes or self._background is not None:
            self._before_clear = (list(self._strokes), self._background)
        self._strokes.clear()
        self._current = None
        self._background = None
        self._rerender()

    def undo(self) -> None:
        """Remove the last stroke; with no strokes left, remove a loaded image; on an
        empty canvas, bring back what the last Clear removed."""
        if self._current is not None:
            return  # never undo under a pen that is still down
        if self._strokes:
            self._strokes.pop()
        elif self._background is not None:
            self._background = None
        elif self._before_clear is not None:
            strokes, self._background = self._before_clear
            self._strokes = list(strokes)
            self._before_clear = None
        else:
            return
        self._rerender()

    def set_ink_image(self, ink: np.ndarray) -> None:
        """Replace the drawing with an image of ink intensity.

        Args:
            ink: ``(H, W)`` array, uint8 0..255 or float 0..1, where high means
                ink (e.g. an MNIST digit). It is scaled smoothly to fit the
                canvas, keeping its aspect ratio, and centred. Shown according to
                the current ink setting.

        Raises:
            ValueError: ``ink`` is not a non-empty 2-D array.
        """
        ink = np.asarray(ink)
        if ink.ndim != 2 or ink.size == 0:
            raise ValueError(f"Received an image of shape {ink.shape}; expected (H, W).")
        if ink.dtype != np.uint8:
            ink = np.clip(np.nan_to_num(ink.astype(np.float32)) * 255.0 + 0.5, 0, 255)
        source = array_to_qimage(ink.astype(np.uint8))
        scaled = source.scaled(self._width, CANVAS_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        background = self._blank()
        painter = QPainter(background)
        painter.drawImage((self._width - scaled.width()) // 2,
                          (CANVAS_SIZE - scaled.height()) // 2, scaled)
        painter.end()
        self._strokes.clear()
        self._current = None
        self._background = background
        self._before_clear = None
        self._rerender()

    # ----- rendering --------------------------------------------------------------------
    def _blank(self) -> QImage:
        image = QImage(self._width, CANVAS_SIZE, QImage.Format.Format_Grayscale8)
        image.fill(0)
        return image

    def _rerender(self) -> None:
        """Rebuild the committed image from the background and the stroke list."""
        image = self._background.copy() if self._background is not None else self._blank()
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self._strokes:
            paint_stroke(painter, stroke)
        painter.end()
        self._committed = image
        self._image = image
        self._version += 1
        self.update()
        self.changed.emit()

    def _render_current(self) -> None:
        # Re-render only the stroke in progress over the committed image: cheap
        # (well under a millisecond) and lets the whole stroke be one smooth path.
        image = self._committed.copy()
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_stroke(painter, self._current)
        painter.end()
        self._image = image
        self.update()
        self.changed.emit()

    def _target_rect(self) -> QRectF:
        aspect = self._width / CANVAS_SIZE
        side = max(1.0, min(self.width() / aspect, self.height()) - 2.0)
        return QRectF((self.width() - side * aspect) / 2, (self.height() - side) / 2,
                      side * aspect, side)

    def _to_canvas(self, pos: QPointF) -> tuple[float, float]:
        rect = self._target_rect()
        scale = CANVAS_SIZE / rect.height()
        return (pos.x() - rect.x()) * scale, (pos.y() - rect.y()) * scale

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self._width + 2, CANVAS_SIZE + 2)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True  # the layout keeps the canvas's aspect ratio

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return round(width * CANVAS_SIZE / self._width)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.update()  # draw the focus frame

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        self.update()

    def display_image(self, side: float, ratio: float) -> QImage:
        """The drawing as the screen shows it: ``side`` logical pixels high (and wide in
        proportion) at ``ratio`` device pixels each.

        Strokes are painted as vectors at the screen's own resolution, so the canvas is
        as crisp at 200 % scaling as at 100 % (the 280x280 model image, scaled up, would
        be blurred). A loaded digit image is scaled smoothly.

        Returns:
            A grayscale ``QImage`` ``round(side * ratio)`` pixels high (square for a
            digit) whose device pixel ratio is ``ratio``; inverted for dark ink.
        """
        physical = max(1, round(side * ratio))
        wide = max(1, round(physical * self._width / CANVAS_SIZE))
        key = (physical, wide, self._version)
        if self._display is None or self._display[0] != key:
            base = QImage(wide, physical, QImage.Format.Format_Grayscale8)
            base.fill(0)
            painter = self._display_painter(base)
            if self._background is not None:
                painter.drawImage(QRectF(0, 0, self._width, CANVAS_SIZE), self._background)
            for stroke in self._strokes:
                paint_stroke(painter, stroke)
            painter.end()
            self._display = (key, base)
        image = self._display[1]
        if self._current is not None or self._ink == "dark":
            image = image.copy()
        if self._current is not None:
            painter = self._display_painter(image)
            paint_stroke(painter, self._current)
            painter.end()
        if self._ink == "dark":
            image.invertPixels()
        image.setDevicePixelRatio(ratio)
        return image

    def _display_painter(self, image: QImage) -> QPainter:
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.scale(image.width() / self._width, image.height() / CANVAS_SIZE)
        return painter

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        rect = self._target_rect()
        shown = self.display_image(rect.height(), self.devicePixelRatioF())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, shown)
        if self.hasFocus():
            # A visible focus: keyboard users see that Delete and Ctrl+Z act here.
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(rect.adjusted(-1, -1, 1, 1))
        else:
            painter.setPen(QPen(self.palette().mid().color(), 1))
            painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        paper = QColor(Qt.GlobalColor.white if self._ink == "dark" else Qt.GlobalColor.black)
        paint_digit_boxes(painter, rect, rect.height() / CANVAS_SIZE, self._boxes, paper)
        painter.end()

    # ----- input ------------------------------------------------------------------------
    def _begin(self, pos: QPointF, pressure: float) -> None:
        self._current = Stroke(self._brush)
        self._extend(pos, pressure)

    def _extend(self, pos: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        x, y = self._to_canvas(pos)
        pts = self._current.points
        if pts and abs(pts[-1][0] - x) < 0.5 and abs(pts[-1][1] - y) < 0.5:
            return  # sub-pixel jitter adds nothing but work
        pts.append((x, y, pressure))
        self._render_current()

    def _finish(self) -> None:
        if self._current is None:
            return
        stroke, self._current = self._current, None
        painter = QPainter(self._committed)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_stroke(painter, stroke)
        painter.end()
        self._strokes.append(stroke)
        self._image = self._committed
        self._version += 1  # the screen's cached image no longer shows every stroke
        self.update()
        self.changed.emit()
        self.stroke_finished.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), 1.0)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._current is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), 1.0)
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._finish()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt API
        # Accepting stops Qt from synthesizing mouse events for the same pen motion.
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletRelease:
            self._finish()
        event.accept()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.file_dropped.emit(urls[0].toLocalFile())
