"""Rule lines of lined and squared paper are taken out before the digit is looked for
(engine.rule_lines, called by preprocess_drawing); bars that belong to a drawing stay."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitlab.engine import preprocess as pre
from digitlab.engine import rule_lines as rl

PAPER, LINE, PEN = 245, 190, 30


def ruled(h: int, w: int, spacing: float, *, tone: int = LINE, thick: int = 2,
          tilt: float = 0.0, squared: bool = False, offset: float = 0.4) -> np.ndarray:
    """Paper ``(h, w)`` with rule lines every ``spacing`` px (and columns when
    ``squared``), tilted by ``tilt`` degrees, drawn anti-aliased (4x supersampled)."""
    ss = 4
    image = Image.new("L", (w * ss, h * ss), PAPER)
    draw = ImageDraw.Draw(image)
    slope = np.tan(np.radians(tilt))
    y = offset * spacing
    while y < h + abs(slope) * w:
        draw.line([(0, y * ss), (w * ss, (y + slope * w) * ss)], fill=tone, width=thick * ss)
        y += spacing
    if squared:
        x = offset * spacing
        while x < w + abs(slope) * h:
            draw.line([(x * ss, 0), ((x - slope * h) * ss, h * ss)], fill=tone,
                      width=thick * ss)
            x += spacing
    return np.asarray(image.resize((w, h), Image.BOX)).astype(np.float32)


def write(paper: np.ndarray, digit: np.ndarray, box: tuple[int, int, int]) -> np.ndarray:
    """An MNIST digit (ink bright) written in pen on ``paper`` at ``(y, x, size)``."""
    y, x, size = box
    ink = np.asarray(Image.fromarray(digit).resize((size, size), Image.BILINEAR)) / 255.0
    out = paper.copy()
    region = out[y:y + size, x:x + size]
    out[y:y + size, x:x + size] = np.minimum(region, region * (1 - ink) + PEN * ink)
    return np.clip(out, 0, 255).astype(np.uint8)


def digit_box(digit: np.ndarray, box: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """Where the digit's own ink lies once written at ``box`` (as preprocessing finds it)."""
    alone = write(np.full((box[0] + box[2] + 10, box[1] + box[2] + 10), PAPER, np.float32),
                  digit, box)
    return pre.preprocess_drawing(alone).bbox


def near(a, b, tolerance: int = 8) -> bool:
    """Boxes alike within ``tolerance`` px: a stroke that ends inside a line's band, or runs
    along it, without crossing it, loses the few rows it shares with the band and pad."""
    return a is not None and b is not None and all(
        abs(p - q) <= tolerance for p, q in zip(a, b, strict=True))


CASES = [  # (paper, digit box): lines lighter than the pen, as dark as it, tilted, squared
    (dict(h=260, w=230, spacing=70), (60, 50, 120)),
    (dict(h=200, w=230, spacing=400, offset=0.45), (40, 50, 120)),  # one light line
    (dict(h=260, w=230, spacing=70, tone=90, offset=0.04), (60, 50, 120)),  # one on the edge
    (dict(h=260, w=230, spacing=70, tone=90), (60, 50, 120)),
    (dict(h=300, w=280, spacing=80, tilt=1.7), (80, 60, 130)),
    (dict(h=300, w=280, spacing=60, tilt=-2.5, thick=3), (80, 60, 130)),
    (dict(h=260, w=230, spacing=55, squared=True), (60, 50, 120)),
    (dict(h=260, w=230, spacing=55, squared=True, tilt=1.2, tone=120), (60, 50, 120)),
]


@pytest.mark.parametrize("paper, box", CASES)
def test_a_digit_on_lined_or_squared_paper_is_found_without_the_lines(mnist, paper, box):
    for digit in mnist.x_test[:6]:
        image = write(ruled(**paper), digit, box)
        result = pre.preprocess_drawing(image)
        assert near(result.bbox, digit_box(digit, box)), (paper, result.bbox)


def test_the_lines_were_what_hid_the_digit(mnist, monkeypatch):
    """Without the search, the same pages' boxes run from edge to edge."""
    monkeypatch.setattr(pre, "may_hold_lines", lambda *_: False)
    for paper, box in CASES:
        image = write(ruled(**paper), mnist.x_test[0], box)
        assert not near(pre.preprocess_drawing(image).bbox, digit_box(mnist.x_test[0], box))


def test_a_stroke_crossing_a_line_keeps_its_pixels():
    page = ruled(240, 240, 60)  # lines at rows 24, 84, 144, 204
    page[40:190, 110:118] = PEN  # a "1" crossing two lines
    page = page.astype(np.uint8)
    result = pre.preprocess_drawing(page)
    assert result.bbox == (40, 110, 190, 118)
    assert (result.cropped > 0.5).all(axis=1).all()  # no row of the stroke was cleared


def test_a_digits_bar_lying_on_a_line_stays_with_the_digit():
    """A 7 written hanging from a line: its bar (8 px) lies along the line's rows and
    covers 40 % of its length. The line goes (its tone is the rest of its length's), the
    bar's rows above it stay."""
    page = ruled(240, 240, 60)  # lines at rows 24, 84, 144, 204 (2 px)
    page[137:146, 70:170] = PEN
    page[146:210, 150:158] = PEN
    result = pre.preprocess_drawing(page.astype(np.uint8))
    assert result.bbox is not None
    top, left, bottom, right = result.bbox
    assert abs(top - 137) <= 2 and (left, right) == (70, 170) and bottom >= 204


def test_squared_paper_leaves_no_crossings_behind(mnist):
    image = write(ruled(260, 230, 45, squared=True), mnist.x_test[3], (60, 50, 120))
    result = pre.preprocess_drawing(image)
    assert near(result.bbox, digit_box(mnist.x_test[3], (60, 50, 120)))


def glyph(text: str, size: int = 160, stroke: int = 3, margin: int = 1) -> np.ndarray:
    """``text`` drawn in thin pen strokes (lines) cropped to ``margin`` px around its ink."""
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    s, m = size - 1, 20
    shapes = {
        "=": [[(m, m), (s - m, m)], [(m, s - m), (s - m, s - m)]],
        "#": [[(m, 60), (s - m, 60)], [(m, 100), (s - m, 100)],
              [(60, m), (60, s - m)], [(100, m), (100, s - m)]],
        "11": [[(m, m), (m, s - m)], [(s - m, m), (s - m, s - m)]],
        "T": [[(m, m), (s - m, m)], [(80, m), (80, s - m)]],
        "+": [[(m, 80), (s - m, 80)], [(80, m), (80, s - m)]],
        "Z": [[(m, m), (s - m, m)], [(s - m, m), (m, s - m)], [(m, s - m), (s - m, s - m)]],
        "E": [[(s - m, m), (m, m), (m, s - m), (s - m, s - m)], [(m, 80), (110, 80)]],
        "I": [[(m, m), (s - m, m)], [(80, m), (80, s - m)], [(m, s - m), (s - m, s - m)]],
        # two bars inside the drawing, struck through corner to corner
        "=/": [[(m, 55), (s - m, 55)], [(m, 105), (s - m, 105)], [(s - m - 4, m), (m + 4, s - m)]],
    }
    if text == "-O-":  # an O struck through by a bar longer than it is wide
        draw.ellipse([(40, m), (s - 40, s - m)], outline=0, width=stroke)
        shapes[text] = [[(m, 80), (s - m, 80)]]
    if text == "O between bars":  # bars on the crop's edges, an O between them
        draw.ellipse([(45, 45), (s - 45, s - 45)], outline=0, width=stroke)
        shapes[text] = [[(m, m), (s - m, m)], [(m, s - m), (s - m, s - m)]]
    for points in shapes[text]:
        draw.line(points, fill=0, width=stroke)
    ink = np.asarray(image)
    rows, cols = np.flatnonzero(ink.min(axis=1) < 128), np.flatnonzero(ink.min(axis=0) < 128)
    return ink[max(0, rows[0] - margin):rows[-1] + 1 + margin,
               max(0, cols[0] - margin):cols[-1] + 1 + margin]


@pytest.mark.parametrize("text", ["=", "#", "11", "+", "I", "T", "-O-", "Z", "E", "=/",
                                  "O between bars"])
def test_bars_of_a_drawing_cropped_tightly_are_not_rule_lines(text):
    """Nothing but bands ("=", "#", "11", "+", I); a lone bar (T, an O struck through);
    bars ending where the other strokes do (Z, E, two bars struck through); bars on the
    crop's edges (an O between them): the drawing is read whole."""
    image = glyph(text)
    assert rl.may_hold_lines(pre.preprocess_drawing(image).bbox, image.shape)  # searched
    result = pre.preprocess_drawing(image)
    ink = np.argwhere(image < 128)
    assert near(result.bbox, (*ink.min(axis=0), *(ink.max(axis=0) + 1)), 1), text


def test_the_guards_decide_the_bars_cases(monkeypatch):
    """Each guard, loosened, lets a drawing's bars go as lines: the guards are what keep them."""
    def loses_bars(text):
        image = glyph(text)
        ink = np.argwhere(image < 128)
        return not near(pre.preprocess_drawing(image).bbox,
                        (*ink.min(axis=0), *(ink.max(axis=0) + 1)), 1)

    with monkeypatch.context() as m:
        m.setattr(rl, "MIN_LINES", 1)  # a lone dark bar would do
        assert loses_bars("-O-")
    with monkeypatch.context() as m:
        m.setattr(rl, "LINE_REACH", 0.0)  # bars need not run past the other ink
        assert loses_bars("=/")
    with monkeypatch.context() as m:
        m.setattr(rl._Lines, "inside", lambda *_: True)  # bars on the crop's edge would do
        assert loses_bars("O between bars")


def test_a_line_the_images_edge_cuts_off_goes_with_the_others(mnist, monkeypatch):
    """Lines tilted by 1 degree on a wide photo: the lowest leaves the image through its
    bottom edge, so less of it lies inside (less ink across it than its paper's other
    lines, and under half the width): it goes with them all the same."""
    def boxes():
        for digit in mnist.x_test[:4]:
            image = write(ruled(200, 400, 60, tilt=1.0, offset=0.3), digit, (40, 140, 110))
            yield pre.preprocess_drawing(image).bbox, digit_box(digit, (40, 140, 110))

    assert all(near(found, box) for found, box in boxes())
    monkeypatch.setattr(rl, "_cut_off", lambda *_: False)  # planted: such lines stay
    assert not any(near(found, box) for found, box in boxes())


def wide_page(mnist, h: int, w: int, spacing: float, digits: list[tuple[int, int, int]],
              **paper) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A photo-sized page with MNIST test digits ``(index, y, x)`` 600 px tall written on it,
    and the box of their ink."""
    image = ruled(h, w, spacing, **paper)
    boxes = []
    for k, y, x in digits:
        image = write(image, mnist.x_test[k], (y, x, 600)).astype(np.float32)
        boxes.append(digit_box(mnist.x_test[k], (y, x, 600)))
    box = tuple(f(b[i] for b in boxes) for i, f in enumerate((min, min, max, max)))
    return image.astype(np.uint8), box


def test_the_lines_of_a_wide_photo_are_found_at_their_tilt(mnist, monkeypatch):
    """Three digits on a 2,400 px page tilted 0.87 degree. At full size a line is straight
    only within a few hundredths of a degree of its tilt, so a search in quarter degrees
    there saw the digits' strokes as the fullest rows and missed the lines."""
    image, box = wide_page(mnist, 1200, 2400, 250, [(0, 300, 240), (1, 300, 720),
                                                    (2, 300, 1200)], tilt=0.87, offset=0.3)
    assert near(pre.preprocess_drawing(image).bbox, box)
    monkeypatch.setattr(rl, "COARSE_WIDTH", 10 ** 6)  # planted: quarter degrees at full size
    assert not near(pre.preprocess_drawing(image).bbox, box)


def test_a_wide_photos_lines_are_cleared_to_their_ends(mnist, monkeypatch):
    """A 3,000 px squared page tilted 0.87 degree: found to a quarter degree (0.75), its
    lines drift out of the rows cleared towards the ends, and what is left there stretches
    the box (the page read "not a digit"). (At 0.7 degree the line's neighbouring rows,
    LINE_NEIGHBOURS, now make up for a quarter degree's drift.)"""
    image, box = wide_page(mnist, 2250, 3000, 180, [(0, 700, 1200)], squared=True, tilt=0.87,
                           tone=160)
    assert near(pre.preprocess_drawing(image).bbox, box)
    monkeypatch.setattr(rl, "FINE_DRIFT", 100.0)  # planted: no finer than a quarter degree
    assert not near(pre.preprocess_drawing(image).bbox, box)


def test_a_thin_faint_line_split_between_two_rows_is_found(mnist, monkeypatch):
    """A 1-px faint line (tone 210) on a 660 px page tilted 0.3 degree: straightened by
    whole rows, it lies partly in one row and partly in the next, and neither row alone
    covered enough of its span to be a line, so it stayed ink and stretched the box."""
    paper = ruled(600, 660, 180, tone=210, thick=1, tilt=0.3, offset=0.3)
    image = write(paper, mnist.x_test[3], (150, 250, 300))
    box = digit_box(mnist.x_test[3], (150, 250, 300))
    assert near(pre.preprocess_drawing(image).bbox, box)
    monkeypatch.setattr(rl, "LINE_NEIGHBOURS", 0)  # planted: the line's own rows only
    assert not near(pre.preprocess_drawing(image).bbox, box)


def test_where_a_cut_off_line_crosses_the_other_direction_is_cleared(mnist):
    """Squared paper tilted 0.8 degree: the last horizontal line leaves through the bottom,
    and where it crossed the columns, 2x2 px of each crossing stayed (each clearing keeps
    the stroke crossing it), stretching the box to the page's bottom-left."""
    image, box = wide_page(mnist, 2250, 3000, 180, [(0, 700, 1200)], squared=True, tilt=0.8,
                           tone=160)
    assert near(pre.preprocess_drawing(image).bbox, box)


@pytest.mark.parametrize("index,plant", [(93, ("TILT_STEP", 1.0)), (91, ("FINE_DRIFT", 100.0))])
def test_a_numbers_big_strokes_do_not_hide_the_lines_tilt(mnist, monkeypatch, index, plant):
    """Two of bench_paper's photo-sized squared pages with three digits (seed 993) read
    "not a digit": a number's big strokes make rows of 40 % of the width, and a tilt search
    that looked only at whole degrees first (page 93, tilted 0.58 degree), or at full size
    in quarter degrees and halving steps (page 91, 0.62 degree), found fuller rows in them
    than in a line seen a little off its tilt, so no line was found and the box spanned
    the page."""
    from tests.benchmarks.bench_paper import BIG_SIZES, page  # noqa: PLC0415

    rng = np.random.default_rng(993)
    image = [page(rng, mnist.x_test, mnist.y_test, "squared", 3, False, BIG_SIZES)[0]
             for _ in range(index + 1)][index]

    def spans_the_page() -> bool:
        y0, x0, y1, x1 = pre.preprocess_drawing(image).bbox
        return y1 - y0 >= 0.95 * image.shape[0] or x1 - x0 >= 0.95 * image.shape[1]

    assert not spans_the_page()
    monkeypatch.setattr(rl, *plant)  # planted: the coarser search
    assert spans_the_page()


def test_a_light_line_on_the_images_edge_row_is_no_rule_line(monkeypatch):
    """A drawing cropped to its ink can have a light first or last row (the anti-aliased
    edge of a bar): light as a printed line, but on the image's edge. (Such a border is
    uneven, and the lighting's flattening takes rows along the edge for paper too; it is off
    here, so that the line search alone decides.)"""
    image = np.full((140, 120), 255, np.uint8)
    image[0, :] = image[-1, :] = 215  # light rows on the edges
    image[15:125, 50:66] = 0  # the drawing between them
    monkeypatch.setattr(pre, "UNEVEN_BORDER", 1.0)
    assert pre.preprocess_drawing(image).bbox == (0, 0, 140, 120)
    monkeypatch.setattr(rl, "OFF_EDGE", 0)  # planted: light lines on the edge would do
    assert pre.preprocess_drawing(image).bbox != (0, 0, 140, 120)


def test_small_images_are_not_searched(mnist):
    image = write(ruled(63, 63, 20), mnist.x_test[0], (12, 12, 40))
    assert not rl.may_hold_lines((0, 0, 63, 63), image.shape)
    assert rl.may_hold_lines((0, 0, 64, 64), (64, 64))
    assert pre.preprocess_drawing(image).bbox[1] == 0  # the lines stay: ink edge to edge


@pytest.mark.parametrize("side", [64, 80, 99])
def test_a_small_photo_of_squared_paper_loses_its_lines(mnist, side):
    """A digit photographed close on squared paper, the photo under 100 px a side (seen in
    bench_paper: 4 % of its squared pages, each read "not a digit" for the grid left in)."""
    size = round(0.6 * side)
    for digit in mnist.x_test[:4]:
        box = ((side - size) // 2, (side - size) // 2, size)
        image = write(ruled(side, side, 0.45 * side, squared=True, tone=170, offset=0.1),
                      digit, box)
        assert near(pre.preprocess_drawing(image).bbox, digit_box(digit, box)), side


def straddling_page(mnist) -> np.ndarray:
    """A digit on paper whose rows' lines (1 px of tone 140 from the paper) fall between two
    pixel rows, half in each, so they read light (tone 70), while its one column line falls
    on a pixel column and reads 140: darker than the light-line rule allows, and alone."""
    page = np.full((240, 230), PAPER, np.float32)
    for y in (30, 100, 170):
        page[y:y + 2] = PAPER - 70
    page[:, 200] = PAPER - 140
    return write(page, mnist.x_test[0], (60, 50, 120))


def test_lines_of_one_paper_are_known_however_they_fall_on_the_pixels(mnist, monkeypatch):
    """A line goes with the paper's other lines when it holds as much ink across it, though
    its tone differs where it falls (anti-aliasing: 1-px lines straddling two rows)."""
    image = straddling_page(mnist)
    box = digit_box(mnist.x_test[0], (60, 50, 120))
    assert near(pre.preprocess_drawing(image).bbox, box)
    # planted: lines compared by their tone, as before: the column line stays
    monkeypatch.setattr(rl._Lines, "weight", rl._Lines.tone)
    assert not near(pre.preprocess_drawing(image).bbox, box)


def test_a_blank_ruled_page_is_left_as_it_is():
    """Nothing but lines: nothing is taken out (there is no writing to tell them from)."""
    page = ruled(240, 240, 60).astype(np.uint8)
    result = pre.preprocess_drawing(page)
    assert result.bbox is not None and result.bbox[1] == 0


def test_without_rule_lines_leaves_its_input_alone(mnist):
    image = write(ruled(260, 230, 70), mnist.x_test[1], (60, 50, 120))
    before = image.copy()
    background = float(np.median(image))
    mask = image < background - 20
    out = rl.without_rule_lines(image, mask, image < background - 10, background)
    assert out is not None and out.dtype == image.dtype
    np.testing.assert_array_equal(image, before)


def test_a_number_on_lined_paper_is_read_digit_by_digit(mnist):
    from digitlab.engine.segment import segment_digits  # noqa: PLC0415

    page = ruled(240, 420, 70)
    for k, digit in enumerate(mnist.x_test[:3]):
        page = write(page, digit, (60, 40 + 110 * k, 110)).astype(np.float32)
    result = pre.preprocess_drawing(page.astype(np.uint8))
    assert len(segment_digits(result.cropped)) == 3


def test_faint_traces_that_never_were_ink_are_no_lines(mnist):
    """Rows faint enough to lie under the ink level everywhere (as flattening a photo's
    uneven light can leave) are no rule lines, however long."""
    image = write(ruled(260, 230, 70, tone=236), mnist.x_test[2], (60, 50, 120))  # a 1
    distance = PAPER - image.astype(np.float32)
    peak = float(distance.max())
    mask, faint = distance > 0.1 * peak, distance > 0.03 * peak
    assert faint.mean(axis=1).max() > 0.9 and mask.mean(axis=1).max() < 0.9  # rows, not ink
    assert rl.without_rule_lines(image, mask, faint, PAPER) is None


def test_dashed_rows_across_a_drawing_are_not_printed_lines(mnist):
    """Printed rule lines are solid: two rows of dashes drawn across the page (ink in 60 %
    of their length) stay part of the drawing."""
    image = write(np.full((260, 230), PAPER, np.float32), mnist.x_test[0], (60, 50, 120))
    for y in (30, 220):
        for x in range(0, 230, 20):
            image[y:y + 3, x:x + 12] = PEN
    result = pre.preprocess_drawing(image)
    assert result.bbox == (30, 0, 223, 230)
