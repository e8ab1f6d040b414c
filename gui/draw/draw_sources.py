"""Where a digit on the Draw tab can come from besides the mouse: MNIST and image files."""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=1)
def mnist_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The bundled MNIST test images ``(10000, 28, 28) uint8`` and labels, loaded once.

    Raises:
        OSError, ValueError: the bundled file is missing or damaged.
    """
    from digitlab.engine.data import load_mnist  # noqa: PLC0415 - ~0.2 s, only when first asked

    data = load_mnist()
    return data.x_test, data.y_test


def digit_image_to_ink(gray: np.ndarray) -> np.ndarray | None:
    """A photo or scan of a digit -> ink intensity to put on the canvas.

    The engine's preprocessing decides the ink colour and removes the paper's
    background; the crop gets a margin so the digit sits on the canvas as if drawn.

    Args:
        gray: ``(H, W)`` float32 grayscale in [0, 1], as ``engine.images.load_digit_image``
            returns it (any ink colour).

    Returns:
        ``(h + 2m, w + 2m)`` float32 in [0, 1], ink bright, or None when the image
        holds no ink.
    """
    from digitlab.engine.preprocess import preprocess_drawing  # noqa: PLC0415

    result = preprocess_drawing(gray, ink="auto")
    if result.is_empty:
        return None
    margin = max(result.cropped.shape) // 6 + 1
    return np.pad(result.cropped, margin)
