"""Draw shapes as a pen would, and turn any ink into pen strokes (for the gate's data).

The not-a-digit gate (:mod:`engine.gate`) must not learn *how* something was
drawn instead of *what* was drawn: if every negative were a uniform pen line and
every digit a scanned MNIST stroke, a gate could tell them apart by texture
alone and fail on real pen-drawn digits. So digits and non-digits alike are
rendered, in part, through the same pen: :func:`pen_redraw` thins any ink to a
one-pixel skeleton (Zhang-Suen) and draws it again with a round pen.

The second half is a small library of things people draw that are not digits
(scribbles, shapes, partial strokes), in unit coordinates, drawn by
:func:`draw_strokes` through :func:`shape_sampler`.

Everything works on ``(CANVAS, CANVAS)`` uint8 images, ink bright on black.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

#: Side of the square canvas shapes are drawn on. The app's canvas is 280; the
#: preprocessing fits everything to 20 px, so 128 keeps the strokes' proportions.
CANVAS = 128
#: Pen widths in canvas pixels: the app's brush (4..48 on 280, default 20) scaled to 128.
PEN_WIDTHS = (3.0, 16.0)


def random_pen(rng: np.random.Generator) -> float:
    """A pen width in canvas pixels, most often near the app's default brush (~9 px here)."""
    low, high = PEN_WIDTHS
    return float(np.clip(rng.lognormal(np.log(8.0), 0.4), low, high))


def wobble(points: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Resample a polyline densely and add smooth hand tremor.

    Args:
        points: float ``(K, 2)`` (x, y) in any units.
        amount: tremor amplitude in the same units.

    Returns:
        float ``(M, 2)``, M >= K.
    """
    points = np.asarray(points, np.float64)
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    total = float(seg.sum())
    if total <= 0 or len(points) < 2:
        return points
    n = max(len(points), min(400, int(total / 2.0) + 2))  # a point every ~2 px
    t = np.concatenate(([0.0], np.cumsum(seg))) / total
    u = np.linspace(0.0, 1.0, n)
    dense = np.stack([np.interp(u, t, points[:, 0]), np.interp(u, t, points[:, 1])], axis=1)
    # Low-frequency noise: a few random sines along the stroke.
    noise = np.zeros_like(dense)
    for _ in range(3):
        freq = rng.uniform(0.5, 3.0)
        phase = rng.uniform(0, 2 * np.pi, size=2)
        noise += np.sin(2 * np.pi * freq * u[:, None] + phase) * rng.uniform(0.3, 1.0)
    return dense + noise * amount / 3.0


def draw_strokes(strokes: list[np.ndarray], rng: np.random.Generator,
                 width: float | None = None, rotate_deg: float = 15.0,
                 fill_fraction: tuple[float, float] = (0.45, 0.85),
                 tremor: float = 0.03) -> np.ndarray:
    """Draw polylines given in unit coordinates as pen strokes on a fresh canvas.

    The strokes together are rotated randomly, scaled so their longer side is a random
    fraction of the canvas, placed at a random spot, given hand tremor and drawn with
    a round pen.

    Args:
        strokes: each float ``(K, 2)`` (x, y), y down, any common scale.
        width: pen width in canvas pixels (random when ``None``).
        rotate_deg: the rotation's range, +-.
        fill_fraction: range of the longer side over the canvas side.
        tremor: tremor amplitude as a fraction of the shape's size.

    Returns:
        uint8 ``(CANVAS, CANVAS)``, ink bright.
    """
    width = random_pen(rng) if width is None else width
    angle = np.deg2rad(rng.uniform(-rotate_deg, rotate_deg))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    strokes = [np.asarray(s, np.float64) @ rot.T for s in strokes]
    allpts = np.concatenate(strokes)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    size = float(max(hi - lo).max()) or 1.0
    scale = rng.uniform(*fill_fraction) * (CANVAS - width) / size
    extent = (hi - lo) * scale
    offset = np.array([rng.uniform(width / 2, max(width / 2, CANVAS - width / 2 - e))
                       for e in extent])
    img = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        pts = (stroke - lo) * scale + offset
        pen_line(draw, wobble(pts, rng, tremor * size * scale), width)
    return np.asarray(img.filter(ImageFilter.GaussianBlur(0.6)))


def pen_line(draw: ImageDraw.ImageDraw, points, width: float) -> None:
    """Draw a polyline ``(K, 2)`` ``(x, y)`` with a round pen ``width`` wide (ink 255)."""
    flat = [tuple(p) for p in points]
    if len(flat) > 1:
        draw.line(flat, fill=255, width=max(1, round(width)), joint="curve")
    r = width / 2
    for x, y in (flat[0], flat[-1]):  # round caps
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


def _zhang_suen_tables() -> np.ndarray:
    """Whether Zhang-Suen removes a pixel, by step and by its 8 neighbours as a bit code.

    Returns:
        bool ``(2, 256)``: bit ``i`` of the code is neighbour P(i+2), clockwise from north.
    """
    codes = np.arange(256)
    n = [(codes >> i) & 1 for i in range(8)]
    b = sum(n)
    a = sum((n[i] == 0) & (n[(i + 1) % 8] == 1) for i in range(8))
    common = (b >= 2) & (b <= 6) & (a == 1)
    step0 = common & (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
    step1 = common & (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
    return np.stack([step0, step1])


_REMOVE = _zhang_suen_tables()


def skeleton(mask: np.ndarray) -> np.ndarray:
    """Thin a binary image to one-pixel-wide lines (Zhang & Suen, 1984).

    Each pass looks its pixels' neighbourhoods up in :data:`_REMOVE` (one table
    lookup instead of the rule's ~40 array operations: ~4x faster, same result).

    Args:
        mask: bool ``(H, W)``.

    Returns:
        bool ``(H, W)``.
    """
    img = np.pad(mask.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = img
            # Neighbours P2..P9 clockwise from north, as the bits of one code.
            n = (p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:],
                 p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2])
            code = n[0].copy()
            for i in range(1, 8):
                code |= n[i] << i
            remove = (p[1:-1, 1:-1] == 1) & _REMOVE[step][code]
            if remove.any():
                img = img.copy()
                img[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def pen_redraw(ink: np.ndarray, width: float) -> np.ndarray:
    """Thin ``ink`` to its skeleton and draw the skeleton again with a round pen.

    Args:
        ink: uint8 ``(H, W)``, ink bright.
        width: pen diameter in pixels.

    Returns:
        uint8 ``(H, W)``, ink bright, anti-aliased.
    """
    return _stroke_skeleton(ink, skeleton(_half(ink) > 100), width)


def _half(ink: np.ndarray) -> np.ndarray:
    # The skeleton of the half-size image is as good at the pen widths used and ~4x cheaper.
    h, w = ink.shape
    return np.asarray(Image.fromarray(ink).resize((max(1, w // 2), max(1, h // 2)), Image.BOX))


def _stroke_skeleton(ink: np.ndarray, half_skeleton: np.ndarray, width: float) -> np.ndarray:
    """Draw ``ink``'s half-size skeleton at full size with a round pen (``ink`` if it is empty)."""
    ys, xs = np.nonzero(half_skeleton)
    ys, xs = ys * 2 + 1, xs * 2 + 1
    out = np.zeros(ink.shape, np.float32)
    if len(ys) == 0:
        return ink
    r = width / 2
    k = int(np.ceil(r))
    dy, dx = np.mgrid[-k:k + 1, -k:k + 1]
    disk = dy ** 2 + dx ** 2 <= r * r
    oy, ox = dy[disk], dx[disk]
    yy = np.clip(ys[:, None] + oy[None], 0, ink.shape[0] - 1).ravel()
    xx = np.clip(xs[:, None] + ox[None], 0, ink.shape[1] - 1).ravel()
    out[yy, xx] = 255.0
    img = Image.fromarray(out.astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    return np.asarray(img)


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0,
            sweep: float = 2 * np.pi, n: int = 48) -> np.ndarray:
    """Points of an elliptic arc, float ``(n, 2)`` (x, y)."""
    t = start + np.linspace(0.0, sweep, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


# --- Scribbles, shapes and partial strokes, in unit coordinates, drawn by draw_strokes. ---
# Each returns (strokes, tremor); the not-a-digit gate learns from them (engine.gate_data).

def _spline(rng):
    # 7+ points: with fewer, a random curve is often a 1, 2, 7 or S.
    pts = rng.uniform(-1, 1, size=(int(rng.integers(7, 12)), 2))
    t = np.linspace(0, len(pts) - 1, 200)
    return [np.stack([np.interp(t, np.arange(len(pts)), pts[:, i]) for i in (0, 1)], 1)
            ], 0.08


def _zigzag(rng):
    n = int(rng.integers(4, 10))
    x = np.linspace(-1, 1, n) + rng.normal(0, 0.1, n)
    y = np.where(np.arange(n) % 2 == 0, -1, 1) * rng.uniform(0.3, 1, n)
    return [np.stack([x, y], 1)], 0.02


def _loops(rng):  # cursive "eeee" / "llll"
    n = int(rng.integers(3, 7))
    t = np.linspace(0, 2 * np.pi * n, 60 * n)
    r = rng.uniform(0.5, 1.2)
    return [np.stack([t / (2 * np.pi) * rng.uniform(0.6, 1.2) + r * np.cos(t + np.pi),
                      -r * rng.uniform(0.8, 2) * np.sin(t)], 1)], 0.02


def _walk(rng, points: tuple[int, int] = (30, 120), tremor: float = 0.0):
    """A random walk in one stroke through ``points`` (low, high: drawn from that range)
    points, a dense tangle by default."""
    steps = rng.normal(0, 1, size=(int(rng.integers(*points)), 2))
    return [np.cumsum(steps, axis=0)], tremor


def _spiral(rng):
    turns = rng.uniform(1.5, 4)
    t = np.linspace(0, 2 * np.pi * turns, 300)
    r = t / t[-1]
    return [np.stack([r * np.cos(t), r * np.sin(t) * rng.uniform(0.6, 1.4)], 1)], 0.03


def _hatch(rng):  # a scratch-out: back and forth
    n = int(rng.integers(5, 14))
    x = np.where(np.arange(n) % 2 == 0, -1.0, 1.0) + rng.normal(0, 0.1, n)
    y = np.linspace(-1, 1, n) * rng.uniform(0.4, 1.0)
    return [np.stack([x, y], 1)], 0.02


def _circle_cross(rng):
    c = ellipse(0, 0, 1, rng.uniform(0.8, 1.2))
    if rng.random() < 0.5:
        return [c, np.array([[-0.8, -0.8], [0.8, 0.8]]), np.array([[0.8, -0.8], [-0.8, 0.8]])], 0.02
    return [c, np.array([[-1.2, 0], [1.2, 0]]), np.array([[0, -1.2], [0, 1.2]])], 0.02


def _box(rng):
    a = rng.uniform(0.6, 1.6)
    sq = np.array([[-1, -a], [1, -a], [1, a], [-1, a], [-1, -a]], float)
    crossed = rng.random() < 0.5
    extra = [np.array([[-1, -a], [1, a]]), np.array([[1, -a], [-1, a]])] if crossed else []
    return [sq, *extra], 0.02


def _triangle(rng):
    return [np.array([[0, -1], [1, 0.8], [-1, 0.8], [0, -1]], float)], 0.02


def _star(rng):
    k = np.arange(6) * 4 * np.pi / 5 - np.pi / 2
    return [np.stack([np.cos(k), np.sin(k)], 1)], 0.02


def _check(rng):
    return [np.array([[-1, 0], [-0.3, 0.8], [1, -1]], float)], 0.02


def _grid(rng):
    return [np.array([[-1, -0.4], [1, -0.4]]), np.array([[-1, 0.4], [1, 0.4]]),
            np.array([[-0.4, -1], [-0.4, 1]]), np.array([[0.4, -1], [0.4, 1]])], 0.03


def _concentric(rng):
    return [ellipse(0, 0, 1, 1), ellipse(0, 0, 0.5, 0.5)], 0.02


def _diamond_cross(rng):
    return [np.array([[0, -1], [1, 0], [0, 1], [-1, 0], [0, -1]], float),
            np.array([[-1, 0], [1, 0]], float)], 0.02


def _heart(rng):
    t = np.linspace(0, 2 * np.pi, 100)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [np.stack([x, y], 1) / 16], 0.02


def _smiley(rng):
    return [ellipse(0, 0, 1, 1), ellipse(-0.35, -0.3, 0.08, 0.08, n=8),
            ellipse(0.35, -0.3, 0.08, 0.08, n=8), ellipse(0, 0.1, 0.5, 0.45, 0.3, 2.5)], 0.02


def _sun(rng):
    rays = [np.array([[0.6 * np.cos(a), 0.6 * np.sin(a)], [np.cos(a), np.sin(a)]])
            for a in np.linspace(0, 2 * np.pi, int(rng.integers(6, 11)), endpoint=False)]
    return [ellipse(0, 0, 0.4, 0.4), *rays], 0.02


def _house(rng):
    return [np.array([[-1, 0], [0, -1], [1, 0], [1, 1], [-1, 1], [-1, 0], [1, 0]], float)], 0.02


def _arc(rng):
    # At least ~200 degrees: a shallower arc, thin after rotation, is a fair "1" or "(".
    sweep = rng.uniform(3.5, 4.8)
    return [ellipse(0, 0, 1, rng.uniform(0.6, 1.2), rng.uniform(0, 2 * np.pi), sweep)], 0.02


def _dash(rng):
    return [np.array([[-1, 0], [1, rng.uniform(-0.3, 0.3)]])], 0.02


def _hook(rng):
    return [np.concatenate([np.array([[1, -1], [1, 0.3]]), ellipse(0.3, 0.3, 0.7, 0.7, 0, np.pi)])
            ], 0.02


SHAPES: dict[str, Callable] = {
    "scribble:spline": _spline, "scribble:zigzag": _zigzag, "scribble:loops": _loops,
    "scribble:walk": _walk, "scribble:spiral": _spiral, "scribble:hatch": _hatch,
    "shape:circle-cross": _circle_cross, "shape:box": _box, "shape:triangle": _triangle,
    "shape:star": _star, "shape:check": _check, "shape:grid": _grid,
    "shape:concentric": _concentric, "shape:diamond-cross": _diamond_cross,
    "shape:heart": _heart, "shape:smiley": _smiley, "shape:sun": _sun, "shape:house": _house,
    "partial:arc": _arc, "partial:dash": _dash, "partial:hook": _hook,
}


def _scrawl(rng):
    """A quick scribble of a dozen or two straight strokes with sharp corners, in one stroke:
    a random walk through 10-29 points, 9-28 steps (``scribble:walk`` has 30-120, a dense
    tangle)."""
    return _walk(rng, (10, 30), 0.02)


#: Sparse random walks: a family of their own, ``train-gate --scrawls N`` (outside
#: :data:`SHAPES`, so the gates trained before it keep their recipe's data).
SCRAWLS: dict[str, Callable] = {"scribble:scrawl": _scrawl}


def shape_sampler(name: str) -> Callable[[np.random.Generator], np.ndarray]:
    """A generator of one scribble/shape/partial-stroke kind of :data:`SHAPES` drawn with a pen."""
    return stroke_sampler(SHAPES[name])


def stroke_sampler(make: Callable) -> Callable[[np.random.Generator], np.ndarray]:
    """Drawings of ``make`` (``rng -> (strokes, tremor)`` in unit coordinates) with a pen.

    Each drawing is stretched sideways by a random aspect (0.7..1.4), rotated up to
    25 degrees and drawn by :func:`draw_strokes`; uint8 ``(CANVAS, CANVAS)``, ink bright.
    """
    def sample(rng: np.random.Generator) -> np.ndarray:
        strokes, tremor = make(rng)
        aspect = rng.uniform(0.7, 1.4)
        strokes = [np.asarray(s, float) * np.array([aspect, 1.0]) for s in strokes]
        return draw_strokes(strokes, rng, rotate_deg=25, tremor=tremor + 0.01)
    return sample
