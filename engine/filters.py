"""The lesson's convolution and max-pooling on a photo: tf.nn.conv2d, then tf.nn.max_pool.

One channel of a photo, shaped ``(1, H, W, 1)`` as the lesson does, is
cross-correlated with one or more kernels ``(kh, kw, 1, C)`` and the feature
maps are max-pooled. Shapes follow TensorFlow exactly:

- VALID: ``out = ceil((in - k + 1) / stride)``; the window must fit in the input.
- SAME: ``out = ceil(in / stride)``; zeros are padded (``-inf`` for pooling),
  ``pad_total = max((out - 1) * stride + k - in, 0)``, the extra pixel at the
  bottom/right.

On rocket.jpg (640x427): (1, 427, 640, 1) * (3, 3, 1, 1) VALID -> (1, 425, 638, 1),
then a 3x3 pool with stride 3 -> (1, 141, 212, 1).

Every invalid input raises :class:`FilterError` with a one-line message that
quotes the value received; TensorFlow errors never escape as tracebacks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from engine.tf_runtime import import_tensorflow

__all__ = [
    "KERNEL_PRESETS", "MAX_KERNEL_SIDE", "PADDINGS", "FilterError", "FilterResult",
    "FilterSettings", "apply_filter", "output_size", "parse_kernel", "render_figure",
    "resolve_kernel",
]

#: The paddings TensorFlow's conv2d and max_pool accept.
PADDINGS = ("VALID", "SAME")
#: Largest kernel side accepted (the GUI's kernel editor and the CLI share it).
MAX_KERNEL_SIDE = 15


class FilterError(ValueError):
    """Invalid filter input; the message is one line quoting the value received."""


def _kernel(rows, scale: float = 1.0) -> np.ndarray:
    k = np.array(rows, dtype=np.float32) * np.float32(scale)
    k.setflags(write=False)  # presets are shared: nobody may edit them in place
    return k


#: Preset kernels, in the order the app lists them. "lesson filter 1" finds
#: horizontal edges (dark above, bright below), "lesson filter 2" diagonal edges
#: (bright towards the top right), "lesson filter 3" sharpens (centre 5, four
#: neighbours -1, sum 1).
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "vertical edge (lesson)": _kernel([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "lesson filter 1": _kernel([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
    "lesson filter 2": _kernel([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]),
    "lesson filter 3": _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "sobel x": _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel y": _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "box blur": _kernel(np.ones((3, 3)), 1 / 9),
    "gaussian blur": _kernel(np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]), 1 / 256),
    "sharpen": _kernel([[-1, -1, -1], [-1, 9, -1], [-1, -1, -1]]),
    "emboss": _kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "identity": _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
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
        raise FilterError(f"Received kernel text {text!r}; expected a string.")
    flat = text.replace("[", " ").replace("]", ";") if "[" in text else text
    rows = []
    for line in flat.replace("\n", ";").split(";"):
        tokens = line.replace(",", " ").split()
        if tokens:
            rows.append([_parse_value(tok, len(rows) + 1) for tok in tokens])
    if not rows:
        raise FilterError(f"Received kernel text {text!r}; it holds no numbers.")
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


def _parse_value(token: str, row: int) -> float:
    try:
        if "/" in token:
            num, den = token.split("/", 1)
            value = float(num) / float(den)
        else:
            value = float(token)
    except (ValueError, ZeroDivisionError):
        raise FilterError(
            f"Received {token!r} in row {row} of the kernel; values must be numbers.") from None
    if not math.isfinite(value) or abs(value) > float(np.finfo(np.float32).max):
        raise FilterError(
            f"Received {token!r} in row {row} of the kernel; values must be finite numbers.")
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
    key = " ".join(spec.strip().lower().split())
    for name, kernel in KERNEL_PRESETS.items():
        if name == key:
            return kernel.copy()
    looks_numeric = any(ch.isdigit() or ch in ",;[\n" for ch in key) or _is_float(key)
    if key and not looks_numeric:
        raise FilterError(
            f"Received kernel {spec!r}; it is not a preset ({', '.join(KERNEL_PRESETS)}) "
            "nor rows of numbers like '-1,0,1;-1,0,1;-1,0,1'.")
    return parse_kernel(spec)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise FilterError(f"Received {name}={value!r}; {name} must be a whole number >= 1.")
    if value < 1:
        raise FilterError(f"Received {name}={value!r}; {name} must be >= 1.")
    return int(value)


def _padding(name: str, value) -> str:
    text = value.strip().upper() if isinstance(value, str) else value
    if text not in PADDINGS:
        raise FilterError(f"Received {name}={value!r}; {name} must be 'VALID' or 'SAME'.")
    return text


@dataclass(frozen=True)
class FilterSettings:
    """How to convolve and pool.

    Attributes:
        stride: Convolution stride (both axes), >= 1.
        padding: ``"VALID"`` or ``"SAME"`` (case-insensitive; stored upper-case).
        pool: Max-pool window side, >= 1 (1 leaves the feature map unchanged).
        pool_stride: Pool stride, >= 1; None means ``pool`` (non-overlapping windows).
        pool_padding: ``"VALID"`` or ``"SAME"``.

    Raises:
        FilterError: on any invalid value, quoting it.
    """

    stride: int = 1
    padding: str = "VALID"
    pool: int = 3
    pool_stride: int | None = None
    pool_padding: str = "VALID"

    def __post_init__(self) -> None:
        # Normalised in place so equal settings compare equal ("valid" == "VALID").
        object.__setattr__(self, "stride", _positive_int("stride", self.stride))
        object.__setattr__(self, "padding", _padding("padding", self.padding))
        object.__setattr__(self, "pool", _positive_int("pool", self.pool))
        if self.pool_stride is not None:
            object.__setattr__(self, "pool_stride", _positive_int("pool_stride", self.pool_stride))
        object.__setattr__(self, "pool_padding", _padding("pool_padding", self.pool_padding))

    @property
    def effective_pool_stride(self) -> int:
        """The pool stride actually used."""
        return self.pool if self.pool_stride is None else self.pool_stride


@dataclass(frozen=True)
class FilterResult:
    """Feature maps and pooled maps of one photo channel, with the lesson's shapes.

    Attributes:
        input_shape: (1, H, W, 1).
        kernel_shape: (kh, kw, 1, C).
        conv_shape: (1, H', W', C).
        pool_shape: (1, H'', W'', C).
        conv: float32 (H', W', C) — tf.nn.conv2d's output without the batch axis.
        pooled: float32 (H'', W'', C) — tf.nn.max_pool's output without the batch axis.
        kernels: float32 (kh, kw, C), the kernels used.
        settings: the :class:`FilterSettings` used.
    """

    input_shape: tuple[int, int, int, int]
    kernel_shape: tuple[int, int, int, int]
    conv_shape: tuple[int, int, int, int]
    pool_shape: tuple[int, int, int, int]
    conv: np.ndarray
    pooled: np.ndarray
    kernels: np.ndarray | None = None
    settings: FilterSettings = field(default_factory=FilterSettings)


def output_size(size: int, window: int, stride: int, padding: str) -> int:
    """TensorFlow's output length along one axis (may be <= 0 for VALID: no fit)."""
    if padding == "SAME":
        return math.ceil(size / stride)
    return math.ceil((size - window + 1) / stride) if size >= window else 0


def apply_filter(
    image: np.ndarray,
    kernels: np.ndarray | list[np.ndarray],
    settings: FilterSettings = FilterSettings(),  # noqa: B008 - frozen, safe as a default
) -> FilterResult:
    """Convolve one channel with kernels (tf.nn.conv2d), then max-pool (tf.nn.max_pool).

    Args:
        image: (H, W) or (H, W, 1) numbers, e.g. ``extract_channel(photo.rgb, "red")``.
        kernels: one 2-D kernel (kh, kw); a list of same-size 2-D kernels; a stack
            (C, kh, kw) as ``np.stack`` makes it; or TensorFlow's layout
            (kh, kw, 1, C) (e.g. a Conv2D layer's weights).
        settings: stride, padding and pooling.

    Returns:
        A :class:`FilterResult`: conv (H', W', C) and pooled (H'', W'', C) float32,
        with shapes in the lesson's form, e.g. (1, 427, 640, 1) -> (1, 425, 638, 1)
        -> (1, 141, 212, 1).

    Raises:
        FilterError: a bad image, bad or mismatched kernels, a kernel or pool window
            larger than its (padded) input, or an empty result.
    """
    if not isinstance(settings, FilterSettings):
        raise FilterError(f"Received settings={settings!r}; expected a FilterSettings.")
    x = _check_image(image)
    k = _stack_kernels(kernels)  # (kh, kw, 1, C)
    height, width = x.shape
    kh, kw, _, channels = k.shape
    s, pad = settings.stride, settings.padding
    ch, cw = output_size(height, kh, s, pad), output_size(width, kw, s, pad)
    if ch < 1 or cw < 1:
        raise FilterError(
            f"Received a {kh}x{kw} kernel for a {height}x{width} image with padding {pad}; "
            "the kernel must fit inside the image (use padding SAME or a smaller kernel).")
    p, ps, ppad = settings.pool, settings.effective_pool_stride, settings.pool_padding
    ph, pw = output_size(ch, p, ps, ppad), output_size(cw, p, ps, ppad)
    if ph < 1 or pw < 1:
        raise FilterError(
            f"Received pool={p} for a {ch}x{cw} feature map with pool padding {ppad}; "
            "the pool window must fit inside the feature map (use a smaller pool or SAME).")

    tf = import_tensorflow()
    try:
        # Plain eager calls: measured faster than a tf.function for one image, and
        # nothing to retrace when the photo size changes.
        conv = tf.nn.conv2d(x[None, :, :, None], k, strides=[1, s, s, 1], padding=pad)
        pooled = tf.nn.max_pool(conv, ksize=[1, p, p, 1], strides=[1, ps, ps, 1], padding=ppad)
        conv_np, pooled_np = conv.numpy()[0], pooled.numpy()[0]
    except Exception as exc:  # noqa: BLE001 - TensorFlow raises many types; show one line
        text = str(exc).strip().splitlines()
        raise FilterError(
            f"TensorFlow could not filter a {height}x{width} image with a {kh}x{kw}x{channels} "
            f"kernel: {text[0] if text else type(exc).__name__}") from None
    return FilterResult(
        input_shape=(1, height, width, 1),
        kernel_shape=(kh, kw, 1, channels),
        conv_shape=(1, *conv_np.shape),
        pool_shape=(1, *pooled_np.shape),
        conv=conv_np,
        pooled=pooled_np,
        kernels=k[:, :, 0, :],
        settings=settings,
    )


def _check_image(image) -> np.ndarray:
    try:
        x = np.asarray(image)
    except Exception:  # noqa: BLE001
        raise FilterError(f"Received image of type {type(image).__name__}; expected an array.") \
            from None
    if x.ndim == 3 and x.shape[2] == 1:
        x = x[:, :, 0]
    if x.ndim != 2:
        raise FilterError(
            f"Received an image of shape {x.shape}; apply_filter takes one channel (H, W) "
            "(pick one with engine.images.extract_channel).")
    if x.size == 0:
        raise FilterError(f"Received an empty image of shape {x.shape}.")
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise FilterError(f"Received an image of dtype {x.dtype}; expected numbers.")
    # No copy when the caller already passes contiguous float32 (the live path does).
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not np.isfinite(x).all():
        raise FilterError("Received an image with NaN or infinite values.")
    return x


def _stack_kernels(kernels) -> np.ndarray:
    """Kernels in TensorFlow's layout (kh, kw, 1, C), validated."""
    if isinstance(kernels, (list, tuple)):
        if len(kernels) == 0:
            raise FilterError("Received an empty list of kernels; give at least one kernel.")
        parts = [_as_kernel_array(kern, f"kernel {i + 1}") for i, kern in enumerate(kernels)]
        for i, part in enumerate(parts):
            if part.ndim != 2:
                raise FilterError(
                    f"Received kernel {i + 1} of shape {part.shape}; each kernel must be 2-D.")
        sizes = [part.shape for part in parts]
        if len(set(sizes)) > 1:
            listed = ", ".join(f"{h}x{w}" for h, w in sizes)
            raise FilterError(
                f"Received kernels of sizes {listed}; "
                "all kernels of one call must be the same size.")
        stack = np.stack(parts, axis=-1)[:, :, None, :]
    else:
        arr = _as_kernel_array(kernels, "kernel")
        if arr.ndim == 2:
            stack = arr[:, :, None, None]
        elif arr.ndim == 3:
            stack = np.transpose(arr, (1, 2, 0))[:, :, None, :]
        elif arr.ndim == 4 and arr.shape[2] == 1:
            stack = arr
        else:
            raise FilterError(
                f"Received kernels of shape {arr.shape}; expected (kh, kw), (C, kh, kw) "
                "or (kh, kw, 1, C).")
    kh, kw, _, channels = stack.shape
    if kh < 1 or kw < 1 or channels < 1:
        raise FilterError(f"Received an empty kernel of shape {stack.shape[:2]}.")
    if kh > MAX_KERNEL_SIDE or kw > MAX_KERNEL_SIDE:
        raise FilterError(
            f"Received a {kh}x{kw} kernel; kernels may be at most "
            f"{MAX_KERNEL_SIDE}x{MAX_KERNEL_SIDE}.")
    if not np.isfinite(stack).all():
        raise FilterError("Received a kernel with NaN or infinite values; use finite numbers.")
    return np.ascontiguousarray(stack, dtype=np.float32)


def _as_kernel_array(kernel, label: str) -> np.ndarray:
    try:
        arr = np.asarray(kernel, dtype=np.float32)
    except (TypeError, ValueError):
        raise FilterError(f"Received {label}={kernel!r}; expected an array of numbers.") from None
    if arr.size == 0:
        raise FilterError(f"Received an empty {label} of shape {arr.shape}.")
    return arr


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
    x = _check_image(image)
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
