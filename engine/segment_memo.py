"""What segmentation computes once per mask of ink: its box, its 28x28 image and its score.

Used by :mod:`engine.segment` and :mod:`engine.segment_cuts`; masks are bool arrays of
the (shrunk) ink crop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitlab.engine.fit_box import IMAGE_SIZE, center_by_mass, fit_ink_widened

Scorer = Callable[[np.ndarray], np.ndarray]


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """``(y0, x0, y1, x1)`` of a non-empty bool mask (``y1``, ``x1`` exclusive).

    Raises:
        ValueError: the mask is empty.
    """
    # The columns by the ufunc's reduction (without ``any``'s wrapper); the first and last
    # rows from the first and last True of the row-major bytes (find and rfind are memchr
    # scans, cheaper than reducing along rows); argmax stops at the first True column.
    mask = np.asarray(mask, bool)  # the byte scans need 0/1 bytes (no copy for a bool mask)
    cols = np.logical_or.reduce(mask, axis=0)
    x1 = cols.tobytes().rfind(1) + 1
    if not x1:
        raise ValueError("Received an empty mask; expected at least one True.")
    flat, w = mask.tobytes(), mask.shape[1]
    return flat.find(1) // w, int(cols.argmax()), flat.rfind(1) // w + 1, x1


class Memo:
    """One segmentation's boxes, images and scores, each computed once per mask.

    Masks are kept alive with their images (so their ``id`` stays theirs); scores are
    keyed by the image's bytes (a piece tried twice, as a cut and as a group, is scored once).
    """

    def __init__(self, ink: np.ndarray, scorer: Scorer | None):
        self.ink, self.scorer = ink, scorer
        #: id(mask) -> (mask, image28, fitted, widened): the mask kept alive, its two
        #: images, whether its strokes were thickened.
        self._images: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, bool]] = {}
        self._boxes: dict[int, tuple[np.ndarray, tuple[int, int, int, int]]] = {}
        self._scores: dict[bytes, float] = {}

    def box(self, mask: np.ndarray) -> tuple[int, int, int, int]:
        """:func:`mask_box` of this (non-empty) mask, computed once."""
        hit = self._boxes.get(id(mask))
        if hit is None:
            hit = self._boxes[id(mask)] = (mask, mask_box(mask))
        return hit[1]

    def set_box(self, mask: np.ndarray, box: tuple[int, int, int, int]) -> None:
        """Record a mask's box found by the caller (e.g. inside a known region)."""
        self._boxes[id(mask)] = (mask, box)

    def image(self, mask: np.ndarray) -> np.ndarray:
        """:func:`to_image28` of this mask, computed once."""
        return self._fit(mask)[1]

    def fitted(self, mask: np.ndarray) -> np.ndarray:
        """The fitted image behind :meth:`image` (see :func:`fit_and_centre`), computed once."""
        return self._fit(mask)[2]

    def widened(self, mask: np.ndarray) -> bool:
        """Whether :meth:`fitted` thickened this mask's strokes first
        (see :func:`fit_and_centre`)."""
        return self._fit(mask)[3]

    def _fit(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        hit = self._images.get(id(mask))
        if hit is None:
            fitted, image28, widened = fit_and_centre(mask, self.ink, self.box(mask))
            hit = self._images[id(mask)] = (mask, image28, fitted, widened)
        return hit

    def score(self, mask: np.ndarray) -> float | None:
        """The score already computed for this mask's image, if any."""
        hit = self._images.get(id(mask))
        return None if hit is None else self._scores.get(hit[1].tobytes())

    def scores(self, masks: list[np.ndarray]) -> np.ndarray:
        """Scores of these masks' images: float ``(len(masks),)``; one batch for the new ones."""
        images = [self.image(m) for m in masks]
        keys = [im.tobytes() for im in images]
        new = [i for i, k in enumerate(keys) if k not in self._scores]
        if new:
            fresh = self.scorer(np.stack([images[i] for i in new]))
            for i, sc in zip(new, fresh, strict=True):
                self._scores[keys[i]] = float(sc)
        return np.array([self._scores[k] for k in keys])


def to_image28(group: np.ndarray, ink: np.ndarray,
               box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """One group's ink, fitted and centred MNIST-style: float32 ``(28, 28)``.

    Args:
        box: the group's :func:`mask_box`, if the caller has it.
    """
    return fit_and_centre(group, ink, box)[1]


def fit_and_centre(group: np.ndarray, ink: np.ndarray,
                   box: tuple[int, int, int, int] | None = None
                   ) -> tuple[np.ndarray, np.ndarray, bool]:
    """One group's ink fitted to 20 px and then centred: ``(fitted, image28, widened)``.

    ``fitted`` is float32 ``(h', w')`` with ``max(h', w') == 20``
    (:func:`engine.fit_box.fit_ink_widened` of the group's own ink, other groups' ink left
    out), ``image28`` float32 ``(28, 28)``: the two stages the Draw tab shows for a digit
    of a number; ``widened``: its strokes were thickened before fitting.
    """
    y0, x0, y1, x1 = mask_box(group) if box is None else box
    crop = np.zeros((y1 - y0, x1 - x0), np.float32)  # np.where's values, in ~2/3 of its time
    np.copyto(crop, ink[y0:y1, x0:x1], where=group[y0:y1, x0:x1])
    fitted, widened = fit_ink_widened(crop)
    return fitted, center_by_mass(fitted, IMAGE_SIZE), widened
