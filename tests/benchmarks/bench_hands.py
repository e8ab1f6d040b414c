"""Benchmark: numbers written in handwriting fonts that no shipped model or gate trained on.

``digitlab fetch-hand-fonts`` installs 63 handwriting fonts of Google Fonts (Fontsource
packages). The shipped CNN trained on the digits of 42 of them (its card's
``hand_digits``; ``train --hand-digits``), the gate on none; the 21 held out
(``hand:fontsource*-2``) were seen by no model, so they stand in for writers outside
MNIST better than MNIST's own test digits do. Each number is
written by one "writer": one font, one size (40-160 px, +-4 % per digit), one slant
(+-8 degrees for the whole number), one stroke (as the font draws it, or redrawn along
its skeleton with one round pen 6-12 % of the height wide, as a pen draws), and the
writer's own spacing (a mean gap of 5-40 % of the height, +-8 % per gap, so some digits
touch), as :func:`tests.benchmarks.bench_reading.compose_one_writer` spaces MNIST digits.

Rows: ``numbers read exactly, k digits, one handwriting font no model trained on`` (k = 1..4,
budget >= 95 % for 2-4), with the digits read wrong and the pieces called "not a digit"
as extra keys. Without the fonts (e.g. on CI) there are no rows.
Run alone with ``python -m tests.benchmarks.run --only hands``.
"""

from __future__ import annotations

import functools

import numpy as np

from tests.benchmarks.bench_reading import quality_row, write_in_a_row

NUMBERS_PER_LENGTH = 2000  # one font per number: fewer swing by several points
SEED = 950  # no training or card measurement uses seeds 900-999


def glyph_crop(path, char: str, size: int = 160) -> np.ndarray:
    """One character of a font, ink bright, cropped to its ink: uint8 ``(h, w)``."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    from digitlab.engine.gate_fonts import _font  # noqa: PLC0415

    image = Image.new("L", (size * 3, size * 3), 0)
    ImageDraw.Draw(image).text((size * 1.5, size * 1.5), char, fill=255, font=_font(path, size),
                               anchor="mm")
    ink = np.asarray(image)
    rows, cols = np.flatnonzero(ink.max(axis=1) > 40), np.flatnonzero(ink.max(axis=0) > 40)
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


@functools.lru_cache(maxsize=64)
def digit_crops(path) -> tuple[dict[str, np.ndarray], float]:
    """A font's ten digits (:func:`glyph_crop`) and their median height, drawn once."""
    crops = {str(d): glyph_crop(path, str(d)) for d in range(10)}
    return crops, float(np.median([c.shape[0] for c in crops.values()]))


def write_number(path, digits: str, rng: np.random.Generator, pen: bool,
                 margin: int = 16) -> np.ndarray:
    """``digits`` written in the font at ``path`` by one writer (module docstring).

    Returns:
        uint8 ``(H, W)``, ink bright.
    """
    from PIL import Image  # noqa: PLC0415

    from digitlab.engine.strokes import pen_redraw  # noqa: PLC0415

    crops, font_height = digit_crops(path)
    height = int(rng.integers(40, 160))
    slant = float(rng.uniform(-8, 8))
    pieces = []
    for d in digits:
        crop = Image.fromarray(crops[d]).rotate(slant, resample=Image.BILINEAR, expand=True)
        scale = height / font_height * rng.uniform(0.96, 1.04)
        size = (max(1, round(crop.size[0] * scale)), max(1, round(crop.size[1] * scale)))
        piece = np.asarray(crop.resize(size, Image.BILINEAR))
        rows, cols = np.flatnonzero(piece.max(axis=1) > 30), np.flatnonzero(piece.max(axis=0) > 30)
        pieces.append(piece[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    out = write_in_a_row(pieces, height, rng.uniform(0.05, 0.4), rng, margin)
    if pen:
        out = pen_redraw(out, float(np.clip(height * rng.uniform(0.06, 0.12), 2, 30)))
    return out


def trained_groups() -> set[str]:
    """The Fontsource groups the shipped CNN (its card's ``hand_digits``) or the shipped
    gate (its card's ``more_hands``: the training groups) trained on."""
    import json  # noqa: PLC0415

    from digitlab.engine.gate import SHIPPED_GATE  # noqa: PLC0415
    from digitlab.engine.gate_fonts import FONTSOURCE_GROUPS  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415

    cnn_card = json.loads(shipped_model_path("cnn").with_suffix(".json").read_text("utf-8"))
    groups = set(cnn_card.get("hand_digits", {}).get("groups", []))
    gate_card = json.loads(SHIPPED_GATE.with_suffix(".json").read_text("utf-8"))
    if gate_card.get("report", {}).get("more_hands"):
        groups |= {g for g in FONTSOURCE_GROUPS if not g.endswith("-2")}
    return groups & set(FONTSOURCE_GROUPS)


def unseen_fonts() -> list:
    """Paths of the installed Fontsource hands (one file each) that no shipped model and
    not the gate trained on (:func:`trained_groups`)."""
    from digitlab.engine.gate_fonts import FONTSOURCE_GROUPS, find_fonts  # noqa: PLC0415

    fonts, seen = find_fonts(), trained_groups()
    return [fonts[f][0] for group, families in FONTSOURCE_GROUPS.items() if group not in seen
            for f in families if fonts.get(f)]


def read_numbers(reader, fonts: list, length: int, n: int, seed: int) -> dict:
    """Read ``n`` numbers of ``length`` digits, each by one font and one writer's hand.

    Returns:
        ``{"exact", "wrong_digits", "not_a_digit", "wrong_count"}``: shares of numbers
        read exactly, with a digit read wrong, with a piece called "not a digit", and
        with the wrong number of digits.
    """
    rng = np.random.default_rng(seed)
    counts = {"exact": 0, "wrong_digits": 0, "not_a_digit": 0, "wrong_count": 0}
    for _ in range(n):
        path = fonts[int(rng.integers(len(fonts)))]
        truth = "".join(str(d) for d in rng.integers(10, size=length))
        reading = reader.read(write_number(path, truth, rng, pen=bool(rng.random() < 0.5)))
        if reading.number == truth:
            counts["exact"] += 1
        elif len(reading.digits) != length:
            counts["wrong_count"] += 1
        elif any(piece.digit is None for piece in reading.digits):
            counts["not_a_digit"] += 1
        else:
            counts["wrong_digits"] += 1
    return {k: v / n for k, v in counts.items()}


def run() -> list[dict]:
    """Measure the rows described in the module docstring."""
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415

    fonts = unseen_fonts()
    if not fonts:
        return []
    predictor = Predictor.load_shipped()
    reader = Reader(predictor, Gate.load(), load_temperatures(
        model_files={k: shipped_model_path(k) for k in predictor.kinds}))
    rows = []
    for length in (1, 2, 3, 4):
        got = read_numbers(reader, fonts, length, NUMBERS_PER_LENGTH, SEED + length)
        budget = ">= 95%" if length > 1 else None
        rows.append(quality_row(
            f"numbers read exactly, {length} digit{'s' * (length > 1)}, one handwriting font "
            f"no model trained on ({len(fonts)} fonts, half redrawn with a pen)", got["exact"],
            budget, got["exact"] >= 0.95 if budget else None, samples=NUMBERS_PER_LENGTH,
            **{k: v for k, v in got.items() if k != "exact"}))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
