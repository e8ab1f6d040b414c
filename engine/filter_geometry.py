"""TensorFlow's padding rule, and which input pixels produced an output pixel.

The one rule for the output size of tf.nn.conv2d / tf.nn.max_pool
(:func:`output_size`, used by :func:`engine.filters.apply_filter` to check
shapes) and for where the padding goes (:func:`pad_before`, used by
:class:`FilterGeometry` for the Filters tab's hover), so the highlighted window
can never disagree with the result. ``VALID`` adds nothing and the window must
fit; ``SAME`` makes the output ``ceil(n / stride)`` long and pads
``total // 2`` before, the rest after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """A rectangle of pixels, rows ``y0 <= y < y1`` and columns ``x0 <= x < x1``.

    Coordinates may fall outside the image (in the zero padding of ``SAME``).
    """

    y0: int
    x0: int
    y1: int
    x1: int

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def width(self) -> int:
        return self.x1 - self.x0


def output_size(size: int, window: int, stride: int, padding: str) -> int:
    """TensorFlow's output length along one axis.

    Args:
        size: input length along the axis.
        window: kernel or pool window length.
        stride: step between windows.
        padding: ``"VALID"`` or ``"SAME"`` (upper-case, as ``FilterSettings`` stores it).

    Returns:
        ``ceil(size / stride)`` for ``SAME``; ``ceil((size - window + 1) / stride)`` for
        ``VALID``, or 0 when the window does not fit.
    """
    if padding == "SAME":
        return math.ceil(size / stride)
    return math.ceil((size - window + 1) / stride) if size >= window else 0


def pad_before(size: int, window: int, stride: int, padding: str) -> int:
    """Padding TensorFlow adds before the first element along one axis.

    Args:
        size: input length along the axis.
        window: kernel or pool window length.
        stride: step between windows.
        padding: ``"VALID"`` or ``"SAME"``.

    Returns:
        The number of padded elements before index 0 (0 for ``VALID``).
    """
    if padding.upper() != "SAME":
        return 0
    out = output_size(size, window, stride, "SAME")
    total = max((out - 1) * stride + window - size, 0)
    return total // 2


@dataclass(frozen=True)
class FilterGeometry:
    """The conv and pool geometry of one filter run, for mapping outputs back to inputs.

    Args:
        input_hw: (H, W) of the input image.
        kernel_hw: (kh, kw) of the kernels.
        stride, padding: of the convolution.
        conv_hw: (H', W') of the feature map.
        pool, pool_stride, pool_padding: of the max-pool.
    """

    input_hw: tuple[int, int]
    kernel_hw: tuple[int, int]
    stride: int
    padding: str
    conv_hw: tuple[int, int]
    pool: int
    pool_stride: int
    pool_padding: str

    @classmethod
    def from_settings(cls, input_hw: tuple[int, int], kernel_hw: tuple[int, int],
                      settings) -> FilterGeometry:
        """The geometry of filtering an ``input_hw`` image with ``kernel_hw`` kernels.

        Args:
            input_hw: (H, W) of the input image.
            kernel_hw: (kh, kw) of the kernels.
            settings: an ``engine.filters.FilterSettings`` (stride, padding, pool...).

        Returns:
            The geometry, with ``conv_hw`` from :func:`output_size` - the shape
            ``apply_filter`` gives the feature map.
        """
        (h, w), (kh, kw) = tuple(input_hw[:2]), tuple(kernel_hw[:2])
        conv_hw = (output_size(h, kh, settings.stride, settings.padding),
                   output_size(w, kw, settings.stride, settings.padding))
        return cls(input_hw=(h, w), kernel_hw=(kh, kw), stride=settings.stride,
                   padding=settings.padding, conv_hw=conv_hw, pool=settings.pool,
                   pool_stride=settings.effective_pool_stride,
                   pool_padding=settings.pool_padding)

    def conv_window(self, y: int, x: int) -> Window:
        """The input window (kh x kw) that conv output pixel ``(y, x)`` was computed from."""
        kh, kw = self.kernel_hw
        top = pad_before(self.input_hw[0], kh, self.stride, self.padding)
        left = pad_before(self.input_hw[1], kw, self.stride, self.padding)
        y0 = y * self.stride - top
        x0 = x * self.stride - left
        return Window(y0, x0, y0 + kh, x0 + kw)

    def pool_window(self, y: int, x: int) -> Window:
        """The feature-map window that pooled pixel ``(y, x)`` took its max of.

        Clipped to the feature map: max_pool's ``SAME`` padding never wins the max,
        so padded positions are not part of the window.
        """
        top = pad_before(self.conv_hw[0], self.pool, self.pool_stride, self.pool_padding)
        left = pad_before(self.conv_hw[1], self.pool, self.pool_stride, self.pool_padding)
        y0 = y * self.pool_stride - top
        x0 = x * self.pool_stride - left
        return Window(
            max(y0, 0),
            max(x0, 0),
            min(y0 + self.pool, self.conv_hw[0]),
            min(x0 + self.pool, self.conv_hw[1]),
        )

    def pool_receptive_field(self, y: int, x: int) -> Window:
        """The input pixels that pooled pixel ``(y, x)`` depends on (through the conv)."""
        pw = self.pool_window(y, x)
        first = self.conv_window(pw.y0, pw.x0)
        last = self.conv_window(pw.y1 - 1, pw.x1 - 1)
        return Window(first.y0, first.x0, last.y1, last.x1)
