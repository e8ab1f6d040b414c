"""Printed rule lines on paper: found and taken out before the digit is looked for.

A digit written in a lined notebook or on squared paper and photographed (or scanned)
brings the paper's lines with it. They are as dark as faint ink, so they counted as ink:
the drawing's box ran from edge to edge, the lines pulled the digit out of shape, or
joined a number's digits into one piece.

**A line** here is a thin band of ink, straight but perhaps tilted by up to
:data:`MAX_TILT` degrees (a photo is rarely square to the page), that runs from an edge
of the image to another (the paper goes on past the image; a bar drawn on it ends
before its edge). Straightened, its band is at most :data:`LINE_THICK` of the image's
side thick (5 px at least); each of its rows has ink in :data:`LINE_ROW` of its length
and of its fullest row's (a digit's bar along it, or a large digit's faint halo beside
it, fills less); together its rows have ink in :data:`LINE_COVER` of the columns it
spans. Ink, to find lines, is what lies :data:`LINE_FAINT` of the peak from the paper
(half the ink level, so a faint printed line is found whole), but a line holds ink at
the ink level over :data:`LINE_INK` of its length (flattening a photo's uneven light
leaves faint traces that were never ink).

**Paper, not writing.** Nothing is taken out when nothing but lines is left ("=", "#"
or a thin "11" cropped tightly are all bands). Otherwise a line is taken out when:

- it is printed lighter than the writing (:data:`LINE_TONE`), as notebooks print theirs,
  and lies off the image's first and last rows in its middle (a tightly cropped
  drawing's anti-aliased edge is light too);
- or it is one of at least :data:`MIN_LINES` lines of one direction as dark as the
  writing that lie :data:`INSIDE` of the height within the image (paper on both sides; a
  tightly cropped glyph's bars or serifs lie on its edge) and run past the remaining ink
  by :data:`LINE_REACH` of the width at both ends (a Z's or an E's bars end where its
  other strokes do). A lone dark bar, such as a T's or a + 's, is part of the drawing;
- or it holds as much ink across it as a line taken out (:data:`SAME_TONE`): squared
  paper's other direction, or a line of the same paper on the image's edge. (Its ink
  across, not its tone: anti-aliased, a thin line falling between two pixel rows has
  half its tone in each, one falling on a row its whole tone.)
- or the image's edge cuts it off (:data:`CUT_OFF_SPAN`): a tilted line near the top or
  bottom of a photo leaves it on the way, or lies half outside it, so less of it is in
  the image; it goes when its direction's other lines go.

A line's rows (and :data:`LINE_PAD` rows beside them, its anti-aliased fringe) become
background, except in the columns where ink continues on both sides of the line: a
stroke crossing it keeps its pixels. Where lines of both directions are taken out, their
crossings go too, a cut-off line's included (each is the other's crossing stroke).

A printed box around the writing is the other printed thing a photo brings
(:mod:`engine.printed_boxes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from digitlab.engine.components import runs

#: Ink spanning this share of the image's width or height is searched for rule lines,
LINE_SPAN = 0.95
#: ...on an image at least this many pixels on both sides (a line's band of 5 px is then
#: at most 8 % of the side; in a smaller image it is a stroke). A close photo of a digit
#: on squared paper can be under 100 px a side (a few % of bench_paper's squared pages).
LINE_MIN_SIDE = 64
#: A line reaches within this share of the side of the image's edges (or leaves it
#: through the top or bottom when tilted), over at least LINE_SPAN_MIN of the width.
EDGE, LINE_SPAN_MIN = 0.05, 0.5
#: A line has ink in this share of the columns it spans (its rows together),
LINE_COVER = 0.8
#: ...where ink, for finding lines, is what lies this share of the peak from the paper,
LINE_FAINT = 0.05
#: ...and at the ink level in at least this share of them.
LINE_INK = 0.3
#: Each of a line's rows (straightened) has ink in this share of its least length and
#: of its fullest row's.
LINE_ROW = 0.7
#: A line's band, straightened, is at most this share of the image's side thick (>= 5 px).
LINE_THICK = 0.03
#: Lines are searched for at tilts up to this many degrees (in steps of TILT_STEP, then
#: finer on a wide image: :func:`_tilt`), counting every SEARCH_STEP-th column.
MAX_TILT, TILT_STEP, SEARCH_STEP = 3.0, 0.25, 2
#: The tilt is first searched on the mask max-pooled to at most this many columns...
COARSE_WIDTH = 400
#: ...then, on a wider image, at full size around it in steps that drift a line this many
#: pixels at the image's ends.
FINE_DRIFT = 1.0
#: A line's columns are read over its band and this many rows beside it on each side:
#: straightened by whole rows, a thin line drifts across a row boundary, and what lies
#: beyond it falls in the next row (a 1-px faint line of a 663 px photo lay 490 columns in
#: one row and 247 in the next, so it covered too little of its span to be a line).
LINE_NEIGHBOURS = 1
#: Rows beside a line's band cleared with it (its anti-aliased fringe).
LINE_PAD = 2
#: A line is printed lighter than the writing when its ink is at most this share as far
#: from the paper as most of the writing's (its 90th percentile); a light line counts
#: when it lies at least OFF_EDGE rows inside the image in its middle.
LINE_TONE, OFF_EDGE = 0.6, 1
#: Dark lines are paper when at least this many of one direction lie this share of the
#: image's height inside it (4 px at least) and run this share of the width past the
#: other ink at both ends.
MIN_LINES, INSIDE, LINE_REACH = 2, 0.05, 0.05
#: A line the image's edge cuts off (:func:`_cut_off`) spans at least this share of the
#: width inside it. (0.02 found a line's corner, 81 px of a 4,000 px photo's last column,
#: that the tilt search of the time left to stretch the box; with the search of
#: :func:`_tilt` it gained nothing on the paper bench and lost a squared 3-digit page.)
CUT_OFF_SPAN = 0.1
#: A line within this share of the ink across a line taken out (:meth:`_Lines.weight`)
#: goes too.
SAME_TONE = 0.25

Band = tuple[int, int, int, int]  # straightened rows top..bottom, columns first..end


def may_hold_lines(box: tuple[int, int, int, int], shape: tuple[int, int]) -> bool:
    """Whether ink with this bounding box ``(y0, x0, y1, x1)`` on an image of ``shape`` may
    hold rule lines (it spans the image's width or height, and the image is at least
    :data:`LINE_MIN_SIDE` on both sides): the cheap test that spares every other drawing
    the search."""
    y0, x0, y1, x1 = box
    if min(shape) < LINE_MIN_SIDE:
        return False
    return x1 - x0 >= LINE_SPAN * shape[1] or y1 - y0 >= LINE_SPAN * shape[0]


@dataclass(frozen=True)
class _Lines:
    """The horizontal lines of one image, straightened at their tilt.

    ``shift[x]``: straightened row ``r`` of column ``x`` is the image's row
    ``r - margin + shift[x]``.
    """

    bands: list[Band]
    #: Lines cut off by the image's edge (:func:`_cut_off`): they go with the paper's
    #: other lines of this direction, whatever their tone.
    cut_off: list[Band]
    straight: np.ndarray
    straight_ink: np.ndarray
    shift: np.ndarray
    margin: int

    @classmethod
    def find(cls, faint: np.ndarray, ink: np.ndarray) -> _Lines:
        """The lines of the ``faint`` mask (:data:`LINE_FAINT`) with ink at the ink level."""
        h, w = faint.shape
        margin = math.ceil(math.tan(math.radians(MAX_TILT)) * w / 2) + 1
        centred = np.arange(w) - (w - 1) / 2
        degrees = _tilt(faint)
        shift = np.rint(math.tan(math.radians(degrees)) * centred).astype(np.intp)
        straight = _straightened(faint, shift, margin)
        straight_ink = _straightened(ink, shift, margin)
        bands = [band for band in _bands(straight, h)
                 if _edge_to_edge(band, shift - margin, h, w) and _inked(band, straight_ink)]
        cut_off = [band for band in _bands(straight, h, CUT_OFF_SPAN)
                   if _cut_off(band, shift - margin, h, w) and _inked(band, straight_ink)]
        return cls(bands, cut_off, straight, straight_ink, shift, margin)

    def inside(self, band: Band, share: float | None = None, least: float = 4.0) -> bool:
        """Whether the band lies ``share`` (None: :data:`INSIDE`) of the height within the
        image in its middle (``least`` rows at least)."""
        share = INSIDE if share is None else share
        top, bottom, first, end = band
        offset = self.shift[(first + end - 1) // 2] - self.margin
        h = self.straight_ink.shape[0] - 2 * self.margin
        room = max(least, share * h)
        return top + offset >= room and bottom + offset <= h - room

    def straightened(self, values: np.ndarray) -> np.ndarray:
        """An array of the image's shape straightened as the lines were (zeros outside)."""
        return _straightened(values, self.shift, self.margin)

    def tone(self, band: Band, distance: np.ndarray) -> float:
        """How far a band's ink lies from the paper (``distance`` straightened as the lines
        were): the median over its columns of each column's median over the ink of its
        rows (the line's own tone where a digit's bar or crossing strokes cover a minority
        of the columns)."""
        ink, along = self._across(band, distance)
        values = np.where(ink, along, np.nan)
        inked = ink.any(axis=0)
        return float(np.median(np.nanmedian(values[:, inked], axis=0))) if inked.any() else 0.0

    def weight(self, band: Band, distance: np.ndarray) -> float:
        """How much ink a band holds across it (``distance`` straightened as the lines were):
        the median over its columns of the distance summed over its rows' ink (padded by
        :data:`LINE_PAD`). Unlike :meth:`tone`, it does not depend on where the line falls
        between two rows (anti-aliased, a 1-px line straddling two rows has half the tone
        in each), so lines of one paper weigh the same."""
        ink, along = self._across(band, distance)
        sums = np.where(ink, along, 0.0).sum(axis=0)
        inked = ink.any(axis=0)
        return float(np.median(sums[inked])) if inked.any() else 0.0

    def _across(self, band: Band, distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A band's straightened ink and ``distance`` in its columns, over its rows padded
        by :data:`LINE_PAD` (what :meth:`tone` and :meth:`weight` measure)."""
        a, b, _ = self._rows(band)
        return self.straight[a:b, band[2]:band[3]], distance[a:b, band[2]:band[3]]

    def _rows(self, band: Band) -> tuple[int, int, np.ndarray]:
        """A band's straightened rows padded by :data:`LINE_PAD`, and its columns where
        ink lies just above and just below them (a stroke crossing)."""
        ink = self.straight_ink
        n = ink.shape[0]
        a, b = max(0, band[0] - LINE_PAD), min(n, band[1] + LINE_PAD)
        crossing = (ink[a - 1] & ink[b]) if a > 0 and b < n else np.zeros(ink.shape[1], bool)
        return a, b, crossing

    def cleared(self, bands: list[Band]) -> tuple[np.ndarray, np.ndarray]:
        """``(clear, zone)`` in the image's rows: the pixels these bands clear (their rows
        padded by :data:`LINE_PAD`, but not the columns where ink lies just above and
        just below: a stroke crossing), and their padded rows whole."""
        shape = self.straight_ink.shape
        out, zone = np.zeros(shape, bool), np.zeros(shape, bool)
        for band in bands:
            a, b, crossing = self._rows(band)
            out[a:b] |= ~crossing
            zone[a:b] = True
        return (_unstraightened(out, self.shift, self.margin),
                _unstraightened(zone, self.shift, self.margin))


def _fullest(faint: np.ndarray):
    """``degrees -> (the fullest row of faint straightened at this tilt, -|degrees|)``,
    counting every SEARCH_STEP-th column (the least tilt wins a tie)."""
    h, w = faint.shape
    ys, xs = np.nonzero(faint[:, ::SEARCH_STEP])
    ys, centred = ys + w, xs * SEARCH_STEP - (w - 1) / 2  # + w: no row index below 0

    def fullest(degrees: float) -> tuple[int, float]:
        shift = np.rint(math.tan(math.radians(degrees)) * centred).astype(np.intp)
        return int(np.bincount(ys - shift).max(initial=0)), -abs(degrees)
    return fullest


def _tilt(faint: np.ndarray) -> float:
    """The lines' tilt in degrees: the tilt whose fullest straightened row is fullest.

    Quarter degrees first, on the mask max-pooled to at most COARSE_WIDTH columns (a line
    stays a line; at a few hundred columns a quarter degree drifts it under a pixel or two
    at the ends). A wider image is then searched at full size, where a line is straight
    only within a few hundredths of a degree, at every tilt the pooled search cannot tell
    from its own (half a quarter degree, and a pooled pixel's drift at the ends), in steps
    that drift a line FINE_DRIFT px at its ends. (Whole degrees first missed a page tilted
    half a degree between them, whose big digits made fuller rows at whole degrees; at full
    size, quarter degrees and halving steps lost a line 0.12 degree off the grid to the
    digits' rows the same way; before either, whole degrees at full size missed the lines
    of a 3,000 px photo tilted half a degree altogether.)
    """
    h, w = faint.shape
    f = max(1, math.ceil(w / COARSE_WIDTH))
    small = faint if f == 1 else np.logical_or.reduce(
        faint[:h - h % f, :w - w % f].reshape(h // f, f, w // f, f), axis=(1, 3))

    def best(tilts: np.ndarray, fullest) -> float:
        return max(tilts[np.abs(tilts) <= MAX_TILT], key=fullest)

    degrees = best(np.arange(-MAX_TILT, MAX_TILT + TILT_STEP / 2, TILT_STEP), _fullest(small))
    if f == 1:
        return float(degrees)
    finest = math.degrees(math.atan(FINE_DRIFT / (w / 2)))
    reach = TILT_STEP / 2 + math.degrees(math.atan(f / (w / 2)))
    n = math.ceil(reach / finest)
    return float(best(degrees + finest * np.arange(-n, n + 1), _fullest(faint)))


def _runs(shift: np.ndarray) -> list[tuple[int, int, int]]:
    """``(first, end, shift)`` of each run of columns with one shift (a few dozen: the
    shift changes by one row every 1 / tan(tilt) columns)."""
    starts = [0, *(np.flatnonzero(np.diff(shift)) + 1).tolist(), len(shift)]
    return [(a, b, int(shift[a])) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def _straightened(values: np.ndarray, shift: np.ndarray, margin: int) -> np.ndarray:
    """``(H + 2 margin, W)``: row ``r`` of column ``x`` is ``values``' row
    ``r - margin + shift[x]`` (zero outside it), copied run of columns by run."""
    h, w = values.shape
    out = np.zeros((h + 2 * margin, w), values.dtype)
    for a, b, s in _runs(shift):
        out[margin - s:margin - s + h, a:b] = values[:, a:b]
    return out


def _unstraightened(straight: np.ndarray, shift: np.ndarray, margin: int) -> np.ndarray:
    """The image's rows of a straightened array (the inverse of :func:`_straightened`)."""
    h = straight.shape[0] - 2 * margin
    out = np.empty((h, straight.shape[1]), straight.dtype)
    for a, b, s in _runs(shift):
        out[:, a:b] = straight[margin - s:margin - s + h, a:b]
    return out


def _bands(straight: np.ndarray, h: int, span: float = LINE_SPAN_MIN) -> list[Band]:
    """Candidate bands of a straightened mask (of an image ``h`` rows high), spanning at
    least ``span`` of its width."""
    w = straight.shape[1]
    thick = max(5, round(LINE_THICK * h))
    counts = np.count_nonzero(straight, axis=1)
    rows = counts >= LINE_ROW * span * w
    if not rows.any():
        return []
    bands = []
    for top, bottom in runs(rows):
        # The line's own rows: those nearly as full as its fullest (a digit's bar along
        # it, or a large digit's faint halo beside it, covers less of the width).
        core = np.flatnonzero(counts[top:bottom] >= LINE_ROW * counts[top:bottom].max())
        top, bottom = top + int(core[0]), top + int(core[-1]) + 1
        if bottom - top > thick:
            continue  # a stroke's width, or a filled area: not a printed line
        # Its columns with LINE_NEIGHBOURS rows beside it (module constant).
        lo, hi = max(0, top - LINE_NEIGHBOURS), min(len(counts), bottom + LINE_NEIGHBOURS)
        columns = np.flatnonzero(np.logical_or.reduce(straight[lo:hi], axis=0))
        first, end = int(columns[0]), int(columns[-1]) + 1
        if end - first >= span * w and len(columns) >= LINE_COVER * (end - first):
            bands.append((top, bottom, first, end))
    return bands


def _inked(band: Band, ink: np.ndarray) -> bool:
    """Whether a band holds ink at the ink level over :data:`LINE_INK` of its span."""
    top, bottom, first, end = band
    inked = np.count_nonzero(np.logical_or.reduce(ink[top:bottom, first:end], axis=0))
    return inked >= LINE_INK * (end - first)


def _edge_to_edge(band: Band, offset: np.ndarray, h: int, w: int) -> bool:
    """Whether a straightened band reaches within :data:`EDGE` of both sides of the image,
    or of its top or bottom where a tilted line leaves it (``offset[x]``: the image row of
    straightened row 0 in column x)."""
    _, _, first, end = band
    near = EDGE * min(h, w)
    return ((first <= near or _at_edge(band, offset, h, first, near))
            and (end >= w - near or _at_edge(band, offset, h, end - 1, near)))


def _at_edge(band: Band, offset: np.ndarray, h: int, column: int, slack: float) -> bool:
    """Whether a straightened band reaches within ``slack`` rows of the image's top or
    bottom in this column (at or past it for ``slack`` 0: the line leaves the image)."""
    return band[0] + offset[column] <= slack or band[1] + offset[column] >= h - slack


def _cut_off(band: Band, offset: np.ndarray, h: int, w: int) -> bool:
    """Whether a straightened band is a line the image's edge cuts off: it lies on the
    image's first or last rows (some of its rows outside the image, or within
    :data:`LINE_PAD` of its edge), and runs from there to a side of the image (within
    :data:`EDGE`) or out through its top or bottom (a tilted line near the edge)."""
    _, _, first, end = band
    near = EDGE * min(h, w)
    ends = (first, end - 1)
    if not any(_at_edge(band, offset, h, c, LINE_PAD) for c in ends):
        return False
    return all(_at_edge(band, offset, h, c, 0) or c <= near or c >= w - 1 - near for c in ends)


def _reaches_past(bands: list[Band], rest: np.ndarray) -> bool:
    """Whether ``bands`` run :data:`LINE_REACH` of the width past the ink ``rest`` (a
    mask, not empty) at both ends."""
    columns = np.flatnonzero(np.logical_or.reduce(rest, axis=0))
    reach = LINE_REACH * rest.shape[1]
    start = min(band[2] for band in bands)
    end = max(band[3] for band in bands)
    return columns[0] >= start + reach and columns[-1] + 1 <= end - reach


def without_rule_lines(raw: np.ndarray, mask: np.ndarray, faint: np.ndarray,
                       background: float) -> np.ndarray | None:
    """``raw`` with its rule lines set to ``background``, or None when it has none.

    Args:
        raw: the grayscale image ``(H, W)`` (not modified). mask: its ink (bool, same
            shape); faint: what lies :data:`LINE_FAINT` of the ink's peak from the paper.
        background: the paper's value in ``raw``'s units.
    """
    directions = [_Lines.find(faint, mask), _Lines.find(faint.T, mask.T)]
    if not any(lines.bands for lines in directions):
        return None
    found = [[_oriented(m, k) for m in lines.cleared(lines.bands)]
             for k, lines in enumerate(directions)]
    meeting = found[0][1] & found[1][1]  # where the two directions' lines cross
    rest = mask & ~found[0][0] & ~found[1][0] & ~meeting
    if not rest.any():
        return None  # nothing but bands: "=", "#", a thin "11" cropped to its ink
    distance = np.abs(raw.astype(np.float32) - np.float32(background))
    writing = float(np.percentile(distance[rest], 90))
    tones, weights = [], []
    for k, lines in enumerate(directions):
        along = lines.straightened(_oriented(distance, k)) if lines.bands else None
        tones.append([lines.tone(band, along) for band in lines.bands])
        weights.append([lines.weight(band, along) for band in lines.bands])
    # A light line off the image's first and last rows (a tightly cropped drawing's
    # anti-aliased edge is light too, and lies on them).
    taken = [[tone <= LINE_TONE * writing and lines.inside(band, 0.0, OFF_EDGE)
              for tone, band in zip(row, lines.bands, strict=True)]
             for row, lines in zip(tones, directions, strict=True)]
    for k, lines in enumerate(directions):
        dark = [i for i, band in enumerate(lines.bands)
                if not taken[k][i] and lines.inside(band)]
        if len(dark) >= MIN_LINES and _reaches_past([lines.bands[i] for i in dark],
                                                    _oriented(rest, k)):
            for i in dark:
                taken[k][i] = True
    paper = [weight for row, flags in zip(weights, taken, strict=True)
             for weight, t in zip(row, flags, strict=True) if t]
    if not paper:
        return None
    clear = np.zeros(mask.shape, bool)
    zones = [found[0][1], found[1][1]]  # the rows each direction's lines clear, whole
    directions_taken = 0
    for k, (lines, row) in enumerate(zip(directions, weights, strict=True)):
        # The paper's lines, and those in their tone (the other direction's on squared
        # paper, a line on the image's edge): weighed across, as anti-aliasing moves a
        # line's ink between rows.
        chosen = [band for weight, band, t in zip(row, lines.bands, taken[k], strict=True)
                  if t or any(abs(weight - other) <= SAME_TONE * other for other in paper)]
        if chosen:
            # All of them, as a rule: the clearing already made for `rest` serves.
            clear |= (found[k][0] if len(chosen) == len(lines.bands)
                      else _oriented(lines.cleared(chosen)[0], k))
            # With them, the lines of this direction that the image's edge cuts off: less
            # of such a line is in the image, so it holds less ink across than the rest.
            cut_off = [band for band in lines.cut_off if band not in chosen]
            if cut_off:
                cut_clear, cut_zone = lines.cleared(cut_off)
                clear |= _oriented(cut_clear, k)
                zones[k] = zones[k] | _oriented(cut_zone, k)
            directions_taken += 1
    if directions_taken == 2:
        # Where the lines cross (a cut-off line's crossings too: each line is the other's
        # crossing stroke, which its own clearing keeps).
        clear |= zones[0] & zones[1]
    out = raw.copy()
    out[clear] = np.asarray(background).astype(raw.dtype)
    return out


def _oriented(array: np.ndarray, direction: int) -> np.ndarray:
    """A mask of direction ``direction`` (0: across, 1: down, found transposed) in the
    image's orientation."""
    return array if direction == 0 else array.T
