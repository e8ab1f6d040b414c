"""The colour maths of the app's map grids: colour scales, colour maps and mosaics.

Signed values (weights, kernels, conv outputs, attributions) use one diverging
colour map everywhere: blue = negative, white = zero, red = positive, each grid
scaled symmetrically (:func:`symmetric_scale`). Many maps are tiled into one
RGB image (:func:`tile_mosaic` for signed maps, :func:`activation_mosaic` for
a CNN layer's non-negative activations), which a widget shows as one image.
No Qt: the widgets draw what these return.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ACTIVATION_GAP_RGB", "DIVERGING_LUT", "GAP_RGB", "TILE_PERCENTILE", "activation_mosaic",
           "diverging_rgb", "overlay_rgb", "symmetric_scale", "tile_mosaic"]

#: ColorBrewer RdBu (reversed): blue for negative, near-white for 0, red for positive.
_RDBU = np.array([
    (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240),
    (247, 247, 247),
    (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
], dtype=np.float64)
DIVERGING_LUT = np.stack(
    [np.interp(np.linspace(0, len(_RDBU) - 1, 256), np.arange(len(_RDBU)), _RDBU[:, c])
     for c in range(3)], axis=1).round().astype(np.uint8)
GAP_RGB = (60, 60, 68)


#: Tiles are coloured up to this percentile of ``|value|``: one outlier weight would
#: otherwise wash every other weight out to near white.
TILE_PERCENTILE = 99.0


def symmetric_scale(values: np.ndarray, percentile: float = 100.0) -> float:
    """The ``percentile`` of ``|value|`` (the largest by default), for a symmetric colour map.

    Returns 1.0 for an all-zero or non-finite array.
    """
    finite = np.abs(np.asarray(values, dtype=np.float64))
    finite = finite[np.isfinite(finite)]
    peak = float(np.percentile(finite, percentile)) if finite.size else 0.0
    if peak <= 0 and finite.size:
        peak = float(finite.max())  # mostly zeros: fall back to the largest
    return peak if peak > 0 else 1.0


def diverging_rgb(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Colour signed ``values`` (any shape) on the app's blue-white-red map.

    Args:
        values: float array ``(...)``.
        scale: the ``|value|`` shown at full colour; ``None`` = the array's largest.

    Returns:
        uint8 ``(..., 3)``: ``-scale`` -> dark blue, ``0`` -> white, ``+scale`` -> dark red.
    """
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    scale = symmetric_scale(values) if scale is None or scale <= 0 else float(scale)
    index = np.clip(np.round((values / scale + 1.0) * 127.5), 0, 255).astype(np.intp)
    return DIVERGING_LUT[index]


def tile_mosaic(maps: np.ndarray, columns: int = 8, shared_scale: bool = False,
                max_tile: int | None = None, gap: int = 1,
                zoom: int = 1) -> tuple[np.ndarray, int]:
    """Tile ``N`` signed 2-D maps into one RGB image.

    Args:
        maps: ``(N, h, w)`` float.
        columns: tiles per row (fewer when ``N`` is smaller).
        shared_scale: one colour scale for all tiles (to compare their strengths)
            instead of one per tile (to see each tile's pattern).
        max_tile: tiles larger than this many pixels are subsampled by a whole step
            (a photo's 32 feature maps would otherwise make a 100-megapixel mosaic).
        gap: pixels of grey between tiles.
        zoom: each map pixel drawn as ``zoom x zoom`` pixels (3x3 kernels would
            otherwise be as thin as the gaps between them).

    Returns:
        ``(rgb, step)``: uint8 ``(rows*(h'+gap)-gap, cols*(w'+gap)-gap, 3)`` with
        ``h' = ceil(h / step) * zoom``; tile ``i`` at row ``i // cols``, column
        ``i % cols``. Colours reach full strength at the :data:`TILE_PERCENTILE`
        of ``|value|`` (per tile, or over all tiles with ``shared_scale``).

    Raises:
        ValueError: ``maps`` is not 3-D or is empty.
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3 or maps.shape[0] == 0:
        raise ValueError(f"Received maps of shape {maps.shape}; expected (N, h, w) with N >= 1.")
    step = 1 if not max_tile else max(1, math.ceil(max(maps.shape[1:]) / max_tile))
    maps = maps[:, ::step, ::step]
    if zoom > 1:
        maps = np.repeat(np.repeat(maps, zoom, axis=1), zoom, axis=2)
    n, h, w = maps.shape
    cols = max(1, min(columns, n))
    rows = math.ceil(n / cols)
    shared = symmetric_scale(maps, TILE_PERCENTILE) if shared_scale else None
    out = np.empty((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), np.uint8)
    out[:] = GAP_RGB
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = r * (h + gap), c * (w + gap)
        scale = shared if shared else symmetric_scale(maps[i], TILE_PERCENTILE)
        out[y:y + h, x:x + w] = diverging_rgb(maps[i], scale)
    return out, step


#: Pixels and colour of the lines between a CNN layer's activation tiles.
ACTIVATION_GAP = 1
ACTIVATION_GAP_RGB = (70, 70, 78)


def activation_mosaic(maps: np.ndarray, lut: np.ndarray, columns: int = 8,
                      gap_rgb: tuple[int, int, int] = ACTIVATION_GAP_RGB) -> np.ndarray:
    """Tile ``(H, W, C)`` feature maps into one RGB image, each map scaled to its own max.

    Scaling each map separately shows *where* every filter fires even when its
    activations are small next to the layer's strongest filter.

    Args:
        maps: ``(H, W, C)`` activations (ReLU outputs, so >= 0).
        lut: uint8 ``(256, 3)`` colour map, index 0 for 0 and 255 for a map's max.
        columns: tiles per row (fewer if ``C`` is smaller).
        gap_rgb: the colour of the lines between tiles.

    Returns:
        ``(rows*(H+1)-1, cols*(W+1)-1, 3) uint8`` with ``rows = ceil(C / cols)``; tile
        ``c`` is at row ``c // cols``, column ``c % cols``, tiles separated by grey lines.

    Raises:
        ValueError: ``maps`` is not 3-D.
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(f"Received feature maps of shape {maps.shape}; expected (H, W, C).")
    h, w, c = maps.shape
    cols = max(1, min(columns, c))
    rows = max(1, math.ceil(c / cols))
    peak = maps.reshape(-1, c).max(axis=0)
    scaled = np.where(peak > 0, np.clip(maps, 0, None) / np.where(peak > 0, peak, 1), 0)
    index = np.round(np.nan_to_num(scaled) * 255).astype(np.uint8)
    gap = ACTIVATION_GAP
    out = np.empty((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), np.uint8)
    out[:] = gap_rgb
    for ch in range(c):
        r, q = divmod(ch, cols)
        y, x = r * (h + gap), q * (w + gap)
        out[y:y + h, x:x + w] = lut[index[:, :, ch]]
    return out


#: Attribution colours: ink that raised the score, ink that lowered it.
_POSITIVE = np.array([255.0, 60.0, 40.0])
_NEGATIVE = np.array([40.0, 140.0, 255.0])


def overlay_rgb(image28: np.ndarray, attribution: np.ndarray,
                scale: float | None = None) -> np.ndarray:
    """Blend a signed attribution map over the grey input.

    Args:
        image28: ``(28, 28)`` float in [0, 1], ink bright.
        attribution: ``(28, 28)`` signed float.
        scale: the ``|value|`` drawn at full colour; ``None`` = the map's largest.

    Returns:
        uint8 ``(28, 28, 3)``: the input as dark-to-light grey, red over positive
        values and blue over negative ones, more opaque the larger ``|value|``.
    """
    image = np.clip(np.asarray(image28, dtype=np.float64), 0.0, 1.0)
    values = np.nan_to_num(np.asarray(attribution, dtype=np.float64))
    scale = symmetric_scale(values) if scale is None or scale <= 0 else float(scale)
    # Grey stops short of white so that the colours stand out on the ink too.
    base = (25.0 + 150.0 * image)[..., None] * np.ones(3)
    strength = np.clip(np.abs(values) / scale, 0.0, 1.0) ** 0.6  # lifts faint evidence
    colour = np.where((values >= 0)[..., None], _POSITIVE, _NEGATIVE)
    alpha = strength[..., None]
    return np.round(base * (1 - alpha) + colour * alpha).astype(np.uint8)
