"""``digitlab filter PHOTO``: the lesson's tf.nn.conv2d and tf.nn.max_pool on a photo."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("filter", help="convolve a photo with kernels, then max-pool")
    p.add_argument("photo", metavar="PHOTO")


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError("digitlab filter is being built")
