"""Text contrast as WCAG 2.x measures it, so captions and chart titles stay readable.

Colours are ``(r, g, b)`` tuples of 0..255 integers or ``"#rrggbb"`` / ``"#rgb"``
strings. The relative luminance and contrast ratio follow WCAG 2.2's definitions
(sRGB linearised with the 0.04045 threshold, weights 0.2126 / 0.7152 / 0.0722);
AA asks normal text for a ratio of at least 4.5:1 and large text for 3:1.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["AA_LARGE_TEXT", "AA_NORMAL_TEXT", "contrast_ratio", "readable_color",
           "relative_luminance", "to_rgb"]

#: WCAG 2.x success criterion 1.4.3 (AA) for normal text.
AA_NORMAL_TEXT = 4.5
#: The same criterion for large text (18 pt, or 14 pt bold).
AA_LARGE_TEXT = 3.0

Color = str | Sequence[int]


def to_rgb(color: Color) -> tuple[int, int, int]:
    """An ``(r, g, b)`` tuple of 0..255 integers from a tuple or a hex string.

    Args:
        color: ``(r, g, b)`` (extra items such as alpha are ignored), ``"#rrggbb"``
            or ``"#rgb"``.

    Returns:
        (r, g, b) integers.

    Raises:
        ValueError: not three 0..255 integers nor a valid hex colour, quoting it.
    """
    if isinstance(color, str):
        text = color.strip().lstrip("#")
        if len(text) == 3:
            text = "".join(ch * 2 for ch in text)
        try:
            if len(text) != 6:
                raise ValueError
            return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
        except ValueError:
            raise ValueError(
                f"Received color={color!r}; expected '#rrggbb', '#rgb' or (r, g, b).") from None
    try:
        rgb = tuple(int(v) for v in tuple(color)[:3])
    except (TypeError, ValueError):
        rgb = ()
    if len(rgb) != 3 or any(not 0 <= v <= 255 for v in rgb):
        raise ValueError(f"Received color={color!r}; expected three integers 0..255.")
    return rgb  # type: ignore[return-value]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: Color) -> float:
    """WCAG 2.x relative luminance: 0.0 for black, 1.0 for white.

    Args:
        color: see :func:`to_rgb`.

    Returns:
        0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels.
    """
    r, g, b = (_linear(v) for v in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: Color, background: Color) -> float:
    """WCAG 2.x contrast ratio between two colours, from 1.0 (same) to 21.0.

    Args:
        foreground: text colour; see :func:`to_rgb`.
        background: the colour behind it.

    Returns:
        (L_lighter + 0.05) / (L_darker + 0.05); symmetric in its arguments.
    """
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable_color(
    preferred: Color, background: Color, minimum: float = AA_NORMAL_TEXT
) -> tuple[int, int, int]:
    """``preferred`` if it reads on ``background``, else the nearest shade of it that does.

    The colour is mixed step by step towards black on a light background (towards
    white on a dark one) until the contrast reaches ``minimum``, so a grey caption
    stays a grey, only darker (or lighter) — the way a designer fixes it by hand.

    Args:
        preferred: the colour wanted; see :func:`to_rgb`.
        background: the colour behind the text.
        minimum: contrast ratio to reach (4.5 for AA normal text).

    Returns:
        (r, g, b) with ``contrast_ratio(result, background) >= minimum`` whenever
        black or white reaches it (any ``minimum`` up to 4.5 always can).

    Raises:
        ValueError: a bad colour, or ``minimum`` outside 1..21.
    """
    if not 1.0 <= float(minimum) <= 21.0:
        raise ValueError(f"Received minimum={minimum!r}; a contrast ratio lies in 1..21.")
    start, bg = to_rgb(preferred), to_rgb(background)
    if contrast_ratio(start, bg) >= minimum:
        return start
    # Black reaches more contrast than white exactly when the background is lighter
    # than the luminance where both give the same ratio (about 0.179).
    target = (0, 0, 0) if contrast_ratio((0, 0, 0), bg) >= contrast_ratio((255,) * 3, bg) \
        else (255, 255, 255)
    for step in range(1, 101):
        t = step / 100
        mixed = tuple(round(s + (e - s) * t) for s, e in zip(start, target, strict=True))
        if contrast_ratio(mixed, bg) >= minimum:
            return mixed  # type: ignore[return-value]
    return target
