"""Kernels for the Filters tab and ``digitlab filter``: presets and typed rows.

A kernel is a float32 ``(kh, kw)`` array, at most 15x15, typed as rows
(``"-1,0,1;-1,0,1;-1,0,1"``) or picked from :data:`KERNEL_PRESETS`. A kernel
set (:data:`KERNEL_SETS`) names several presets at once: one feature map each.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "KERNEL_PRESETS", "KERNEL_SETS", "MAX_FEATURE_VALUES", "MAX_KERNELS", "MAX_KERNEL_SIDE",
    "FilterError", "MAX_POOL_WORK", "check_kernel_count", "check_pool_work", "kernel_to_text",
    "side_for_feature_budget",
    "parse_kernel", "resize_centered", "resolve_kernel", "resolve_kernels",
]

#: Largest kernel side accepted (the GUI's kernel editor and the CLI share it).
MAX_KERNEL_SIDE = 15
#: Most characters of kernel text: 225 values of up to ~80 characters each.
MAX_KERNEL_TEXT = 20_000
#: Most kernels (feature maps) in one filter run: the CNN's 32 plus the presets, twice
#: over. Every kernel adds a full-size float32 feature map.
MAX_KERNELS = 64
#: Most feature-map values of one run (kernels x photo pixels): 16 maps of the largest
#: working photo (2048x1536). Measured with ``digitlab filter``: TensorFlow's conv holds
#: about two float32 copies a map, 16 maps peak at 1.1 GB, 32 at 1.54 GB.
MAX_FEATURE_VALUES = 16 * 2048 * 1536


class FilterError(ValueError):
    """Invalid filter input; the message is one line quoting the value received."""


def _kernel(rows, scale: float = 1.0) -> np.ndarray:
    k = np.array(rows, dtype=np.float32) * np.float32(scale)
    k.setflags(write=False)  # presets are shared: nobody may edit them in place
    return k


#: Preset kernels, in the order the app lists them. "lesson filter 1/2/3" are the
#: lesson's three example filters exactly as it writes them, row by row; they are
#: 0/1 patterns that show how any 3x3 grid of weights turns into a feature map.
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "vertical edge (lesson)": _kernel([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "lesson filter 1": _kernel([[1, 1, 0], [0, 0, 1], [1, 0, 0]]),
    "lesson filter 2": _kernel([[0, 0, 1], [1, 1, 0], [1, 1, 1]]),
    "lesson filter 3": _kernel([[0, 0, 1], [0, 0, 0], [0, 1, 0]]),
    "sobel x": _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel y": _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "box blur": _kernel(np.ones((3, 3)), 1 / 9),
    "gaussian blur": _kernel(np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]), 1 / 256),
    "sharpen": _kernel([[-1, -1, -1], [-1, 9, -1], [-1, -1, -1]]),
    "emboss": _kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "identity": _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
}

#: Named sets of presets applied together, one output channel per kernel: the
#: lesson's point that three filters turn one image into three feature maps,
#: kernel (3, 3, 1, 3) -> conv (1, H', W', 3).
KERNEL_SETS: dict[str, tuple[str, ...]] = {
    "lesson filters 1-3": ("lesson filter 1", "lesson filter 2", "lesson filter 3"),
}


def parse_kernel(text: str) -> np.ndarray:
    """Parse a kernel typed as rows of numbers.

    Rows are separated by ``;`` or newlines, values by ``,`` or spaces; a value
    may be a fraction (``1/9``). A Python-style nested list ``[[-1, 0, 1], ...]``
    is accepted too.

    Args:
        text: e.g. ``"-1,0,1;-1,0,1;-1,0,1"``.

    Returns:
        float32 array (rows, columns), at most 15x15.

    Raises:
        FilterError: empty text, ragged rows, a value that is not a number,
            NaN or infinity, or more than 15 rows or columns.
    """
    if not isinstance(text, str):
        raise FilterError(f"Received kernel text {_short(text)}; expected a string.")
    if len(text) > MAX_KERNEL_TEXT:
        raise FilterError(
            f"Received {len(text):,} characters of kernel text; a {MAX_KERNEL_SIDE}x"
            f"{MAX_KERNEL_SIDE} kernel needs far fewer (at most {MAX_KERNEL_TEXT:,}).")
    flat = text.replace("[", " ").replace("]", ";") if "[" in text else text
    token_rows = [tokens for line in flat.replace("\n", ";").split(";")
                  if (tokens := line.replace(",", " ").split())]
    widest = max((len(tokens) for tokens in token_rows), default=0)
    if len(token_rows) > MAX_KERNEL_SIDE or widest > MAX_KERNEL_SIDE:
        # Refused before any value is parsed: the size alone is wrong.
        raise FilterError(
            f"Received a {len(token_rows)}x{widest} kernel; kernels may be at most "
            f"{MAX_KERNEL_SIDE}x{MAX_KERNEL_SIDE}.")
    rows = [[_parse_value(tok, i + 1) for tok in tokens] for i, tokens in enumerate(token_rows)]
    if not rows:
        raise FilterError(f"Received kernel text {_short(text)}; it holds no numbers.")
    lengths = [len(r) for r in rows]
    if len(set(lengths)) > 1:
        raise FilterError(
            f"Received kernel rows of lengths {', '.join(map(str, lengths))}; "
            "every row must have the same number of values.")
    if len(rows) > MAX_KERNEL_SIDE or lengths[0] > MAX_KERNEL_SIDE:
        raise FilterError(
            f"Received a {len(rows)}x{lengths[0]} kernel; kernels may be at most "
            f"{MAX_KERNEL_SIDE}x{MAX_KERNEL_SIDE}.")
    return np.array(rows, dtype=np.float32)


def _short(value, limit: int = 40) -> str:
    """``repr`` of a value, cut to ``limit`` characters (messages stay one short line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def check_kernel_count(count: int, limit: int = MAX_KERNELS) -> int:
    """Refuse more than ``limit`` kernels in one run (each one multiplies memory).

    Raises:
        FilterError: ``count > limit``.
    """
    if count > limit:
        raise FilterError(
            f"Received {count} kernels; at most {limit} can be applied at once "
            "(each kernel makes one full-size feature map).")
    return count


#: Most comparisons one max-pool may make (output positions x window x maps). A
#: window far larger than the map, with stride 1 and SAME padding, scans the whole
#: map for every pixel: 400x400 on the lesson's rocket ran for minutes.
MAX_POOL_WORK = 2_000_000_000


def check_pool_work(feature_hw: tuple[int, int], pool: int, stride: int, padding: str,
                    channels: int, limit: int = MAX_POOL_WORK) -> None:
    """Refuse a max-pool whose comparisons would take minutes.

    Args:
        feature_hw: (H', W') of the feature map being pooled.
        pool: window side; stride: its step; padding: "VALID" or "SAME".
        channels: number of feature maps.

    Raises:
        FilterError: ``out_h * out_w * min(pool, H') * min(pool, W') * channels > limit``.
    """
    h, w = int(feature_hw[0]), int(feature_hw[1])
    if str(padding).upper() == "SAME":
        out_h, out_w = math.ceil(h / stride), math.ceil(w / stride)
    else:
        out_h = (h - pool) // stride + 1 if h >= pool else 0
        out_w = (w - pool) // stride + 1 if w >= pool else 0
    work = out_h * out_w * min(pool, h) * min(pool, w) * max(channels, 1)
    if work > limit:
        raise FilterError(
            f"Received pool={pool} with stride {stride} on a {h}x{w}x{channels} feature map: "
            f"{work:,} comparisons, more than the limit of {limit:,}; use a smaller pool "
            "window or a larger pool stride.")


def side_for_feature_budget(image_shape: tuple[int, ...], count: int,
                            limit: int = MAX_FEATURE_VALUES) -> int | None:
    """The longest photo side at which ``count`` feature maps fit in ``limit`` values.

    Args:
        image_shape: (H, W) of the channel to filter.
        count: number of kernels.
        limit: most values of all feature maps together.

    Returns:
        None when ``H * W * count <= limit``; else the longest side (>= 1) to which
        the photo must be reduced, keeping its aspect ratio.
    """
    height, width = int(image_shape[0]), int(image_shape[1])
    if height * width * max(count, 1) <= limit:
        return None
    scale = math.sqrt(limit / (height * width * count))
    return max(1, math.floor(max(height, width) * scale))


def _parse_value(token: str, row: int) -> float:
    try:
        if "/" in token:
            num, den = token.split("/", 1)
            value = float(num) / float(den)
        else:
            value = float(token)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise FilterError(
            f"Received {_short(token)} in row {row} of the kernel; values must be numbers.") \
            from None
    if not math.isfinite(value) or abs(value) > float(np.finfo(np.float32).max):
        raise FilterError(
            f"Received {_short(token)} in row {row} of the kernel; values must be finite "
            "numbers.")
    return value


def resolve_kernel(spec: str) -> np.ndarray:
    """A kernel from a preset name (case-insensitive) or rows of numbers.

    Args:
        spec: e.g. ``"Sobel X"`` or ``"-1,0,1;-1,0,1;-1,0,1"``.

    Returns:
        float32 array (kh, kw), a fresh copy.

    Raises:
        FilterError: neither a preset nor a valid kernel text.
    """
    if not isinstance(spec, str):
        raise FilterError(f"Received kernel spec {spec!r}; expected a preset name or rows text.")
    key = _key(spec)
    if key in KERNEL_SETS:
        raise FilterError(
            f"Received kernel {spec!r}; it is a set of {len(KERNEL_SETS[key])} kernels, "
            "not one (use resolve_kernels).")
    for name, kernel in KERNEL_PRESETS.items():
        if name == key:
            return kernel.copy()
    looks_numeric = any(ch.isdigit() or ch in ",;[\n" for ch in key) or _is_float(key)
    if key and not looks_numeric:
        raise FilterError(
            f"Received kernel {spec!r}; it is not a preset ({', '.join(KERNEL_PRESETS)}) "
            "nor rows of numbers like '-1,0,1;-1,0,1;-1,0,1'.")
    return parse_kernel(spec)


def resolve_kernels(spec: str) -> list[np.ndarray]:
    """Kernels from a set name, a preset name or rows of numbers (case-insensitive).

    Args:
        spec: e.g. ``"lesson filters 1-3"``, ``"Sobel X"`` or ``"-1,0,1;-1,0,1;-1,0,1"``.

    Returns:
        list of float32 arrays (kh, kw), fresh copies: three for ``"lesson filters
        1-3"``, one otherwise. Stacked by :func:`engine.filters.apply_filter` into
        a (kh, kw, 1, C) kernel.

    Raises:
        FilterError: neither a set, a preset nor a valid kernel text.
    """
    if isinstance(spec, str) and _key(spec) in KERNEL_SETS:
        return [KERNEL_PRESETS[name].copy() for name in KERNEL_SETS[_key(spec)]]
    return [resolve_kernel(spec)]


def _key(spec: str) -> str:
    return " ".join(spec.strip().lower().split())


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def kernel_to_text(kernel: np.ndarray) -> str:
    """Rows text for ``kernel`` (kh, kw), e.g. ``"-1, 0, 1; -1, 0, 1; -1, 0, 1"``.

    The inverse of :func:`parse_kernel` (to six significant digits).
    """
    return "; ".join(", ".join(f"{v:.6g}" for v in row) for row in np.asarray(kernel))


def resize_centered(kernel: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Zero-pad or crop ``kernel`` (kh, kw) to float32 ``(rows, cols)``, keeping its centre."""
    out = np.zeros((rows, cols), dtype=np.float32)
    kh, kw = kernel.shape
    h, w = min(kh, rows), min(kw, cols)
    sy, sx = (kh - h) // 2, (kw - w) // 2
    dy, dx = (rows - h) // 2, (cols - w) // 2
    out[dy : dy + h, dx : dx + w] = kernel[sy : sy + h, sx : sx + w]
    return out
