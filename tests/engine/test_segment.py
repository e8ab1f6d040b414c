"""Finding the digits of a number (engine.segment): merging, splitting (see also
test_components)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from digitlab.engine.gate_data import compose_number
from digitlab.engine.fit_box import center_by_mass
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.segment import (label_components, segment_digits, segment_masks,
                                     segment_pieces)
from digitlab.engine.segment_cuts import Memo, _tall_cuts, mask_box, split_group, to_image28


def crop_of(image: np.ndarray) -> np.ndarray:
    return preprocess_drawing(image).cropped


def strokes_image(strokes, size=(200, 400), width=12) -> np.ndarray:
    img = Image.new("L", (size[1], size[0]), 0)
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        if len(stroke) == 1:  # a dot
            (x, y), r = stroke[0], width
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        else:
            draw.line(stroke, fill=255, width=width, joint="curve")
    return np.asarray(img)


FIVE_WITH_LOOSE_BAR = [
    [(60, 60), (55, 100), (80, 95), (100, 110), (102, 135), (85, 150), (55, 145)],
    [(70, 40), (110, 38)],  # the top bar, drawn separately, not touching
]
FOUR_IN_TWO_STROKES = [
    [(230, 40), (205, 110), (270, 110)],  # the open "L" of a 4
    [(262, 60), (258, 160)],  # the down stroke, not touching
]
I_WITH_DOT = [[(350, 80), (350, 160)], [(350, 50)]]


def test_pieces_of_one_digit_are_merged_and_neighbours_kept_apart():
    image = strokes_image(FIVE_WITH_LOOSE_BAR + FOUR_IN_TWO_STROKES + I_WITH_DOT)
    segments = segment_digits(crop_of(image))
    assert len(segments) == 3
    lefts = [s.box[1] for s in segments]
    assert lefts == sorted(lefts)
    # Each box holds the whole of its strokes: the 5's bar, the 4's down stroke, the dot.
    offset_y, offset_x = preprocess_drawing(image).bbox[:2]
    boxes = [(y0 + offset_y, x0 + offset_x, y1 + offset_y, x1 + offset_x)
             for y0, x0, y1, x1 in (s.box for s in segments)]
    assert boxes[0][2] - boxes[0][0] > 100  # bar (y 38) to the bottom (y 150)
    assert boxes[1][1] < 210 and boxes[1][3] > 260
    assert boxes[2][0] < 45  # the dot at y 50 belongs to the stroke below it
    for s in segments:
        assert s.image28.shape == (28, 28) and s.image28.max() == pytest.approx(1.0)


def test_numbers_with_natural_spacing_are_cut_into_their_digits(mnist):
    rng = np.random.default_rng(3)
    right = 0
    trials = 60
    for _ in range(trials):
        k = int(rng.integers(2, 5))
        idx = rng.integers(len(mnist.x_test), size=k)
        image, truth = compose_number(list(mnist.x_test[idx]), rng, gap_range=(0.15, 0.5))
        segments = segment_digits(crop_of(image))
        right += len(segments) == k
    assert right >= trials - 2


def test_a_single_digit_is_one_segment(mnist):
    for digit in mnist.x_test[:100]:
        big = np.asarray(Image.fromarray(digit).resize((280, 280), Image.BILINEAR))
        assert len(segment_digits(crop_of(big))) == 1


def test_touching_digits_are_split_where_the_scorer_likes_the_pieces(mnist):
    """Two digits overlapping by a few pixels: one component; the valley cut splits them."""
    from digitlab.engine.gate import SHIPPED_GATE, Gate

    if not SHIPPED_GATE.exists():
        pytest.skip("no shipped gate")
    gate = Gate.load()
    rng = np.random.default_rng(5)
    touching = split = 0
    for _ in range(40):
        idx = rng.integers(len(mnist.x_test), size=2)
        image, _ = compose_number(list(mnist.x_test[idx]), rng, gap_range=(-0.1, -0.04))
        crop = crop_of(image)
        if len(segment_digits(crop)) != 1:
            continue  # their boxes overlap but the strokes do not touch
        touching += 1
        split += len(segment_digits(crop, gate.scores, gate.threshold)) == 2
    assert touching >= 15
    # A drawing that is one piece of ink is cut only into near-certain digits
    # (BLOB_CUT_SCORE 0.9): some heavily overlapping pairs stay whole (of 170 such pairs,
    # 53 % are cut; 72 % with 0.5 and 81 % with 0.15, which let letters through as "11").
    assert split >= 0.4 * touching


def test_no_ink_no_segments_and_bad_shapes_refused():
    assert segment_digits(np.zeros((10, 10), np.float32)) == []
    with pytest.raises(ValueError, match=r"\(3, 4, 5\)"):
        segment_digits(np.zeros((3, 4, 5)))


def test_three_touching_digits_are_cut_one_digit_at_a_time(mnist):
    """Three digits in one component: no cut gives two digits, so a cut that leaves one
    digit and a piece wide enough for more is taken, and the wide piece is cut again."""
    from digitlab.engine.gate import SHIPPED_GATE, Gate

    if not SHIPPED_GATE.exists():
        pytest.skip("no shipped gate")
    gate = Gate.load()
    threshold = gate.threshold  # as the reader segments
    rng = np.random.default_rng(7)
    touching = split = 0
    for _ in range(40):
        idx = rng.integers(len(mnist.x_test), size=3)
        image, _ = compose_number(list(mnist.x_test[idx]), rng, gap_range=(-0.1, -0.04))
        crop = crop_of(image)
        if len(segment_digits(crop)) != 1:
            continue  # the strokes do not all touch
        touching += 1
        # The cutting itself, as inside a drawing of several pieces (CUT_SCORE); a lone
        # blob also needs BLOB_CUT_SCORE (see the blob test below).
        split += len(split_group(crop > 0, Memo(crop, gate.scores), threshold)) == 3
    assert touching >= 15
    # Cutting only where both halves pass split none of these (0 of 25 on this seed).
    assert split >= 0.4 * touching


def upright_scorer(score: float):
    """A scorer that gives ``score`` to any image at least as tall as wide and 0 to wider
    ones (the whole of two touching blobs): the pieces' scores are set by the test."""
    def scores(images: np.ndarray) -> np.ndarray:
        out = []
        for image in images:
            rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
            tall = rows[-1] - rows[0] >= cols[-1] - cols[0]
            out.append(score if tall else 0.0)
        return np.array(out)
    return scores


def two_touching_rings() -> np.ndarray:
    """Two 0-like rings joined by a short bar: one piece of ink, wide (about 2.2 x its height)."""
    return strokes_image([[(40, 40), (90, 40), (90, 140), (40, 140), (40, 40)],
                          [(90, 90), (130, 90)],
                          [(130, 40), (180, 40), (180, 140), (130, 140), (130, 40)]])


@pytest.mark.parametrize("piece_score,pieces", [(0.3, 2), (0.7, 3)])
def test_a_cut_inside_connected_ink_needs_both_pieces_clearly_digits(piece_score, pieces):
    # Two touching rings beside a third: the pair is rejected (score 0). Pieces a scorer
    # merely lets through (0.3 >= the threshold 0.01) are not enough to cut connected ink
    # (a letter's strokes score so); pieces more likely digits than not (>= CUT_SCORE) are.
    image = two_touching_rings().copy()
    image[:, 200:] = strokes_image([[(230, 40), (280, 40), (280, 140), (230, 140),
                                     (230, 40)]])[:, 200:]
    crop = crop_of(image)
    assert len(segment_digits(crop)) == 2  # the touching pair and the lone ring
    assert len(segment_digits(crop, upright_scorer(piece_score), 0.01)) == pieces
    assert len(segment_pieces(crop, upright_scorer(piece_score), 0.01)) == pieces


@pytest.mark.parametrize("piece_score,pieces", [(0.7, 1), (0.95, 2)])
def test_a_drawing_of_one_piece_of_ink_is_cut_only_into_near_certain_digits(piece_score,
                                                                            pieces):
    # All the ink is one piece (a u, a V, a check mark drawn without lifting the pen cut
    # into strokes that pass as 1s): its pieces need BLOB_CUT_SCORE (0.9), not CUT_SCORE.
    crop = crop_of(two_touching_rings())
    assert len(segment_digits(crop)) == 1  # one component
    assert len(segment_digits(crop, upright_scorer(piece_score), 0.01)) == pieces
    assert len(segment_pieces(crop, upright_scorer(piece_score), 0.01)) == pieces


@pytest.mark.parametrize("top,pieces", [(80, 1), (60, 2)])
def test_a_drawing_of_one_piece_is_cut_only_into_pieces_of_near_its_height(top, pieces):
    # A ring (rows 40-140) joined by a bar to a smaller ring beside it. Cut apart, both
    # score 0.95, but a piece under BLOB_CUT_HEIGHT (3/4) of the drawing's height is a
    # letter's leg (an A cut into "14" in the app), not a digit the writer put beside another.
    image = strokes_image([[(40, 40), (90, 40), (90, 140), (40, 140), (40, 40)],
                           [(90, 120), (130, 120)],
                           [(130, top), (170, top), (170, 140), (130, 140), (130, top)]])
    crop = crop_of(image)
    assert len(segment_digits(crop)) == 1  # one component
    assert len(segment_pieces(crop, upright_scorer(0.95), 0.01)) == pieces


def test_a_cut_leaves_no_piece_under_half_the_group_height_even_when_the_scorer_likes_it():
    # The rule itself (CUT_HEIGHT), with a scorer that rejects only the whole and likes
    # every piece: a ring with a long low tail, whose projection's valleys lie in the
    # tail. Cut there, the tail's end is a piece a fifth of the group's height.
    ink = np.zeros((60, 120), np.float32)
    ink[5:55, 5:9] = ink[5:55, 41:45] = 1.0  # the ring's sides
    ink[5:9, 5:45] = ink[51:55, 5:45] = 1.0  # its top and bottom
    ink[51:55, 45:112] = 1.0  # the tail, along the bottom
    ink[42:55, 108:112] = 1.0  # its end, turned up: 13 rows of the group's 50
    group = ink > 0
    whole = to_image28(group, ink)

    def all_but_the_whole(images: np.ndarray) -> np.ndarray:
        return np.array([0.0 if np.array_equal(im, whole) else 0.9 for im in images])

    parts = split_group(group, Memo(ink, all_but_the_whole), 0.01)
    heights = [mask_box(m)[2] - mask_box(m)[0] for m, _ in parts]
    assert min(heights) >= 25, heights


def test_cut_pieces_are_marked_and_separate_pieces_are_not():
    cut = segment_pieces(crop_of(two_touching_rings()), upright_scorer(0.95), 0.01)
    assert [p.cut for p in cut] == [True, True]
    apart = strokes_image([[(40, 40), (90, 40), (90, 140), (40, 140), (40, 40)],
                           [(150, 40), (200, 40), (200, 140), (150, 140), (150, 40)]])
    separate = segment_pieces(crop_of(apart), upright_scorer(0.9), 0.01)
    assert [p.cut for p in separate] == [False, False]
    assert all(p.score == pytest.approx(0.9) for p in separate)


@pytest.mark.parametrize("drawing", ["cut", "merged"])
def test_each_piece_carries_its_own_fit_the_stage_before_its_image28(drawing):
    image = (two_touching_rings() if drawing == "cut"
             else strokes_image(FIVE_WITH_LOOSE_BAR + FOUR_IN_TWO_STROKES))
    pieces = segment_pieces(crop_of(image), upright_scorer(0.95), 0.01)
    assert len(pieces) == 2 and [p.cut for p in pieces] == [drawing == "cut"] * 2
    for piece in pieces:
        assert piece.fitted.dtype == np.float32 and max(piece.fitted.shape) == 20
        np.testing.assert_array_equal(center_by_mass(piece.fitted), piece.image28)


@pytest.mark.parametrize(("pen", "widened"), [(2, True), (12, False)])
def test_each_piece_says_whether_its_fine_strokes_were_thickened_before_its_fit(pen, widened):
    # Two boxes 100 px tall: a 2 px pen is 0.4 px at 20 px (thickened), a 12 px pen 2.4 px.
    apart = strokes_image([[(40, 40), (90, 40), (90, 140), (40, 140), (40, 40)],
                           [(150, 40), (200, 40), (200, 140), (150, 140), (150, 40)]],
                          width=pen)
    pieces = segment_pieces(crop_of(apart), upright_scorer(0.9), 0.01)
    assert [p.widened for p in pieces] == [widened, widened]
    for piece in pieces:  # widened strokes carry an MNIST-like share of the box's ink
        assert (piece.fitted > 0.5).mean() > 0.4  # 0.28 unthickened


def test_a_cut_never_leaves_a_sliver_shorter_than_half_the_group():
    # A ring with a short hook at its bottom right: wide, rejected as a whole, and its
    # lowest valley is inside the hook. The hook alone would score 0.9 with this scorer,
    # but a piece a quarter of the height is no digit of a number.
    ring_with_hook = strokes_image([[(40, 40), (100, 40), (100, 140), (40, 140), (40, 40)],
                                    [(100, 140), (175, 140), (175, 115), (150, 115)]])
    crop = crop_of(ring_with_hook)
    h, w = crop.shape
    assert w > 1.1 * h  # wide enough to be tried
    assert len(segment_digits(crop, upright_scorer(0.9), 0.01)) == 1


def test_pieces_the_grid_joined_but_that_do_not_touch_are_separated_as_separate_pieces():
    # Two rings 3 px apart: one piece on the coarse grid, but a column without ink lies
    # between them, so separating them cuts no ink: the threshold (0.01) is enough, not
    # CUT_SCORE, and the pieces are not marked as cut.
    close = strokes_image([[(40, 40), (90, 40), (90, 140), (40, 140), (40, 40)],
                           [(105, 40), (155, 40), (155, 140), (105, 140), (105, 40)]])
    crop = crop_of(close)
    assert len(segment_digits(crop)) == 1  # joined on the grid
    pieces = segment_pieces(crop, upright_scorer(0.3), 0.01)
    assert [p.cut for p in pieces] == [False, False]


FIVE_WITH_BAR_TO_THE_RIGHT = [
    [(60, 60), (55, 100), (80, 95), (100, 110), (102, 135), (85, 150), (55, 145)],
    [(90, 40), (150, 38)],  # the bar, lifted off and mostly right of the body
]
ONE_AT = [[(230, 40), (226, 150)]]


@pytest.mark.parametrize("scored", [False, True])
def test_a_piece_too_short_for_the_row_joins_the_digit_beside_it(scored):
    # The 5's bar shares a third of its columns with the body (too few to merge by
    # overlap) and is a fifth of the row's height: no digit of the number. It joins the
    # 5 instead of breaking the row (the reader would judge "51" as one drawing).
    image = strokes_image(FIVE_WITH_BAR_TO_THE_RIGHT + ONE_AT)
    crop = crop_of(image)
    scorer = upright_scorer(0.9) if scored else None
    pieces = segment_pieces(crop, scorer, 0.01)
    assert len(pieces) == 2
    top = preprocess_drawing(image).bbox[0]
    assert pieces[0].box[0] + top < 45  # the bar (y 38-40) is in the 5's box
    assert pieces[0].box[3] > pieces[1].box[1] - 80  # ...and so is its right end


def test_a_short_piece_far_from_every_digit_is_not_joined():
    # A dash half the row's height away from the nearest digit belongs to none of them.
    image = strokes_image(FIVE_WITH_LOOSE_BAR + ONE_AT + [[(300, 95), (340, 95)]])
    pieces = segment_pieces(crop_of(image), upright_scorer(0.9), 0.01)
    assert [p.box[2] - p.box[0] < 20 for p in pieces] == [False, False, True]


def width_scorer(wide: float, narrow: float):
    """A scorer that gives ``wide`` to images inked over more than 14 of their 28 columns
    (the whole of a ring and a stroke joined) and ``narrow`` to narrower ones (a piece)."""
    def scores(images: np.ndarray) -> np.ndarray:
        return np.array([wide if (im > 0).any(axis=0).sum() > 14 else narrow for im in images])
    return scores


def ring_joined_to_a_stroke_and_a_ring() -> np.ndarray:
    """A ring joined by a bar to a stroke beside it (narrow: 0.85 x its height), and a ring."""
    return strokes_image([[(40, 40), (90, 40), (90, 140), (40, 140), (40, 40)],
                          [(90, 90), (110, 90)], [(110, 40), (110, 140)],
                          [(230, 40), (280, 40), (280, 140), (230, 140), (230, 40)]])


@pytest.mark.parametrize("whole,piece,pieces", [(0.2, 0.95, 3), (0.2, 0.7, 2), (0.6, 0.95, 2)])
def test_a_narrow_group_the_scorer_doubts_is_cut_into_near_certain_digits(whole, piece, pieces):
    # A 1 leaning on a 4 is narrow, and the scorer may still accept the pair (at 0.2,
    # above the threshold 0.01): such a doubted whole is searched for cuts as a rejected
    # one, and cut through ink only into near-certain digits (DOUBT_CUT_SCORE 0.9). A
    # whole it is sure of (0.6) is only cut at a thin bridge, and the bar is not one.
    crop = crop_of(ring_joined_to_a_stroke_and_a_ring())
    assert len(segment_pieces(crop, width_scorer(whole, piece), 0.01)) == pieces


def test_a_doubted_group_is_not_cut_into_pieces_of_different_heights():
    # As above with the whole at 0.2 and pieces at 0.95, but the stroke spans only the
    # lower 60 % of a block (solid, so no cut through it is cheap): pieces offset in
    # height (as a slanted 0 or 8 cuts) are not two digits side by side (DOUBT_HEIGHT).
    image = strokes_image([[(90, 110), (130, 110)], [(130, 80), (130, 140)],
                           [(230, 40), (280, 40), (280, 140), (230, 140), (230, 40)]]).copy()
    image[40:141, 40:91] = 255
    assert len(segment_pieces(crop_of(image), width_scorer(0.2, 0.95), 0.01)) == 2
    # The same stroke spanning the block's height is cut off.
    image[40:80, 124:137] = 255
    assert len(segment_pieces(crop_of(image), width_scorer(0.2, 0.95), 0.01)) == 3


def test_pieces_of_ink_the_grid_joined_with_no_empty_column_between_are_split():
    # A ring and a slanted stroke whose foot passes beside the ring without touching it:
    # one piece on the coarse grid, and no column without ink between them (a slanted 1
    # close to a 6), so every straight cut leaves a fragment of one with the other. The
    # split follows the gap: each piece is exactly one of the two pieces of ink.
    image = strokes_image([[(42, 40), (80, 40), (80, 100), (42, 100), (42, 40)],
                           [(116, 40), (78, 150)]])
    crop = crop_of(image)
    assert len(segment_digits(crop)) == 1  # joined on the grid
    inked = np.flatnonzero((crop > 0).any(axis=0))
    assert len(inked) == inked[-1] - inked[0] + 1  # no empty column
    labels, n = label_components(crop > 0)
    assert n == 2
    masks = segment_masks(crop, width_scorer(0.0, 0.95), 0.01)
    assert [set(np.unique(labels[m])) for m in masks] == [{1}, {2}]
    # Pieces found so need what a cut's pieces need (a 4 in two strokes is one digit):
    # here the drawing is one piece on the grid, so BLOB_CUT_SCORE.
    assert len(segment_masks(crop, width_scorer(0.0, 0.7), 0.01)) == 1


PERCENT = [[(50, 40), (70, 40), (70, 70), (50, 70), (50, 40)], [(120, 40), (90, 150)],
           [(130, 120), (150, 120), (150, 150), (130, 150), (130, 120)]]


def test_short_pieces_beside_a_lone_tall_piece_are_not_joined():
    # A % sign: two rings a third of the slash's height, near it but not over its
    # columns. With one tall piece there is no row of digits for them to be fragments of:
    # they stay apart, and the reader judges the drawing whole (it was read "96").
    assert len(segment_pieces(crop_of(strokes_image(PERCENT)), upright_scorer(0.95), 0.01)) == 3


def test_a_digit_a_short_piece_joined_is_not_cut_again():
    # The same % before a 1: a row, so the rings join the slash; the join is one drawing
    # and is not cut again into digit-like pieces (it is rejected as a whole here).
    image = strokes_image(PERCENT + [[(260, 40), (256, 150)]])
    pieces = segment_pieces(crop_of(image), width_scorer(0.0, 0.95), 0.01)
    assert len(pieces) == 2
    assert pieces[0].box[3] - pieces[0].box[1] > 100  # both rings and the slash


def test_group_masks_are_their_labels_ink():
    """A group's mask is the ink of the grid cells holding its labels, within its box (one
    label by a compare, several by a lookup table: both against the plain definition)."""
    from digitlab.engine.segment import _components, _Group
    rng = np.random.default_rng(5)
    tried = 0
    for _ in range(20):
        ink = (rng.random((int(rng.integers(60, 140)), int(rng.integers(60, 300)))) < 0.004)
        ink = np.asarray(Image.fromarray(ink.astype(np.uint8) * 255).resize(
            (ink.shape[1], ink.shape[0]), Image.BOX).filter(ImageFilter.MaxFilter(5))) / 255.0
        grid, pieces = _components(ink.astype(np.float32))
        h, w = ink.shape
        cells = grid.labels.repeat(grid.f, axis=0).repeat(grid.f, axis=1)[:h, :w]
        groups = pieces + [_Group(a.labels + b.labels, (min(a.box[0], b.box[0]),
                                                        min(a.box[1], b.box[1]),
                                                        max(a.box[2], b.box[2]),
                                                        max(a.box[3], b.box[3])), 0.0)
                           for a, b in zip(pieces[::2], pieces[1::2], strict=False)]
        for group in groups:
            y0, x0, y1, x1 = group.box
            expected = np.zeros(ink.shape, bool)
            inside = np.isin(cells[y0:y1, x0:x1], group.labels)
            expected[y0:y1, x0:x1] = inside & grid.mask[y0:y1, x0:x1]
            assert np.array_equal(grid.group_mask(group), expected)
            tried += 1
    assert tried > 150


@pytest.mark.parametrize("leg_top,leg_width,kept", [(20, 10, True), (50, 10, False),
                                                    (50, 40, True), (80, 40, False)])
def test_a_stroke_cut_off_must_span_three_quarters_of_the_group(leg_top, leg_width, kept):
    # A group 100 rows tall: a leg at its left (rows leg_top..99, leg_width columns) and a
    # block beside it, cut between them. Any piece needs half the height; a stroke (at
    # most half as wide as tall: an A's leg, which passes as a 1) needs three quarters.
    rows = np.zeros((100, 120), bool)
    rows[leg_top:, :leg_width] = True
    rows[:, leg_width + 5:] = True
    assert bool(_tall_cuts(rows, 300, [(300 + leg_width + 2, 0.5)], 50.0)) == kept
