"""Strokes of the drawing canvas, how they (and the digit boxes over them) are painted,
and QImage <-> numpy."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen


@dataclass
class Stroke:
    """One press-to-release stroke, in canvas-image coordinates.

    Attributes:
        width: the brush width when the stroke began, in canvas pixels.
        points: ``(x, y, pressure)`` triples; pressure is 1.0 for a mouse.
    """

    width: float
    points: list[tuple[float, float, float]] = field(default_factory=list)
    _xy: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def xy(self) -> np.ndarray:
        """The points' ``(x, y)``: float ``(K, 2)``, made again only when points were added
        (a finished stroke's are made once, not on every read of the canvas)."""
        if self._xy is None or len(self._xy) != len(self.points):
            self._xy = np.array([p[:2] for p in self.points], np.float64).reshape(-1, 2)
        return self._xy


def pressure_scale(pressure: float) -> float:
    """Width factor for a pen pressure in 0..1; full pressure (and a mouse) gives 1.0."""
    # A light touch still leaves a visible line, about a third of the brush.
    return 0.3 + 0.7 * min(max(pressure, 0.0), 1.0)


def paint_stroke(painter: QPainter, stroke: Stroke) -> None:
    """Paint ``stroke`` in white (ink) with round caps and joins."""
    pts = stroke.points
    if not pts:
        return
    pen = QPen(QColor(255, 255, 255), stroke.width, Qt.PenStyle.SolidLine,
               Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if len(pts) == 1:
        pen.setWidthF(stroke.width * pressure_scale(pts[0][2]))
        painter.setPen(pen)
        painter.drawPoint(QPointF(pts[0][0], pts[0][1]))
        return
    if all(p[2] == 1.0 for p in pts):
        # Constant width: one path with quadratic curves through the midpoints,
        # so fast mouse moves still give a smooth, kink-free line.
        path = QPainterPath(QPointF(pts[0][0], pts[0][1]))
        for (x0, y0, _), (x1, y1, _) in zip(pts[1:-1], pts[2:], strict=False):
            path.quadTo(QPointF(x0, y0), QPointF((x0 + x1) / 2, (y0 + y1) / 2))
        path.lineTo(QPointF(pts[-1][0], pts[-1][1]))
        painter.setPen(pen)
        painter.drawPath(path)
        return
    # Pen pressure varies the width: round-capped segments blend into one line.
    for (x0, y0, p0), (x1, y1, p1) in zip(pts[:-1], pts[1:], strict=False):
        pen.setWidthF(stroke.width * pressure_scale((p0 + p1) / 2))
        painter.setPen(pen)
        painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))


class StrokeLayers:
    """A drawing's strokes as :func:`digitlab.engine.stroke_reading.read_by_strokes` takes
    them: each stroke's points and pen width, and any group of strokes drawn alone, as the
    canvas draws them (bright ink on black). Only the groups the reader asks for are drawn.

    Args:
        strokes: the strokes, in drawing order. size: the canvas image's ``(width, height)``.
    """

    def __init__(self, strokes: list[Stroke], size: tuple[int, int]) -> None:
        self._strokes = [s for s in strokes if s.points]
        self._size = size
        #: ``(points, width)`` per stroke: float ``(K, 2)`` ``(x, y)`` canvas pixels and the
        #: brush's width when the stroke began.
        self.strokes = [(s.xy(), s.width) for s in self._strokes]

    def render(self, indices) -> np.ndarray:
        """The strokes at ``indices`` alone: ``(height, width) uint8``, ink 255 on 0."""
        image = QImage(*self._size, QImage.Format.Format_Grayscale8)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i in indices:
            paint_stroke(painter, self._strokes[i])
        painter.end()
        return qimage_to_array(image)


def digit_box_pen(is_digit: bool) -> QPen:
    """The frame of a digit found: solid green for a digit, dashed red for a piece that is
    not one (the canvas's boxes and the preprocessing strip's frame alike)."""
    color = QColor(60, 200, 90) if is_digit else QColor(240, 90, 60)
    return QPen(color, 2, Qt.PenStyle.SolidLine if is_digit else Qt.PenStyle.DashLine)


#: How opaque the paper behind a caption is (0-255): a caption that has to sit over the
#: strokes (on a small canvas, a frame at its top) stays readable, the ink faintly seen.
CAPTION_BACKDROP_ALPHA = 190


def paint_digit_boxes(painter: QPainter, rect: QRectF, scale: float, boxes,
                      paper: QColor) -> None:
    """Frames around the digits found and their captions (e.g. "4 · 4 · 4").

    Args:
        painter: painting the canvas widget. rect: where the canvas image is shown.
        scale: widget pixels per canvas pixel.
        boxes: ``((y0, x0, y1, x1), caption, is_digit)`` in canvas pixels; a piece that
            is not a digit gets a dashed red frame, a digit a solid green one.
        paper: the canvas's background colour; each caption's text is laid on a
            translucent patch of it (:data:`CAPTION_BACKDROP_ALPHA`).
    """
    if not boxes:
        return
    font = painter.font()
    font.setBold(True)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    backdrop = QColor(paper)
    backdrop.setAlpha(CAPTION_BACKDROP_ALPHA)
    for frame, label, caption, ok in caption_places(metrics, rect, scale, boxes):
        painter.setPen(digit_box_pen(ok))
        painter.drawRect(frame)
        text = metrics.horizontalAdvance(caption) + 6
        painter.fillRect(QRectF(label.center().x() - text / 2, label.top(), text,
                                label.height()), backdrop)
        painter.drawText(label, Qt.AlignmentFlag.AlignHCenter, caption)


def caption_places(metrics, rect: QRectF, scale: float, boxes
                   ) -> list[tuple[QRectF, QRectF, str, bool]]:
    """Where :func:`paint_digit_boxes` draws each frame and its caption: ``(frame, caption
    rectangle, caption, is_digit)`` in widget pixels, in the order of ``boxes``.

    A caption sits above its frame (inside its top when the frame touches the canvas's
    top), centred on it; one that would overlap a caption already placed (narrow digits
    side by side, such as "11") moves a line further up, or under its frame where there is
    no room above.
    """
    height = metrics.height()
    placed: list[tuple[QRectF, QRectF, str, bool]] = []
    for (y0, x0, y1, x1), caption, ok in boxes:
        box = QRectF(rect.x() + x0 * scale, rect.y() + y0 * scale,
                     (x1 - x0) * scale, (y1 - y0) * scale).adjusted(-3, -3, 3, 3)
        width = metrics.horizontalAdvance(caption) + 14  # a space either side
        top = box.top() - height - 1 if box.top() - height - 1 >= rect.top() else box.top() + 2
        label = QRectF(box.center().x() - width / 2, top, width, height)
        step = -height if top < box.top() else height
        for _ in range(len(placed)):
            if not any(label.intersects(other) for _, other, _, _ in placed):
                break
            if step < 0 and label.top() - height < rect.top():
                # No room above: under the frame instead (inside it when that is off too).
                step = height
                if box.bottom() + 1 + height <= rect.bottom():
                    label.moveTop(box.bottom() + 1)
                    continue
            label.translate(0, step)
        placed.append((box, label, caption, ok))
    return placed


def qimage_to_array(image: QImage) -> np.ndarray:
    """Copy a ``Format_Grayscale8`` QImage into a ``(H, W) uint8`` array."""
    h, w, bpl = image.height(), image.width(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    return buf.reshape(h, bpl)[:, :w].copy()


def array_to_qimage(array: np.ndarray) -> QImage:
    """Copy a ``(H, W) uint8`` array into a new ``Format_Grayscale8`` QImage."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    h, w = array.shape
    return QImage(array.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
