"""The light on a photo of paper: taken out before the ink is looked for.

A photo of a page is rarely lit evenly: one side falls off into darkness, and a hand or a
phone casts a shadow with a sharp edge across the page. :mod:`engine.preprocess` calls
:func:`flatten_lighting` when the image's border is uneven (the canvas never is), after
:func:`ink_polarity` has said which way the ink goes when the caller left it to "auto".

The paper's brightness is estimated by a grey-level closing (a maximum, then a minimum,
over a square of half the shorter side; for bright ink an opening, minimum first): a
stroke narrower than the square is filled with the paper around it, while a gradient and
the edge of a shadow, straight across the page, come through unchanged. Smoothing by
blocks, as this module's predecessor did, blurs a shadow's edge, and the shadowed paper
beside it then counts as ink. The square may reach past the image's border (the outside
counts as neither paper nor ink), so where a shadow's edge meets the border at a sharp
angle the shadowed corner is not filled in; a bar along the border of a drawing cropped to
its ink goes with it, as paper. Half the side, because a drawing cropped to its ink
is flattened too (its ink touches the border, so the border is uneven) and its strokes can
be a fifth of its side: a square of 1/8 left the cores of bold strokes as paper and read
71 % of such crops of light ink right, against 97 % before and 96 % now. A shadow narrower
than the square (a pen's, a finger's) is then filled like a stroke and stays ink, as it
did before. A photo's grain would lift the estimate (a maximum finds the grain's peaks),
so images up to a megapixel are read through a 3x3 median first.

Dark ink on paper is divided by the estimate (light falls on the page and ink alike, so a
shadow halves both); bright ink on a dark ground keeps the estimate subtracted, as a
division by a ground near black would amplify its noise.

The maxima and minima over a window run in time independent of its size (van Herk 1992;
Gil and Werman 1993), on uint8 copies: about 0.27 s for a 2048x1536 photo here.
"""

from __future__ import annotations

import numpy as np

#: The closing's square is this fraction of the image's shorter side (module docstring).
WINDOW_FRACTION = 1 / 2
#: The image is read through a median over squares of this side (px) before the closing...
DENOISE = 3
#: ...when it has at most this many pixels: a larger one is a camera's photo the loader
#: reduced (``engine.images``), which averaged most grain away, and the median would cost
#: 0.4 s at 2048x1536.
DENOISE_PIXELS = 1 << 20
#: The estimate divided by for dark ink never goes below this share of full scale.
MIN_PAPER = 0.05
#: :func:`ink_polarity` looks at the image reduced to about this many pixels on its shorter
#: side (and at most 4 times as many on its longer one)...
POLARITY_SIDE = 64
#: ...against its median over squares of this fraction of the reduced shorter side: wider
#: than a bold digit's strokes, so the median there is the paper's.
POLARITY_WINDOW = 1 / 5


def ink_polarity(raw: np.ndarray, by_border: str) -> str:
    """``"dark"`` or ``"bright"``: which way the ink goes on a photo under uneven light.

    Three judges, the majority decides. ``by_border`` is :mod:`engine.preprocess`'s own
    (the image's extremes against its border's median), right for a drawing cropped to its
    ink, but a shadow throws it: its dark half may be most of the border, and the lit paper
    then looks like bright ink. :func:`_around_each_pixel` compares each pixel with the
    paper around it, and :func:`_against_the_border` the image's extremes with the paper
    along the border, piece by piece; both follow a shadow's edge, and each fails on
    its own kind of tight crop (bold strokes filling the frame; a bar along the border).
    """
    small = _reduced(raw)
    votes = [by_border, _around_each_pixel(small), _against_the_border(raw, small)]
    return "bright" if votes.count("bright") >= 2 else "dark"


def _reduced(raw: np.ndarray) -> np.ndarray:
    """``raw`` as float32, averaged over blocks down to about ``POLARITY_SIDE`` px on its
    shorter side (and at most 4 times that on its longer one), but never to less than one
    pixel on its shorter side (a strip 2 px tall and 800 wide keeps one row)."""
    h, w = raw.shape
    short = min(h, w)
    f = max(1, min(short, max(short // POLARITY_SIDE, -(-max(h, w) // (4 * POLARITY_SIDE)))))
    small = raw[:h - h % f, :w - w % f].astype(np.float32)
    if f > 1:
        small = small.reshape(h // f, f, w // f, f).mean(axis=(1, 3))
    return small


def _around_each_pixel(small: np.ndarray) -> str:
    """Each pixel against the median of the square around it (the paper's level there, a
    shadow's edge included: a median keeps straight edges): dark ink leaves more darkness
    than brightness below that median."""
    k = max(3, int(min(small.shape) * POLARITY_WINDOW)) | 1
    r = k // 2
    windows = np.lib.stride_tricks.sliding_window_view(
        np.pad(small, r, mode="symmetric"), (k, k))
    deviation = small - np.median(windows, axis=(2, 3))
    up = float(deviation[deviation > 0].sum())
    down = float(-deviation[deviation < 0].sum())
    return "bright" if up > down else "dark"


def _against_the_border(raw: np.ndarray, small: np.ndarray) -> str:
    """The image's brightest and darkest values against the brightest and darkest paper on
    its border, the paper read as a running median along the border (1/16 of its length):
    a shadow's lit and dark stretches are each paper, a stroke crossing the border is not."""
    ring = border_ring(small)
    k = max(3, len(ring) // 16) | 1
    r = k // 2
    if len(ring) < k:
        ring = np.resize(ring, k)
    around = np.concatenate((ring[len(ring) - r:], ring, ring[:r]))
    paper = np.median(np.lib.stride_tricks.sliding_window_view(around, k), axis=1)
    up = float(raw.max()) - float(paper.max())
    down = float(paper.min()) - float(raw.min())
    return "bright" if up > down else "dark"


def border_ring(img: np.ndarray) -> np.ndarray:
    """The image's outermost pixels in order around it, clockwise from the top-left corner,
    each once: neighbours in the ring are neighbours in the image."""
    return np.concatenate((img[0], img[1:, -1], img[-1, -2::-1], img[-2:0:-1, 0]))


def flatten_lighting(raw: np.ndarray, bright: bool, full_scale: float) -> np.ndarray:
    """The image with the paper's light made even (module docstring).

    Args:
        raw: ``(H, W)`` grayscale, 0..full_scale.
        bright: the ink is brighter than the paper.
    Returns: float32 ``(H, W)``, same scale: the paper at its median level, ink on it.
    """
    from PIL import Image, ImageFilter  # noqa: PLC0415 - only photos of paper come here

    img = raw.astype(np.float32)
    h, w = img.shape
    k = max(3, int(min(h, w) * WINDOW_FRACTION)) | 1
    if raw.dtype == np.uint8:
        levels, unit = raw, np.float32(1.0)
    else:  # 1/255 of full scale is finer than any paper's light needs
        levels = np.rint(img * np.float32(255.0 / full_scale)).astype(np.uint8)
        unit = np.float32(full_scale / 255.0)
    paper = paper_level(levels, k, bright)
    if levels.size <= DENOISE_PIXELS:
        # A closing takes the highest values around, a photo's grain included; read
        # through a median (which keeps a shadow's edge where it is; a blur would move it),
        # the grain lifts the paper less. But the median also rounds off the sharp tip of a
        # shadow's corner at the border, so where the plain closing is lower, it stands.
        smooth = np.asarray(Image.fromarray(np.ascontiguousarray(levels)).filter(
            ImageFilter.MedianFilter(DENOISE)))
        (np.maximum if bright else np.minimum)(
            paper, paper_level(smooth, k, bright), out=paper)
    paper = paper.astype(np.float32)
    paper *= unit
    level = np.float32(np.median(paper[::4, ::4]))
    if bright:
        out = img - paper
        out += level
    else:
        np.maximum(paper, np.float32(MIN_PAPER * full_scale), out=paper)
        out = img / paper
        out *= level
    return np.clip(out, 0.0, full_scale, out=out)


def paper_level(levels: np.ndarray, k: int, bright: bool) -> np.ndarray:
    """The closing of uint8 ``levels`` by a ``k`` x ``k`` square (``k`` odd), an opening for
    ``bright`` ink, the square free to reach past the border: ``uint8``, same shape."""
    first, second = (np.minimum, np.maximum) if bright else (np.maximum, np.minimum)
    r = k // 2
    # Outside the image: a value the first pass never takes, so only the image counts.
    padded = np.pad(levels, r, mode="constant", constant_values=255 if bright else 0)
    out = running_extreme(padded, k, first)
    out = running_extreme(np.ascontiguousarray(out.T), k, first)
    out = running_extreme(out, k, second)
    out = running_extreme(np.ascontiguousarray(out.T), k, second)
    return np.ascontiguousarray(out[r:-r, r:-r]) if r else out


def running_extreme(a: np.ndarray, k: int, op) -> np.ndarray:
    """``op`` (``np.maximum`` or ``np.minimum``) over the ``k`` values centred on each of a
    2-D array's columns, along its rows (``k`` odd; the window stops at the row's ends).

    Van Herk / Gil-Werman: the row is cut into blocks of ``k``; within each block a running
    extreme from the left and one from the right; a window always spans the end of one
    block and the start of the next, so two lookups give it.
    """
    h, n = a.shape
    r = k // 2
    total = -(-(n + 2 * r) // k) * k
    padded = np.empty((h, total), a.dtype)
    padded[:, r:r + n] = a
    padded[:, :r] = a[:, :1]
    padded[:, r + n:] = a[:, -1:]
    blocks = padded.reshape(h, total // k, k)
    from_left = op.accumulate(blocks, axis=2).reshape(h, total)
    from_right = op.accumulate(blocks[:, :, ::-1], axis=2)[:, :, ::-1].reshape(h, total)
    return op(from_right[:, :n], from_left[:, k - 1:k - 1 + n])
