"""What ships with Digit Lab: MNIST, the pretrained models and sample photos.

The folder is a package so that ``pip install .`` carries it as package data;
:func:`path` finds a bundled file whether the project is installed or run from
a checkout.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Return the path of a bundled resource, e.g. ``path("data", "mnist.npz")``."""
    return ROOT.joinpath(*parts)
