"""Start-up and memory of the real app, each launch in a fresh process (offscreen).

- window: process start (Popen) to the main window exposed on screen.
- first live prediction: process start to the moment the Draw tab's numpy
  predictor can answer a stroke (the app's ``first_prediction_ready`` trace).
  Issue 14: the predictor is read from the model files without TensorFlow, so
  this must not wait for ``import tensorflow``. Budgets: <= 1000 ms, and <=
  window shown + 300 ms. The TensorFlow import (Python start + ``import
  tensorflow``, measured in the same run) is reported beside it.
- peak RSS before Filters or Train: VmHWM at the first prediction, printed by the
  app itself (third field of its trace line), before TensorFlow arrives. Budget:
  <= 250 MB.
- peak RSS with TensorFlow: VmHWM once TensorFlow is loaded in the background
  (``tensorflow_loaded``) and the Filters tab's photo has settled. Reported.

The app's trace (``DIGITLAB_STARTUP_TRACE=1``, gui/app.py) prints ``window_shown``,
``first_prediction_ready`` and ``tensorflow_loaded``, in any order.

The package's bytecode is compiled first (``__pycache__``, git-ignored), as an
installed app has it: under ``PYTHONDONTWRITEBYTECODE=1`` (set in some shells) every
launch would otherwise compile the ~50 app modules it loads from source (about 0.1 s
here) that no user waits for.
"""

from __future__ import annotations

import compileall
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 3
FIRST_PREDICTION_MS = 1000
AFTER_WINDOW_MS = 300
RSS_BEFORE_TF_MB = 250
LAUNCH_TIMEOUT_S = 120
LAUNCH = "import sys; from digitlab.cli import main; sys.exit(main([]))"


def _env() -> dict:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIGITLAB_STARTUP_TRACE": "1",
            "PYTHONUNBUFFERED": "1"}


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines()
                    if line.startswith("VmHWM"))) / 1024


def _launch_once() -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watchdog = threading.Timer(LAUNCH_TIMEOUT_S, proc.kill)  # a hung app ends the readline
    watchdog.start()
    stamps = {}
    try:
        for line in proc.stdout:
            fields = line.split()
            name = fields[0] if fields else ""
            stamps.setdefault(name, time.perf_counter() - t0)
            if name == "first_prediction_ready":
                # Before Filters or Train is opened. The app prints its own peak RSS at
                # the milestone; read from here it would include TensorFlow's start.
                stamps["rss_at_first_prediction_mb"] = (
                    float(fields[2]) if len(fields) > 2 else _peak_rss_mb(proc.pid))
            if {"first_prediction_ready", "tensorflow_loaded"} <= stamps.keys():
                break
        time.sleep(1.0)  # let the Filters tab's photo and the accuracy cards settle
        stamps["peak_rss_mb"] = _peak_rss_mb(proc.pid)
    finally:
        watchdog.cancel()
        proc.send_signal(signal.SIGINT)  # the app closes its window on Ctrl+C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    missing = {"window_shown", "first_prediction_ready"} - stamps.keys()
    if missing:
        raise RuntimeError(f"the app printed no {', '.join(sorted(missing))} trace")
    return stamps


def _import_tensorflow_once() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - t0


def _cache_bytecode() -> None:
    """Compile the package's modules to ``__pycache__`` (what an install does)."""
    for folder in ("cli", "engine", "gui"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    compileall.compile_file(ROOT / "__init__.py", quiet=1)


def run() -> list[dict]:
    _cache_bytecode()
    launches, imports = [], []
    for _ in range(REPEATS):  # interleaved
        imports.append(_import_tensorflow_once())
        launches.append(_launch_once())
    window = statistics.median(x["window_shown"] for x in launches) * 1000
    first = statistics.median(x["first_prediction_ready"] for x in launches) * 1000
    after_window = statistics.median(
        x["first_prediction_ready"] - x["window_shown"] for x in launches) * 1000
    tf_import = statistics.median(imports) * 1000
    tf_loaded = [x["tensorflow_loaded"] * 1000 for x in launches if "tensorflow_loaded" in x]
    before = max(x["rss_at_first_prediction_mb"] for x in launches)
    peak = max(x["peak_rss_mb"] for x in launches)
    within = first <= FIRST_PREDICTION_MS and after_window <= AFTER_WINDOW_MS
    return [
        {"name": "start-up: window shown", "median_ms": round(window), "p95_ms": None,
         "reference": None, "reference_median_ms": None, "ratio": None,
         "budget": "<= 1000 ms", "within_budget": window <= 1000},
        {"name": "start-up: first live prediction", "median_ms": round(first), "p95_ms": None,
         "after_window_ms": round(after_window),
         "reference": "python -c 'import tensorflow'", "reference_median_ms": round(tf_import),
         "ratio": round(first / tf_import, 2),
         "budget": f"<= {FIRST_PREDICTION_MS} ms and <= window + {AFTER_WINDOW_MS} ms",
         "within_budget": within},
        {"name": "start-up: TensorFlow loaded (background)",
         "median_ms": round(statistics.median(tf_loaded)) if tf_loaded else None,
         "p95_ms": None, "reference": None, "reference_median_ms": None, "ratio": None,
         "budget": "report", "within_budget": None},
        {"name": "memory: peak RSS before Filters/Train", "median_ms": None, "p95_ms": None,
         "peak_rss_mb": round(before), "reference": None, "reference_median_ms": None,
         "ratio": None, "budget": f"<= {RSS_BEFORE_TF_MB} MB",
         "within_budget": before <= RSS_BEFORE_TF_MB},
        {"name": "memory: peak RSS, 3 models + TF + photo", "median_ms": None, "p95_ms": None,
         "peak_rss_mb": round(peak), "reference": None, "reference_median_ms": None,
         "ratio": None, "budget": "report", "within_budget": None},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
