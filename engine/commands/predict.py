"""``digitlab predict IMAGE...``: what the three models say about digit images."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="predict the digit in image files with all three models")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per image")


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError("digitlab predict is being built")
