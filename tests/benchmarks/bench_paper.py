"""Benchmark: digits and numbers written on lined and squared paper, or in printed boxes.

A learner who writes a digit in a school notebook and opens the photo gets the paper's
rule lines with it. Each page here: paper of a random shade (225-255), rule lines every
0.6-1.3 digit heights (1-3 px, tone 110-215, so from faint grey to as dark as a pencil),
tilted by up to 1 degree, drawn anti-aliased; on squared paper columns too. MNIST test
digits 60-200 px tall are written on it in pen (ink 10-80), 1 or 3 side by side, anywhere
between two lines or across them. ``photo`` pages are lit unevenly as well (a linear
fall-off of 30 % across the page in a random direction). ``shadow`` pages have a shadow cast
across them instead: beyond a straight edge (2-8 px soft) through a random point of the
page's middle, at any angle, the light falls to 40-70 %.

``boxed`` pages: a worksheet's answer box (or a form's comb of boxes, one per digit)
printed around the digits, sides 1-3 px, tone 60-200, the box 1.15-1.5 digit heights,
20-40 px of paper around it.

Rows: ``read right, <paper>, k digit(s)`` (no budget): the share read exactly by
:class:`engine.reading.Reader` as ``digitlab predict`` and Open image do, with
``without_line_search`` the same pages read with :mod:`engine.rule_lines`' line search
and printed-box rule switched off (the app before 2026-12-03). Seeds 970-989 (no
training or card uses 900-999). ``photo-sized`` rows: ruled and squared pages as above with
digits 300-900 px tall (pages up to about 3,500 px wide, as a phone photographs a page;
seeds 990-993).
Run alone with ``python -m tests.benchmarks.run --only paper``.
"""

from __future__ import annotations

import numpy as np

from tests.benchmarks.bench_reading import quality_row

PAGES = 300
SEED = 970
#: Photo-sized pages: how many per row, their digits' heights, their seeds (990-993).
BIG_PAGES, BIG_SIZES, BIG_SEED = 100, (300, 900), 990


def paper(rng: np.random.Generator, h: int, w: int, kind: str, digit_height: int
          ) -> np.ndarray:
    """A page ``(h, w)`` float32: plain, ``ruled`` or ``squared`` (module docstring)."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    ss = 4
    image = Image.new("L", (w * ss, h * ss), int(rng.integers(225, 256)))
    draw = ImageDraw.Draw(image)
    tone = int(rng.integers(110, 216))
    width = max(1, int(float(rng.uniform(1, 3)) * ss))
    slope = float(np.tan(np.radians(rng.uniform(-1, 1))))
    spacing = digit_height * float(rng.uniform(0.6, 1.3))
    if kind != "plain":
        y = float(rng.uniform(0, spacing))
        while y < h + abs(slope) * w:
            draw.line([(0, y * ss), (w * ss, (y + slope * w) * ss)], fill=tone, width=width)
            y += spacing
    if kind == "squared":
        x = float(rng.uniform(0, spacing))
        while x < w + abs(slope) * h:
            draw.line([(x * ss, 0), ((x - slope * h) * ss, h * ss)], fill=tone, width=width)
            x += spacing
    return np.asarray(image.resize((w, h), Image.BOX)).astype(np.float32)


def page(rng: np.random.Generator, images: np.ndarray, labels: np.ndarray, kind: str,
         length: int, photo: bool, sizes: tuple[int, int] = (60, 200)
         ) -> tuple[np.ndarray, str]:
    """``(uint8 page, the number written on it)``; digits ``sizes`` px tall (from, to)."""
    from PIL import Image  # noqa: PLC0415

    picks = rng.integers(len(images), size=length)
    size = int(rng.integers(*sizes))
    h = int(size * rng.uniform(1.6, 2.4))
    w = int(size * (0.8 * length + rng.uniform(0.6, 1.4)))
    out = paper(rng, h, w, kind, size)
    ink = float(rng.uniform(10, 80))
    x = int(rng.uniform(0.05, 0.25) * size)
    y = int((h - size) * rng.uniform(0.3, 0.7))
    for k in picks:
        digit = np.asarray(Image.fromarray(images[k]).resize((size, size), Image.BILINEAR))
        region = out[y:y + size, x:x + size]
        np.minimum(region, region * (1 - digit / 255.0) + ink * digit / 255.0, out=region)
        x += int(size * 0.75)
    if photo:
        yy, xx = np.mgrid[0:h, 0:w]
        angle = float(rng.uniform(0, 2 * np.pi))
        along = np.cos(angle) * (xx / w - 0.5) + np.sin(angle) * (yy / h - 0.5)
        out *= 1.0 - 0.3 * (along + 0.7) / 1.4
    return np.clip(out, 0, 255).astype(np.uint8), "".join(str(labels[k]) for k in picks)


def cast_shadow(rng: np.random.Generator, page: np.ndarray) -> np.ndarray:
    """``page`` (uint8) with a shadow cast across it (module docstring)."""
    h, w = page.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = float(rng.uniform(0, 2 * np.pi))
    y, x = rng.uniform(0.2, 0.8) * h, rng.uniform(0.2, 0.8) * w
    across = np.cos(angle) * (xx - x) + np.sin(angle) * (yy - y)
    shade = np.clip(across / rng.uniform(2, 8) + 0.5, 0, 1)
    dark = float(rng.uniform(0.4, 0.7))
    return np.clip(page * (1 - (1 - dark) * shade), 0, 255).astype(np.uint8)


def boxed_page(rng: np.random.Generator, images: np.ndarray, labels: np.ndarray,
               length: int) -> tuple[np.ndarray, str]:
    """``(uint8 page, number)``: digits in a printed box, or a comb of them (module docstring)."""
    from PIL import Image  # noqa: PLC0415

    picks = rng.integers(len(images), size=length)
    size = int(rng.integers(60, 160))
    box = int(size * rng.uniform(1.15, 1.5))
    margin, side = int(rng.integers(20, 41)), int(rng.integers(1, 4))
    tone = int(rng.integers(60, 201))
    out = np.full((box + 2 * margin, length * box + 2 * margin), float(rng.integers(225, 256)),
                  np.float32)
    top, bottom, right = margin, margin + box, margin + length * box
    out[top:top + side, margin:right] = out[bottom - side:bottom, margin:right] = tone
    for k in range(length + 1):
        x = min(margin + k * box, right - side)
        out[top:bottom, x:x + side] = tone
    ink = float(rng.uniform(10, 80))
    for k, pick in enumerate(picks):
        digit = np.asarray(Image.fromarray(images[pick]).resize((size, size), Image.BILINEAR))
        y = top + (box - size) // 2 + int(rng.integers(-4, 5))
        x = margin + k * box + (box - size) // 2 + int(rng.integers(-4, 5))
        region = out[y:y + size, x:x + size]
        np.minimum(region, region * (1 - digit / 255.0) + ink * digit / 255.0, out=region)
    return out.astype(np.uint8), "".join(str(labels[k]) for k in picks)


def run() -> list[dict]:
    """Measure the rows described in the module docstring."""
    from digitlab.engine import preprocess  # noqa: PLC0415
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415

    data = load_mnist()
    predictor = Predictor.load_shipped()
    reader = Reader(predictor, Gate.load(), load_temperatures(
        model_files={k: shipped_model_path(k) for k in predictor.kinds}))
    search, frame = preprocess.may_hold_lines, preprocess.frame_inset
    rows = []
    cases = [("plain", False, False), ("ruled", False, False), ("squared", False, False),
             ("ruled", True, False), ("squared", True, False), ("boxed", False, False),
             ("plain", False, True), ("ruled", False, True)]
    for n, (kind, photo, shadow) in enumerate(cases):
        for length in (1, 3):
            rng = np.random.default_rng(SEED + 2 * n + (length > 1))
            pages = [boxed_page(rng, data.x_test, data.y_test, length) if kind == "boxed"
                     else page(rng, data.x_test, data.y_test, kind, length, photo)
                     for _ in range(PAGES // length)]
            if shadow:
                pages = [(cast_shadow(rng, p), number) for p, number in pages]
            right = {}
            for mode in ("with", "without"):
                if mode == "without":
                    preprocess.may_hold_lines = lambda *_: False
                    preprocess.frame_inset = lambda _: None
                try:
                    right[mode] = np.mean([reader.read(p).number == t for p, t in pages])
                finally:
                    preprocess.may_hold_lines, preprocess.frame_inset = search, frame
            where = (("a comb of printed boxes" if length > 1 else "a printed box")
                     if kind == "boxed" else f"{kind} paper")
            where += ", photographed under uneven light" if photo else ""
            where += " with a shadow's hard edge across it" if shadow else ""
            rows.append(quality_row(
                f"read right, {where}, {length} digit{'s' * (length > 1)}", right["with"],
                None, None, samples=len(pages),
                without_line_search=round(float(right["without"]), 4)))
    # Photo-sized pages (a phone's photo of a notebook): digits 300-900 px tall, pages up
    # to about 3,500 px wide, where a line is straight only within a few hundredths of a
    # degree of its tilt.
    for n, kind in enumerate(("ruled", "squared")):
        for length in (1, 3):
            rng = np.random.default_rng(BIG_SEED + 2 * n + (length > 1))
            pages = [page(rng, data.x_test, data.y_test, kind, length, False, BIG_SIZES)
                     for _ in range(BIG_PAGES)]
            right = np.mean([reader.read(p).number == t for p, t in pages])
            rows.append(quality_row(
                f"read right, {kind} paper, photo-sized (digits {BIG_SIZES[0]}-{BIG_SIZES[1]}"
                f" px), {length} digit{'s' * (length > 1)}", right, None, None,
                samples=len(pages)))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
