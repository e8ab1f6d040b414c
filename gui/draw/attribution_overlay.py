"""Drawing an attribution map over the 28x28 input, and the line that describes it.

Used by :class:`gui.draw.why_panel.WhyPanel`: red where the ink pushed the score for
the digit up, blue where it pushed it down, over the input in grey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtWidgets import QLabel, QSizePolicy

from digitlab.gui.widgets.learned_maps_grid import symmetric_scale

if TYPE_CHECKING:
    from digitlab.engine.explain import Attribution

_POSITIVE = np.array([255.0, 60.0, 40.0])
_NEGATIVE = np.array([40.0, 140.0, 255.0])


def no_width_demand(label: QLabel) -> None:
    """Let a caption take whatever width its column has, without wrapping.

    A word-wrapped label's height-for-width makes the Draw tab's layout squeeze the
    charts, and a plain label's text width would set the column's minimum width.
    """
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)


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


def describe(attribution: Attribution) -> str:
    """The detail line under a map, e.g. ``"weight × input: Σ 8.36 = logit − bias"``.

    For integrated gradients the change is measured from a black image (the baseline).
    """
    total = float(np.sum(attribution.map))
    if attribution.method == "weight x input":
        return f"weight × input: Σ {total:.3g} = logit − bias"
    if attribution.method == "grad-cam":
        return "Grad-CAM, last conv layer (3×3): where it looked"
    change = attribution.output_change
    return f"integrated gradients: Σ {total:.3g} ≈ {attribution.output} change {change:.3g}"
