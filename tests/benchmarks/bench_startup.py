"""Start-up and memory of the real app, each launch in a fresh process (offscreen).

- window: process start (Popen) to the main window exposed on screen.
- first prediction: process start to the moment the models are loaded and the
  numpy predictor can answer a stroke. Reference: a process that only imports
  TensorFlow (Python start + ``import tensorflow``), measured in the same run.
- memory: peak RSS (VmHWM) of the app after the three models and the Filters
  tab's photo are loaded.

Budgets (issue 4): window <= 1 s; first prediction <= TensorFlow import + 1 s.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 3
LAUNCH = "import sys; from digitlab.cli import main; sys.exit(main([]))"


def _env() -> dict:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIGITLAB_STARTUP_TRACE": "1",
            "PYTHONUNBUFFERED": "1"}


def _launch_once() -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stamps = {}
    try:
        for line in proc.stdout:
            name = line.split()[0] if line.strip() else ""
            stamps.setdefault(name, time.perf_counter() - t0)
            if name == "first_prediction_ready":
                break
        time.sleep(1.0)  # let the Filters tab's photo and the accuracy cards settle
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines()
                           if line.startswith("VmHWM")))
    finally:
        proc.send_signal(signal.SIGINT)  # the app closes its window on Ctrl+C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    stamps["peak_rss_mb"] = peak_kb / 1024
    return stamps


def _import_tensorflow_once() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - t0


def run() -> list[dict]:
    launches, imports = [], []
    for _ in range(REPEATS):  # interleaved
        imports.append(_import_tensorflow_once())
        launches.append(_launch_once())
    window = statistics.median(x["window_shown"] for x in launches) * 1000
    first = statistics.median(x["first_prediction_ready"] for x in launches) * 1000
    tf_import = statistics.median(imports) * 1000
    peak = max(x["peak_rss_mb"] for x in launches)
    return [
        {"name": "start-up: window shown", "median_ms": round(window), "p95_ms": None,
         "reference": None, "reference_median_ms": None, "ratio": None,
         "budget": "<= 1000 ms", "within_budget": window <= 1000},
        {"name": "start-up: first live prediction", "median_ms": round(first), "p95_ms": None,
         "reference": "python -c 'import tensorflow'", "reference_median_ms": round(tf_import),
         "ratio": round(first / tf_import, 2), "budget": "<= TF import + 1000 ms",
         "within_budget": first <= tf_import + 1000},
        {"name": "memory: peak RSS, 3 models + photo", "median_ms": None, "p95_ms": None,
         "peak_rss_mb": round(peak), "reference": None, "reference_median_ms": None,
         "ratio": None, "budget": "report", "within_budget": None},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
