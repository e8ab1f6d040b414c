"""Benchmark: live prediction while drawing (engine.inference.Predictor) against Keras.

Rows (see :func:`run`):

- ``predict 280x280 canvas (3 models)``: a drawn digit (an MNIST test digit upscaled
  10x with anti-aliasing, dark ink on white) to the three models' probabilities,
  preprocessing included. Reference: ``model.predict`` of the same three Keras models
  on the already preprocessed image. Budget: median <= 1 ms and p95 <= 2 ms.
- ``cnn feature maps``: the CNN's five conv/pool outputs for one image. Reference:
  ``predict`` of a Keras model returning the same five layer outputs. Budget:
  median <= 2 ms.
- ``preprocess 280x280 canvas``: preprocessing alone, reported for diagnosis.

The shipped models are used when present, else untrained ones of the same
architecture (the time does not depend on the weights). Live and reference calls
are interleaved so background load hits both alike. Run alone with
``python -m tests.benchmarks.run --only inference``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

PREDICT_MEDIAN_MS, PREDICT_P95_MS = 1.0, 2.0
FEATURE_MAPS_MEDIAN_MS = 2.0
REPEATS = 300
WARMUP = 50
REFERENCE_EVERY = 6
SETTLE_S = 0.01


def _time_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def _measure(live: Callable[[], object], reference: Callable[[], object] | None,
             repeats: int, reference_every: int = REFERENCE_EVERY
             ) -> tuple[list[float], list[float]]:
    """Interleaved timings in ms: ``repeats`` live calls, a reference call every few.

    Keras's ``predict`` is ~100x slower, so it runs once per ``reference_every`` live
    calls (the run stays under a minute). TensorFlow's thread pools keep spinning
    for a moment after a call and would steal the core from the next live call, so
    the untimed ``SETTLE_S`` pause after each reference call lets them go idle.
    """
    for _ in range(WARMUP):
        live()
    if reference is not None:
        reference()
    live_ms, ref_ms = [], []
    for i in range(repeats):
        if reference is not None and i % reference_every == 0:
            ref_ms.append(_time_ms(reference))
            time.sleep(SETTLE_S)
        live_ms.append(_time_ms(live))
    return live_ms, ref_ms


def _row(name: str, live_ms: list[float], ref_ms: list[float], reference: str | None,
         budget: str, within: bool | None, **extra) -> dict:
    median = statistics.median(live_ms)
    ref_median = statistics.median(ref_ms) if ref_ms else None
    return {
        "name": name,
        "median_ms": round(median, 4),
        "p95_ms": round(float(np.percentile(live_ms, 95)), 4),
        "reference": reference,
        "reference_median_ms": None if ref_median is None else round(ref_median, 3),
        "ratio": None if not ref_median else round(median / ref_median, 4),
        "budget": budget,
        "within_budget": within,
        "repeats": len(live_ms),
        **extra,
    }


def _models() -> tuple[dict, str]:
    from digitlab.engine import MODEL_KINDS  # noqa: PLC0415
    from digitlab.engine.models import build_model, load_model, shipped_model_path  # noqa: PLC0415

    if all(shipped_model_path(kind).exists() for kind in MODEL_KINDS):
        models = {k: load_model(shipped_model_path(k), expected_kind=k)[0] for k in MODEL_KINDS}
        return models, "shipped"
    return {kind: build_model(kind) for kind in MODEL_KINDS}, "untrained (no shipped models)"


def _drawn_canvas() -> np.ndarray:
    from PIL import Image  # noqa: PLC0415

    from digitlab.engine.data import load_mnist  # noqa: PLC0415

    digit = load_mnist().x_test[0]
    up = np.asarray(Image.fromarray(digit).resize((280, 280), Image.BILINEAR))
    return 255 - up  # dark ink on a white canvas, as the draw tab paints


def run(repeats: int = REPEATS) -> list[dict]:
    """Measure the rows described in the module docstring; one dict per row."""
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.preprocess import preprocess_drawing  # noqa: PLC0415
    from digitlab.engine.tf_runtime import import_keras  # noqa: PLC0415

    keras = import_keras()
    models, source = _models()
    predictor = Predictor.from_keras(models)
    canvas = _drawn_canvas()
    image28 = preprocess_drawing(canvas).image28
    batch = image28[None]

    def reference_predict():
        for model in models.values():
            model.predict(batch, verbose=0)

    live_ms, ref_ms = _measure(lambda: predictor.predict(canvas), reference_predict, repeats)
    median, p95 = statistics.median(live_ms), float(np.percentile(live_ms, 95))
    rows = [_row(
        "predict 280x280 canvas (3 models, preprocessing included)", live_ms, ref_ms,
        "keras model.predict x3 on the preprocessed image",
        f"median <= {PREDICT_MEDIAN_MS:g} ms, p95 <= {PREDICT_P95_MS:g} ms",
        median <= PREDICT_MEDIAN_MS and p95 <= PREDICT_P95_MS, models=source)]

    cnn = models["cnn"]
    names = ["conv1", "pool1", "conv2", "pool2", "conv3"]
    probe = keras.Model(cnn.inputs, [cnn.get_layer(name).output for name in names])
    live_ms, ref_ms = _measure(lambda: predictor.feature_maps(image28),
                               lambda: probe.predict(batch, verbose=0), repeats)
    rows.append(_row(
        "cnn feature maps (conv1..conv3, pool1..pool2)", live_ms, ref_ms,
        "keras predict of a model returning the 5 layer outputs",
        f"median <= {FEATURE_MAPS_MEDIAN_MS:g} ms",
        statistics.median(live_ms) <= FEATURE_MAPS_MEDIAN_MS, models=source))

    live_ms, _ = _measure(lambda: preprocess_drawing(canvas), None, repeats)
    rows.append(_row("preprocess 280x280 canvas", live_ms, [], None,
                     "report only (part of the predict row)", None))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
