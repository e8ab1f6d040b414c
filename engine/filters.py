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

from dataclasses import dataclass, field

import numpy as np

# One padding rule for the result and for the Filters tab's hover (engine/filter_geometry.py).
from digitlab.engine.errors import one_line
from digitlab.engine.filter_geometry import output_size
from digitlab.engine.kernels import (
    KERNEL_PRESETS,
    MAX_KERNEL_SIDE,
    FilterError,
    check_pool_work,
    parse_kernel,
    resolve_kernel,
)
from digitlab.engine.tf_runtime import import_tensorflow

__all__ = [
    "KERNEL_PRESETS", "MAX_KERNEL_SIDE", "PADDINGS", "FilterError", "FilterResult",
    "FilterSettings", "apply_filter", "check_image", "output_size", "parse_kernel",
    "resolve_kernel",
]

#: The paddings TensorFlow's conv2d and max_pool accept.
PADDINGS = ("VALID", "SAME")


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
    x = check_image(image)
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
    check_pool_work((ch, cw), p, ps, ppad, channels)  # a huge SAME window would run for minutes

    tf = import_tensorflow()
    try:
        # Plain eager calls: measured faster than a tf.function for one image, and
        # nothing to retrace when the photo size changes.
        conv = tf.nn.conv2d(x[None, :, :, None], k, strides=[1, s, s, 1], padding=pad)
        pooled = tf.nn.max_pool(conv, ksize=[1, p, p, 1], strides=[1, ps, ps, 1], padding=ppad)
        conv_np, pooled_np = conv.numpy()[0], pooled.numpy()[0]
    except Exception as exc:  # noqa: BLE001 - TensorFlow raises many types; show one line
        raise FilterError(
            f"TensorFlow could not filter a {height}x{width} image with a {kh}x{kw}x{channels} "
            f"kernel: {one_line(exc, name_file=False)}") from None
    if not (np.isfinite(conv_np).all() and np.isfinite(pooled_np).all()):
        # Finite kernels (up to 3.4e38) can still overflow float32 once summed.
        raise FilterError(
            f"The feature map of a {height}x{width} image with a {kh}x{kw}x{channels} kernel "
            "overflows float32 (values beyond 3.4e38); use smaller kernel values.")
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


def check_image(image) -> np.ndarray:
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
