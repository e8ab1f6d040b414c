"""Training overhead: CNN samples/s through ``digitlab train`` vs a plain ``model.fit`` script.

Same model (the lesson's CNN with dropout), same data slice, same batch size,
no validation, in the same process run, interleaved. Samples per second are
measured per epoch from epoch begin to epoch end, the first epoch (tracing,
warm-up) excluded. Budget: ours >= 0.95x plain Keras.
"""

from __future__ import annotations

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


def run() -> list[dict]:
    from engine.data import load_mnist

    data = load_mnist()
    plain, engine, cli = [], [], []
    for _ in range(2):  # interleave so machine noise hits both alike
        plain.append(_plain_keras_rate(data))
        engine.append(_engine_rate(data))
        cli.append(_cli_rate())
    ref = float(np.median(plain))
    rows = []
    for name, values in (
        ("training: engine.train (GUI worker path)", engine),
        ("training: digitlab train (CLI)", cli),
    ):
        rate = float(np.median(values))
        rows.append(
            {
                "name": name,
                "median_ms": None,
                "p95_ms": None,
                "samples_per_second": round(rate, 1),
                "reference": "plain keras model.fit",
                "reference_samples_per_second": round(ref, 1),
                "reference_median_ms": None,
                "ratio": round(rate / ref, 3),
                "budget": ">= 0.95x plain",
                "within_budget": rate / ref >= 0.95,
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
