"""Training overhead: CNN samples/s through ``digitlab train`` vs a plain ``model.fit`` script.

Same model (the lesson's CNN with dropout), same data slice, same batch size,
no validation, in the same benchmark run, in rounds (see :func:`run` for how
the machine's two speeds are told apart).
Samples per second are measured per epoch from epoch begin to epoch end, the
first epoch (tracing, warm-up) excluded. Budget: ours >= 0.95x plain Keras.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 12000
EPOCHS = 4
BATCH = 100
ROUNDS = 6


def _plain_keras_rates(data) -> list[float]:
    """What a student's script does: build, compile, fit. Returns samples/s per epoch."""
    from tests.benchmarks.plain_keras_fit import plain_fit_rates

    return plain_fit_rates(data, LIMIT, EPOCHS, BATCH)


def _engine_rates(data) -> list[float]:
    """engine.training.train, as the GUI worker calls it (progress events on)."""
    from digitlab.engine.training import lesson_recipe, train

    rates = []

    def on_event(event):
        if event.type == "epoch_end" and event.epoch > 0:
            rates.append(event.samples_per_second)

    config = lesson_recipe(
        "cnn", epochs=EPOCHS, limit=LIMIT, validation_split=0.0, patience=0, seed=0
    )
    train(config, data, on_event=on_event, evaluate_test=False)
    return rates


def _cli_rates() -> list[float]:
    """``digitlab train`` in its own process; samples/s parsed from its epoch lines."""
    out = subprocess.run(
        [sys.executable, "-m", "digitlab", "train", "cnn", "--limit", str(LIMIT), "--epochs",
         str(EPOCHS), "--validation-split", "0", "--patience", "0", "--seed", "0",
         "--output", str(Path(tempfile.gettempdir()) / "digitlab-bench-cnn.keras")],
        capture_output=True, text=True, cwd=ROOT, check=True)
    rates = [float(m.replace(",", "")) for m in re.findall(r"([\d,]+) samples/s", out.stderr)]
    return rates[1:]


def _child(script: str, *args) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name(script)), *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fast(rates: list[float], threshold: float) -> list[float]:
    return [rate for rate in rates if rate >= threshold]


def _row(name: str, rounds: list[tuple[list[float], list[float]]], reference_name: str,
         threshold: float) -> dict:
    """One row from ``[(our epoch rates, the paired plain rates), ...]``, one pair per round.

    ``ratio`` (judged against the budget) compares the medians of the epochs
    that ran in the machine's fast mode (at or above ``threshold``); how many
    epochs of each side fell into the slow mode is reported next to it, and so
    are the plain pooled ratio and the ratio of each round.
    """
    ours_all = [rate for ours, _ in rounds for rate in ours]
    plain_all = [rate for _, plain in rounds for rate in plain]
    ours_fast, plain_fast = _fast(ours_all, threshold), _fast(plain_all, threshold)
    ratio = statistics.median(ours_fast) / statistics.median(plain_fast)
    return {
        "name": name, "median_ms": None, "p95_ms": None,
        "samples_per_second": round(statistics.median(ours_fast), 1),
        "reference": reference_name,
        "reference_samples_per_second": round(statistics.median(plain_fast), 1),
        "reference_median_ms": None, "ratio": round(ratio, 3),
        "epochs_measured": len(ours_all), "reference_epochs_measured": len(plain_all),
        "slow_epochs": len(ours_all) - len(ours_fast),
        "reference_slow_epochs": len(plain_all) - len(plain_fast),
        "pooled_ratio": round(statistics.median(ours_all) / statistics.median(plain_all), 3),
        "round_ratios": [round(statistics.median(ours) / statistics.median(plain), 3)
                         for ours, plain in rounds],
        "budget": ">= 0.95x plain", "within_budget": ratio >= 0.95,
    }


def run() -> list[dict]:
    """Rounds that run every path once, each compared with a plain run beside it.

    On these shared two-core machines TensorFlow's epochs run at one of two
    speeds (for this CNN about 9,000 and 4,500 samples/s: the same CPU time, but
    both cores half idle), for seconds at a time, in plain Keras scripts as
    much as in ours and whatever the thread settings. A median pooled over a
    few epochs then mostly counts how many slow spells each path happened to
    meet (pooled ratios of 0.74x-1.1x for the same code). So epochs are sorted
    into the two modes first (slow: under 70% of the 90th percentile of all
    epochs of all paths in this run), the budget ratio compares the medians of
    the fast epochs, and the count of slow epochs on each side is reported with
    it, so that an overhead of ours shows either as a lower fast-mode rate or
    as more slow epochs. Fresh processes (CLI, GUI) are paired with a
    fresh-process plain script; the in-process engine call with plain ``fit``
    in the same process.
    """
    from digitlab.engine.data import load_mnist

    data = load_mnist()
    engine_in, cli, gui, stall_p95, stall_max, gui_cpu, every = [], [], [], [], [], [], []
    for _ in range(ROUNDS):
        plain_in = _plain_keras_rates(data)
        engine_in.append((_engine_rates(data), plain_in))
        ours_cli = _cli_rates()
        plain_proc = _child("plain_keras_fit.py", LIMIT, EPOCHS, BATCH)["epoch_rates"]
        probe = _child("gui_training_probe.py", LIMIT, EPOCHS)
        cli.append((ours_cli, plain_proc))
        gui.append((probe["epoch_rates"], plain_proc))
        stall_p95.append(probe["stall_p95_ms"])
        stall_max.append(probe["stall_max_ms"])
        gui_cpu.append(probe["gui_cpu_share"])
        every += plain_in + engine_in[-1][0] + ours_cli + plain_proc + probe["epoch_rates"]
    every.sort()
    threshold = 0.7 * every[int(0.9 * (len(every) - 1))]
    rows = [
        _row("training: engine.train (in process)", engine_in,
             "plain keras model.fit, same process", threshold),
        _row("training: digitlab train (CLI)", cli, "plain keras model.fit script, fresh process",
             threshold),
        _row("training: Train tab worker (GUI)", gui,
             "plain keras model.fit script, fresh process", threshold),
    ]
    rows[-1]["gui_thread_cpu_share"] = round(statistics.median(gui_cpu), 3)
    p95 = statistics.median(stall_p95)
    rows.append({
        "name": "GUI event-loop stall while the CNN trains", "median_ms": None,
        "p95_ms": round(p95, 1), "max_ms": round(max(stall_max), 1),
        "reference": "10 ms timer", "reference_median_ms": 10.0, "ratio": None,
        "budget": "p95 <= 50 ms", "within_budget": p95 <= 50.0,
    })
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
