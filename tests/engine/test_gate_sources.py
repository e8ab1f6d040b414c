"""The gate's data sources: Hershey stroke fonts, doodles, handwriting fonts, and their split."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine import gate_data, hershey
from digitlab.engine.doodles import (CONVEX_OUTLINES, DOODLES, MAX_SOLIDITY, OUTLINES,
                                     convex_hull, solidity)
from digitlab.engine.gate_training import by_source, is_held_out
from digitlab.engine.strokes import SCRAWLS, SHAPES

# Two glyphs in Hershey's format: "12345" number, vertex count, left/right, pairs
# (offsets from 'R'); " R" lifts the pen. The second is wrapped onto a second line.
_TWO_GLYPHS = ("12345  6JZNFNM RVFVM\n"
               "12345  9MWRFRT RRYQZ\nR[SZRY\n")


def test_jhf_records_split_strokes_at_pen_up_and_follow_wrapped_lines():
    glyphs = hershey.parse_jhf(_TWO_GLYPHS)
    assert len(glyphs) == 2
    first = glyphs[0]
    assert [s.tolist() for s in first] == [[[-4, -12], [-4, -5]], [[4, -12], [4, -5]]]
    # 8 pairs: (0,-12)-(0,2), pen up, then a 5-point stroke closing on its start.
    assert [len(s) for s in glyphs[1]] == [2, 5]
    assert glyphs[1][1][-1].tolist() == [0, 7]


def test_a_record_shorter_than_its_header_is_refused_quoting_it():
    with pytest.raises(ValueError, match="12345  9MWRF"):
        hershey.parse_jhf("12345  9MWRFRT\n")
    with pytest.raises(ValueError, match="vertex count"):
        hershey.parse_jhf("abcde  9MWRFRT RRYQZR[SZRY\n")


def _font_of(**glyphs) -> dict:
    return {char: [np.asarray(s, float) for s in strokes] for char, strokes in glyphs.items()}


def test_negatives_leave_out_digit_places_lines_loops_and_specks():
    t = np.linspace(0, 2 * np.pi, 30)
    loop = np.stack([10 * np.cos(t), 10 * np.sin(t)], 1)
    font = _font_of(
        A=[[[0, 10], [5, -10], [10, 10]], [[2, 2], [8, 2]]],  # kept: two strokes
        X=[[[0, 0], [10, 10]]],  # one straight stroke: a 1 or a slash
        Y=[loop],  # one closed loop: an O
        K=[[[0, 0], [2, 1]], [[0, 1], [1, 2]]],  # a speck (2 units)
        O=[[[0, 0], [5, 9]], [[0, 9], [9, 0]]],  # the O place: out whatever is drawn there
    )
    font["7"] = [np.array([[0, 0], [9, 0], [3, 12]], float)]
    kept = hershey.glyph_strokes(font, digits=False)
    assert len(kept) == 1 and kept[0] is font["A"]
    assert hershey.glyph_strokes(font, digits=True) == [font["7"]]


def test_a_font_without_some_digits_labels_the_ones_it_has(tmp_path):
    # 96 records for ASCII 32..127, all empty but "7" (a bar and a diagonal).
    records = ["12345  1JZ"] * 96
    records[ord("7") - 32] = "12345  4JZKFYFPZ"
    (tmp_path / "scripts.jhf").write_text("\n".join(records) + "\n", encoding="latin-1")
    sampler = hershey.hershey_sampler("hershey:script", digits=True, root=tmp_path)
    rng = np.random.default_rng(0)
    for _ in range(3):
        image, digit = sampler(rng)
        assert digit == 7 and image.max() > 128


@pytest.mark.parametrize("name", sorted(DOODLES))
def test_each_doodle_draws_ink(name):
    from digitlab.engine.strokes import stroke_sampler

    image = stroke_sampler(DOODLES[name])(np.random.default_rng(3))
    assert image.dtype == np.uint8 and (image > 128).sum() > 50


def test_invented_characters_have_at_least_three_strokes():
    rng = np.random.default_rng(0)
    assert min(len(DOODLES["invented:strokes"](rng)[0]) for _ in range(200)) >= 3


def test_training_and_held_out_families_are_disjoint_and_held_out_hands_never_train():
    train = set(gate_data.negative_families(train=True))
    held = set(gate_data.negative_families(train=False))
    assert not train & held
    assert not any(name.endswith("-2") for name in train)
    assert "shape:heart" in held and "shape:heart" not in train
    train_digits = set(gate_data.font_digit_samplers(train=True))
    assert not any(name.endswith("-2") for name in train_digits)
    assert not train_digits & set(gate_data.font_digit_samplers(train=False))


def test_variants_of_held_out_font_families_are_held_out_too(monkeypatch):
    # Debian's fonts-nanum-extra installs NanumSquareRoundL and NanumMyeongjoExtra beside
    # the held-out NanumSquareRound and NanumMyeongjo: they must not train.
    families = ("NanumSquareRoundL", "NanumMyeongjoExtra", "NanumSquare", "DejaVuSans",
                "DejaVuSansMono", "NimbusSans")
    monkeypatch.setattr(gate_data, "find_fonts", lambda: {f: [] for f in families})
    monkeypatch.setattr(gate_data, "glyph_sampler", lambda fams, *a: lambda rng: np.ones((8, 8)))
    monkeypatch.setattr(gate_data, "hand_groups", lambda more_hands=False: {})
    fonts = {split: {n[5:] for n in gate_data.negative_families(train=split)
                     if n.startswith("font:")} for split in (True, False)}
    assert fonts[False] == {"NanumSquareRoundL", "NanumMyeongjoExtra", "DejaVuSansMono"}
    assert fonts[True] == {"NanumSquare", "DejaVuSans", "NimbusSans"}
    # The reports' split, by name alone, agrees.
    assert {f for f in families if is_held_out(f"font:{f}")} == fonts[False]


def test_handwriting_fonts_are_not_system_font_families():
    names = gate_data.negative_families(train=True) | gate_data.negative_families(train=False)
    hand = {f for fams in gate_data.HAND_FONTS.values() for f in fams}
    assert not {n for n in names if n.startswith("font:") and n[5:] in hand}


def test_by_source_averages_families_of_one_split():
    rates = {"font:C059": 0.8, "hand:Joscelyn-2": 0.5, "hand:Humor": 0.1, "shape:heart": 0.2,
             "shape:house": 0.6}
    out = by_source(rates, train=False)
    assert out["handwriting fonts"] == pytest.approx(0.5)  # hand:Humor trains: not counted
    assert out["generators"] == pytest.approx(0.4)
    assert out["system fonts"] == pytest.approx(0.8)


def test_by_source_splits_by_name_without_the_fonts_installed(monkeypatch):
    # CI has no handwriting or Hershey fonts: a family's split must not depend on them.
    monkeypatch.setattr(gate_data, "negative_families", lambda train, more_hands=False: {})
    rates = {"font:C059": 0.8, "font:DejaVuSans": 0.3, "hand:Joscelyn-2": 0.5,
             "hand:Humor": 0.1, "hershey:latin-2": 0.9, "hershey:latin": 0.2,
             "shape:heart": 0.2, "doodle:cloud": 0.7}
    assert by_source(rates, train=False) == pytest.approx({
        "system fonts": 0.8, "handwriting fonts": 0.5, "Hershey stroke fonts": 0.9,
        "generators": 0.2})
    assert by_source(rates, train=True) == pytest.approx({
        "system fonts": 0.3, "handwriting fonts": 0.1, "Hershey stroke fonts": 0.2,
        "generators": 0.7})


needs_hershey = pytest.mark.skipif(not hershey.find_hershey(),
                                   reason="no Hershey fonts (Debian hershey-fonts-data)")
needs_hands = pytest.mark.skipif(not gate_data.font_digit_samplers(train=False),
                                 reason="no held-out handwriting or Hershey fonts here")


@needs_hershey
def test_hershey_digit_samples_are_labelled_with_their_digit():
    sampler = hershey.hershey_sampler("hershey:latin", digits=True)
    image, digit = sampler(np.random.default_rng(1))
    assert image.shape == (128, 128) and 0 <= digit <= 9 and image.max() > 128


@needs_hands
def test_shipped_gate_accepts_digits_of_hands_it_never_saw_and_flags_their_letters():
    from digitlab.engine.gate import SHIPPED_GATE, Gate

    if not SHIPPED_GATE.exists():
        pytest.skip("no shipped gate")
    gate = Gate.load()
    digits, _ = gate_data.sample_set(gate_data.font_digit_samplers(train=False), 20, 4343)
    assert np.mean(gate.scores(digits) < gate.threshold) <= 0.05
    families = {k: v for k, v in gate_data.negative_families(train=False).items()
                if k.startswith(("hand:", "hershey:"))}
    letters, _ = gate_data.sample_set(families, 20, 4343)
    assert np.mean(gate.scores(letters) < gate.threshold) >= 0.7


def test_all_families_adds_the_held_out_non_digits_and_never_their_digits(monkeypatch, mnist):
    from digitlab.engine import gate_training
    from digitlab.engine.strokes import CANVAS

    def block(height, width):  # a filled rectangle: preprocessing keeps its proportions
        image = np.zeros((CANVAS, CANVAS), np.uint8)
        image[10:10 + height, 10:10 + width] = 255
        return lambda rng: image

    monkeypatch.setattr(gate_data, "negative_families", lambda train, more_hands=False: (
        {"trained": block(20, 100)} if train else {"held": block(90, 90)}))
    monkeypatch.setattr(gate_data, "pair_sampler", lambda images: block(20, 100))
    held_hand = block(90, 40)
    monkeypatch.setattr(gate_data, "font_digit_samplers", lambda train, more_hands=False: (
        {} if train else {"held hand": lambda rng: (held_hand(rng), 1)}))
    for all_families in (False, True):
        x, y = gate_training.training_data(mnist, 3, 4, 0, log=lambda _: None, font_digits=5,
                                           all_families=all_families)
        squares = [(im > 0.5).mean() > 0.4 for im in x[y == 0]]  # a 20x20 block of 28x28
        assert sum(squares) == (3 if all_families else 0)
        assert len(squares) == (9 if all_families else 6) and (y == 1).sum() == 4



@pytest.mark.parametrize("args, quoted", [
    (["--font-digits", "-1"], "--font-digits -1"),
    (["--filters", "0", "64"], "--filters 0 64"),
    (["--dense", "0"], "--dense 0"),
    (["--hard-negatives", "1.5"], "--hard-negatives 1.5"),
    (["--hard-negatives", "-0.1"], "--hard-negatives -0.1"),
    (["--distort", "1.01"], "--distort 1.01"),
    (["--distort", "-0.5"], "--distort -0.5"),
    (["--shifted-digits", "-1"], "--shifted-digits -1"),
    (["--generator-samples", "-2"], "--generator-samples -2"),
    (["--outlines", "-1"], "--outlines -1"),
    (["--convex-outlines", "-3"], "--convex-outlines -3"),
    (["--scrawls", "-2"], "--scrawls -2"),
    (["--mix-outliers", "1.2"], "--mix-outliers 1.2"),
    (["--mix-outliers", "-0.25"], "--mix-outliers -0.25"),
    (["--mix-power", "0"], "--mix-power 0"),
    (["--drop-digits", "1"], "--drop-digits 1"),
    (["--drop-digits", "-0.1"], "--drop-digits -0.1"),
])
def test_train_gate_refuses_bad_sizes_before_training(args, quoted, capsys, tmp_path):
    from digitlab.cli import main

    assert main(["train-gate", "--output", str(tmp_path / "g.keras"), *args]) != 0
    err = capsys.readouterr().err
    assert quoted in err and "Traceback" not in err
    assert not (tmp_path / "g.keras").exists()


@pytest.mark.parametrize("rate", ["1.5", "0", "-0.01", "1"])
def test_train_gate_refuses_a_flag_rate_outside_zero_to_one_before_loading_data(
        rate, capsys, tmp_path):
    from digitlab.cli import main

    # A missing MNIST file: a check after loading the data would report that instead.
    assert main(["train-gate", "--output", str(tmp_path / "g.keras"), "--flag-rate", rate,
                 "--data", str(tmp_path / "none.npz")]) != 0
    err = capsys.readouterr().err
    assert f"--flag-rate {float(rate)}" in err and "Traceback" not in err


def test_warp_moves_ink_inside_the_image_and_keeps_its_border():
    rng = np.random.default_rng(3)
    bar = np.zeros((120, 90), np.uint8)
    bar[20:100, 40:50] = 255  # a bar through the inner corners' cells
    bent = gate_data.warp(bar, rng, amount=0.09)
    assert bent.shape == bar.shape and bent.dtype == np.uint8
    assert not np.array_equal(bent, bar)  # the bar moved
    assert 0.6 < (bent > 127).sum() / (bar > 127).sum() < 1.6  # bent, not lost or smeared
    frame = np.zeros((120, 90), np.uint8)
    frame[0, :] = frame[-1, :] = frame[:, 0] = frame[:, -1] = 200
    kept = gate_data.warp(frame, rng, amount=0.09)
    # The border stays where it was (within half a pixel's blur), and nothing else is inked.
    for edge in (kept[0, 1:-1], kept[-1, 1:-1], kept[1:-1, 0], kept[1:-1, -1]):
        assert edge.min() >= 150
    assert kept[2:-2, 2:-2].max() == 0
    np.testing.assert_array_equal(gate_data.warp(bar, rng, amount=0.0), bar)


def test_sample_set_distorts_only_when_asked_and_keeps_old_samples_without(monkeypatch):
    from digitlab.engine.strokes import CANVAS

    image = np.zeros((CANVAS, CANVAS), np.uint8)
    image[30:100, 60:70] = 255
    bends = []
    real = gate_data.warp
    monkeypatch.setattr(gate_data, "warp", lambda im, rng: bends.append(1) or real(im, rng))
    plain, _ = gate_data.sample_set({"bar": lambda rng: image}, 40, seed=5)
    again, _ = gate_data.sample_set({"bar": lambda rng: image}, 40, seed=5, distort=0.0)
    assert not bends
    np.testing.assert_array_equal(plain, again)
    bent, _ = gate_data.sample_set({"bar": lambda rng: image}, 40, seed=5, distort=0.5)
    assert 10 <= len(bends) <= 30  # about half of 40
    changed = [not np.array_equal(a, b) for a, b in zip(plain, bent, strict=True)]
    assert sum(changed) >= 10


@pytest.fixture
def bar_negatives(monkeypatch):
    """One non-digit family and the pairs, both a bar; no font digits. Returns the bar."""
    from digitlab.engine.strokes import CANVAS

    bar = np.zeros((CANVAS, CANVAS), np.uint8)
    bar[20:100, 60:70] = 255
    monkeypatch.setattr(gate_data, "negative_families",
                        lambda train, more_hands=False: {"bar": lambda rng: bar})
    monkeypatch.setattr(gate_data, "pair_sampler", lambda images: lambda rng: bar)
    monkeypatch.setattr(gate_data, "font_digit_samplers", lambda train, more_hands=False: {})
    return bar


def test_training_data_bends_the_non_digits_and_the_digits_only_when_asked(
        monkeypatch, mnist, bar_negatives):
    from digitlab.engine import gate_training

    bar = bar_negatives
    bent = []
    real = gate_data.warp
    monkeypatch.setattr(gate_data, "warp", lambda image, rng: bent.append(
        image is bar) or real(image, rng))
    gate_training.training_data(mnist, 20, 20, 0, log=lambda _: None, distort=1.0)
    assert bent and all(bent)  # the 40 non-digits, not the digits
    assert len(bent) == 40
    bent.clear()
    gate_training.training_data(mnist, 20, 20, 0, log=lambda _: None, distort=1.0,
                                distort_digits=True)
    assert len(bent) > 40 and not all(bent)  # the digits too


def test_shifts_turn_and_mirror_the_image():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(gate_data.SHIFTS["mirror"](image, rng), image[:, ::-1])
    np.testing.assert_array_equal(gate_data.SHIFTS["flip"](image, rng), image[::-1])
    np.testing.assert_array_equal(gate_data.SHIFTS["half"](image, rng), image[::-1, ::-1])
    turns = {gate_data.SHIFTS["quarter"](image, rng).tobytes() for _ in range(40)}
    assert turns == {np.rot90(image, 1).tobytes(), np.rot90(image, -1).tobytes()}


def test_no_shift_makes_a_negative_of_a_digit_it_leaves_a_digit():
    keeps = gate_data.SHIFT_KEEPS
    assert set(keeps) == set(gate_data.SHIFTS)
    assert all(0 in kept for kept in keeps.values())  # a 0 is a 0 any way up
    assert {6, 9, 1, 8} <= keeps["half"] and {1, 8} <= keeps["mirror"] and 3 in keeps["flip"]


@pytest.mark.parametrize("shift", sorted(gate_data.SHIFTS))
def test_shifted_samplers_draw_only_digits_the_shift_makes_no_digit(shift):
    # Ten "digits", one per class: the classes the shift keeps are blank, so drawing one
    # of them would give an image without ink.
    labels = np.arange(10, dtype=np.uint8)
    images = np.zeros((10, 28, 28), np.uint8)
    for k in range(10):
        if k not in gate_data.SHIFT_KEEPS[shift]:
            images[k, 4:24, 12:15] = 255
    sample = gate_data.shifted_samplers(images, labels)[f"shifted:{shift}"]
    rng = np.random.default_rng(1)
    for _ in range(30):
        assert sample(rng).max() > 100


def test_training_data_adds_shifted_digits_only_when_asked(mnist, bar_negatives):
    from digitlab.engine import gate_training

    _, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None)
    assert (y == 0).sum() == 10
    _, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None, shifted=3)
    assert (y == 0).sum() == 10 + 3 * len(gate_data.SHIFTS) and (y == 1).sum() == 20


def test_training_data_draws_more_of_the_random_stroke_families_only_when_asked(
        monkeypatch, mnist, bar_negatives):
    from digitlab.engine import gate_training

    bar = bar_negatives
    monkeypatch.setattr(gate_data, "negative_families", lambda train, more_hands=False: {
        "scribble:bar": lambda rng: bar, "font:bar": lambda rng: bar})
    _, y = gate_training.training_data(mnist, 3, 20, 0, log=lambda _: None)
    assert (y == 0).sum() == 3 * 3  # the two families and the pairs
    _, y = gate_training.training_data(mnist, 3, 20, 0, log=lambda _: None,
                                       generator_samples=7)
    assert (y == 0).sum() == 3 + 7 + 3 and (y == 1).sum() == 20


def test_convex_hull_and_solidity_of_known_shapes():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    inside = np.array([[1, 1], [0.5, 1.5]])
    hull = convex_hull(np.concatenate([square, inside]))
    assert sorted(map(tuple, hull)) == sorted(map(tuple, square))
    assert solidity(square) == pytest.approx(1.0)
    # An L of three unit squares; its hull cuts the fourth square's corner off on the diagonal.
    ell = np.array([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]], float)
    assert solidity(ell) == pytest.approx(3 / 3.5)
    t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    assert solidity(np.stack([np.cos(t), 0.6 * np.sin(t)], 1)) > 0.99  # an oval: a 0


@pytest.mark.parametrize("name", sorted(OUTLINES))
def test_outlines_are_closed_single_strokes_and_never_an_oval(name):
    rng = np.random.default_rng(7)
    for _ in range(60):
        strokes, _ = OUTLINES[name](rng)
        assert len(strokes) == 1
        path = strokes[0]
        # Drawn round once from some point, perhaps a little past where it started.
        start = np.flatnonzero(np.all(np.isclose(path, path[0]), axis=1))
        assert len(start) >= 2
        ring = path[:start[1]]
        assert solidity(ring) <= MAX_SOLIDITY
        centred = ring - ring.mean(axis=0)
        low, high = np.linalg.eigvalsh(centred.T @ centred)
        assert name != "outline:polygon" or np.sqrt(low / high) >= 0.45  # no sliver


def test_training_data_adds_outlines_only_when_asked(mnist, bar_negatives):
    from digitlab.engine import gate_training

    _, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None)
    assert (y == 0).sum() == 10
    x, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None, outlines=4)
    assert (y == 0).sum() == 10 + 4 * len(OUTLINES) and (y == 1).sum() == 20
    # The outlines come after the other negatives (bars a few columns wide): wide drawings.
    assert all(((im > 0.5).any(axis=0)).sum() >= 8 for im in x[-4 * len(OUTLINES):])
    assert all(((im > 0.5).any(axis=0)).sum() <= 5 for im in x[:-4 * len(OUTLINES)][y[:-8] == 0])


def _sharpest_turn(ring: np.ndarray) -> float:
    """The largest angle (degrees) between consecutive steps along a closed ring."""
    steps = np.diff(np.concatenate([ring, ring[1:2]]), axis=0)
    steps = steps[np.linalg.norm(steps, axis=1) > 1e-9]
    a, b = steps[:-1], steps[1:]
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))).max())


def test_convex_outlines_dent_little_and_have_a_corner_no_oval_has():
    rng = np.random.default_rng(8)
    t = np.linspace(0, 2 * np.pi, 61)
    assert _sharpest_turn(np.stack([np.cos(t), 0.6 * np.sin(t)], 1)) < 10  # an oval: a 0
    for _ in range(80):
        strokes, _ = CONVEX_OUTLINES["outline:convex"](rng)
        assert len(strokes) == 1
        path = strokes[0]
        start = np.flatnonzero(np.all(np.isclose(path, path[0]), axis=1))
        assert len(start) >= 2  # closed: drawn round once from some point
        ring = path[:start[1] + 1]
        assert solidity(ring[:-1]) >= 0.85  # the scallops' dents are the shallowest allowed
        assert _sharpest_turn(ring) >= 30  # a corner, a cusp or where a chord meets the arc


def test_training_data_adds_convex_outlines_only_when_asked(mnist, bar_negatives):
    from digitlab.engine import gate_training

    x, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None, convex_outlines=6)
    assert (y == 0).sum() == 10 + 6 and (y == 1).sum() == 20
    assert all(((im > 0.5).any(axis=0)).sum() >= 8 for im in x[-6:])


def test_scrawls_are_one_stroke_of_9_to_28_straight_steps_turning_sharply():
    rng = np.random.default_rng(4)
    turns = []
    for _ in range(60):
        strokes, _ = SCRAWLS["scribble:scrawl"](rng)
        assert len(strokes) == 1 and 10 <= len(strokes[0]) <= 29
        steps = np.diff(strokes[0], axis=0)
        turns.append(_sharpest_turn(np.concatenate([strokes[0], strokes[0][:1]])))
        assert (np.linalg.norm(steps, axis=1) > 0).all()
    assert np.median(turns) >= 90  # corners, not a smooth curve
    # Outside SHAPES: the gates trained before the option keep their data.
    assert not set(SCRAWLS) & set(SHAPES)


def test_training_data_adds_scrawls_only_when_asked(mnist, bar_negatives):
    from digitlab.engine import gate_training

    _, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None)
    assert (y == 0).sum() == 10
    x, y = gate_training.training_data(mnist, 5, 20, 0, log=lambda _: None, scrawls=6)
    assert (y == 0).sum() == 10 + 6 and (y == 1).sum() == 20
    # The scrawls come after the bars (a few columns wide): they spread wider.
    assert all(((im > 0.5).any(axis=0)).sum() >= 8 for im in x[-6:])
