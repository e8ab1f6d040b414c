"""Training overhead: CNN samples/s through ``digitlab train`` vs a plain ``model.fit`` script.

Same model (the lesson's CNN with dropout), same data slice, same batch size,
no validation, in the same process run, interleaved. Samples per second are
measured per epoch from epoch begin to epoch end, the first epoch (tracing,
warm-up) excluded. Budget: ours >= 0.95x plain Keras.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6000
EPOCHS = 4
BATCH = 100


def _plain_keras_rate(data) -> float:
    """What a student's script does: build, compile, fit. Returns median samples/s."""
    from engine.models import build_model
    from engine.tf_runtime import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(0)
    x = data.x_train[:LIMIT].astype("float32") / 255.0
    y = data.y_train[:LIMIT].astype("int64")
    model = build_model("cnn")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    times = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, callbacks=[EpochTimer()])
    return statistics.median(LIMIT / t for t in times[1:])


def _engine_rate(data) -> float:
    """engine.training.train, as the GUI worker calls it (progress events on)."""
    from engine.training import lesson_recipe, train

    rates = []

    def on_event(event):
        if event.type == "epoch_end" and event.epoch > 0:
            rates.append(event.samples_per_second)

    config = lesson_recipe(
        "cnn", epochs=EPOCHS, limit=LIMIT, validation_split=0.0, patience=0, seed=0
    )
    train(config, data, on_event=on_event, evaluate_test=False)
    return statistics.median(rates)


def _cli_rate() -> float:
    """``digitlab train`` in its own process; samples/s parsed from its epoch lines."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "train",
            "cnn",
            "--limit",
            str(LIMIT),
            "--epochs",
            str(EPOCHS),
            "--validation-split",
            "0",
            "--patience",
            "0",
            "--seed",
            "0",
            "--output",
            str(Path("/tmp") / "digitlab-bench-cnn.keras"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    rates = [float(m.replace(",", "")) for m in re.findall(r"([\d,]+) samples/s", out.stderr)]
    return statistics.median(rates[1:])


def _gui_probe() -> dict:
    """The Train tab's worker in a real (offscreen) window, in its own process."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("gui_training_probe.py")), str(LIMIT),
         str(EPOCHS)], capture_output=True, text=True, cwd=ROOT, check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    from engine.data import load_mnist

    data = load_mnist()
    plain, engine, cli, gui, stalls_max, stalls_p95 = [], [], [], [], [], []
    for _ in range(2):  # interleave so machine noise hits all alike
        plain.append(_plain_keras_rate(data))
        engine.append(_engine_rate(data))
        cli.append(_cli_rate())
        probe = _gui_probe()
        gui.append(probe["samples_per_second"])
        stalls_max.append(probe["stall_max_ms"])
        stalls_p95.append(probe["stall_p95_ms"])
    ref = float(np.median(plain))
    rows = []
    for name, values in (("training: engine.train", engine),
                         ("training: digitlab train (CLI)", cli),
                         ("training: Train tab worker (GUI)", gui)):
        rate = float(np.median(values))
        rows.append({
            "name": name, "median_ms": None, "p95_ms": None,
            "samples_per_second": round(rate, 1),
            "reference": "plain keras model.fit", "reference_samples_per_second": round(ref, 1),
            "reference_median_ms": None, "ratio": round(rate / ref, 3),
            "budget": ">= 0.95x plain", "within_budget": rate / ref >= 0.95,
        })
    p95 = float(np.median(stalls_p95))
    rows.append({
        "name": "GUI event-loop stall while the CNN trains", "median_ms": None,
        "p95_ms": round(p95, 1), "max_ms": round(float(np.max(stalls_max)), 1),
        "reference": "10 ms timer", "reference_median_ms": 10.0, "ratio": None,
        "budget": "p95 <= 50 ms", "within_budget": p95 <= 50.0,
    })
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
