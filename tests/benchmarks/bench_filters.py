"""Benchmark: the live filter path (engine.filters.apply_filter) against bare tf.nn calls.

Rows (see :func:`run`):

- ``filter rocket 640x427``: conv 3x3 stride 1 VALID + 3x3/3 max-pool on the red
  channel of rocket.jpg, from the float32 array to numpy feature and pooled maps.
  Budget: median <= 10 ms and <= 1.5x the bare ``tf.nn.conv2d`` + ``tf.nn.max_pool``
  on an already prepared tensor.
- ``filter 4000x3000``: the same on a 12-megapixel channel. Reported only: the app
  runs it off the GUI thread.

Run alone with ``python tests/benchmarks/bench_filters.py``. Function names avoid
``test_`` so pytest never collects this module.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

LIVE_BUDGET_MS = 10.0
LIVE_MAX_RATIO = 1.5


def _measure_pair(live, reference, repeats: int, warmup: int = 5) -> tuple[list, list]:
    """Interleave the two callables so background load hits both alike; times in ms."""
    for _ in range(warmup):
        live()
        reference()
    live_ms, ref_ms = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        live()
        t1 = time.perf_counter()
        reference()
        t2 = time.perf_counter()
        live_ms.append((t1 - t0) * 1000)
        ref_ms.append((t2 - t1) * 1000)
    return live_ms, ref_ms


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def _row(name, live_ms, ref_ms, reference, budget, within) -> dict:
    median, ref_median = statistics.median(live_ms), statistics.median(ref_ms)
    return {
        "name": name,
        "median_ms": round(median, 3),
        "p95_ms": round(_p95(live_ms), 3),
        "reference": reference,
        "reference_median_ms": round(ref_median, 3),
        "ratio": round(median / ref_median, 3) if ref_median > 0 else None,
        "budget": budget,
        "within_budget": within(median, ref_median),
    }


def _case(channel: np.ndarray, repeats: int):
    from digitlab.engine.filters import KERNEL_PRESETS, FilterSettings, apply_filter  # noqa: PLC0415
    from digitlab.engine.tf_runtime import import_tensorflow  # noqa: PLC0415

    tf = import_tensorflow()
    kernel = KERNEL_PRESETS["vertical edge (lesson)"]
    settings = FilterSettings(stride=1, padding="VALID", pool=3)
    x = tf.constant(channel[None, :, :, None])
    k = tf.constant(kernel[:, :, None, None])

    def live():
        return apply_filter(channel, kernel, settings)

    def bare():
        conv = tf.nn.conv2d(x, k, strides=[1, 1, 1, 1], padding="VALID")
        return tf.nn.max_pool(conv, ksize=[1, 3, 3, 1], strides=[1, 3, 3, 1], padding="VALID")

    return _measure_pair(live, bare, repeats)


def run(repeats: int = 60) -> list[dict]:
    """Measure both cases; returns one dict per row (keys as in the module docstring)."""
    from digitlab.engine.images import extract_channel, load_photo  # noqa: PLC0415
    from digitlab.resources import path as resource_path  # noqa: PLC0415

    photo = load_photo(resource_path("photos", "rocket.jpg"))
    red = extract_channel(photo.rgb, "red")
    reference = "bare tf.nn.conv2d + tf.nn.max_pool on a prepared tensor"
    live_ms, ref_ms = _case(red, max(repeats, 50))
    rows = [_row(
        "filter rocket 640x427 (conv 3x3/1 VALID + pool 3x3/3)", live_ms, ref_ms, reference,
        f"median <= {LIVE_BUDGET_MS:g} ms and <= {LIVE_MAX_RATIO:g}x reference",
        lambda med, ref: med <= LIVE_BUDGET_MS and med <= LIVE_MAX_RATIO * ref)]

    big = np.random.default_rng(0).uniform(0, 255, (3000, 4000)).astype(np.float32)
    live_ms, ref_ms = _case(big, max(repeats // 3, 20))
    rows.append(_row(
        "filter 4000x3000 (conv 3x3/1 VALID + pool 3x3/3)", live_ms, ref_ms, reference,
        "report only (runs off the GUI thread)", lambda med, ref: True))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
