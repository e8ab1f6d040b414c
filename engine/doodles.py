"""More things people draw that are not digits: freehand doodles and invented characters.

Two kinds of generators, each ``rng -> (strokes, tremor)`` in unit coordinates like
:data:`engine.strokes.SHAPES`, drawn with a pen by :func:`engine.strokes.shape_sampler`:

- ``doodle:<kind>``: arrows, flowers, fish, trees,
  envelopes, stick figures, waves, cups, eyes, with random proportions (never a
  hand-made shape held out of training, such as hearts or houses; clouds, crescent
  moons and lightning bolts were tried and dropped: at 28 px they pass for 0, 0 and 5);
- ``invented:strokes``: Omniglot-like characters nobody has seen, three or four strokes
  (lines, open arcs, zigzags), each starting at a random point or where the
  last one ended. Fewer strokes are never used: one or two lines and curves are what
  a 1, a 0, a 6 or a 9 is made of.

And :data:`OUTLINES`, closed outlines that are no oval (``outline:blob``, a smooth curve
with dents; ``outline:polygon``, a star-shaped polygon with corners going in), drawn in
one stroke from any point as a hand closes a shape. The one closed outline that is a
digit is an oval, a 0; every other one is not, but the gate learns "closed outline" from
the 0s unless it sees others (it took hearts and houses, which it never saw, for 0s).
Each outline's area is at most 0.88 of its convex hull's, so none is an oval.
:data:`CONVEX_OUTLINES` are the other closed outlines that are no oval: convex or nearly,
with a corner, a cusp or a flat side (polygons, drops, lenses, arcs closed by a chord,
scallops), where a pentagon or a cloud drawn in the app passed for a 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitlab.engine.strokes import ellipse


def _arrow(rng):
    length = rng.uniform(1.2, 2.0)
    head = rng.uniform(0.3, 0.6)
    spread = rng.uniform(0.3, 0.7)
    shaft = np.array([[0, 0], [length, rng.uniform(-0.1, 0.1)]])
    tip = shaft[1]
    barbs = np.array([[tip[0] - head, tip[1] - spread * head], tip,
                      [tip[0] - head, tip[1] + spread * head]])
    return [shaft, barbs], 0.02




def _flower(rng):
    petals = int(rng.integers(5, 9))
    t = np.linspace(0, 2 * np.pi, 60 * petals)
    r = 0.35 + 0.65 * np.abs(np.cos(petals * t / 2))
    out = [np.stack([r * np.cos(t), r * np.sin(t)], 1)]
    if rng.random() < 0.6:  # a stem
        out.append(np.array([[0, 1.0], [rng.uniform(-0.2, 0.2), 2.2]]))
    return out, 0.02




def _fish(rng):
    body = ellipse(0, 0, 1, rng.uniform(0.4, 0.6), 0.5, 2 * np.pi - 1.0)
    tail = np.array([body[-1], [1.6, 0.5], [1.6, -0.5], body[0]])
    return [body, tail], 0.02




def _tree(rng):
    tiers = int(rng.integers(1, 4))
    strokes = []
    for k in range(tiers):
        top = -1.2 + 0.6 * k
        strokes.append(np.array([[-0.5 - 0.25 * k, top + 1.0], [0, top], [0.5 + 0.25 * k,
                                                                          top + 1.0]]))
    base = -0.2 + 0.6 * tiers
    strokes.append(np.array([[-0.15, base], [-0.15, base + 0.5], [0.15, base + 0.5],
                             [0.15, base]]))
    return strokes, 0.02


def _envelope(rng):
    a = rng.uniform(0.55, 0.8)
    box = np.array([[-1, -a], [1, -a], [1, a], [-1, a], [-1, -a]], float)
    flap = np.array([[-1, -a], [0, rng.uniform(-0.1, 0.3)], [1, -a]])
    return [box, flap], 0.02


def _stick_figure(rng):
    head = ellipse(0, -1.2, 0.3, 0.3)
    return [head, np.array([[0, -0.9], [0, 0.4]]), np.array([[-0.6, -0.4], [0.6, -0.4]]),
            np.array([[-0.5, 1.2], [0, 0.4], [0.5, 1.2]])], 0.02


def _wave(rng):
    periods = rng.uniform(2.0, 4.0)
    x = np.linspace(0, 2 * np.pi * periods, 200)
    return [np.stack([x / np.pi, rng.uniform(0.4, 1.0) * np.sin(x)], 1)], 0.02


def _cup(rng):
    body = np.array([[-0.7, -0.8], [-0.6, 0.8], [0.6, 0.8], [0.7, -0.8]])
    handle = ellipse(0.75, 0, 0.35, 0.35, -np.pi / 2, np.pi)
    return [body, handle], 0.02


def _eye(rng):
    upper = ellipse(0, 0.5, 1.2, 1.0, np.pi + 0.55, np.pi - 1.1)
    lower = ellipse(0, -0.5, 1.2, 1.0, 0.55, np.pi - 1.1)
    pupil = ellipse(0, 0, 0.3, 0.3)
    return [upper, lower, pupil], 0.02


def _piece(rng, start: np.ndarray | None) -> np.ndarray:
    """One invented stroke: a line, an open arc (at most a half circle) or a zigzag.

    No closed loops (a loop and a line make a 6 or a 9) and no hooks (a held-out family).
    """
    kind = int(rng.integers(3))
    size = rng.uniform(0.4, 1.0)
    if kind == 0:
        pts = np.array([[0, 0], [size, 0]])
    elif kind == 1:
        pts = ellipse(0, 0, size / 2, size / 2 * rng.uniform(0.5, 1.2), 0, rng.uniform(1.2, np.pi))
    else:
        n = int(rng.integers(3, 5))
        pts = np.stack([np.linspace(0, size, n), np.where(np.arange(n) % 2, size / 3, 0)], 1)
    angle = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = (pts - pts[0]) @ rot.T
    origin = start if start is not None else rng.uniform(-0.6, 0.6, 2)
    return pts + origin


def _invented(rng):
    strokes = []
    for _ in range(int(rng.integers(3, 5))):
        joined = strokes and rng.random() < 0.5
        strokes.append(_piece(rng, strokes[-1][-1] if joined else None))
    return strokes, 0.02


#: The most an outline may fill of its convex hull: an oval fills all of it.
MAX_SOLIDITY = 0.88


def _area(points: np.ndarray) -> float:
    """The area a closed polygon ``(K, 2)`` encloses (shoelace formula)."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def convex_hull(points: np.ndarray) -> np.ndarray:
    """The convex hull of points ``(K, 2)``, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(map(tuple, np.asarray(points, float)))

    def half(seq):
        out: list = []
        for q in seq:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (q[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (q[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(q)
        return out
    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def solidity(points: np.ndarray) -> float:
    """A closed outline's area over its convex hull's (1 for a convex shape)."""
    return _area(points) / max(_area(convex_hull(points)), 1e-12)


def _closed_stroke(ring: np.ndarray, rng) -> np.ndarray:
    """A closed outline ``(K+1, 2)`` (last point = first) drawn in one stroke from a random
    point, overshooting the start by up to a tenth of the way, as a hand closes a shape."""
    n = len(ring) - 1
    start = int(rng.integers(n))
    path = np.concatenate([ring[start:-1], ring[:start + 1]])
    extra = int(rng.integers(0, max(1, n // 10)))
    return np.concatenate([path, path[1:extra + 1]]) if extra else path


def _spread_ratio(points: np.ndarray) -> float:
    """The outline's spread across its main axis over its spread along it."""
    centred = points - points.mean(axis=0)
    low, high = np.linalg.eigvalsh(centred.T @ centred)
    return float(np.sqrt(max(low, 0.0) / max(high, 1e-12)))


def _blob(rng):
    t = np.linspace(0, 2 * np.pi, 161)
    while True:
        r = np.ones_like(t)
        for k in rng.choice(np.arange(2, 6), size=int(rng.integers(1, 4)), replace=False):
            r += rng.uniform(0.1, 0.35) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
        ring = np.stack([r * np.cos(t), r * np.sin(t)], 1)
        if r.min() > 0.3 and solidity(ring[:-1]) <= MAX_SOLIDITY:
            return [_closed_stroke(ring, rng)], 0.02


def _polygon(rng):
    while True:
        n = int(rng.integers(4, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(0.35, 1.0, n)
        ring = np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)
        ring = np.concatenate([ring, ring[:1]])
        # Not a sliver: a long thin closed shape is a fair 1.
        if solidity(ring[:-1]) <= MAX_SOLIDITY and _spread_ratio(ring[:-1]) >= 0.45:
            return [_closed_stroke(ring, rng)], 0.015


OUTLINES: dict[str, Callable] = {"outline:blob": _blob, "outline:polygon": _polygon}


def _ring(points: np.ndarray) -> np.ndarray:
    return np.concatenate([points, points[:1]])


def _corners(rng) -> np.ndarray:
    """A convex polygon of 5 or 6 corners, each at least 0.5 rad from the next around the
    centre, its straight sides drawn with points along them (a hand's tremor bends each)."""
    n = int(rng.integers(5, 7))
    while True:
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        if np.diff(np.r_[angles, angles[0] + 2 * np.pi]).min() >= 0.5:
            break
    radii = rng.uniform(0.85, 1.0, n)
    ring = _ring(convex_hull(np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)))
    return np.concatenate([np.linspace(a, b, 8, endpoint=False)
                           for a, b in zip(ring[:-1], ring[1:], strict=True)])


def _pointed(rng) -> np.ndarray:
    """A drop (a circle and the two tangents to a point 1.8-2.6 radii away) or a lens (two
    arcs meeting in two points)."""
    if rng.random() < 0.5:
        tip = rng.uniform(1.8, 2.6)
        phi = np.arccos(1 / tip)  # the tangents touch the circle at pi/2 -+ phi
        t = np.linspace(np.pi / 2 + phi, np.pi / 2 - phi + 2 * np.pi, 60)
        return np.concatenate([[[0.0, tip]], np.stack([np.cos(t), np.sin(t)], 1)])
    bulge = rng.uniform(0.35, 0.75)  # the lens's arcs pass through (-1, 0) and (1, 0)
    radius = (1 + bulge ** 2) / (2 * bulge)
    half = np.arcsin(1 / radius)
    t = np.linspace(-half, half, 30)
    upper = np.stack([radius * np.sin(t), radius * np.cos(t) - (radius - bulge)], 1)
    return np.concatenate([upper, -upper[1:-1]])


def _cut(rng) -> np.ndarray:
    """An ellipse cut by a chord, its arc spanning 180-240 degrees."""
    span = np.radians(rng.uniform(180, 240))
    start = rng.uniform(0, 2 * np.pi)
    t = np.linspace(start, start + span, 60)
    return np.stack([np.cos(t), rng.uniform(0.6, 1.2) * np.sin(t)], 1)


def _scallops(rng) -> np.ndarray:
    """5-7 half circles outward along a circle, end to end (a cloud)."""
    n = int(rng.integers(5, 8))
    base = np.linspace(0, 2 * np.pi, n + 1)[:-1] + rng.uniform(0, 2 * np.pi)
    ends = np.stack([np.cos(base), np.sin(base)], 1)
    t = np.linspace(np.pi, 0, 12, endpoint=False)
    pieces = []
    for a, b in zip(ends, np.roll(ends, -1, axis=0), strict=True):
        mid, half = (a + b) / 2, np.linalg.norm(b - a) / 2
        out, side = mid / np.linalg.norm(mid), (b - a) / (2 * half)
        pieces.append(mid + half * (np.cos(t)[:, None] * side + np.sin(t)[:, None] * out))
    return np.concatenate(pieces)


def _convex(rng):
    """A closed outline, convex or nearly, that is still no oval: corners, a cusp or a flat
    side, one of :func:`_corners`, :func:`_pointed`, :func:`_cut` and :func:`_scallops` at
    random. Finer scallops, more corners or a longer arc drawn with a broad pen come out as
    a ring: a 0."""
    make = (_corners, _pointed, _cut, _scallops)[int(rng.integers(4))]
    return [_closed_stroke(_ring(make(rng)), rng)], 0.015


#: Closed outlines, convex or nearly (scallops dent a little), that are no oval
#: (:func:`_convex`): a family of their own, ``train-gate --convex-outlines N``.
CONVEX_OUTLINES: dict[str, Callable] = {"outline:convex": _convex}


DOODLES: dict[str, Callable] = {
    "doodle:arrow": _arrow, "doodle:flower": _flower, "doodle:fish": _fish,
    "doodle:tree": _tree, "doodle:envelope": _envelope, "doodle:stick-figure": _stick_figure,
    "doodle:wave": _wave, "doodle:cup": _cup, "doodle:eye": _eye,
    "invented:strokes": _invented,
}
