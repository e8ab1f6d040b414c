"""Child process of bench_training: the plain Keras script a student would write.

Build the lesson's CNN, compile, ``model.fit`` on a slice of MNIST with no
callbacks of Digit Lab's (bench_training also calls :func:`plain_fit_rates`
in its own process); prints the median samples/s of the epochs after the
first (and each of those epochs' rates), as one JSON line. Runs in a fresh
process, as ``digitlab train`` does.
"""

from __future__ import annotations

import json
import statistics
import sys
import time


def plain_fit_rates(data, limit: int, epochs: int, batch: int) -> list[float]:
    """Build, compile, ``fit``; samples/s of each epoch after the first."""
    from digitlab.engine.models import build_model
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(0)
    x = data.x_train[:limit].astype("float32") / 255.0
    y = data.y_train[:limit].astype("int64")
    model = build_model("cnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    times = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[EpochTimer()])
    return [limit / t for t in times[1:]]


def main() -> int:
    limit, epochs, batch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    from digitlab.engine.data import load_mnist

    rates = plain_fit_rates(load_mnist(), limit, epochs, batch)
    print(json.dumps({"samples_per_second": statistics.median(rates), "epoch_rates": rates}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
