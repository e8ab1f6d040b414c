"""Run Digit Lab's benchmarks and report each row against its budget.

Usage (from the repository root)::

    python -m tests.benchmarks.run                  # all bench_*.py modules
    python -m tests.benchmarks.run --only inference # one module (bench_ prefix optional)
    python -m tests.benchmarks.run --json report.json

The readable table goes to stderr; the JSON report goes to stdout (or to
``--json PATH``), so ``... | jq`` works. Timing never fails the run: a row over
its budget says so in the report, and the exit status is 0 unless a benchmark
module crashes (then 1) or ``--only`` names no module (2).

Each ``bench_*.py`` module provides ``run() -> list[dict]``, one dict per row with
the keys of :data:`ROW_KEYS` (``None`` where not applicable; extra keys allowed).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ROW_KEYS = ("name", "median_ms", "p95_ms", "reference", "reference_median_ms", "ratio",
            "budget", "within_budget")


def discover() -> list[str]:
    """The benchmark module names, e.g. ``["bench_filters", "bench_inference"]``."""
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def run_module(name: str) -> tuple[list[dict], str | None]:
    """Import ``tests.benchmarks.<name>`` and call its ``run()``.

    Returns:
        ``(rows, error)``: rows with a ``"module"`` key added and missing row keys set
        to ``None``; ``error`` is the crash's traceback, or ``None``.
    """
    try:
        module = importlib.import_module(f"tests.benchmarks.{name}")
        rows = list(module.run())
    except Exception:  # a crashing benchmark is reported; the others still run
        return [], traceback.format_exc()
    return [{"module": name, **{key: row.get(key) for key in ROW_KEYS}, **row}
            for row in rows], None


def format_table(rows: list[dict]) -> str:
    """A fixed-width table of the rows, one line each."""
    header = ("benchmark", "median ms", "p95 ms", "ref ms", "ratio", "budget", "ok")
    lines = [header]
    for row in rows:
        ok = {True: "yes", False: "NO", None: "-"}[row.get("within_budget")]
        lines.append((
            str(row.get("name")), _num(row.get("median_ms")), _num(row.get("p95_ms")),
            _num(row.get("reference_median_ms")), _num(row.get("ratio")),
            str(row.get("budget") or "-"), ok))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {1, 2, 3, 4}
    return "\n".join(
        "  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                  for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
        for line in lines)


def _num(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 100 else f"{value:,.1f}"


def machine() -> dict:
    """What the numbers were measured on."""
    return {"python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run",
                                     description="Run Digit Lab's benchmarks.")
    parser.add_argument("--only", metavar="NAME", help="run one module: inference, filters...")
    parser.add_argument("--json", metavar="PATH", help="write the JSON report here, not stdout")
    args = parser.parse_args(argv)
    names = discover()
    if args.only:
        wanted = args.only if args.only.startswith("bench_") else f"bench_{args.only}"
        wanted = wanted.removesuffix(".py")
        if wanted not in names:
            print(f"Received --only {args.only!r}; expected one of "
                  f"{', '.join(n.removeprefix('bench_') for n in names)}.", file=sys.stderr)
            return 2
        names = [wanted]
    if str(ROOT) not in sys.path:  # run as a script from elsewhere: tests.* must import
        sys.path.insert(0, str(ROOT))

    rows, errors = [], {}
    started = time.perf_counter()
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module_rows, error = run_module(name)
        rows += module_rows
        if error:
            errors[name] = error
            print(f"{name} crashed:\n{error}", file=sys.stderr)
    print("\n" + format_table(rows), file=sys.stderr)
    over = [row["name"] for row in rows if row.get("within_budget") is False]
    if over:
        print(f"\nover budget: {'; '.join(over)}", file=sys.stderr)

    report = {"machine": machine(), "seconds": round(time.perf_counter() - started, 1),
              "modules": names, "rows": rows, "errors": errors}
    text = json.dumps(report, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n")
        print(f"report written to {args.json}", file=sys.stderr)
    else:
        print(text)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
