"""preprocess_drawing's shortcuts (sorted border, per-column extremes, no summing when the ink
surely suffices) give exactly what the plain recipe gives, written here with numpy's own
median, percentile and whole-canvas masks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from digitlab.engine import lighting
from digitlab.engine import fit_box
from digitlab.engine import preprocess as pre
from digitlab.engine import printed_boxes, rule_lines, stroke_width


def plain_recipe(image: np.ndarray, ink: str = "auto", look_inside: bool = True,
                 lines: bool = True):
    """``(bbox, ink, cropped, image28)`` by the recipe step by step; bbox ``None`` when empty."""
    raw, full_scale = pre._as_grayscale(image)
    border = np.concatenate((raw[0], raw[-1], raw[1:-1, 0], raw[1:-1, -1]))
    background = float(np.median(border))
    high, low = float(raw.max()), float(raw.min())
    auto = ink == "auto"
    if auto:
        ink = pre._detect_ink(high - background, background - low, background / full_scale)
    spread_low, spread_high = np.percentile(border, (5, 95))
    if float(spread_high - spread_low) > pre.UNEVEN_BORDER * full_scale:
        if auto:  # under uneven light the border's verdict is one of three
            ink = lighting.ink_polarity(raw, ink)
        raw = lighting.flatten_lighting(raw, ink == "bright", full_scale)
        background = float(np.median(raw[::2, ::2]))  # the paper's level inside
        high, low = float(raw.max()), float(raw.min())
    bright = ink == "bright"
    peak = high - background if bright else background - low
    border = np.concatenate((raw[0], raw[-1], raw[1:-1, 0], raw[1:-1, -1]))
    grain = 0.0
    quartiles = np.sort(border)[[len(border) // 4, 3 * len(border) // 4]]
    if quartiles[0] != quartiles[1]:  # else no grain (the middle half of the border is one value)
        ring = np.concatenate((raw[0], raw[1:, -1], raw[-1, -2::-1], raw[-2:0:-1, 0]))
        steps = np.abs(np.diff(ring.astype(float)))
        parts = max(1, min(pre.GRAIN_PARTS, len(steps) // pre.GRAIN_STEPS))
        quartiles = [np.percentile(part, 25) for part in np.array_split(
            steps[:len(steps) // parts * parts], parts)]  # the grainiest stretch of the border
        grain = pre.GRAIN_SIGMAS * max(quartiles) / 0.4506
    if peak < pre.MIN_CONTRAST * full_scale or peak <= grain:
        return None, ink, None, None
    def beyond(level: float) -> np.ndarray:
        if bright:
            t = background + level
            return raw > (math.floor(t) if raw.dtype == np.uint8 else t)
        t = background - level
        return raw < (math.ceil(t) if raw.dtype == np.uint8 else t)

    mask = beyond(max(pre.INK_FRACTION * peak, grain))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    box = mask[y0:y1, x0:x1]
    if look_inside and box.mean() > pre.SHEET_FILL and box.size >= pre.SHEET_AREA * raw.size:
        m = max(2, round(pre.SHEET_INSET * max(y1 - y0, x1 - x0)))
        if y1 - y0 > 2 * m and x1 - x0 > 2 * m:  # a sheet of paper: read inside it
            inner = plain_recipe(raw[y0 + m:y1 - m, x0 + m:x1 - m], "auto", look_inside=False)
            if inner[0] is not None:
                (iy0, ix0, iy1, ix1), *rest = inner
                return (iy0 + y0 + m, ix0 + x0 + m, iy1 + y0 + m, ix1 + x0 + m), *rest
    if lines and rule_lines.may_hold_lines((y0, x0, y1, x1), raw.shape):
        unlined = rule_lines.without_rule_lines(
            raw, mask, beyond(rule_lines.LINE_FAINT * peak), background)
        if unlined is not None:  # lined paper: read again without its lines
            return plain_recipe(unlined, ink, look_inside, lines=False)
    frame = printed_boxes.frame_inset(mask[y0:y1, x0:x1]) if look_inside else None
    if frame is not None:  # a printed box: read inside it, its inner walls made paper
        top, left, bottom, right = frame
        iy0, ix0, iy1, ix1 = y0 + top, x0 + left, y1 - bottom, x1 - right
        inner = raw[iy0:iy1, ix0:ix1].copy()
        for a, b in printed_boxes.frame_walls(mask[iy0:iy1, ix0:ix1]):
            inner[:, a:b] = np.asarray(background).astype(raw.dtype)
        found = plain_recipe(inner, ink, look_inside=False)
        if found[0] is not None:
            (by0, bx0, by1, bx1), *rest = found
            return (by0 + iy0, bx0 + ix0, by1 + iy0, bx1 + ix0), *rest
    cropped = raw[y0:y1, x0:x1].astype(np.float32)
    cropped -= np.float32(background)
    cropped *= np.float32((1.0 if bright else -1.0) / peak)
    cropped[~mask[y0:y1, x0:x1]] = 0.0
    np.clip(cropped, 0.0, 1.0, out=cropped)
    box_mask, mass = mask[y0:y1, x0:x1], float(cropped.sum())
    small_drawing = (max(box_mask.shape) >= pre.MIN_EXTENT * max(raw.shape)
                     and mass >= pre.MIN_DENSITY * box_mask.size
                     and box_mask.any(axis=1).mean() >= pre.MIN_ROWS)
    if mass < pre.MIN_MASS_FRACTION * raw.size and not small_drawing:
        return None, ink, None, None
    image28 = fit_box.center_by_mass(plain_fit(cropped), fit_box.IMAGE_SIZE)
    return (y0, x0, y1, x1), ink, cropped, image28


def drawings(mnist) -> list[tuple[str, np.ndarray, str]]:
    """Canvases of every kind preprocessing meets, with the ink mode to ask for."""
    rng = np.random.default_rng(12)
    out = []
    for i, digit in enumerate(mnist.x_test[:12]):
        size = [(280, 280), (28, 28), (9, 11), (213, 601), (120, 300), (281, 97)][i % 6]
        big = np.asarray(Image.fromarray(digit).resize(size[::-1], Image.BILINEAR))
        canvas = np.zeros((size[0] + 30, size[1] + 50), np.uint8)
        oy, ox = int(rng.integers(0, 31)), int(rng.integers(0, 51))
        canvas[oy:oy + size[0], ox:ox + size[1]] = big
        out += [(f"bright {i}", canvas, "auto"), (f"dark {i}", 255 - canvas, "dark"),
                (f"grey {i}", (canvas * 0.4 + 90).astype(np.uint8), "auto"),
                (f"wrong polarity {i}", canvas, "dark"),
                (f"float {i}", canvas.astype(np.float32) / 255, "bright"),
                (f"float 0..255 {i}", 255.0 - canvas, "auto"),
                (f"bool {i}", canvas > 100, "auto")]
        noisy = 255 - canvas.astype(np.int16) + rng.integers(-14, 14, canvas.shape)
        out.append((f"noisy {i}", np.clip(noisy, 0, 255).astype(np.uint8), "auto"))
        yy, xx = np.mgrid[0:canvas.shape[0], 0:canvas.shape[1]]
        paper = 200 + 50 * xx / canvas.shape[1] - 30 * yy / canvas.shape[0]
        out.append((f"photo {i}", np.clip(paper - 0.7 * canvas, 0, 255).astype(np.uint8), "auto"))
    for i in range(6):  # many faint pixels (0.12 of the peak): their mass decides, not
        canvas = np.full((280, 280), 255, np.uint8)  # their count; the first three are empty
        faint = rng.random((280, 280)) < 0.008 + 0.004 * i
        canvas[faint] = 255 - 30
        canvas[140, 140] = 0  # the peak
        out.append((f"faint pixels {i}", canvas, "dark"))
    for i in range(6):  # a few dots, up to the minimum mass
        canvas = np.full((280, 280), 255, np.uint8)
        for y, x in rng.integers(5, 275, (i + 1, 2)):
            canvas[y - 2 - i:y + 3 + i, x - 2:x + 3] = 0
        out.append((f"dots {i}", canvas, "auto"))
    for i, digit in enumerate(mnist.x_test[12:16]):  # a page on a desk, a page in a frame
        page = np.full((180, 240), 60 if i % 2 else 0, np.uint8)
        inset = (20, 30) if i % 2 else (2, 2)
        page[inset[0]:-inset[0], inset[1]:-inset[1]] = 230
        big = np.asarray(Image.fromarray(digit).resize((90, 90), Image.BILINEAR))
        page[45:135, 75:165] = np.minimum(page[45:135, 75:165], 230 - big * 0.8)
        out.append((f"sheet {i}", page, "auto"))
    for i, digit in enumerate(mnist.x_test[16:19]):  # lined, squared and dark-ruled pages
        page = np.full((200, 180), 240, np.uint8)
        for y in range(15, 200, 45):
            page[y:y + 2] = 120 if i == 2 else 200
        if i == 1:
            page[:, 12::45] = 200
        big = np.asarray(Image.fromarray(digit).resize((100, 100), Image.BILINEAR))
        page[50:150, 40:140] = np.minimum(page[50:150, 40:140], 240 - big * 0.85)
        out.append((f"lined {i}", page, "auto"))
    for i, digit in enumerate(mnist.x_test[19:22]):  # in a printed box, a comb, an empty box
        page = np.full((150, 150 if i != 1 else 250), 240, np.uint8)
        w = page.shape[1]
        page[20:22, 20:w - 20] = page[128:130, 20:w - 20] = 90
        page[20:130, 20:22] = page[20:130, w - 22:w - 20] = 90
        if i == 1:
            page[20:130, 124:126] = 90
        if i != 2:
            big = np.asarray(Image.fromarray(digit).resize((90, 90), Image.BILINEAR))
            page[30:120, 28:118] = np.minimum(page[30:120, 28:118], 240 - big * 0.85)
        out.append((f"boxed {i}", page, "auto"))
    for i, digit in enumerate(mnist.x_test[22:24]):  # grain over a tenth of the ink's peak
        page = 235 + rng.normal(0, 9, (160, 140))
        big = np.asarray(Image.fromarray(digit).resize((90, 90), Image.BILINEAR))
        page[35:125, 25:115] -= big * 0.8
        out.append((f"grainy {i}", np.clip(page, 0, 255).astype(np.uint8), "auto"))
    out.append(("grainy blank", np.clip(235 + rng.normal(0, 9, (160, 140)), 0, 255).astype(
        np.uint8), "auto"))
    # A float canvas whose ink times 1/peak rounds to just above 1 (clipped to 1).
    above_one = np.full((60, 60), np.float32(0.1910885125398636), np.float32)
    above_one[20:40, 25:35] = np.float32(0.6348933577537537)
    out += [("rounds above 1", above_one, "bright"),
            ("blank", np.zeros((280, 280), np.uint8), "auto"),
            ("white", np.full((280, 280), 255, np.uint8), "dark"),
            ("one pixel", np.ones((1, 1), np.uint8), "auto"),
            ("one row", np.arange(40, dtype=np.uint8)[None] * 6, "bright")]
    return out


def plain_fit(cropped: np.ndarray) -> np.ndarray:
    """The crop fitted to 20 px, strokes thinner than MIN_STROKE there first widened by a
    disk at 3x that resolution (engine.stroke_width), written with a padded mask and
    every disk offset's shifted copy."""
    ink = np.pad(cropped > 0, 1)
    core = ink[1:-1, 1:-1]
    edge = core & ~(ink[:-2, 1:-1] & ink[2:, 1:-1] & ink[1:-1, :-2] & ink[1:-1, 2:])
    width = 2 * core.sum() / max(edge.sum(), 1) * fit_box.FIT_SIZE / max(cropped.shape)
    if width >= stroke_width.MIN_STROKE:
        return fit_box.fit_to_box(cropped, fit_box.FIT_SIZE)
    scale = stroke_width.THICKEN_SCALE
    big = fit_box.fit_to_box(cropped, fit_box.FIT_SIZE * scale)
    r = (stroke_width.STROKE_TARGET - width) * scale / 2
    k = math.ceil(r)
    padded = np.pad(big, 2 * k)
    h, w = big.shape[0] + 2 * k, big.shape[1] + 2 * k
    grown = np.max([padded[k + dy:k + dy + h, k + dx:k + dx + w]
                    for dy in range(-k, k + 1) for dx in range(-k, k + 1)
                    if dy * dy + dx * dx <= r * r], axis=0)
    return fit_box.fit_to_box(grown, fit_box.FIT_SIZE)


def test_border_median_and_spread_are_numpys():
    rng = np.random.default_rng(3)
    for n in [2, 3, 4, 5, 37, 440, 1116, 2397]:
        for values in (rng.integers(0, 256, n).astype(np.uint8),
                       np.where(rng.random(n) < 0.9, 250,
                                rng.integers(0, 256, n)).astype(np.uint8),
                       rng.random(n).astype(np.float32),
                       (rng.random(n) * 255).astype(np.float32)):
            ordered = np.sort(values, kind="stable")
            assert pre._median_of_sorted(ordered) == float(np.median(values))
            low, high = np.percentile(values, (5, 95))
            assert pre._spread_of_sorted(ordered) == float(high - low), (n, values.dtype)


def test_preprocessing_equals_the_plain_recipe(mnist):
    for name, image, ink in drawings(mnist):
        bbox, expected_ink, cropped, image28 = plain_recipe(image, ink)
        result = pre.preprocess_drawing(image, ink=ink)
        expected = (bbox, expected_ink, bbox is None)
        assert (result.bbox, result.ink, result.is_empty) == expected, name
        if bbox is not None:
            np.testing.assert_array_equal(result.cropped, cropped, err_msg=name)
            np.testing.assert_array_equal(result.image28, image28, err_msg=name)


def test_corpus_reaches_every_branch(mnist, monkeypatch):
    """The corpus above holds empty and non-empty results, both inks and photos."""
    results = [plain_recipe(image, ink) for _, image, ink in drawings(mnist)]
    assert sum(bbox is None for bbox, *_ in results) >= 4
    assert {ink for _, ink, *_ in results} == {"bright", "dark"}
    faint = [plain_recipe(image, ink)[0] for name, image, ink in drawings(mnist)
             if name.startswith("faint")]
    assert None in faint and any(box is not None for box in faint)
    # The sheets are read inside: their digit's box, well inside the page.
    sheets = [plain_recipe(image, ink)[0] for name, image, ink in drawings(mnist)
              if name.startswith("sheet")]
    assert all(box is not None and 40 <= box[0] and box[2] <= 140 for box in sheets), sheets
    # The lined pages are read without their lines: the digit's box, not the page's.
    lined = [plain_recipe(image, ink)[0] for name, image, ink in drawings(mnist)
             if name.startswith("lined")]
    assert all(box is not None and 40 <= box[1] and box[3] <= 145 for box in lined), lined
    # The boxed digits are read inside their box; the empty box stays the drawing.
    boxed = [plain_recipe(image, ink)[0] for name, image, ink in drawings(mnist)
             if name.startswith("boxed")]
    assert all(22 < box[0] and box[2] < 128 for box in boxed[:2]), boxed
    assert boxed[2] == (20, 20, 130, 130), boxed
    # Grain decides the ink's threshold (with the floor off, grain is ink up to the edges).
    grainy = [(image, ink) for name, image, ink in drawings(mnist) if name.startswith("grainy")]
    assert [plain_recipe(image, ink)[0] is None for image, ink in grainy] == [False, False, True]
    monkeypatch.setattr(pre, "GRAIN_SIGMAS", 0.0)
    for image, ink in grainy:
        y0, x0, y1, x1 = plain_recipe(image, ink)[0]
        assert y1 - y0 > 0.9 * image.shape[0] and x1 - x0 > 0.9 * image.shape[1]


@pytest.mark.parametrize("q", [0.05, 0.95])
def test_percentile_of_sorted_matches_numpy_at_the_edges(q):
    for values in (np.array([7], np.uint8), np.array([3, 9], np.uint8),
                   np.array([0.25, 0.5, 0.75], np.float32)):
        expected = np.percentile(values, (5, 95))[int(q > 0.5)]  # as preprocessing asks
        assert pre._percentile_of_sorted(values, q) == float(expected)
