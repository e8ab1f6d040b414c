"""DrawCanvas: real mouse, pen and drop events in, the drawing as a numpy array out."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QInputDevice,
    QMouseEvent,
    QPointingDevice,
    QTabletEvent,
)
from PySide6.QtWidgets import QApplication

from digitlab.gui.draw.draw_canvas import CANVAS_SIZE, DrawCanvas

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton
NOMOD = Qt.KeyboardModifier.NoModifier


def send_mouse(widget, kind, x, y, button=LEFT, buttons=LEFT):
    pos = QPointF(x, y)
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons, NOMOD)
    QApplication.sendEvent(widget, event)


def drag(widget, points, release=True):
    """Press at the first point, move through the rest with the button held, release."""
    send_mouse(widget, QEvent.Type.MouseButtonPress, *points[0])
    for x, y in points[1:]:
        send_mouse(widget, QEvent.Type.MouseMove, x, y, button=NONE, buttons=LEFT)
    if release:
        send_mouse(widget, QEvent.Type.MouseButtonRelease, *points[-1], buttons=NONE)


def line(x0, y0, x1, y1, steps=20):
    return [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, steps)]


@pytest.fixture
def canvas(qtbot):
    widget = DrawCanvas()
    qtbot.addWidget(widget)
    # One widget pixel per canvas pixel: the drawable square is inset by 1 px.
    widget.resize(CANVAS_SIZE + 2, CANVAS_SIZE + 2)
    return widget


def test_new_canvas_is_blank_black(canvas):
    array = canvas.to_array()
    assert array.shape == (CANVAS_SIZE, CANVAS_SIZE) and array.dtype == np.uint8
    assert array.max() == 0
    assert canvas.is_blank and not canvas.can_undo


def test_mouse_stroke_leaves_ink_along_its_path_only(canvas):
    drag(canvas, line(41, 141, 241, 141))
    array = canvas.to_array()
    assert (array[140, 50:230] > 200).all(), "the stroke's centre line is full ink"
    assert array[140 - 20:140 - 15].max() == 0, "nothing far above the stroke"
    assert array[:, :20].max() == 0 and array[:, 260:].max() == 0
    # Anti-aliased edges: some grey between background and full ink.
    assert ((array > 0) & (array < 255)).any()
    assert canvas.stroke_count == 1 and canvas.can_undo


def test_the_screen_keeps_each_finished_stroke(canvas):
    # What the user sees, not only what the models get: the screen's image is cached
    # between paints, and a stroke that ends must not vanish from it.
    def screen_ink():
        # The drawable square, without the frame around it.
        image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
            image.height(), image.bytesPerLine())[:, :image.width()]
        return int(pixels[10:-10, 10:-10].max())

    assert screen_ink() < 50  # painted once while blank: the cache holds a black image
    drag(canvas, line(41, 141, 241, 141))
    assert screen_ink() > 200, "the finished stroke is on screen"
    drag(canvas, line(141, 41, 141, 241))
    shown = canvas.display_image(CANVAS_SIZE, 1.0)
    pixels = np.frombuffer(shown.constBits(), np.uint8).reshape(
        shown.height(), shown.bytesPerLine())[:, :shown.width()]
    assert pixels[140, 141] > 200 and pixels[60, 141] > 200 and pixels[140, 60] > 200


def test_changed_fires_while_drawing_and_finished_on_release(canvas, qtbot):
    changes, finished = [], []
    canvas.changed.connect(lambda: changes.append(canvas.to_array()[140].max()))
    canvas.stroke_finished.connect(lambda: finished.append(True))
    drag(canvas, line(41, 141, 201, 141), release=False)
    assert len(changes) >= 10, "changed() is emitted on every move, not only on release"
    assert changes[-1] == 255, "the array already shows the stroke before release"
    assert not finished
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, 201, 141, buttons=NONE)
    assert finished == [True]


def test_click_without_moving_draws_a_dot(canvas):
    drag(canvas, [(101, 101)])
    array = canvas.to_array()
    assert array[100, 100] == 255
    ys, xs = np.nonzero(array)
    width = canvas.brush_width
    assert ys.max() - ys.min() <= width + 4 and xs.max() - xs.min() <= width + 4


def test_right_button_does_not_draw(canvas):
    send_mouse(canvas, QEvent.Type.MouseButtonPress, 100, 100, button=Qt.MouseButton.RightButton,
               buttons=Qt.MouseButton.RightButton)
    send_mouse(canvas, QEvent.Type.MouseMove, 150, 150, button=NONE,
               buttons=Qt.MouseButton.RightButton)
    assert canvas.to_array().max() == 0


def test_undo_removes_only_the_last_stroke(canvas):
    drag(canvas, line(41, 61, 241, 61))
    drag(canvas, line(141, 101, 141, 241))
    assert canvas.to_array()[200, 140] == 255
    canvas.undo()
    array = canvas.to_array()
    assert array[200, 140] == 0, "the vertical stroke is gone"
    assert array[60, 140] == 255, "the first stroke stays"
    canvas.undo()
    assert canvas.to_array().max() == 0 and not canvas.can_undo
    canvas.undo()  # nothing left: a no-op, not an error
    assert canvas.is_blank


def test_clear_empties_everything(canvas, qtbot):
    canvas.set_ink_image(np.full((28, 28), 255, np.uint8))
    drag(canvas, line(41, 61, 241, 61))
    with qtbot.waitSignal(canvas.changed, timeout=1000):
        canvas.clear()
    assert canvas.to_array().max() == 0 and canvas.is_blank


def test_dark_ink_is_the_exact_inverse(canvas, qtbot):
    drag(canvas, line(41, 141, 241, 141))
    bright = canvas.to_array()
    with qtbot.waitSignal(canvas.changed, timeout=1000):
        canvas.set_ink("dark")
    dark = canvas.to_array()
    np.testing.assert_array_equal(dark, 255 - bright)
    assert dark[0, 0] == 255 and dark[140, 140] == 0
    # Strokes drawn in dark mode are dark too, and survive toggling back.
    drag(canvas, line(141, 41, 141, 241))
    assert canvas.to_array()[60, 140] == 0
    canvas.set_ink("bright")
    assert canvas.to_array()[60, 140] == 255
    with pytest.raises(ValueError, match="ink='red'"):
        canvas.set_ink("red")


def test_wider_brush_covers_more_pixels(canvas):
    canvas.set_brush_width(8)
    drag(canvas, line(41, 71, 241, 71))
    canvas.set_brush_width(30)
    drag(canvas, line(41, 201, 241, 201))
    array = canvas.to_array()
    thin = (array[:140] > 127).sum()
    thick = (array[140:] > 127).sum()
    assert thick > 3 * thin
    canvas.set_brush_width(1000)
    assert canvas.brush_width <= 48


def test_drawing_maps_widget_coordinates_when_resized(canvas):
    canvas.resize(562, 562)  # two widget pixels per canvas pixel
    drag(canvas, line(101, 281, 461, 281))
    array = canvas.to_array()
    assert (array[140, 60:220] == 255).all()
    assert array[140, :40].max() == 0


def test_set_ink_image_scales_up_and_keeps_aspect_ratio(canvas):
    digit = np.zeros((28, 28), np.uint8)
    digit[10:18, 4:24] = 255
    canvas.set_ink_image(digit)
    array = canvas.to_array()
    assert array[140, 140] == 255 and array[20, 20] == 0
    # Smooth scaling, not blocky: grey transition pixels at the block's edge.
    assert ((array[95:105, 140] > 0) & (array[95:105, 140] < 255)).any()
    tall = np.ones((20, 10), np.float32)  # float 0..1 works too
    canvas.set_ink_image(tall)
    array = canvas.to_array()
    assert array[140, 140] == 255
    assert array[:, :60].max() == 0 and array[:, 220:].max() == 0, "black bands on both sides"
    canvas.undo()
    assert canvas.is_blank, "undo with no strokes removes the loaded image"
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        canvas.set_ink_image(np.zeros(3))


def _tablet_stroke(canvas, y, pressure):
    device = QPointingDevice(
        "test pen", 1, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)
    for kind, x in ((QEvent.Type.TabletPress, 41), (QEvent.Type.TabletMove, 141),
                    (QEvent.Type.TabletMove, 241), (QEvent.Type.TabletRelease, 241)):
        pos = QPointF(x, y)
        buttons = NONE if kind == QEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(kind, device, pos, canvas.mapToGlobal(pos), pressure, 0, 0, 0, 0, 0,
                             NOMOD, LEFT, buttons)
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted(), "accepted, so Qt does not also send mouse events"


def test_pen_pressure_modulates_width(canvas, qtbot):
    finished = []
    canvas.stroke_finished.connect(lambda: finished.append(True))
    _tablet_stroke(canvas, 71, pressure=0.1)
    _tablet_stroke(canvas, 201, pressure=0.9)
    array = canvas.to_array()
    light = int((array[:140, 140] > 127).sum())
    firm = int((array[140:, 140] > 127).sum())
    assert light > 0 and firm > light + 5
    assert finished == [True, True] and canvas.stroke_count == 2


def _drag_enter(canvas, mime):
    event = QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction, mime, NONE, NOMOD)
    QApplication.sendEvent(canvas, event)
    return event.isAccepted()


def test_dropping_a_file_reports_its_path(canvas, qtbot, tmp_path):
    target = tmp_path / "seven.png"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(target))])
    assert _drag_enter(canvas, mime), "a local file is welcome"
    event = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, NONE, NOMOD)
    with qtbot.waitSignal(canvas.file_dropped, timeout=1000) as blocker:
        QApplication.sendEvent(canvas, event)
    assert blocker.args == [str(target)]


def test_dragging_a_web_link_or_text_is_refused(canvas):
    web = QMimeData()
    web.setUrls([QUrl("https://example.com/seven.png")])
    text = QMimeData()
    text.setText("7")
    assert not _drag_enter(canvas, web)
    assert not _drag_enter(canvas, text)


def test_captions_of_narrow_digits_side_by_side_do_not_overlap(qapp):
    # Two 1s drawn close ("11"): their frames are ~30 px wide in the widget, narrower
    # than a caption such as "1 · 1 · 1"; the second caption moves a line up.
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QFontMetrics

    from digitlab.gui.draw.draw_strokes import caption_places

    font = QFont()
    font.setBold(True)
    metrics = QFontMetrics(font)
    rect = QRectF(0, 0, 600, 200)
    boxes = [((40, 240), "1 · 1 · 1", True), ((40, 270), "1 · 1 · 1", True),
             ((40, 400), "7 · 7 · 7", True)]
    boxes = [((y0, x0, y0 + 130, x0 + 28), caption, ok) for (y0, x0), caption, ok in boxes]
    places = caption_places(metrics, rect, 1.0, boxes)
    labels = [label for _, label, _, _ in places]
    assert not labels[0].intersects(labels[1])
    assert labels[1].top() < labels[0].top()  # up a line, not beside
    assert labels[2].top() == labels[0].top()  # a caption with room keeps its place
    for label in labels:
        assert rect.contains(label)
    # Frames at the canvas's top: captions go inside, and the second moves down.
    top = [((0, x0, 130, x0 + 28), caption, ok) for (_, x0, _, _), caption, ok in boxes]
    labels = [label for _, label, _, _ in caption_places(metrics, rect, 1.0, top)]
    assert not labels[0].intersects(labels[1]) and labels[1].top() > labels[0].top()
    # Room for one line above the frames, not two: the second caption goes under its frame.
    y0 = metrics.height() + 5
    near = [((y0, x0, y0 + 130, x0 + 28), caption, ok) for (_, x0, _, _), caption, ok in boxes]
    places = caption_places(metrics, rect, 1.0, near)
    labels = [label for _, label, _, _ in places]
    assert not labels[0].intersects(labels[1]) and rect.contains(labels[1])
    assert labels[1].top() > places[1][0].bottom()


@pytest.mark.parametrize("ink", ["bright", "dark"])
def test_a_caption_over_the_strokes_stays_readable(canvas, ink):
    # A frame at the canvas's top puts its caption inside, over the ink (a small window's
    # number): the caption lies on a patch of the paper, so no stroke shows at full
    # strength through it.
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QFontMetrics

    from digitlab.gui.draw.draw_strokes import caption_places

    canvas.set_ink(ink)
    canvas.set_brush_width(30)
    drag(canvas, line(41, 16, 241, 16))
    box = ((0, 100, 200, 180), "8 · 8 · 8", True)
    canvas.set_boxes([box])
    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, :image.width() * 3].reshape(
        image.height(), image.width(), 3).astype(int)
    font = QFont(canvas.font())
    font.setBold(True)
    rect = QRectF(1, 1, CANVAS_SIZE, CANVAS_SIZE)
    (_, label, _, _), = caption_places(QFontMetrics(font), rect, 1.0, [box])
    inside = pixels[int(label.top()) + 1:int(label.bottom()) - 1,
                    int(label.center().x()) - 20:int(label.center().x()) + 20]
    stroke = 255 if ink == "bright" else 0
    full_ink = (np.abs(inside - stroke) < 25).all(axis=2)
    assert inside.size and not full_ink.any()
    # Beside the caption, the stroke is there at full strength (the patch is the caption's).
    assert (np.abs(pixels[16, 60] - stroke) < 25).all()


def test_stroke_layers_give_each_stroke_its_points_and_draw_any_of_them_alone(canvas):
    drag(canvas, line(40, 60, 40, 220))
    drag(canvas, line(120, 60, 200, 200), release=False)  # still being drawn: included
    layers = canvas.stroke_layers()
    (first, w1), (second, w2) = layers.strokes
    assert w1 == w2 == canvas.brush_width
    assert first[:, 0].min() == pytest.approx(39, abs=1.5) and first.shape[1] == 2
    assert second[0] == pytest.approx((119, 59), abs=1.5)
    # Drawn alone as the canvas draws them: together they are the drawing.
    both = layers.render([0, 1])
    assert both.shape == (CANVAS_SIZE, CANVAS_SIZE) and both.dtype == np.uint8
    assert np.abs(both.astype(int) - canvas.to_array()).max() <= 2
    alone = layers.render([1])
    assert alone[:, :20].max() == 0 and alone[:, 150:170].max() == 255
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, 200, 200, buttons=NONE)
    canvas.set_ink_image(np.eye(28))  # a loaded image's ink has no strokes
    assert canvas.stroke_layers() is None
