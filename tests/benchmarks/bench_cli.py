"""Benchmark: the command line without TensorFlow (issue 14), each run a fresh process.

Rows (see :func:`run`):

- ``digitlab predict one.png``: wall time of ``python -m digitlab predict one.png``
  (process start to exit; the three shipped models read by the TF-free reader).
  Reference: ``python -c "import numpy, PIL.Image"``, interleaved in the same run.
  Budget: ratio <= 8.
- ``digitlab predict one.png: peak RSS``: the child's peak resident memory
  (``ru_maxrss`` of ``os.wait4``). Budget: <= 150 MB.
- ``Draw path without Qt``: a fresh process that reads the three shipped models
  (``Predictor.load_shipped``) and predicts one drawn canvas: the engine's share of
  the app's first live prediction. Reported against the same reference.
- ``digitlab evaluate`` (3 shipped models x 10,000 test digits): wall time.
  Reference: the TensorFlow path it replaced (``engine.models.load_model`` and
  ``engine.training.evaluate_accuracy``, Keras's forward pass), in a fresh process
  too. Reported, no budget (the issue asks for the figure).

Run alone with ``python -m tests.benchmarks.run --only cli``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PREDICT_RATIO_BUDGET = 8.0
PREDICT_RSS_BUDGET_MB = 150.0
PREDICT_REPEATS = 7
EVALUATE_REPEATS = 2

#: How ``digitlab evaluate`` measured accuracy before issue 14 (Keras models, TF forward pass).
TF_EVALUATE = """
from digitlab.engine.data import load_mnist
from digitlab.engine.models import load_model, shipped_model_path
from digitlab.engine.training import predict_probabilities
data = load_mnist()
for kind in ("multinomial", "dnn", "cnn"):
    model, _ = load_model(shipped_model_path(kind), expected_kind=kind)
    probs = predict_probabilities(model, data.x_test)
    print(kind, float((probs.argmax(1) == data.y_test).mean()))
"""


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3",
               DIGITLAB_DATA_DIR=tempfile.mkdtemp(prefix="digitlab-bench-"))
    return env


def timed_process(argv: list[str]) -> tuple[float, float]:
    """Run ``argv`` to completion: ``(wall seconds, peak RSS in MB)``.

    Raises:
        RuntimeError: the process failed.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited {proc.returncode}: {err.strip()[-500:]}")
    return wall, usage.ru_maxrss / 1024  # Linux reports kilobytes


def _digit_png(folder: Path) -> Path:
    """A hand-drawn-looking 1: dark ink on white, 200x160."""
    from PIL import Image  # noqa: PLC0415

    canvas = np.full((200, 160), 255, np.uint8)
    canvas[30:170, 72:88] = 0
    path = folder / "one.png"
    Image.fromarray(canvas).save(path)
    return path


def _predict_rows() -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        image = _digit_png(Path(folder))
        predict = [sys.executable, "-m", "digitlab", "predict", str(image)]
        reference = [sys.executable, "-c", "import numpy, PIL.Image"]
        timed_process(predict)  # warm the file cache for both
        timed_process(reference)
        walls, refs, peaks = [], [], []
        for _ in range(PREDICT_REPEATS):  # interleaved: background load hits both alike
            refs.append(timed_process(reference)[0])
            wall, peak = timed_process(predict)
            walls.append(wall)
            peaks.append(peak)
    wall_ms, ref_ms = statistics.median(walls) * 1000, statistics.median(refs) * 1000
    ratio = wall_ms / ref_ms
    peak = max(peaks)
    return [
        {"name": "digitlab predict one.png", "median_ms": round(wall_ms),
         "p95_ms": round(max(walls) * 1000),
         "reference": 'python -c "import numpy, PIL.Image"',
         "reference_median_ms": round(ref_ms), "ratio": round(ratio, 2),
         "budget": f"ratio <= {PREDICT_RATIO_BUDGET:g}",
         "within_budget": ratio <= PREDICT_RATIO_BUDGET},
        {"name": "digitlab predict one.png: peak RSS", "median_ms": None, "p95_ms": None,
         "peak_rss_mb": round(peak, 1), "median_peak_rss_mb": round(statistics.median(peaks), 1),
         "reference": None, "reference_median_ms": None, "ratio": None,
         "budget": f"<= {PREDICT_RSS_BUDGET_MB:g} MB",
         "within_budget": peak <= PREDICT_RSS_BUDGET_MB},
    ]


DRAW_PATH = """
import numpy as np
from digitlab.engine.inference import Predictor
canvas = np.zeros((280, 280), np.uint8)
canvas[60:220, 130:150] = 255
assert Predictor.load_shipped().predict(canvas).digit is not None
"""


def _draw_path_row() -> dict:
    draw = [sys.executable, "-c", DRAW_PATH]
    reference = [sys.executable, "-c", "import numpy, PIL.Image"]
    walls, refs = [], []
    for _ in range(PREDICT_REPEATS):
        refs.append(timed_process(reference)[0])
        walls.append(timed_process(draw)[0])
    ms, ref_ms = statistics.median(walls) * 1000, statistics.median(refs) * 1000
    return {"name": "Draw path without Qt: load 3 models + first prediction",
            "median_ms": round(ms), "p95_ms": round(max(walls) * 1000),
            "reference": 'python -c "import numpy, PIL.Image"',
            "reference_median_ms": round(ref_ms), "ratio": round(ms / ref_ms, 2),
            "budget": "report", "within_budget": None}


def _evaluate_row() -> dict:
    numpy_path = [sys.executable, "-m", "digitlab", "evaluate"]
    tf_path = [sys.executable, "-c", TF_EVALUATE]
    ours, theirs, our_rss, their_rss = [], [], [], []
    for _ in range(EVALUATE_REPEATS):
        wall, rss = timed_process(tf_path)
        theirs.append(wall)
        their_rss.append(rss)
        wall, rss = timed_process(numpy_path)
        ours.append(wall)
        our_rss.append(rss)
    ms, ref_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    return {"name": "digitlab evaluate (3 models x 10,000)", "median_ms": round(ms),
            "p95_ms": round(max(ours) * 1000),
            "reference": "the TensorFlow path (load_model + Keras forward pass)",
            "reference_median_ms": round(ref_ms), "ratio": round(ms / ref_ms, 2),
            "budget": "report", "within_budget": None,
            "peak_rss_mb": round(max(our_rss)), "reference_peak_rss_mb": round(max(their_rss))}


def run() -> list[dict]:
    return [*_predict_rows(), _draw_path_row(), _evaluate_row()]


if __name__ == "__main__":
    for row in run():
        print(row)
