"""Fonts for the not-a-digit gate's data: system fonts, handwriting-style fonts, their digits.

- :func:`find_fonts` finds the machine's font files by family; :func:`render_glyph`
  draws one character at a random size, angle and thickness, half the time redrawn
  as pen strokes (:func:`engine.strokes.pen_redraw`);
- system fonts give letters, symbols, Greek, CJK and Hangul (non-digits); families in
  :data:`HELD_OUT_FONTS` and their variants (:func:`is_held_out_font`) are never trained on;
- handwriting-style fonts (:data:`HAND_FONTS`) stand in for other writers: their
  letters and symbols are non-digits, their digits are digits
  (:func:`font_digit_samplers`, with the Latin and script Hershey fonts of
  :mod:`engine.hershey`). Groups ending in ``-2`` are held out.

Used through :mod:`engine.gate_data`, which re-exports these names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from digitlab.engine import hershey
from digitlab.engine.strokes import CANVAS, pen_redraw, random_pen

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
#: More handwriting fonts, from the Fontsource packages of Google Fonts' handwriting
#: category on the npm registry (SIL Open Font License or Apache 2.0), by package name
#: (``@fontsource/<name>``): ``digitlab fetch-hand-fonts`` installs their Latin glyphs as
#: ``<name without hyphens>.woff``. The shipped gate never trained on them: they measure
#: how it treats 63 hands it never saw (``tests/benchmarks/bench_gate.py``); the shipped
#: CNN learnt from the digits of the training groups (``train --hand-digits``). Training
#: with them is an option (``train-gate --more-hands``, :data:`FONTSOURCE_GROUPS`): every
#: third (in this order) is held out, in three groups of seven; the others train, in six
#: groups of seven.
FONTSOURCE_HANDS = (
    "annie-use-your-telescope", "architects-daughter", "caveat-brush", "caveat",
    "cedarville-cursive", "coming-soon", "covered-by-your-grace", "crafty-girls",
    "dawning-of-a-new-day", "delius", "edu-nsw-act-foundation", "edu-sa-beginner",
    "edu-tas-beginner", "edu-vic-wa-nt-beginner", "fuzzy-bubbles", "gaegu", "gamja-flower",
    "give-you-glory", "gloria-hallelujah", "gochi-hand", "handlee", "hi-melody",
    "homemade-apple", "indie-flower", "itim", "just-another-hand", "just-me-again-down-here",
    "kalam", "klee-one", "kristi", "la-belle-aurore", "love-ya-like-a-sister",
    "loved-by-the-king", "mali", "mansalva", "nanum-pen-script", "neucha",
    "nothing-you-could-do", "over-the-rainbow", "pangolin", "patrick-hand",
    "permanent-marker", "playpen-sans", "poor-story", "rancho", "reenie-beanie", "rock-salt",
    "schoolbell", "sedgwick-ave", "shadows-into-light-two", "shadows-into-light",
    "short-stack", "single-day", "sriracha", "sue-ellen-francisco", "sunshiney",
    "swanky-and-moo-moo", "the-girl-next-door", "waiting-for-the-sunrise", "walter-turncoat",
    "yomogi", "zen-kurenaido", "zeyada")


def fontsource_family(name: str) -> str:
    """The family :func:`find_fonts` gives the installed file of ``@fontsource/<name>``."""
    return name.replace("-", "")


def _fontsource_groups() -> dict[str, tuple[str, ...]]:
    held = [fontsource_family(n) for i, n in enumerate(FONTSOURCE_HANDS) if i % 3 == 2]
    train = [fontsource_family(n) for i, n in enumerate(FONTSOURCE_HANDS) if i % 3 != 2]
    groups = {f"hand:fontsource{k + 1}": tuple(train[k::6]) for k in range(6)}
    groups.update({f"hand:fontsource{k + 7}-2": tuple(held[k::3]) for k in range(3)})
    return groups


#: The Fontsource hands in groups like :data:`HAND_FONTS` (``-2``: held out).
FONTSOURCE_GROUPS = _fontsource_groups()
#: Still more of Google Fonts' handwriting fonts (Fontsource packages, installed by
#: ``digitlab fetch-hand-fonts`` beside :data:`FONTSOURCE_HANDS`): more writers for the
#: models' digits only (``train --hand-digits --extra-hands``), never held out and never
#: the gate's. None is a sibling of a held-out hand (no Edu SA, no Nanum Brush Script), and
#: no outline font (Kranky) is among them.
FONTSOURCE_EXTRA_HANDS = (
    "amatic-sc", "bad-script", "bilbo", "borel", "calligraffitti", "charmonman", "chilanka",
    "courgette", "cute-font", "dekko", "east-sea-dokdo", "edu-au-vic-wa-nt-hand",
    "edu-nsw-act-cursive", "edu-qld-beginner", "finger-paint", "gluten", "grape-nuts",
    "hachi-maru-pop", "kite-one", "long-cang", "marck-script", "ma-shan-zheng", "merienda",
    "mynerve", "nova-script", "oooh-baby", "sacramento", "satisfy", "shantell-sans",
    "sofadi-one", "square-peg", "unkempt", "vibur", "yellowtail", "yeon-sung",
    "zhi-mang-xing")
#: :data:`FONTSOURCE_EXTRA_HANDS` in four groups (every fourth), all training groups.
EXTRA_HAND_GROUPS = {f"hand:extra{k + 1}": tuple(fontsource_family(n)
                                                 for n in FONTSOURCE_EXTRA_HANDS[k::4])
                     for k in range(4)}
#: Every handwriting font family: never a system font's negatives (``font:<family>``).
_HAND_FAMILIES = frozenset(f for groups in (HAND_FONTS, FONTSOURCE_GROUPS, EXTRA_HAND_GROUPS)
                           for fams in groups.values() for f in fams)


def hand_groups(more_hands: bool = False) -> dict[str, tuple[str, ...]]:
    """:data:`HAND_FONTS`, and after them :data:`FONTSOURCE_GROUPS` when ``more_hands``
    (after, so that every other source draws the same samples either way)."""
    return {**HAND_FONTS, **FONTSOURCE_GROUPS} if more_hands else dict(HAND_FONTS)
#: Outline fonts: each stroke drawn as two lines, not as a pen draws it. Their letters are
#: still non-digits, but their digits stand in for no writer (femkeklaver's were 44 %
#: flagged where the other held-out hands' were 0-1.3 %).
OUTLINE_HANDS = frozenset({"hand:femkeklaver-2"})
_HAND_CHARS = _LATIN + "+=<>?@#$%&*~"

#: Font files read (FreeType reads WOFF too; Type 1 files are skipped).
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff")
_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
              Path.home() / ".local/share/fonts", Path("/Library/Fonts"),
              Path("/System/Library/Fonts"), Path("C:/Windows/Fonts"))


def is_held_out_font(family: str) -> bool:
    """Whether a system font family is held out: one of :data:`HELD_OUT_FONTS` or a variant
    whose file name extends one (``NanumSquareRoundL``, ``NanumMyeongjoExtra`` from Debian's
    fonts-nanum-extra), so that installing more fonts never trains on a held-out family."""
    return family.startswith(HELD_OUT_FONTS)


@functools.lru_cache(maxsize=1)
def find_fonts() -> dict[str, list[Path]]:
    """Font files on this machine grouped by family (from the file name: ``DejaVuSans``).

    Returns:
        family -> paths of its .ttf/.otf/.ttc/.woff files (Type 1 files are skipped).
    """
    families: dict[str, list[Path]] = {}
    for root in _FONT_DIRS:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() not in _FONT_SUFFIXES:
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


def font_digit_samplers(train: bool, more_hands: bool = False, extra_hands: bool = False
                        ) -> dict[str, Callable]:
    """Digits written by other hands: handwriting fonts and Hershey script and Latin fonts.

    Args:
        train: the training groups, else the held-out ones (``-2``).
        more_hands: the Fontsource hands' groups too (:func:`hand_groups`).
        extra_hands: with ``train``, :data:`EXTRA_HAND_GROUPS` too (after all others).

    Returns:
        group name -> sampler ``rng -> (image, index)``; groups not installed are left out.
    """
    out: dict[str, Callable] = {}
    for group, families in hand_groups(more_hands).items():
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
    for group, families in EXTRA_HAND_GROUPS.items() if extra_hands and train else ():
        sampler = hand_digit_sampler(families)
        if sampler is not None:
            out[group] = sampler
    return out
