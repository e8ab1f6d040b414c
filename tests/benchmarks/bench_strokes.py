"""Benchmark: numbers read by the strokes they were drawn with (engine.stroke_reading).

In Number mode the Draw tab knows which stroke drew which pixels; digits drawn
overlapping are one piece of ink but separate strokes. Each drawing here is made of
strokes on the Number canvas (280 px high), drawn with one round pen (6-40 px, most
near the app's default 20) and read twice: by its ink alone (:meth:`Reader.read`, what
an opened image gets) and with its strokes (:func:`read_by_strokes`, what the canvas
gets).

- Numbers, 2-4 digits, each digit 120-210 px high: digits of the held-out Hershey hands
  (``hershey:latin-2`` and ``hershey:script-2``, Debian's hershey-fonts-data; their glyphs
  are strokes, one pen lift between strokes, slanted +-0.25, with hand tremor), and MNIST
  test digits redrawn along their skeleton with the pen, one stroke per digit (its ends
  taken as its topmost and bottommost ink). Spacing: overlapping or touching (a gap of
  -10 % to +2 % of the height; -20 % to 0 for the heavy-overlap rows), or apart (5-35 %).
- 2-3 digits of a held-out Hershey hand with one held-out Hershey letter or symbol among
  them, overlapping or apart: the share read as a number (a letter's strokes must not
  pass as digits).
- Not digits, drawn in their own strokes: the gate's scribble, shape, partial-stroke,
  doodle and invented-character families (``engine.strokes``, ``engine.doodles``) and the
  non-digit glyphs of every Hershey group; the share flagged (no number read).
- The live cost: a 4-digit number drawn in 6 strokes, digits apart (the ink reads it; the
  strokes are grouped to check there is nothing more to read), and two 0s sharing a
  stretch of ink (read again by strokes), each against its ink-only read.

Run alone with ``python -m tests.benchmarks.run --only strokes``.
"""

from __future__ import annotations

import functools
import statistics
import time

import numpy as np

from tests.benchmarks.bench_reading import quality_row

PER_ROW = 200
PER_FAMILY = 50
SEED = 970  # no training or card measurement uses seeds 900-999
HEIGHT, MAX_WIDTH = 280, 840  # the Number canvas
OVERLAP, HEAVY, APART = (-0.1, 0.02), (-0.2, 0.0), (0.05, 0.35)


def pen(rng: np.random.Generator) -> float:
    return float(np.clip(rng.lognormal(np.log(20), 0.35), 6, 40))


def draw_layers(polylines: list[np.ndarray], width: float) -> list[np.ndarray]:
    """Each polyline alone with a round pen: uint8 ``(HEIGHT, W)``, ink bright."""
    from PIL import Image, ImageDraw, ImageFilter  # noqa: PLC0415

    from digitlab.engine.strokes import pen_line  # noqa: PLC0415

    right = float(np.concatenate(polylines)[:, 0].max())
    w = int(min(MAX_WIDTH, max(HEIGHT, np.ceil(right + width + 10))))
    layers = []
    for line in polylines:
        image = Image.new("L", (w, HEIGHT), 0)
        pen_line(ImageDraw.Draw(image), line, width)
        layers.append(np.asarray(image.filter(ImageFilter.GaussianBlur(0.6))))
    return layers


def place(glyphs: list[list[np.ndarray]], heights: list[float], gaps, rng, tremor: float
          ) -> list[np.ndarray]:
    """Glyphs (strokes in any unit, y down) scaled to ``heights`` px, side by side with
    ``gaps`` (shares of the height) between them: the strokes in canvas pixels."""
    from digitlab.engine.strokes import wobble  # noqa: PLC0415

    out = []
    x = 40.0
    top = (HEIGHT - max(heights)) / 2
    for k, (glyph, h) in enumerate(zip(glyphs, heights, strict=True)):
        pts = np.concatenate(glyph)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        scale = h / max(hi[1] - lo[1], 1e-6)
        dy = top + rng.uniform(-0.05, 0.05) * h
        out += [wobble((np.asarray(s, float) - lo) * scale + [x, dy], rng, tremor * h)
                for s in glyph]
        x += (hi[0] - lo[0]) * scale + (gaps[k] * h if k < len(gaps) else 0)
    return out


def shear(glyph: list[np.ndarray], k: float) -> list[np.ndarray]:
    return [np.stack([s[:, 0] - k * s[:, 1], s[:, 1]], 1) for s in glyph]


@functools.lru_cache(maxsize=1)
def hershey_fonts(groups: tuple[str, ...]) -> list[dict]:
    from digitlab.engine import hershey  # noqa: PLC0415

    files = hershey.find_hershey()
    return [hershey.load_font(files[name]) for g in groups
            for name in hershey.HERSHEY_GROUPS[g] if name in files]


def hershey_number(n: int, gap: tuple[float, float], rng) -> tuple[str, list, float, list]:
    """``(digits, strokes in canvas px, pen width, layers)`` of a held-out Hershey hand."""
    fonts = [f for f in hershey_fonts(("hershey:latin-2", "hershey:script-2"))
             if all(str(d) in f for d in range(10))]
    font = fonts[int(rng.integers(len(fonts)))]
    digits = "".join(str(d) for d in rng.integers(0, 10, n))
    width, h = pen(rng), rng.uniform(120, 210)
    slant = rng.uniform(-0.25, 0.25)
    lines = place([shear(font[d], slant) for d in digits], [h * rng.uniform(0.93, 1.07)
                  for _ in digits], rng.uniform(*gap, n - 1), rng, rng.uniform(0.005, 0.02))
    return digits, lines, width, draw_layers(lines, width)


def mnist_number(n: int, gap: tuple[float, float], rng, mnist) -> tuple[str, list, float, list]:
    """MNIST test digits redrawn with a pen, one stroke per digit (ends: its topmost and
    bottommost ink, through its leftmost and rightmost)."""
    from PIL import Image  # noqa: PLC0415

    from digitlab.engine.strokes import pen_redraw  # noqa: PLC0415

    images, labels = mnist
    width, h = pen(rng), rng.uniform(120, 210)
    placed, digits, x = [], "", 40.0
    for k in range(n):
        i = int(rng.integers(len(images)))
        digits += str(int(labels[i]))
        ys, xs = np.nonzero(images[i] > 30)
        crop = images[i][ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        size = (max(1, round(crop.shape[1] * h / crop.shape[0])), round(h))
        big = pen_redraw(np.asarray(Image.fromarray(crop).resize(size, Image.BILINEAR)), width)
        placed.append((int(x), big))
        x += big.shape[1] + (rng.uniform(*gap) * h if k < n - 1 else 0)
    w, top = int(min(MAX_WIDTH, x + 40)), int((HEIGHT - h) / 2)
    layers, lines = [], []
    for x0, big in placed:
        layer = np.zeros((HEIGHT, w), np.uint8)
        cols = max(0, min(big.shape[1], w - x0))
        layer[top:top + big.shape[0], x0:x0 + cols] = big[:, :cols]
        ys, xs = np.nonzero(layer > 0)
        if not len(ys):
            continue
        lines.append(np.array([[xs[ys.argmin()], ys.min()], [xs.min(), ys.mean()],
                               [xs.max(), ys.mean()], [xs[ys.argmax()], ys.max()]], float))
        layers.append(layer)
    return digits, lines, 0.0, layers


def read_twice(reader, lines, width, layers):
    """The drawing read by its ink alone and with its strokes."""
    from digitlab.engine.stroke_reading import read_by_strokes  # noqa: PLC0415

    keep = [i for i, layer in enumerate(layers) if layer.any()]
    layers = [layers[i] for i in keep]
    strokes = [(lines[i], width) for i in keep]
    ink = reader.read(np.max(layers, axis=0), ink="bright")
    return ink, read_by_strokes(reader, ink, strokes,
                                lambda idx: np.max([layers[i] for i in idx], axis=0))


def number_rows(reader, source: str, make, rng) -> list[dict]:
    """Rows for numbers ``make(n, gap, rng) -> (digits, strokes, pen width, layers)``."""
    rows = []
    cases = [(n, OVERLAP) for n in (2, 3, 4)] + [(n, HEAVY) for n in (2, 4)] + [
        (n, APART) for n in (2, 4)]
    for n, gap in cases:
        ink = strokes = 0
        for _ in range(PER_ROW):
            digits, lines, width, layers = make(n, gap, rng)
            by_ink, by_strokes = read_twice(reader, lines, width, layers)
            ink += by_ink.number == digits
            strokes += by_strokes.number == digits
        spacing = {OVERLAP: "overlapping or touching", HEAVY: "overlapping by up to a fifth",
                   APART: "apart"}[gap]
        rows.append(quality_row(
            f"numbers drawn in strokes read exactly, {n} digits, {source}, {spacing} "
            f"(by ink alone {100 * ink / PER_ROW:.1f}%)", strokes / PER_ROW, None, None,
            samples=PER_ROW, by_ink=round(ink / PER_ROW, 4)))
    return rows


def non_digit_row(reader, rng) -> dict:
    from digitlab.engine import hershey  # noqa: PLC0415
    from digitlab.engine.doodles import DOODLES  # noqa: PLC0415
    from digitlab.engine.strokes import SHAPES  # noqa: PLC0415

    makers = {name: (lambda make=make: make(rng)) for name, make in {**SHAPES, **DOODLES}.items()}
    for group in hershey.HERSHEY_GROUPS:
        pool = [g for f in hershey_fonts((group,)) for g in hershey.glyph_strokes(f, False)]
        if pool:
            makers[group] = (lambda pool=pool: (
                shear(pool[int(rng.integers(len(pool)))], rng.uniform(-0.25, 0.25)),
                float(rng.uniform(0.01, 0.04))))
    ink = strokes = total = 0
    changed: dict[str, int] = {}
    for name, make in makers.items():
        for _ in range(PER_FAMILY):
            glyph, tremor = make()
            aspect = rng.uniform(0.7, 1.4)
            glyph = [np.asarray(s, float) * [aspect, 1] for s in glyph]
            width = pen(rng)
            lines = place([glyph], [rng.uniform(120, 210)], [], rng, tremor)
            by_ink, by_strokes = read_twice(reader, lines, width, draw_layers(lines, width))
            ink += by_ink.number is None
            strokes += by_strokes.number is None
            total += 1
            if (by_ink.number is None) != (by_strokes.number is None):
                changed[name] = changed.get(name, 0) + 1
    return quality_row(
        f"non-digit drawings in strokes flagged ({len(makers)} families; by ink alone "
        f"{100 * ink / total:.1f}%)", strokes / total, None, None, samples=total,
        by_ink=round(ink / total, 4), changed=changed)


def letter_rows(reader, rng) -> list[dict]:
    """2-3 digits of a held-out Hershey hand with one held-out Hershey letter or symbol
    among them (Latin, script, Greek, Cyrillic ``-2`` groups), one pen: read as a number."""
    from digitlab.engine import hershey  # noqa: PLC0415

    fonts = [f for f in hershey_fonts(("hershey:latin-2", "hershey:script-2"))
             if all(str(d) in f for d in range(10))]
    letters = [g for group in ("hershey:latin-2", "hershey:script-2", "hershey:greek-2",
                               "hershey:cyrillic-2")
               for f in hershey_fonts((group,)) for g in hershey.glyph_strokes(f, False)]
    rows = []
    for gap in (OVERLAP, APART):
        ink = strokes = 0
        for _ in range(PER_ROW):
            font = fonts[int(rng.integers(len(fonts)))]
            n = int(rng.integers(2, 4))
            glyphs = [font[str(d)] for d in rng.integers(0, 10, n)]
            glyphs.insert(int(rng.integers(0, n + 1)), letters[int(rng.integers(len(letters)))])
            slant, width, h = rng.uniform(-0.25, 0.25), pen(rng), rng.uniform(110, 180)
            lines = place([shear(g, slant) for g in glyphs],
                          [h * rng.uniform(0.93, 1.07) for _ in glyphs],
                          rng.uniform(*gap, len(glyphs) - 1), rng, rng.uniform(0.005, 0.02))
            by_ink, by_strokes = read_twice(reader, lines, width, draw_layers(lines, width))
            ink += by_ink.number is not None
            strokes += by_strokes.number is not None
        spacing = "overlapping or touching" if gap == OVERLAP else "apart"
        rows.append(quality_row(
            f"2-3 digits with a letter among them drawn in strokes, {spacing}, read as a "
            f"number (by ink alone {100 * ink / PER_ROW:.1f}%)", strokes / PER_ROW, None, None,
            samples=PER_ROW, by_ink=round(ink / PER_ROW, 4)))
    return rows


def live_rows(reader) -> list[dict]:
    """The Draw tab's Number-mode read with and without the strokes (engine side)."""
    from digitlab.engine.stroke_reading import read_by_strokes  # noqa: PLC0415

    t = np.linspace(-np.pi / 2, 1.5 * np.pi, 60)

    def oval(cx, lean=0.0):
        return np.stack([cx + 45 * np.cos(t) - lean * 95 * np.sin(t), 140 + 95 * np.sin(t)], 1)

    four = [oval(100), np.array([[230, 50], [230, 235]]),
            np.array([[330, 50], [420, 50], [350, 235]]), np.array([[340, 145], [400, 145]]),
            np.array([[520, 50], [490, 160], [580, 160]]), np.array([[560, 90], [560, 240]])]
    rows = []
    for name, lines in (("4-digit number in 6 strokes, digits apart", four),
                        ("two 0s sharing a stretch of ink", [oval(120, 0.25), oval(200, 0.25)])):
        lines = [np.asarray(line, float) for line in lines]
        layers = draw_layers(lines, 20.0)
        drawing = np.max(layers, axis=0)
        strokes = [(line, 20.0) for line in lines]

        def render(idx, layers=layers):
            return np.max([layers[i] for i in idx], axis=0)

        def ink(drawing=drawing):
            return reader.read(drawing, ink="bright", feature_maps=True)

        def both(drawing=drawing, strokes=strokes, render=render):
            return read_by_strokes(reader, ink(drawing), strokes, render, True)

        for _ in range(20):
            ink()
            both()
        with_strokes, alone = [], []
        for _ in range(200):
            for call, out in ((both, with_strokes), (ink, alone)):
                start = time.perf_counter()
                call()
                out.append((time.perf_counter() - start) * 1000)
        median, ref = statistics.median(with_strokes), statistics.median(alone)
        rows.append({"name": f"live read with strokes, {name} (reads {both().number!r})",
                     "median_ms": median,
                     "p95_ms": float(np.percentile(with_strokes, 95)),
                     "reference": "the same drawing read by its ink alone",
                     "reference_median_ms": ref, "ratio": median / ref,
                     "budget": "<= 3 ms" if "digits apart" in name else None,
                     "within_budget": median <= 3.0 if "digits apart" in name else None})
    return rows


def run() -> list[dict]:
    """Measure the rows described in the module docstring."""
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415

    predictor = Predictor.load_shipped()
    reader = Reader(predictor, Gate.load(), load_temperatures(
        model_files={k: shipped_model_path(k) for k in predictor.kinds}))
    rows = live_rows(reader)
    rng = np.random.default_rng(SEED)
    data = load_mnist()
    mnist = (data.x_test, data.y_test)
    if hershey_fonts(("hershey:latin-2", "hershey:script-2")):
        rows += number_rows(reader, "held-out Hershey hands", hershey_number, rng)
        rows += letter_rows(reader, rng)
    rows += number_rows(reader, "MNIST test digits",
                        functools.partial(mnist_number, mnist=mnist), rng)
    rows.append(non_digit_row(reader, rng))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
