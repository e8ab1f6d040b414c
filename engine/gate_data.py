"""Digits and non-digits for training and measuring the not-a-digit gate.

Outlier exposure (Hendrycks et al., 2019): the gate learns "digit or not" from
MNIST digits against many kinds of things that are not digits, generated here:

- ``font:<family>``: letters, symbols, Greek, CJK and Hangul rendered from the
  machine's fonts, filled or redrawn as pen strokes (:func:`engine.strokes.pen_redraw`);
- ``scribble:<kind>``: random curves, zigzags, loops, walks, spirals, scratch-outs;
- ``shape:<kind>``: circles with crosses, boxes, stars, hearts, smileys...;
- ``partial:<kind>``: arcs and dashes;
- ``pair``: two or three MNIST digits side by side (one segment holding a number).

Every sample, digit or not, goes through the app's own preprocessing
(:func:`engine.preprocess.preprocess_drawing`). Families are split into
*train* and *held-out* (:data:`HELD_OUT`): the gate never sees the held-out ones,
so their flag rate estimates how it does on kinds of drawings nobody generated.
Glyphs that a person could fairly call a digit (O, l, I, S, Z, B, g, q, b, /, ...)
are left out of the negatives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from digitlab.engine import hershey
from digitlab.engine.doodles import DOODLES
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.strokes import (CANVAS, SHAPES, pen_redraw, random_pen, shape_sampler,
                                     stroke_sampler)

# Characters that can pass for a digit when handwritten are not negatives (nor T: a 7;
# theta: a slashed 0; beta, sigma, zeta, xi, epsilon, tau; integral, arrows up and down,
# a note, braces: a 1, 3, 6 or 8 in some hand; the gate's most digit-like negatives were these).
_LATIN = "ACEFHKLMNPRUVWXYacdefhkmnprtuvwxy"
_SYMBOLS = "+×÷=≠<>?@#$%&*~^€£¥§¶©®∞π∑Ω√≈±→←★☆♥♦♣♠☺✓✗¢¤µ¿"
_GREEK = "αγηκλμνπρυφψωΓΔΛΞΠΣΦΨΩ"
_CJK = ("的是在有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
        "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业"
        "本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
        "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品")
_HANGUL = ("가나다라마바사아자차카타파하한국어글말사람사랑"
           "학교친구우리너나는를에서하고없다있다먹다좋다")

#: Font families whose glyphs are held out of training (estimating generalisation).
HELD_OUT_FONTS = ("C059", "NimbusSansNarrow", "URWBookman", "NimbusMonoPS", "NanumMyeongjo",
                  "NanumSquareRound", "NotoSerifCJK", "DejaVuSansMono", "StandardSymbolsPS",
                  "D050000L")
#: Scribble, shape and partial-stroke generators held out of training.
HELD_OUT = frozenset({"scribble:spiral", "scribble:hatch", "shape:heart", "shape:smiley",
                      "shape:sun", "shape:house", "partial:hook"})
#: Handwriting-style fonts (other "writers"), by group: their letters and symbols are
#: non-digits, their digits are digits. Groups ending in ``-2`` are held out of training
#: (digits included): the foreign-source check of how the gate treats hands it never saw.
HAND_FONTS: dict[str, tuple[str, ...]] = {
    "hand:BecauseWeBuild": ("BecauseWeBuild",), "hand:BecauseWeConnect": ("BecauseWeConnect",),
    "hand:BecauseWeCreate": ("BecauseWeCreate",), "hand:ComicNeue": ("ComicNeue",),
    "hand:DancingScript": ("DancingScript",), "hand:dkg": ("dkg", "dkgBI", "dkgBd", "dkgIt"),
    "hand:Humor": ("Humor",), "hand:setofont": ("setofont",), "hand:Delphine": ("Delphine",),
    "hand:BecauseWeLearn-2": ("BecauseWeLearn",), "hand:BecauseWeMentor-2": ("BecauseWeMentor",),
    "hand:BecauseWeOrganize-2": ("BecauseWeOrganize",),
    "hand:KaushanScript-2": ("KaushanScript",), "hand:Joscelyn-2": ("Joscelyn",),
    "hand:Breip-2": ("Breip", "breipfont"), "hand:femkeklaver-2": ("femkeklaver",),
    "hand:Rufscript-2": ("Rufscript010",), "hand:SteveHand-2": ("SteveHand",),
}
_HAND_FAMILIES = frozenset(f for fams in HAND_FONTS.values() for f in fams)
#: Outline fonts: each stroke drawn as two lines, not as a pen draws it. Their letters are
#: still non-digits, but their digits stand in for no writer (femkeklaver's were 44 %
#: flagged where the other held-out hands' were 0-1.3 %).
OUTLINE_HANDS = frozenset({"hand:femkeklaver-2"})
_HAND_CHARS = _LATIN + "+=<>?@#$%&*~"

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
              Path.home() / ".local/share/fonts", Path("/Library/Fonts"),
              Path("/System/Library/Fonts"), Path("C:/Windows/Fonts"))


@functools.lru_cache(maxsize=1)
def find_fonts() -> dict[str, list[Path]]:
    """Font files on this machine grouped by family (from the file name: ``DejaVuSans``).

    Returns:
        family -> paths of its .ttf/.otf/.ttc files (Type 1 files are skipped).
    """
    families: dict[str, list[Path]] = {}
    for root in _FONT_DIRS:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
                continue
            family = path.stem.split("-")[0]
            for suffix in ("Bold", "Regular", "Condensed", "Light", "ExtraLight", "Full", "B", "R"):
                if family.endswith(suffix) and family != suffix and family[:-len(suffix)] and (
                        suffix not in ("B", "R") or family.startswith("NanumSquare")):
                    family = family[: -len(suffix)]
                    break
            families.setdefault(family, []).append(path)
    return families


def _charset(family: str) -> str:
    if family.startswith("NotoSansCJK") or family.startswith("NotoSerifCJK") or family.startswith(
            "DroidSans"):
        return _CJK
    if family.startswith("Nanum"):
        return _HANGUL + _LATIN
    if family in ("StandardSymbolsPS",):
        return _GREEK + "∑∏∫√∞≈≠±×÷∀∃∈∩∪⊂⊕⊗"
    if family == "D050000L":
        return "✁✂✃✄✆✇✈✉✌✍✎✏✐✑✒✓✔✕✖✗✘✙✚✛✜✝✞✟✠✡✢✣✤✥✦✧✩✪✫✬✭✮✯✰✱✲✳✴✵✶✷✸✹✺✻✼✽✾✿❀❁❂❃❄❅❆❇❈❉❊❋"
    return _LATIN + _SYMBOLS + _GREEK


@functools.lru_cache(maxsize=256)
def _font(path: Path, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, index=index)


def render_glyph(path: Path, char: str, rng: np.random.Generator) -> np.ndarray | None:
    """One character in a font, rotated and thickened or thinned at random, maybe as strokes.

    Returns:
        uint8 ``(CANVAS, CANVAS)`` ink bright, or ``None`` when the font lacks the glyph.
    """
    font = _font(path, int(rng.integers(70, 110)))
    img = Image.new("L", (CANVAS * 2, CANVAS * 2), 0)
    draw = ImageDraw.Draw(img)
    draw.text((CANVAS, CANVAS), char, fill=255, font=font, anchor="mm")
    arr = np.asarray(img)
    if arr.max() < 128:
        return None
    ys, xs = np.nonzero(arr > 40)
    crop = Image.fromarray(arr[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    crop = crop.rotate(float(rng.uniform(-15, 15)), resample=Image.BILINEAR, expand=True)
    w, h = crop.size
    scale = rng.uniform(0.5, 0.85) * CANVAS / max(w, h)
    crop = crop.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.BILINEAR)
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    cw, ch = crop.size
    at = (int(rng.integers(0, CANVAS - cw + 1)), int(rng.integers(0, CANVAS - ch + 1)))
    canvas.paste(crop, at)
    out = np.asarray(canvas)
    mode = rng.random()
    if mode < 0.5:  # drawn with a pen: the glyph's skeleton at a pen width
        return pen_redraw(out, random_pen(rng))
    if mode < 0.7:
        return np.asarray(canvas.filter(ImageFilter.MaxFilter(int(rng.choice([3, 5, 7])))))
    return out


@functools.lru_cache(maxsize=4096)
def has_glyph(path: Path, char: str) -> bool:
    """Whether the font draws ``char`` itself (not its missing-glyph box or nothing)."""
    def ink(text: str) -> np.ndarray:
        img = Image.new("L", (96, 96), 0)
        ImageDraw.Draw(img).text((48, 48), text, fill=255, font=_font(path, 48), anchor="mm")
        return np.asarray(img)

    drawn = ink(char)
    return bool(drawn.max() >= 128) and not any(
        np.array_equal(drawn, ink(missing)) for missing in ("\uffff", "\ue000", "\u0378"))


def glyph_sampler(families: tuple[str, ...], chars: str | None = None
                  ) -> Callable[[np.random.Generator], np.ndarray | None]:
    """A generator of glyph images from the given font families (see :func:`find_fonts`).

    Args:
        families: font families. chars: the characters to draw (default: by family,
            letters and symbols that cannot pass for a digit); characters a font lacks
            are skipped.
    """
    fonts = find_fonts()
    paths = [(fam, p) for fam in families for p in fonts.get(fam, [])]
    if not paths:
        raise ValueError(f"Received font families {families}; none is installed here "
                         f"(found: {', '.join(sorted(fonts)) or 'no fonts'}).")

    def sample(rng: np.random.Generator) -> np.ndarray | None:
        family, path = paths[int(rng.integers(len(paths)))]
        pool = chars if chars is not None else _charset(family)
        char = pool[int(rng.integers(len(pool)))]
        if family in _HAND_FAMILIES and not has_glyph(path, char):
            return None
        return render_glyph(path, char, rng)
    return sample


def hand_digit_sampler(families: tuple[str, ...]):
    """Digits from handwriting fonts, drawn like :func:`render_glyph`: ``rng -> (image, digit)``.

    Returns ``None`` where none of the families is installed.
    """
    installed = tuple(f for f in families if f in find_fonts())
    if not installed:
        return None
    glyphs = [glyph_sampler(installed, str(d)) for d in range(10)]

    def sample(rng: np.random.Generator):
        digit = int(rng.integers(10))
        image = glyphs[digit](rng)
        return None if image is None else (image, digit)
    return sample


def font_digit_samplers(train: bool) -> dict[str, Callable]:
    """Digits written by other hands: handwriting fonts and Hershey script and Latin fonts.

    Args:
        train: the training groups, else the held-out ones (``-2``).

    Returns:
        group name -> sampler ``rng -> (image, index)``; groups not installed are left out.
    """
    out: dict[str, Callable] = {}
    for group, families in HAND_FONTS.items():
        if group.endswith("-2") != (not train) or group in OUTLINE_HANDS:
            continue
        sampler = hand_digit_sampler(families)
        if sampler is not None:
            out[group] = sampler
    for group, is_train in hershey.DIGIT_GROUPS.items():
        if is_train != train:
            continue
        sampler = hershey.hershey_sampler(group, digits=True)
        if sampler is not None:
            out[group] = sampler
    return out


def _crop28(digit: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(digit > 30)
    return digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def compose_number(digits: list[np.ndarray], rng: np.random.Generator, height: int = 48,
                   gap_range: tuple[float, float] = (-0.05, 0.5), jitter: float = 0.08,
                   size_jitter: float = 0.12, margin: int = 16
                   ) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Write MNIST digits side by side as one person would, on a canvas-like image.

    Args:
        digits: uint8 ``(28, 28)`` MNIST digits, left to right.
        height: the digits' typical height in pixels.
        gap_range: gaps between neighbours' ink as a fraction of ``height`` (negative: overlap).
        jitter: baseline jitter as a fraction of ``height``; size_jitter: relative size spread.
        margin: blank border in pixels.

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
    canvas_h = tallest + 2 * margin + int(2 * jitter * height) + 2
    x = margin
    placed = []
    for i, p in enumerate(pieces):
        if i:
            x += int(round(rng.uniform(*gap_range) * height))
        y = margin + int(jitter * height) + (tallest - p.shape[0]) // 2 + int(
            round(rng.uniform(-jitter, jitter) * height))
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


def to_model_input(image: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray | None:
    """The app's preprocessing; sometimes dark ink on light first. ``None`` when it finds no ink.

    Returns:
        float32 ``(28, 28)`` or ``None``.
    """
    if rng is not None and image.dtype == np.uint8 and image[0, 0] < 128 and rng.random() < 0.25:
        image = 255 - image
    pre = preprocess_drawing(image)
    return None if pre.is_empty else pre.image28


def negative_families(train: bool) -> dict[str, Callable]:
    """Family name -> sampler, for the training families or the held-out ones."""
    fonts = find_fonts()
    out: dict[str, Callable] = {}
    for family in sorted(fonts):
        held = family in HELD_OUT_FONTS
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
    for group, families in HAND_FONTS.items():
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


def sample_set(samplers: dict[str, Callable], per_family: int, seed: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """``per_family`` preprocessed images from each sampler.

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
            x = to_model_input(raw, rng)
            if x is None:
                continue
            images.append(x)
            fam.append(k)
            got += 1
    return np.asarray(images, np.float32).reshape(-1, 28, 28), np.asarray(fam, np.int64)
