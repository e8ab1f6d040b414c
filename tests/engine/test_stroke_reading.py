"""Reading a number by the strokes it was drawn with (engine.stroke_reading)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from digitlab.engine import stroke_reading
from digitlab.engine.gate import SHIPPED_GATE, Gate
from digitlab.engine.inference import Predictor
from digitlab.engine.reading import Reader
from digitlab.engine.stroke_reading import group_strokes, read_by_strokes
from digitlab.engine.strokes import pen_line

needs_gate = pytest.mark.skipif(not SHIPPED_GATE.exists(), reason="no shipped gate")
PEN = 20.0


def oval(cx: float, lean: float = 0.25, cy: float = 140, rx: float = 45, ry: float = 95
         ) -> np.ndarray:
    """A 0 drawn in one stroke from its top, leaning right: ``(48, 2)`` ``(x, y)`` points."""
    t = np.linspace(-np.pi / 2, 1.5 * np.pi, 48)
    return np.stack([cx + rx * np.cos(t) - lean * ry * np.sin(t), cy + ry * np.sin(t)], 1)


def line(*points) -> np.ndarray:
    return np.array(points, np.float64)


def layers(strokes, size=(280, 560)) -> list[np.ndarray]:
    """Each stroke alone, drawn with a round pen as the canvas draws: uint8, ink 255 on 0."""
    out = []
    for points, width in strokes:
        image = Image.new("L", (size[1], size[0]), 0)
        pen_line(ImageDraw.Draw(image), points, width)
        out.append(np.asarray(image))
    return out


class Canvas:
    """Strokes, the drawing they make, and a render that counts its calls."""

    def __init__(self, strokes):
        self.strokes = [(np.asarray(p, np.float64), w) for p, w in strokes]
        self.layers = layers(self.strokes)
        self.drawing = np.max(self.layers, axis=0)
        self.rendered: list[list[int]] = []

    def render(self, indices) -> np.ndarray:
        self.rendered.append(list(indices))
        return np.max([self.layers[i] for i in indices], axis=0)

    def by_strokes(self, reader, ink):
        """:func:`read_by_strokes` of this drawing, whose ink reading is ``ink``."""
        return read_by_strokes(reader, ink, self.strokes, self.render)


#: Two leaning 0s sharing a stretch of ink: one piece of ink, no valley, no path between.
ZEROS = [(oval(120), PEN), (oval(200), PEN)]
#: A V drawn as two lines meeting at the bottom: each line alone passes as a 1.
VEE = [(line((100, 40), (150, 240)), PEN), (line((200, 40), (152, 238)), PEN)]


@pytest.fixture(scope="module")
def reader():
    gate = Gate.load() if SHIPPED_GATE.exists() else None
    return Reader(Predictor.load_shipped(), gate, {"multinomial": 0.9, "dnn": 1.1, "cnn": 1.4})


# ----- grouping ---------------------------------------------------------------------------
def test_strokes_of_one_digit_group_and_digits_side_by_side_do_not():
    four = [(line((60, 40), (30, 150), (130, 150)), PEN), (line((100, 60), (100, 240)), PEN)]
    five = [(line((200, 40), (195, 130), (250, 120), (260, 200), (190, 235)), PEN),
            (line((200, 40), (265, 40)), PEN)]
    seven = [(line((300, 50), (370, 50), (320, 240)), PEN), (line((310, 145), (360, 145)), PEN)]
    assert group_strokes(four + five + seven) == [[0, 1], [2, 3], [4, 5]]
    # The overlapping 0s share a stretch of ink but not half their columns.
    assert group_strokes(ZEROS) == [[0], [1]]


def test_strokes_whose_ends_meet_are_one_figure():
    assert group_strokes(VEE) == [[0, 1]]
    apart = [(line((100, 40), (150, 240)), PEN), (line((230, 40), (185, 238)), PEN)]
    assert group_strokes(apart) == [[0], [1]]  # 35 px between the ends: two strokes


def test_groups_come_left_to_right_whatever_the_drawing_order():
    assert group_strokes(ZEROS[::-1]) == [[1], [0]]


def test_a_stroke_without_points_is_refused():
    with pytest.raises(ValueError, match="without points"):
        group_strokes([(np.zeros((0, 2)), PEN), (line((1, 1), (2, 2)), PEN)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 500), st.floats(0, 500), st.floats(0, 500),
                          st.floats(0, 280), st.floats(1, 48)), min_size=1, max_size=12))
def test_every_stroke_is_in_exactly_one_group(specs):
    strokes = [(line((x0, y), (x1, y + 10), (x2, y)), w) for x0, x1, x2, y, w in specs]
    groups = group_strokes(strokes)
    assert sorted(i for g in groups for i in g) == list(range(len(strokes)))
    assert all(g == sorted(g) for g in groups)


# ----- reading ----------------------------------------------------------------------------
@needs_gate
def test_two_overlapping_zeros_read_as_00_by_their_strokes(reader):
    canvas = Canvas(ZEROS)
    ink = reader.read(canvas.drawing)
    assert ink.number != "00"  # the ink alone: one piece, not a digit
    reading = canvas.by_strokes(reader, ink)
    assert reading.number == "00" and reading.by_strokes and not ink.by_strokes
    assert canvas.rendered == [[0], [1]]
    (left, right) = (d.box for d in reading.digits)
    assert left[1] < right[1] and left[3] < right[3]  # left to right, in the drawing's pixels
    assert 50 <= left[1] <= 80 and 240 <= right[3] <= 280
    assert reading.preprocess is ink.preprocess
    # Each digit's fitted stage is its own ink's (the strip shows it), not the whole's.
    assert all(d.fitted is not None and d.fitted.shape[0] == 20 for d in reading.digits)


@needs_gate
def test_a_vee_in_two_strokes_stays_no_number(reader, monkeypatch):
    canvas = Canvas(VEE)
    ink = reader.read(canvas.drawing)
    assert ink.number is None
    assert canvas.by_strokes(reader, ink) is ink
    # Without the ends rule its two lines are two 1s: "11".
    monkeypatch.setattr(stroke_reading, "ENDS_MEET", 0.0)
    monkeypatch.setattr(stroke_reading, "ENDS_MEET_WIDTH", 0.0)
    assert canvas.by_strokes(reader, ink).number == "11"


@needs_gate
@pytest.mark.parametrize(("guard", "value", "drawn"), [
    ("STROKE_PIECE_SCORE", 1.01, [[0]]),  # each group must score enough as a digit
    ("MAX_STROKES", 1, []),  # more strokes than that are not tried (2 are: the limit)
])
def test_a_guard_that_fails_keeps_the_inks_reading(reader, monkeypatch, guard, value, drawn):
    canvas = Canvas(ZEROS)
    ink = reader.read(canvas.drawing)
    assert canvas.by_strokes(reader, ink).number == "00"
    canvas.rendered.clear()
    monkeypatch.setattr(stroke_reading, guard, value)
    assert canvas.by_strokes(reader, ink) is ink
    assert canvas.rendered == drawn


@needs_gate
def test_a_short_group_is_no_digit_of_the_number(reader, monkeypatch):
    # A 0 and, touching it, a stroke 0.6 of its height: a row to looks_like_a_row (>= 0.5),
    # too short for a digit drawn beside it (STROKE_PIECE_HEIGHT).
    strokes = [(oval(120, lean=0.0), PEN), (line((185, 100), (185, 215)), PEN)]
    canvas = Canvas(strokes)
    ink = reader.read(canvas.drawing)
    assert canvas.by_strokes(reader, ink).number != "01"
    monkeypatch.setattr(stroke_reading, "STROKE_PIECE_HEIGHT", 0.5)
    assert canvas.by_strokes(reader, ink).number == "01"


@pytest.mark.parametrize("four", [False, True])
def test_a_number_the_ink_reads_whole_is_kept_without_drawing_a_stroke(reader, four):
    # Two 0s apart, in two strokes; or a 4 in two strokes and a 0: three strokes, two groups.
    strokes = [(oval(300, lean=0.0), PEN)]
    strokes += [(line((100, 50), (60, 170), (170, 170)), PEN), (line((140, 90), (140, 240)), PEN)
                ] if four else [(oval(100, lean=0.0), PEN)]
    canvas = Canvas(strokes)
    ink = reader.read(canvas.drawing)
    assert ink.number == ("40" if four else "00")
    assert canvas.by_strokes(reader, ink) is ink
    assert canvas.rendered == []


@needs_gate
def test_groups_that_are_no_row_are_no_number(reader, monkeypatch):
    # Two small 0s, one up and one down a step, touching at a corner: no row.
    strokes = [(oval(120, lean=0.0, cy=72, rx=32, ry=62), PEN),
               (oval(178, lean=0.0, cy=200, rx=32, ry=62), PEN)]
    canvas = Canvas(strokes)
    ink = reader.read(canvas.drawing)
    assert canvas.by_strokes(reader, ink) is ink
    monkeypatch.setattr(stroke_reading, "looks_like_a_row", lambda boxes: True)
    assert canvas.by_strokes(reader, ink).number == "00"


def test_an_empty_drawing_stays_empty(reader):
    canvas = Canvas(ZEROS)
    empty = reader.read(np.zeros_like(canvas.drawing))
    assert canvas.by_strokes(reader, empty) is empty
    assert canvas.rendered == []
