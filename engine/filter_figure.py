"""The lesson's figure as a PNG: original | feature map(s) | pooled map(s), with shapes."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitlab.engine.filters import FilterResult, check_image

__all__ = ["render_figure"]


def render_figure(image: np.ndarray, result: FilterResult) -> Image.Image:
    """Draw the lesson's figure: original | feature map(s) | pooled map(s).

    Each map is stretched to its own min..max for display (grey, like imshow's
    ``cmap="gray"``) and titled with its shape in the lesson's form. With several
    kernels, each kernel gets a row: its feature map and its pooled map.

    Args:
        image: the (H, W) channel that was filtered.
        result: what :func:`apply_filter` returned for it.

    Returns:
        An RGB ``PIL.Image.Image`` (save it with ``.save("figure.png")``).
    """
    x = check_image(image)
    channels = result.conv.shape[2]
    side = 320 if channels <= 2 else 220 if channels <= 8 else 140
    font = _font()
    columns = [
        [(f"input {result.input_shape}", x)],
        [(f"conv2d {result.conv_shape} [..., {c}]" if channels > 1 else
          f"conv2d {result.conv_shape}", result.conv[:, :, c]) for c in range(channels)],
        [(f"max_pool {result.pool_shape} [..., {c}]" if channels > 1 else
          f"max_pool {result.pool_shape}", result.pooled[:, :, c]) for c in range(channels)],
    ]
    tiles = [[(title, _map_tile(array, side)) for title, array in col] for col in columns]
    title_h, gap = 22, 12
    col_w = [max(max(t.width for _, t in col), int(font.getlength(max(
        (title for title, _ in col), key=len))) + 4) for col in tiles]
    row_h = [max(col[r][1].height for col in tiles if r < len(col)) + title_h
             for r in range(channels)]
    caption_h = 24
    figure = Image.new("RGB", (sum(col_w) + gap * (len(col_w) + 1),
                               sum(row_h) + gap * (channels + 1) + caption_h), "white")
    draw = ImageDraw.Draw(figure)
    draw.text((gap, 6), _caption(result), fill="black", font=font)
    left = gap
    for col, width in zip(tiles, col_w, strict=True):
        top = gap + caption_h
        for r, (title, tile) in enumerate(col):
            draw.text((left, top), title, fill="black", font=font)
            figure.paste(tile, (left, top + title_h))
            top += row_h[r] + gap
        left += width + gap
    return figure


def _caption(result: FilterResult) -> str:
    s = result.settings
    return (f"tf.nn.conv2d kernel {result.kernel_shape}, stride {s.stride}, {s.padding}; "
            f"tf.nn.max_pool {s.pool}x{s.pool}, stride {s.effective_pool_stride}, "
            f"{s.pool_padding}")


def _map_tile(array: np.ndarray, side: int) -> Image.Image:
    """A map as an L image, stretched to 0..255 and fitted into side x side."""
    a = np.asarray(array, dtype=np.float32)
    lo, hi = float(a.min()), float(a.max())
    scaled = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.full_like(a, 128.0)
    tile = Image.fromarray(scaled.astype(np.uint8), mode="L")
    scale = side / max(tile.size)
    size = max(1, round(tile.width * scale)), max(1, round(tile.height * scale))
    # Small maps are enlarged with NEAREST so each pixel stays a visible square.
    resample = Image.Resampling.NEAREST if scale > 1 else Image.Resampling.BOX
    return tile.resize(size, resample)


def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=13)
    except TypeError:  # Pillow < 10.1: the bitmap font has no size
        return ImageFont.load_default()
