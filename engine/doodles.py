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


DOODLES: dict[str, Callable] = {
    "doodle:arrow": _arrow, "doodle:flower": _flower, "doodle:fish": _fish,
    "doodle:tree": _tree, "doodle:envelope": _envelope, "doodle:stick-figure": _stick_figure,
    "doodle:wave": _wave, "doodle:cup": _cup, "doodle:eye": _eye,
    "invented:strokes": _invented,
}
