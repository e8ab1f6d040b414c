"""Restyle MNIST test digits the way people draw them, to measure robustness.

No handwriting database other than MNIST can be shipped or downloaded here, so
Digit Lab measures how well the models hold up on *styles* MNIST lacks: each
style takes a 28x28 MNIST test digit and renders it as the app would receive
it — a big canvas or a photo of paper — thick or thin, small and off-centre,
slanted, dark ink on uneven paper, or redrawn with a pen of one width as the
app's canvas draws it. The result then goes through the app's own
MNIST-style preprocessing (:func:`engine.preprocess.preprocess_drawing`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter

from digitlab.engine.strokes import CANVAS, pen_redraw, random_pen


def _upscale(digit: np.ndarray, size: int = 280) -> Image.Image:
    return Image.fromarray(digit).resize((size, size), Image.BILINEAR)


def canvas(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit upscaled 10x onto a 280x280 canvas, white on black (the app's canvas)."""
    return np.asarray(_upscale(digit))


def thick(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A fat brush: strokes dilated by ~13 px on the 280x280 canvas."""
    return np.asarray(_upscale(digit).filter(ImageFilter.MaxFilter(13)))


def thin(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A fine pen: strokes eroded by ~9 px on the 280x280 canvas (ink kept where it survives)."""
    img = _upscale(digit)
    eroded = img.filter(ImageFilter.MinFilter(9))
    # Very thin digits can vanish entirely: fall back to a milder erosion.
    return np.asarray(
        eroded if np.asarray(eroded).max() > 64 else img.filter(ImageFilter.MinFilter(5))
    )


def small_off_centre(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Drawn small (56 px) somewhere near a corner of a 280x280 canvas."""
    out = np.zeros((280, 280), np.uint8)
    y, x = rng.integers(0, 40, size=2)
    if rng.random() < 0.5:
        y = 280 - 56 - y
    if rng.random() < 0.5:
        x = 280 - 56 - x
    out[y : y + 56, x : x + 56] = np.asarray(_upscale(digit, 56))
    return out


def slanted(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotated by 15-25 degrees either way, on the 280x280 canvas."""
    angle = float(rng.uniform(15, 25) * rng.choice([-1, 1]))
    return np.asarray(_upscale(digit).rotate(angle, resample=Image.BILINEAR, expand=False))


def ink_on_paper(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark ink on uneven, noisy paper in a 240x320 (portrait) photo; softened like a camera."""
    ink = np.asarray(_upscale(digit, 180), np.float32) / 255.0
    h, w = 320, 240
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 215 + 25 * (xx / w) - 20 * (yy / h) + rng.normal(0, 6, (h, w))  # light gradient + grain
    layer = np.zeros((h, w), np.float32)
    y0, x0 = 70 + rng.integers(-20, 20), 30 + rng.integers(-20, 20)
    layer[y0 : y0 + 180, x0 : x0 + 180] = ink
    photo = paper * (1 - 0.8 * layer)  # ink absorbs ~80% of the light
    img = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(1.2)
    )
    return np.asarray(img)


def pen(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Drawn with a pen: the digit's skeleton drawn again with a round pen of one width
    (:func:`engine.strokes.pen_redraw`; widths like the app's brush, :func:`random_pen`)."""
    big = np.asarray(Image.fromarray(digit).resize((CANVAS, CANVAS), Image.BILINEAR))
    return pen_redraw(big, random_pen(rng))


#: Style name -> function(digit28_uint8, rng) -> 2-D uint8 image as the app receives it.
STYLES: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "canvas": canvas,
    "thick": thick,
    "thin": thin,
    "small, off-centre": small_off_centre,
    "slanted": slanted,
    "ink on paper": ink_on_paper,
    "pen": pen,
}


def styled_accuracy(predictor, images: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict:
    """Accuracy of each model of ``predictor`` on each style.

    Args:
        predictor: an :class:`engine.inference.Predictor`.
        images: ``(N, 28, 28) uint8`` MNIST digits; labels: ``(N,)``.
        seed: for the random placement and angles (same for every model).

    Returns:
        ``{style: {kind: accuracy}}``; a digit the preprocessing finds empty counts as wrong.
    """
    report = {}
    for name, style in STYLES.items():
        rng = np.random.default_rng(seed)
        correct = dict.fromkeys(predictor.kinds, 0)
        for digit, label in zip(images, labels, strict=True):
            prediction = predictor.predict(style(digit, rng), ink="auto")
            for kind, guess in prediction.digits.items():
                correct[kind] += int(guess == label)
        report[name] = {kind: n / len(labels) for kind, n in correct.items()}
    return report
