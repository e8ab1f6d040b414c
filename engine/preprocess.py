"""Turn a drawing or a photo of a digit into the 28x28 image the models were trained on.

MNIST digits were made this way (LeCun, Cortes, Burges): the ink's bounding
box was fitted into a 20x20 box keeping its aspect ratio, with anti-aliasing,
then placed in a 28x28 field so that its centre of mass lands at the centre.
A drawing resized whole to 28x28 looks nothing like that (a small, off-centre,
thin digit), and the models then guess near chance. :func:`preprocess_drawing`
repeats the MNIST recipe on any canvas:

    (H, W) canvas -> background removed, ink bright, scaled so its peak is 1
        -> bounding-box crop (h, w) -> fitted (20, w') or (h', 20)
        -> (28, 28) with the centre of mass at (14, 14)

Everything is numpy. This module finds the ink and crops it; fitting the crop into the
20 px box and centring it are :mod:`engine.fit_box`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from digitlab.engine.fit_box import FIT_SIZE, IMAGE_SIZE, center_by_mass, fit_ink_widened
from digitlab.engine.lighting import border_ring, flatten_lighting, ink_polarity
from digitlab.engine.printed_boxes import frame_inset, frame_walls
from digitlab.engine.rule_lines import LINE_FAINT, may_hold_lines, without_rule_lines

#: A pixel is ink if it is above this fraction of the ink's peak (after the
#: background is removed). Relative, so grey pens and faint scans work alike,
#: and low enough that anti-aliased edges stay in the bounding box.
INK_FRACTION = 0.1
#: Below this peak contrast against the background (on a 0..1 scale) there is no ink.
MIN_CONTRAST = 0.06
#: Ink stands out of the paper's grain (a photo's noise) by more than this many times its
#: standard deviation: ink at INK_FRACTION of the peak alone, on a grainy photo, is grain
#: everywhere, and one grain more than 5 sigma out is 1 pixel in 3.5 million.
GRAIN_SIGMAS = 5.0
#: The grain is read along the border in up to this many stretches of at least
#: GRAIN_STEPS pixels each, the grainiest kept (``_grain``).
GRAIN_PARTS = 8
GRAIN_STEPS = 40
#: A border whose 5th-95th percentile spread is above this fraction of full scale is
#: uneven lighting (a photo of paper), not a canvas: the background is flattened first.
UNEVEN_BORDER = 0.08
#: Below this ink mass, as a fraction of the canvas area, there is no digit:
#: 0.2 % of a 28x28 field is about 1.5 MNIST pixels (a stray dot, a speck)...
MIN_MASS_FRACTION = 0.002
#: ...unless the ink spans at least this share of the image's longer side, has ink in at
#: least MIN_ROWS of its bounding box's rows and fills at least MIN_DENSITY of the box: a
#: digit written small on a large image (a 300 px digit in a 3000 px photo is 0.1 % of its
#: area) or with a 1-px pencil (1-2 % of its box) is a drawing, its strokes running on
#: from row to row; a speck is not, nor are specks scattered over the image (most rows of
#: their box hold none) or faint grain (under 0.5 % of its box).
MIN_EXTENT = 0.05
MIN_ROWS = 0.75
MIN_DENSITY = 0.005
#: "Ink" that fills at least this share of its bounding box, a box covering at least
#: SHEET_AREA of the image, is a sheet of paper, not strokes: a photo of a page on a darker
#: desk, or a page inside a dark frame, whose edges set the background. The digit is
#: looked for inside the sheet, SHEET_INSET of its longer side in from its edges.
SHEET_FILL = 0.9
SHEET_AREA = 0.25
SHEET_INSET = 0.02

INK_MODES = ("auto", "bright", "dark")


@dataclass(frozen=True)
class PreprocessResult:
    """Each stage of :func:`preprocess_drawing`, for the models and for showing the user.

    Attributes:
        is_empty: no ink, or too little to be a digit.
        cropped: float32 ``(h, w)`` in [0, 1], ink bright: the bounding-box crop at the
            input's resolution. ``(1, 1)`` zeros when empty.
        fitted: float32 ``(h', w')`` with ``max(h', w') == 20``: the crop resized, aspect
            ratio kept. ``(20, 20)`` zeros when empty.
        image28: float32 ``(28, 28)`` in [0, 1], ink bright, centre of mass at (14, 14):
            what the models receive. Zeros when empty.
        bbox: ``(y0, x0, y1, x1)`` of the ink in the input (``y1``, ``x1`` exclusive),
            or ``None`` when empty.
        ink: ``"bright"`` (light ink on dark) or ``"dark"`` (dark ink on light), as given
            or as detected.
        widened: the strokes were too fine for the 20 px box and were thickened before
            ``fitted`` (:func:`engine.fit_box.fit_ink_widened`).
    """

    is_empty: bool
    cropped: np.ndarray
    fitted: np.ndarray
    image28: np.ndarray
    bbox: tuple[int, int, int, int] | None
    ink: str
    widened: bool = False


def preprocess_drawing(image: np.ndarray, ink: str = "auto") -> PreprocessResult:
    """Crop, fit and centre the digit in ``image`` the way MNIST digits were made.

    Args:
        image: 2-D grayscale array ``(H, W)`` of any size: ``uint8`` 0..255 or float 0..1.
        ink: ``"bright"`` (white on black, like MNIST), ``"dark"`` (black on white) or
            ``"auto"``: dark when the background (the median of the border pixels) is
            nearer white than the ink is.

    Returns:
        A :class:`PreprocessResult`; ``image28`` is ``(28, 28)`` float32 in [0, 1].

    Raises:
        ValueError: ``image`` is not a non-empty 2-D array, holds NaN/inf, or ``ink``
            is not one of ``"auto"``, ``"bright"``, ``"dark"``.
    """
    if ink not in INK_MODES:
        raise ValueError(f"Received ink={ink!r}; expected one of {', '.join(INK_MODES)}.")
    return _preprocess(image, ink, look_inside=True)


def _preprocess(image: np.ndarray, ink: str, look_inside: bool, lines: bool = True
                ) -> PreprocessResult:
    """:func:`preprocess_drawing`; ``look_inside``: read inside what looks like a sheet;
    ``lines``: look for rule lines (:mod:`engine.rule_lines`) on ink spanning the image."""
    # Whole-canvas passes stay in the input's units (uint8 compares are cheap) and are
    # few: the border's sorted values, then the ink's extreme per column (which also
    # gives the ink's peak); rows are found within the ink's columns and only the
    # bounding-box crop is converted to float.
    raw, full_scale = _as_grayscale(image)
    border = _sorted_border(raw)
    background = _median_of_sorted(border)
    auto = ink == "auto"
    if auto:
        high, low = float(raw.max()), float(raw.min())
        ink = _detect_ink(high - background, background - low, background / full_scale)
    if _spread_of_sorted(border) > UNEVEN_BORDER * full_scale:
        # A photo of paper under uneven light or a shadow: a darker corner would otherwise
        # count as ink and stretch the bounding box. The canvas never takes this path.
        if auto:
            ink = ink_polarity(raw, ink)
        raw = flatten_lighting(raw, ink == "bright", full_scale)
        # The paper's level from the whole image, not its border: the flattening lifts
        # the paper by its grain's highest values, a little less along the border (fewer
        # pixels around), where a grainy photo's paper then looks lighter than inside.
        background = float(np.median(raw[::2, ::2]))
        border = _sorted_border(raw)
    bright = ink == "bright"
    # The ink's extreme in each column: ``max`` for bright ink, ``min`` for dark.
    col_extremes = raw.max(axis=0) if bright else raw.min(axis=0)
    extreme = float(col_extremes.max() if bright else col_extremes.min())
    peak = extreme - background if bright else background - extreme  # the ink's contrast
    # A photo's grain: ink must stand out of it, however faint the rest of the ink is.
    grain = GRAIN_SIGMAS * _grain(raw, border)
    if peak < MIN_CONTRAST * full_scale or peak <= grain:
        return _empty(ink)
    threshold = _ink_threshold(raw.dtype, background, max(INK_FRACTION * peak, grain), bright)
    # The first and last ink columns (argmax stops at the first True; rfind searches the
    # mask's bytes from the end): cheaper than flatnonzero's wrappers.
    ink_cols = _beyond(col_extremes, threshold, bright)
    x0, x1 = int(ink_cols.argmax()), ink_cols.tobytes().rfind(1) + 1
    # The ink mask of the columns' band (one compare). Its first ink pixel gives the
    # first row (argmax stops at the first True), its last one the last row (bytes.rfind
    # searches from the end; reducing along rows, or argmax of the band upside down,
    # which copies it, costs more).
    band = _beyond(raw[:, x0:x1], threshold, bright)
    width = band.shape[1]
    y0 = int(band.reshape(-1).argmax()) // width
    y1 = band.tobytes().rfind(1) // width + 1
    mask = band[y0:y1]
    count = np.count_nonzero(mask)
    if look_inside and count > SHEET_FILL * mask.size and mask.size >= SHEET_AREA * raw.size:
        m = max(2, round(SHEET_INSET * max(y1 - y0, x1 - x0)))
        inside = _read_inside(raw, (y0 + m, x0 + m, y1 - m, x1 - m), "auto")
        if inside is not None:
            return inside
    if lines and may_hold_lines((y0, x0, y1, x1), raw.shape):
        # Lined or squared paper: the lines are taken out and the rest read again.
        faint = _ink_threshold(raw.dtype, background, LINE_FAINT * peak, bright)
        unlined = without_rule_lines(raw, _beyond(raw, threshold, bright),
                                     _beyond(raw, faint, bright), background)
        if unlined is not None:
            return _preprocess(unlined, ink, look_inside, lines=False)
    if look_inside and (frame := frame_inset(mask)) is not None:
        # Writing in a printed box (an answer box, a form's field, a comb of them): read
        # inside it, its inner walls made paper.
        top, left, bottom, right = frame
        inner = (y0 + top, x0 + left, y1 - bottom, x1 - right)
        walls = frame_walls(mask[top:mask.shape[0] - bottom, left:mask.shape[1] - right])
        boxed = raw.copy() if walls else raw
        for a, b in walls:
            boxed[inner[0]:inner[2], inner[1] + a:inner[1] + b] = np.asarray(
                background).astype(raw.dtype)
        inside = _read_inside(boxed, inner, ink)
        if inside is not None:
            return inside
    # Background removal: ink becomes its distance from the background, peak -> 1.
    cropped = raw[y0:y1, x0:x1].astype(np.float32)
    cropped -= np.float32(background)
    scale = np.float32((1.0 if bright else -1.0) / peak)
    cropped *= scale
    # Faint noise below the ink level must not smear into the fitted image. This also
    # clips at 0: every ink pixel is more than INK_FRACTION above it.
    np.multiply(cropped, mask, out=cropped)
    # The products are monotonic, so only the extreme pixel can round past 1.
    if (np.float32(extreme) - np.float32(background)) * scale > 1.0:
        np.minimum(cropped, 1.0, out=cropped)
    if not _surely_enough_ink(count, raw.size) and not _enough_ink(
            float(cropped.sum()), mask, raw.shape):
        return _empty(ink)
    fitted, widened = fit_ink_widened(cropped)
    return PreprocessResult(
        is_empty=False,
        cropped=cropped,
        fitted=fitted,
        image28=center_by_mass(fitted, IMAGE_SIZE),
        bbox=(y0, x0, y1, x1),
        ink=ink,
        widened=widened,
    )


def _as_grayscale(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Validate a 2-D grayscale image: ``(array, full_scale)``, never a view to write into.

    ``uint8`` (and bool) arrays come back as they are, with full scale 255 (1);
    anything else as float32 on a 0..1 scale (0..255 for integers and for floats
    whose maximum is above 1), clipped to that range.
    """
    arr = np.asarray(image)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(
            f"Received an image of shape {arr.shape}; expected a non-empty 2-D grayscale "
            "array (H, W)."
        )
    if arr.dtype == np.uint8:
        return arr, 255.0
    if arr.dtype == np.bool_:
        return arr.view(np.uint8), 1.0
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"Received an image of dtype {arr.dtype}; expected uint8 or float.")
    out = arr.astype(np.float32, copy=False)
    high, low = float(out.max()), float(out.min())  # max/min propagate NaN
    if not (np.isfinite(high) and np.isfinite(low)):
        raise ValueError("Received an image holding NaN or infinity; expected finite values.")
    full_scale = 255.0 if np.issubdtype(arr.dtype, np.integer) or high > 1.0 + 1e-6 else 1.0
    if low < 0.0 or high > full_scale:
        out = np.clip(out, 0.0, full_scale)
    return out, full_scale


def _sorted_border(img: np.ndarray) -> np.ndarray:
    """The outermost rows and columns, sorted: the background's statistics come from them."""
    border = np.concatenate((img[0], img[-1], img[1:-1, 0], img[1:-1, -1]))
    # A stable sort is a radix sort for uint8 (~1 us for a 280x280 canvas's border).
    return np.sort(border, kind="stable")


def _median_of_sorted(values: np.ndarray) -> float:
    """``np.median`` of sorted values (the mean of the two middle ones for an even count),
    computed in the values' own float type as numpy does."""
    n = len(values)
    low, high = values[(n - 1) // 2], values[n // 2]
    if values.dtype.kind == "f":
        return float((low + high) / values.dtype.type(2))
    return (float(low) + float(high)) / 2.0


def _spread_of_sorted(values: np.ndarray) -> float:
    """The 5th-95th percentile range of sorted values (0 for a uniform canvas): what
    ``np.percentile(values, (5, 95))`` gives, without its ~100 us of overhead."""
    return _percentile_of_sorted(values, 95 / 100) - _percentile_of_sorted(values, 5 / 100)


def _percentile_of_sorted(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, 100 * q)`` of sorted values, as numpy computes it (method
    "linear": the same virtual index, neighbour difference in the values' type, lerp)."""
    n = len(values)
    position = (n - 1) * q
    if position >= n - 1:
        return float(values[-1])
    below = math.floor(position)
    a, b = values[below], values[below + 1]
    diff, gamma = float(b - a), position - below
    # From the nearer end, as numpy's lerp does.
    return float(b) - diff * (1.0 - gamma) if gamma >= 0.5 else float(a) + diff * gamma


def _grain(img: np.ndarray, sorted_border: np.ndarray) -> float:
    """The standard deviation of the paper's grain (a photo's noise), from the differences
    between neighbouring pixels along the border: a stroke crossing it makes few of them,
    and a slow change of light none. 0 without computing when the middle half of the
    border is one value (a canvas, a clean scan).

    The border is cut into up to GRAIN_PARTS stretches of GRAIN_STEPS or more, each read
    on its own and the grainiest kept: once the light is divided out, grain in a shadow
    is as many times stronger as the shadow is dark, and a shadow reaches the border
    somewhere. Within a stretch, the lower quartile of the differences, so that a stroke
    has to fill three quarters of the stretch to count."""
    n = len(sorted_border)
    if sorted_border[n // 4] == sorted_border[(3 * n) // 4]:
        return 0.0
    steps = np.abs(np.diff(border_ring(img).astype(np.float32)))
    parts = max(1, min(GRAIN_PARTS, len(steps) // GRAIN_STEPS))
    stretches = steps[:len(steps) // parts * parts].reshape(parts, -1)
    # The lower quartile of |a - b|, a and b independent with deviation sigma, is 0.4506 sigma.
    return float(np.percentile(stretches, 25, axis=1).max()) / 0.4506


def _detect_ink(up: float, down: float, background: float) -> str:
    """"bright" if the strongest deviation from the background is upward, else "dark"."""
    if abs(up - down) < 1e-6:  # a blank canvas: say what its colour suggests
        return "dark" if background > 0.5 else "bright"
    return "bright" if up > down else "dark"


def _ink_threshold(dtype: np.dtype, background: float, level: float, bright: bool) -> float:
    """The value ink must be beyond (above if bright, below if dark): ``level`` away from
    the background; integer for uint8 so compares stay in uint8 (x > t <=> x > floor(t))."""
    if bright:
        threshold = background + level
        return math.floor(threshold) if dtype == np.uint8 else threshold
    threshold = background - level
    return math.ceil(threshold) if dtype == np.uint8 else threshold


def _beyond(values: np.ndarray, threshold: float, bright: bool) -> np.ndarray:
    """Which ``values`` are ink: above ``threshold`` for bright ink, below it for dark."""
    return values > threshold if bright else values < threshold


def _read_inside(raw: np.ndarray, box: tuple[int, int, int, int], ink: str
                 ) -> PreprocessResult | None:
    """The reading of what lies inside ``box`` (inside a sheet of paper, see
    :data:`SHEET_FILL`, or a printed box), in ``raw``'s coordinates, or None when there is
    no ink inside it (then the sheet or box is the drawing itself: a blob painted on the
    canvas, a square drawn empty)."""
    y0, x0, y1, x1 = box
    if y1 <= y0 or x1 <= x0:
        return None
    inner = _preprocess(raw[y0:y1, x0:x1], ink, look_inside=False)
    if inner.is_empty:
        return None
    iy0, ix0, iy1, ix1 = inner.bbox
    return replace(inner, bbox=(iy0 + y0, ix0 + x0, iy1 + y0, ix1 + x0))


def _surely_enough_ink(count: int, area: int) -> bool:
    """Whether ``count`` ink pixels are surely at least ``MIN_MASS_FRACTION`` of ``area``
    without summing them: every ink pixel is more than ``INK_FRACTION`` of the peak away
    from the background (0.9x that margin covers float rounding)."""
    return 0.9 * INK_FRACTION * count >= MIN_MASS_FRACTION * area


def _enough_ink(mass: float, mask: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether ink of this ``mass`` (in full-intensity pixels) whose mask over its bounding
    box is ``mask`` is a drawing on an image of ``shape``: :data:`MIN_MASS_FRACTION` of the
    image, or a box spanning :data:`MIN_EXTENT` of the image's longer side with ink in
    :data:`MIN_ROWS` of its rows, filled to :data:`MIN_DENSITY` (a small digit on a large
    image, a 1-px pencil's)."""
    if mass >= MIN_MASS_FRACTION * shape[0] * shape[1]:
        return True
    h, w = mask.shape
    if max(h, w) < MIN_EXTENT * max(shape) or mass < MIN_DENSITY * h * w:
        return False
    return np.count_nonzero(np.logical_or.reduce(mask, axis=1)) >= MIN_ROWS * h


def _empty(ink: str) -> PreprocessResult:
    return PreprocessResult(
        is_empty=True,
        cropped=np.zeros((1, 1), np.float32),
        fitted=np.zeros((FIT_SIZE, FIT_SIZE), np.float32),
        image28=np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32),
        bbox=None,
        ink=ink,
    )
