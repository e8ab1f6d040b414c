"""Digits and non-digits for training and measuring the not-a-digit gate.

Outlier exposure (Hendrycks et al., 2019): the gate learns "digit or not" from
MNIST digits against many kinds of things that are not digits, generated here:

- ``font:<family>``: letters, symbols, Greek, CJK and Hangul rendered from the
  machine's fonts, filled or redrawn as pen strokes (:mod:`engine.gate_fonts`);
- ``hand:<font>``: letters and symbols of handwriting-style fonts (their digits are
  digits: :func:`engine.gate_fonts.font_digit_samplers`);
- ``hershey:<group>``: Hershey stroke fonts drawn as pen paths (:mod:`engine.hershey`);
- ``scribble:<kind>``: random curves, zigzags, loops, walks, spirals, scratch-outs;
- ``shape:<kind>``: circles with crosses, boxes, stars, hearts, smileys...;
- ``doodle:<kind>``, ``invented:strokes``: doodles and Omniglot-like invented
  characters (:mod:`engine.doodles`);
- ``partial:<kind>``: arcs and dashes;
- ``outline:<kind>``: closed outlines that are no oval, blobs with dents and polygons
  with corners going in (:data:`engine.doodles.OUTLINES`; ``train-gate --outlines N``),
  and ``outline:convex``, convex ones with a corner, a cusp or a flat side
  (:data:`engine.doodles.CONVEX_OUTLINES`; ``train-gate --convex-outlines N``);
- ``scribble:scrawl``: quick scribbles of 9-28 straight strokes with sharp corners
  (:data:`engine.strokes.SCRAWLS`; ``train-gate --scrawls N``);
- ``pair``: two or three MNIST digits side by side (one segment holding a number);
- ``shifted:<turn>``: MNIST digits turned a quarter or half turn or mirrored, where
  that makes them no digit (a mirrored 3 is an epsilon; a 6 turned half way is a 9,
  so not that one): the gate must learn the digits' shapes, not only their strokes
  (shifting transformations, Tack et al., 2020).

Every sample, digit or not, goes through the app's own preprocessing
(:func:`engine.preprocess.preprocess_drawing`). Families are split into
*train* and *held-out* (:data:`HELD_OUT`, :data:`engine.gate_fonts.HELD_OUT_FONTS`,
``hand:*-2``, ``hershey:*-2``): the gate never sees the held-out ones,
so their flag rate estimates how it does on kinds of drawings nobody generated.
Glyphs that a person could fairly call a digit (O, l, I, S, Z, B, g, q, b, /, ...)
are left out of the negatives.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter

from digitlab.engine import hershey
from digitlab.engine.doodles import CONVEX_OUTLINES, DOODLES, OUTLINES
from digitlab.engine.gate_fonts import (  # noqa: F401 - re-exported for the gate's users
    FONTSOURCE_GROUPS, HAND_FONTS, HELD_OUT_FONTS, OUTLINE_HANDS, _HAND_CHARS, _HAND_FAMILIES,
    find_fonts, font_digit_samplers, glyph_sampler, has_glyph, hand_groups, is_held_out_font,
    render_glyph)
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.strokes import (CANVAS, SCRAWLS, SHAPES, pen_redraw, random_pen, shape_sampler,
                                     stroke_sampler)

#: Scribble, shape and partial-stroke generators held out of training.
HELD_OUT = frozenset({"scribble:spiral", "scribble:hatch", "shape:heart", "shape:smiley",
                      "shape:sun", "shape:house", "partial:hook"})


def _crop28(digit: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(digit > 30)
    return digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def compose_number(digits: list[np.ndarray], rng: np.random.Generator, height: int = 48,
                   gap_range: tuple[float, float] = (-0.05, 0.5), jitter: float = 0.08,
                   size_jitter: float = 0.12, margin: int = 16, slope: float = 0.0
                   ) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Write MNIST digits side by side as one person would, on a canvas-like image.

    Args:
        digits: uint8 ``(28, 28)`` MNIST digits, left to right.
        height: the digits' typical height in pixels.
        gap_range: gaps between neighbours' ink as a fraction of ``height`` (negative: overlap).
        jitter: baseline jitter as a fraction of ``height``; size_jitter: relative size spread.
        margin: blank border in pixels.
        slope: each digit this fraction of ``height`` higher than the one before (negative:
            lower), as a number written without a ruled line drifts; 0 draws the same
            numbers as before this option.

    Returns:
        ``(image, boxes)``: uint8 ``(H, W)`` ink bright, and each digit's ``(y0, x0, y1, x1)``.
    """
    pieces = []
    for d in digits:
        crop = Image.fromarray(_crop28(d))
        scale = height / 20.0 * rng.uniform(1 - size_jitter, 1 + size_jitter)
        w, h = crop.size
        pieces.append(np.asarray(crop.resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                             Image.BILINEAR)))
    tallest = max(p.shape[0] for p in pieces)
    steps = [int(round(slope * height * i)) for i in range(len(pieces))]
    rise = max(steps) - min(steps)
    canvas_h = tallest + 2 * margin + int(2 * jitter * height) + 2 + rise
    x = margin
    placed = []
    for i, p in enumerate(pieces):
        if i:
            x += int(round(rng.uniform(*gap_range) * height))
        y = margin + int(jitter * height) + (tallest - p.shape[0]) // 2 + int(
            round(rng.uniform(-jitter, jitter) * height)) + max(steps) - steps[i]
        placed.append((y, max(x, 0), p))
        x = max(x, 0) + p.shape[1]
    width = x + margin
    out = np.zeros((canvas_h, width), np.uint8)
    boxes = []
    for y, x0, p in placed:
        region = out[y:y + p.shape[0], x0:x0 + p.shape[1]]
        np.maximum(region, p, out=region)
        boxes.append((y, x0, y + p.shape[0], x0 + p.shape[1]))
    return out, boxes


def pair_sampler(images: np.ndarray) -> Callable[[np.random.Generator], np.ndarray]:
    """Two or three of ``images`` (MNIST digits) side by side, close or touching, as one drawing."""
    def sample(rng: np.random.Generator) -> np.ndarray:
        k = 2 if rng.random() < 0.75 else 3
        picks = images[rng.integers(len(images), size=k)]
        img, _ = compose_number(list(picks), rng, gap_range=(-0.15, 0.3), margin=8)
        return img
    return sample


def restyle_fast(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The styles of :mod:`engine.styles` (thick, thin, small and off-centre, slanted, dark ink
    on uneven paper) on a 128 px canvas, ~20x cheaper than the 280 px originals.

    Returns:
        uint8 image as the app may receive it (ink bright, or dark on light for paper).
    """
    big = Image.fromarray(digit).resize((CANVAS, CANVAS), Image.BILINEAR)
    style = int(rng.integers(6))
    if style == 0:  # thick
        big = big.filter(ImageFilter.MaxFilter(int(rng.choice([3, 5, 7]))))
    elif style == 1:  # thin
        thin = big.filter(ImageFilter.MinFilter(int(rng.choice([3, 5]))))
        big = thin if np.asarray(thin).max() > 64 else big
    elif style == 2:  # small, off-centre
        side = int(rng.integers(24, 48))
        out = Image.new("L", (CANVAS, CANVAS), 0)
        out.paste(big.resize((side, side), Image.BILINEAR),
                  (int(rng.integers(0, CANVAS - side)), int(rng.integers(0, CANVAS - side))))
        big = out
    elif style == 3:  # slanted
        angle = float(rng.uniform(15, 25) * rng.choice([-1, 1]))
        big = big.rotate(angle, resample=Image.BILINEAR)
    elif style == 4:  # dark ink on uneven paper, softened like a camera
        ink = np.asarray(big, np.float32) / 255.0
        yy, xx = np.mgrid[0:CANVAS, 0:CANVAS].astype(np.float32)
        paper = 215 + 25 * xx / CANVAS - 20 * yy / CANVAS + rng.normal(0, 6, ink.shape)
        photo = np.clip(paper * (1 - 0.8 * ink), 0, 255).astype(np.uint8)
        return np.asarray(Image.fromarray(photo).filter(ImageFilter.GaussianBlur(0.8)))
    return np.asarray(big)


def digit_sampler(images: np.ndarray) -> Callable[[np.random.Generator], tuple[np.ndarray, int]]:
    """MNIST digits as the app may receive them: restyled, or redrawn as pen strokes, or plain.

    Returns:
        A function ``rng -> (image, index)``: uint8 image, index into ``images``.
    """
    def sample(rng: np.random.Generator):
        i = int(rng.integers(len(images)))
        digit = images[i]
        mode = rng.random()
        if mode < 0.45:
            big = np.asarray(Image.fromarray(digit).resize((CANVAS, CANVAS), Image.BILINEAR))
            big = np.asarray(Image.fromarray(big).rotate(float(rng.uniform(-15, 15)),
                                                         resample=Image.BILINEAR))
            return pen_redraw(big, random_pen(rng)), i
        if mode < 0.55:
            return digit, i
        return restyle_fast(digit, rng), i
    return sample


#: The shifting transformations, as functions of a uint8 image and the randomness.
SHIFTS: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "quarter": lambda img, rng: np.rot90(img, 1 if rng.random() < 0.5 else -1),
    "half": lambda img, rng: np.rot90(img, 2),
    "mirror": lambda img, rng: img[:, ::-1],
    "flip": lambda img, rng: img[::-1, :],
}

#: The digits each shift leaves a digit (a 0 any way, an 8 or a 1 mirrored, a 6 turned
#: half way, a 3 flipped), or that it may: 2 and 5 mirror each other as a seven-segment
#: display draws them. These are not negatives.
SHIFT_KEEPS: dict[str, frozenset[int]] = {
    "quarter": frozenset({0}),
    "half": frozenset({0, 1, 2, 5, 6, 8, 9}),
    "mirror": frozenset({0, 1, 2, 5, 8}),
    "flip": frozenset({0, 1, 2, 3, 5, 8}),
}


def shifted_samplers(images: np.ndarray, labels: np.ndarray) -> dict[str, Callable]:
    """``shifted:<turn>`` -> sampler of MNIST digits, restyled or redrawn as
    :func:`digit_sampler` does, then turned or mirrored; only digits the turn makes no digit."""
    out = {}
    for name, shift in SHIFTS.items():
        keep = np.isin(labels, sorted(SHIFT_KEEPS[name]), invert=True)
        base = digit_sampler(images[keep])

        def sample(rng: np.random.Generator, base=base, shift=shift) -> np.ndarray:
            image, _ = base(rng)
            return np.ascontiguousarray(shift(image, rng))
        out[f"shifted:{name}"] = sample
    return out


def outline_samplers(convex: bool = False) -> dict[str, Callable]:
    """``outline:<kind>`` -> sampler of closed outlines that are no oval
    (:data:`engine.doodles.OUTLINES`, or with ``convex`` those convex or nearly,
    :data:`engine.doodles.CONVEX_OUTLINES`), drawn with a pen."""
    return {name: stroke_sampler(make)
            for name, make in (CONVEX_OUTLINES if convex else OUTLINES).items()}


def scrawl_samplers() -> dict[str, Callable]:
    """``scribble:scrawl`` -> sampler of quick scribbles (:data:`engine.strokes.SCRAWLS`)."""
    return {name: stroke_sampler(make) for name, make in SCRAWLS.items()}


def labelled_digits(samplers: dict, per_family: int, seed: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed digits and their labels from samplers ``rng -> (image, digit)``: up to
    ``per_family`` from each (3x as many tries), float32 ``(N, 28, 28)`` and int64 ``(N,)``."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for sampler in samplers.values():
        got = 0
        for _ in range(per_family * 3):
            out = sampler(rng)
            if out is None:
                continue
            x = to_model_input(out[0], rng)
            if x is None:
                continue
            xs.append(x)
            ys.append(out[1])
            got += 1
            if got == per_family:
                break
    return np.asarray(xs, np.float32).reshape(-1, 28, 28), np.asarray(ys, np.int64)


def to_model_input(image: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray | None:
    """The app's preprocessing; sometimes dark ink on light first. ``None`` when it finds no ink.

    Returns:
        float32 ``(28, 28)`` or ``None``.
    """
    if rng is not None and image.dtype == np.uint8 and image[0, 0] < 128 and rng.random() < 0.25:
        image = 255 - image
    pre = preprocess_drawing(image)
    return None if pre.is_empty else pre.image28


def negative_families(train: bool, more_hands: bool = False) -> dict[str, Callable]:
    """Family name -> sampler, for the training families or the held-out ones (with the
    Fontsource hands' groups too when ``more_hands``)."""
    fonts = find_fonts()
    out: dict[str, Callable] = {}
    for family in sorted(fonts):
        held = is_held_out_font(family)
        if held != (not train) or family.startswith("DejaVuMath") or family in _HAND_FAMILIES:
            continue
        sampler = glyph_sampler((family,))
        probe = np.random.default_rng(0)
        # Symbol fonts with their own encodings render none of our characters: skip them.
        if any(sampler(probe) is not None for _ in range(8)):
            out[f"font:{family}"] = sampler
    for name in SHAPES:
        if (name in HELD_OUT) != (not train):
            continue
        out[name] = shape_sampler(name)
    if train:  # every doodle generator trains; hand-made held-out shapes are in SHAPES
        for name, make in DOODLES.items():
            out[name] = stroke_sampler(make)
    for group, families in hand_groups(more_hands).items():
        if group.endswith("-2") != (not train) or not any(f in fonts for f in families):
            continue
        out[group] = glyph_sampler(tuple(f for f in families if f in fonts), _HAND_CHARS)
    for group in hershey.HERSHEY_GROUPS:
        if (group in hershey.HELD_OUT_HERSHEY) != (not train):
            continue
        sampler = hershey.hershey_sampler(group)
        if sampler is not None:
            out[group] = sampler
    return out


def warp(image: np.ndarray, rng: np.random.Generator, amount: float = 0.08,
         cells: int = 3) -> np.ndarray:
    """A smooth random distortion of an image, as a hand bends a shape (cf. the elastic
    distortions of Simard et al., 2003, here piecewise affine).

    The image is cut into ``cells`` x ``cells`` rectangles; each is filled from a
    quadrilateral whose inner corners are moved by ``amount`` x the image's shorter side
    (standard deviation), at most a quarter of a cell: cells never fold, and no part of
    the shape grows or shrinks by more than 2x. The border stays: no ink leaves
    the image.

    Args:
        image: uint8 ``(H, W)``. rng: the randomness. amount, cells: as above.

    Returns:
        uint8 ``(H, W)``.
    """
    h, w = image.shape
    xs = np.linspace(0, w, cells + 1).round().astype(int)
    ys = np.linspace(0, h, cells + 1).round().astype(int)
    px, py = np.meshgrid(xs.astype(np.float64), ys.astype(np.float64))
    most = 0.25 * min(h, w) / cells
    shift = np.clip(rng.normal(0.0, amount * min(h, w), (2, cells - 1, cells - 1)), -most, most)
    px[1:-1, 1:-1] += shift[0]
    py[1:-1, 1:-1] += shift[1]
    mesh = [((int(xs[j]), int(ys[i]), int(xs[j + 1]), int(ys[i + 1])),
             (px[i, j], py[i, j], px[i + 1, j], py[i + 1, j],
              px[i + 1, j + 1], py[i + 1, j + 1], px[i, j + 1], py[i, j + 1]))
            for i in range(cells) for j in range(cells)]
    return np.asarray(Image.fromarray(image).transform((w, h), Image.MESH, mesh,
                                                      resample=Image.BILINEAR))


def sample_set(samplers: dict[str, Callable], per_family: int, seed: int,
               distort: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``per_family`` preprocessed images from each sampler.

    Args:
        distort: the share of samples bent by :func:`warp` first (0: none, and the same
            samples as before this option for the same seed).

    Returns:
        ``(images, family_index)``: float32 ``(N, 28, 28)`` and int ``(N,)``, an index into
        ``list(samplers)``.
    """
    rng = np.random.default_rng(seed)
    images, fam = [], []
    for k, sampler in enumerate(samplers.values()):
        got, tries = 0, 0
        while got < per_family and tries < per_family * 3:
            tries += 1
            raw = sampler(rng)
            if isinstance(raw, tuple):
                raw = raw[0]
            if raw is None:
                continue
            if distort and rng.random() < distort and raw.dtype == np.uint8:
                raw = warp(raw, rng)
            x = to_model_input(raw, rng)
            if x is None:
                continue
            images.append(x)
            fam.append(k)
            got += 1
    return np.asarray(images, np.float32).reshape(-1, 28, 28), np.asarray(fam, np.int64)
