"""Writing in a printed box (an answer box, a form's field, a comb of boxes) is read
inside the box (engine.printed_boxes.frame_inset / frame_walls, called by
preprocess_drawing); boxes drawn by hand, empty or with heavy sides stay the drawing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitlab.engine import preprocess as pre
from digitlab.engine import printed_boxes as pb

PAPER, PEN = 245, 30


def write(page: np.ndarray, digit: np.ndarray, y: int, x: int, size: int) -> np.ndarray:
    """An MNIST digit (ink bright) written in pen on ``page`` (float) at ``(y, x)``."""
    ink = np.asarray(Image.fromarray(digit).resize((size, size), Image.BILINEAR)) / 255.0
    region = page[y:y + size, x:x + size]
    page[y:y + size, x:x + size] = np.minimum(region, region * (1 - ink) + PEN * ink)
    return page


def boxed(digit: np.ndarray, tone: int = 60, side: int = 2, box: int = 150,
          margin: int = 25) -> np.ndarray:
    """A digit 110 px tall in a printed box ``box`` px wide, ``side`` px sides."""
    n = box + 2 * margin
    page = np.full((n, n), PAPER, np.float32)
    a, b = margin, margin + box
    page[a:b, a:a + side] = page[a:b, b - side:b] = tone
    page[a:a + side, a:b] = page[b - side:b, a:b] = tone
    return write(page, digit, margin + 20, margin + 20, 110).astype(np.uint8)


def alone(digit: np.ndarray, n: int = 200) -> tuple[int, int, int, int]:
    """The box preprocessing finds for the same digit written without the printed box."""
    page = write(np.full((n, n), PAPER, np.float32), digit, 45, 45, 110)
    return pre.preprocess_drawing(page.astype(np.uint8)).bbox


@pytest.mark.parametrize("tone, side", [(60, 1), (60, 3), (60, 6), (180, 2)])
def test_a_digit_in_a_printed_box_is_read_inside_it(mnist, tone, side):
    for digit in mnist.x_test[:5]:
        result = pre.preprocess_drawing(boxed(digit, tone, side))
        assert result.bbox == alone(digit), (tone, side)


def test_without_the_box_rule_the_box_was_the_drawing(mnist, monkeypatch):
    monkeypatch.setattr(pre, "frame_inset", lambda _: None)
    assert pre.preprocess_drawing(boxed(mnist.x_test[0])).bbox == (25, 25, 175, 175)


def comb(digits, tone: int = 60) -> np.ndarray:
    """Digits in a comb of printed boxes 90 px wide, one box each (inside, under the 100 px
    that the rule-line search needs: the comb's walls are its own business)."""
    box, margin = 90, 20
    page = np.full((box + 2 * margin, len(digits) * box + 2 * margin), PAPER, np.float32)
    top, bottom = margin, margin + box
    page[top:top + 2, margin:margin + len(digits) * box] = tone
    page[bottom - 2:bottom, margin:margin + len(digits) * box] = tone
    for k in range(len(digits) + 1):
        x = margin + k * box - (2 if k == len(digits) else 0)
        page[top:bottom, x:x + 2] = tone
    for k, digit in enumerate(digits):
        write(page, digit, top + 12, margin + k * box + 12, 66)
    return page.astype(np.uint8)


def test_a_number_in_a_comb_of_boxes_is_read_without_the_walls(mnist):
    from digitlab.engine.segment import segment_digits  # noqa: PLC0415

    page = comb(mnist.x_test[:3])
    result = pre.preprocess_drawing(page)
    pieces = segment_digits(result.cropped)
    assert len(pieces) == 3
    assert result.bbox[1] > 20 + 2 and result.bbox[3] < 20 + 3 * 90 - 2  # no outer wall


def test_an_empty_box_and_a_heavy_frame_stay_the_drawing(mnist):
    empty = boxed(np.zeros((28, 28), np.uint8))
    assert pre.preprocess_drawing(empty).bbox == (25, 25, 175, 175)
    heavy = boxed(mnist.x_test[0], side=18)  # sides 12 % of the box: a drawn frame
    assert pre.preprocess_drawing(heavy).bbox == (25, 25, 175, 175)


def hand_drawn_square(digit: np.ndarray, wobble: float, seed: int = 0) -> np.ndarray:
    """A square drawn around a digit by hand: its sides wander by ``wobble`` of the side."""
    rng = np.random.default_rng(seed)
    image = Image.new("L", (200, 200), PAPER)
    draw = ImageDraw.Draw(image)
    corners = [(25, 25), (175, 25), (175, 175), (25, 175), (25, 25)]
    for (xa, ya), (xb, yb) in zip(corners[:-1], corners[1:], strict=False):
        t = np.linspace(0, 1, 12)
        bend = np.sin(np.pi * t) * wobble * 150 * rng.choice([-1, 1])
        xs, ys = xa + (xb - xa) * t, ya + (yb - ya) * t
        if ya == yb:
            ys = ys + bend
        else:
            xs = xs + bend
        draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=PEN, width=3)
    page = np.asarray(image).astype(np.float32)
    return write(page, digit, 45, 45, 110).astype(np.uint8)


def test_a_square_drawn_by_hand_around_a_digit_is_part_of_the_drawing(mnist):
    image = hand_drawn_square(mnist.x_test[0], wobble=0.06)
    assert pre.preprocess_drawing(image).bbox != alone(mnist.x_test[0])


def test_a_box_open_on_one_side_and_a_small_box_are_no_printed_boxes(mnist):
    open_top = boxed(mnist.x_test[0])
    open_top[25:27, 25:175] = PAPER  # a U around the digit
    assert pre.preprocess_drawing(open_top).bbox[0] < 45
    small = np.full((60, 60), PAPER, np.uint8)
    small[10:48, 10:12] = small[10:48, 46:48] = small[10:12, 10:48] = small[46:48, 10:48] = 60
    small[18:40, 27:31] = PEN  # a 1 in a box 38 px wide
    assert pre.preprocess_drawing(small).bbox == (10, 10, 48, 48)


def test_a_tall_one_in_its_box_is_no_inner_wall(mnist):
    """A 1 written from the box's top to its bottom spans it like a wall, but a pen's
    stroke is wider than a printed wall."""
    page = np.full((200, 200), PAPER, np.float32)
    page[25:175, 25:27] = page[25:175, 173:175] = page[25:27, 25:175] = page[173:175, 25:175] = 60
    page[29:171, 95:106] = PEN  # 11 px wide, 95 % of the inside
    result = pre.preprocess_drawing(page.astype(np.uint8))
    assert result.bbox == (29, 95, 171, 106)


def test_the_guards_decide(mnist, monkeypatch):
    """Each guard, loosened, takes a drawing for a printed box: the guards are what keep it."""
    with monkeypatch.context() as m:
        m.setattr(pb, "FRAME_THICK", 0.3)  # a wandering side would do
        image = hand_drawn_square(mnist.x_test[0], wobble=0.06)
        assert pre.preprocess_drawing(image).bbox == alone(mnist.x_test[0])
    with monkeypatch.context() as m:
        m.setattr(pb, "FRAME_COVER", 0.0)  # an open side would do
        open_top = boxed(mnist.x_test[0])
        open_top[25:27, 25:175] = PAPER
        assert pre.preprocess_drawing(open_top).bbox[0] >= 45
    with monkeypatch.context() as m:
        m.setattr(pb, "FRAME_MIN_SIDE", 10)  # a 38 px box would do
        small = np.full((60, 60), PAPER, np.uint8)
        small[10:48, 10:12] = small[10:48, 46:48] = small[10:12, 10:48] = 60
        small[46:48, 10:48] = 60
        small[18:40, 27:31] = PEN
        assert pre.preprocess_drawing(small).bbox != (10, 10, 48, 48)
    with monkeypatch.context() as m:
        m.setattr(pb, "FRAME_PAST", 1.0)  # the row past a side may be full: heavy sides do
        heavy = boxed(mnist.x_test[0], side=18)
        assert pre.preprocess_drawing(heavy).bbox != (25, 25, 175, 175)
