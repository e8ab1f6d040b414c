"""Hershey stroke fonts: letters and symbols as the pen paths a hand draws (for the gate's data).

A Hershey font (``.jhf``, e.g. Debian's ``hershey-fonts-data`` in
``/usr/share/hershey-fonts``) stores each glyph as polylines on a small integer
grid: ``NNNNNVVVLR`` then ``V-1`` coordinate pairs, each coordinate a letter
offset from ``'R'``; the pair ``" R"`` lifts the pen. The 96 glyphs of a font
file stand for ASCII 32..127 (a Greek or Cyrillic file puts its letters at the
Latin letters' places). Drawn with :func:`engine.strokes.draw_strokes`, they are
true pen strokes with hand tremor rather than filled outlines.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

#: Where Debian's hershey-fonts-data puts the fonts.
HERSHEY_DIR = Path("/usr/share/hershey-fonts")


def parse_jhf(text: str) -> list[list[np.ndarray]]:
    """The glyphs of a ``.jhf`` file, in file order.

    Args:
        text: the file's text (glyph records may wrap onto following lines).

    Returns:
        One list of strokes per glyph; each stroke float ``(K, 2)`` (x, y), y down,
        ``K >= 2`` (single points are dropped). A glyph with no strokes (space) is ``[]``.

    Raises:
        ValueError: a record whose header or coordinates are malformed (quoting it).
    """
    glyphs: list[list[np.ndarray]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        record = lines[i].rstrip("\n")
        i += 1
        if not record.strip():
            continue
        try:
            int(record[:5])
            count = int(record[5:8])
        except ValueError:
            raise ValueError(f"Received a Hershey record {record[:20]!r}; expected 5 digits "
                             "of number and 3 of vertex count") from None
        need = 8 + 2 * count
        while len(record) < need and i < len(lines):  # wrapped record
            record += lines[i].rstrip("\n")
            i += 1
        body = record[10:need]
        if len(body) != 2 * (count - 1):
            raise ValueError(f"Received a Hershey record {record[:20]!r} with "
                             f"{len(body) // 2} pairs; its header says {count - 1}")
        strokes, current = [], []
        for k in range(0, len(body), 2):
            pair = body[k:k + 2]
            if pair == " R":
                if len(current) > 1:
                    strokes.append(np.array(current, np.float64))
                current = []
                continue
            current.append((ord(pair[0]) - ord("R"), ord(pair[1]) - ord("R")))
        if len(current) > 1:
            strokes.append(np.array(current, np.float64))
        glyphs.append(strokes)
    return glyphs


@functools.lru_cache(maxsize=64)
def load_font(path: str | Path) -> dict[str, list[np.ndarray]]:
    """A Hershey font file as character -> strokes (ASCII 32.. in file order; empty glyphs out).

    Raises:
        OSError: the file cannot be read. ValueError: it is not a Hershey font (names it).
    """
    path = Path(path)
    try:
        glyphs = parse_jhf(path.read_text(encoding="latin-1"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    return {chr(32 + k): strokes for k, strokes in enumerate(glyphs) if strokes}


def find_hershey(root: Path = HERSHEY_DIR) -> dict[str, Path]:
    """Hershey font files on this machine: name (file stem, e.g. ``futural``) -> path."""
    if not root.is_dir():
        return {}
    return {p.stem: p for p in sorted(root.glob("*.jhf"))}


#: Font files by group; a group is one family of the gate's data. The held-out groups
#: (never trained on) estimate how the gate does on pen letters and symbols of other hands.
HERSHEY_GROUPS: dict[str, tuple[str, ...]] = {
    "hershey:latin": ("futural", "rowmans", "rowmant", "timesi", "timesib"),
    "hershey:script": ("scripts",),
    "hershey:greek": ("greek", "greeks"),
    "hershey:cyrillic": ("cyrillic",),
    "hershey:gothic": ("gothiceng", "gothgbt", "gothicita"),
    "hershey:symbols": ("mathlow", "symbolic", "markers", "astrology", "japanese"),
    # Held out:
    "hershey:latin-2": ("futuram", "rowmand", "timesr", "timesrb"),
    "hershey:script-2": ("cursive", "scriptc"),
    "hershey:greek-2": ("greekc", "timesg"),
    "hershey:cyrillic-2": ("cyrilc_1",),
    "hershey:gothic-2": ("gothicger", "gothgrt", "gothitt"),
    "hershey:symbols-2": ("mathupp", "meteorology", "music"),
}
#: Groups the gate never trains on.
HELD_OUT_HERSHEY = frozenset(name for name in HERSHEY_GROUPS if name.endswith("-2"))
#: Groups whose digits are drawn as digits (Latin and script hands).
DIGIT_GROUPS = {"hershey:latin": True, "hershey:script": True,
                "hershey:latin-2": False, "hershey:script-2": False}

# Glyph places that can pass for a digit in any font (digits; O l I S Z B g q b D G J Q ...,
# and in Greek/Cyrillic files the letters at those places: omicron, zeta, theta, Ze, be...).
_NOT_NEGATIVE = set("0123456789OoIilLjJSsZzBbgqQDGdT|/\\()[]!.,:;'`\"-_^")


def _is_simple_stroke(strokes: list[np.ndarray]) -> bool:
    """One stroke near its chord (a line or shallow arc: a 1, a slash) or one closed loop (an O)."""
    if len(strokes) != 1:
        return False
    pts = strokes[0]
    chord = pts[-1] - pts[0]
    length = float(np.hypot(*chord))
    extent = float((pts.max(axis=0) - pts.min(axis=0)).max())
    if length <= 0.25 * extent:  # one closed loop: an O, which passes for a 0
        return True
    rel = pts - pts[0]
    dist = np.abs(chord[0] * rel[:, 1] - chord[1] * rel[:, 0]) / length
    return float(dist.max()) < 0.25 * length


def glyph_strokes(font: dict[str, list[np.ndarray]], digits: bool) -> list[list[np.ndarray]]:
    """The glyphs of a font usable as digits (``digits``) or as non-digits.

    Non-digits leave out digit look-alike places (:data:`_NOT_NEGATIVE`), single nearly
    straight strokes and specks (under 6 grid units: a dot scaled up is a blob).
    """
    if digits:
        return [font[c] for c in "0123456789" if c in font]
    out = []
    for char, strokes in font.items():
        if char in _NOT_NEGATIVE or _is_simple_stroke(strokes):
            continue
        pts = np.concatenate(strokes)
        if float((pts.max(axis=0) - pts.min(axis=0)).max()) < 6:
            continue
        out.append(strokes)
    return out


def hershey_sampler(group: str, digits: bool = False, root: Path = HERSHEY_DIR):
    """Glyphs of one of :data:`HERSHEY_GROUPS` drawn with a pen and hand tremor.

    Args:
        group: e.g. ``"hershey:latin"``. digits: draw its digits 0-9 instead of the
            rest; the sampler then returns ``(image, digit)``.
        root: where the ``.jhf`` files are.

    Returns:
        ``rng -> uint8 (CANVAS, CANVAS)`` (ink bright), or ``None`` when none of the
        group's fonts is installed.
    """
    from digitlab.engine.strokes import draw_strokes  # noqa: PLC0415

    files = find_hershey(root)
    fonts = [load_font(files[name]) for name in HERSHEY_GROUPS[group] if name in files]
    # Each glyph with its label: a font lacking some digits must not shift the others'.
    pools = [[(int(c), f[c]) for c in "0123456789" if c in f] if digits
             else [(None, g) for g in glyph_strokes(f, False)] for f in fonts]
    pools = [p for p in pools if p]
    if not pools:
        return None

    def sample(rng: np.random.Generator):
        pool = pools[int(rng.integers(len(pools)))]
        label, glyph = pool[int(rng.integers(len(pool)))]
        shear = rng.uniform(-0.25, 0.25)
        strokes = [np.stack([s[:, 0] - shear * s[:, 1], s[:, 1]], 1) * [rng.uniform(0.8, 1.2), 1]
                   for s in glyph]
        img = draw_strokes(strokes, rng, rotate_deg=10, tremor=float(rng.uniform(0.01, 0.04)))
        return (img, label) if digits else img
    return sample
