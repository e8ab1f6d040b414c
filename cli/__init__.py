"""The ``digitlab`` command line.

``digitlab`` alone launches the desktop app; the subcommands run the engine
without a window. Each subcommand lives in :mod:`digitlab.cli` and exposes
``add_parser(subparsers)`` and ``run(args) -> int``.

Bad input never shows a traceback: any error becomes one line on stderr and a
non-zero exit status (2 for usage errors, 1 for failures).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from digitlab.engine.errors import one_line
from digitlab.engine.tf_runtime import set_verbose

COMMANDS = ("train", "evaluate", "predict", "filter", "calibrate", "train-gate",
            "fetch-hand-fonts", "fit-gate-stage")


class CommandError(Exception):
    """A failure to report as one line, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitlab",
        description="Digit Lab: draw digits, filter photos, train MNIST models. "
        "Without a command, the desktop app opens.",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show TensorFlow's start-up messages and full tracebacks",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"digitlab.cli.{name.replace('-', '_')}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``digitlab`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    set_verbose(args.verbose)
    if args.command is None:
        return _launch_gui()
    module = importlib.import_module(f"digitlab.cli.{args.command.replace('-', '_')}")
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("digitlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # the one place that turns errors into one line
        if args.verbose:
            raise
        print(f"digitlab {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 1


def _launch_gui() -> int:
    try:
        from digitlab.gui.app import main as gui_main  # noqa: PLC0415 - Qt only when needed
    except ImportError as exc:
        print(f"digitlab: cannot start the desktop app: {exc}", file=sys.stderr)
        return 1
    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
