"""Benchmark: the Draw tab's live read, whole and part by part.

The Draw tab calls ``gui.draw.live_reading.read_drawing`` on every stroke update; its
budget (issue 12) is a median of 1 ms for one digit (3 models + the gate) and 3 ms for a
4-digit number. Rows (see :func:`run`):

- ``Draw tab, one digit``: ``read_drawing`` of a 280x280 canvas (an MNIST test digit
  upscaled 10x, dark ink on white): preprocessing, the three models (the CNN's feature
  maps included), the gate and the temperatures. Reference: ``Predictor.predict`` of the
  same canvas (3 models, no gate), interleaved.
- ``... while drawing``: the same digit appearing row band by row band (12 frames), each
  frame a crop of another size, with the resampling matrices' cache emptied before every
  call: the worst case of a first drawing (later ones reuse cached sizes).
- ``Draw tab, Number mode, 4-digit number``: ``read_drawing(number=True)`` of the
  composed number ``bench_reading`` times.
- ``part: ...`` rows, no budget: where the one-digit time goes. All parts are timed
  round-robin in one loop, so background load hits each alike.
- ``number part: ...`` rows, no budget: where the 4-digit time goes, timed round-robin
  with the Number-mode row: the drawing's preprocessing, segmentation (helper M's
  ``segment_pieces``, which runs the gate on the candidate pieces), and the three models
  with the CNN's maps on the 4 pieces.
- ``... after a 3 ms pause``, no budget: the one-digit read with a pause before each call,
  as stroke updates come in the app (other work meanwhile evicts the weights from the
  caches); its reference is the back-to-back row.

Every row runs inside one ``one_blas_thread`` held for the whole measurement, as in the
app, which keeps OpenBLAS on one thread from its start (``gui.app`` calls
``engine.blas.keep_one_blas_thread``): ``read_drawing``'s own switch is then a nested
no-op. A process that does not hold it pays the switch on every call (0.06-0.15 ms per
4-digit read on the development machine, alternating blocks of reads).

Every row also carries ``cpu_median_ms`` (the thread's CPU time): on a shared machine the
wall-clock median moves with the load, the CPU time much less. Run alone with
``python -m tests.benchmarks.run --only live``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

ONE_DIGIT_MS, FOUR_DIGITS_MS = 1.0, 3.0
REPEATS, WARMUP = 500, 30
FRAMES = 12
PAUSE_S, PAUSE_REPEATS = 0.003, 100


def _round_robin(calls: dict, repeats: int, held: dict | None = None, pause_s: float = 0.0
                 ) -> dict[str, tuple[list[float], list[float]]]:
    """``name -> (wall ms, cpu ms)`` of each call, the calls taking turns ``repeats`` times.

    ``held``: more calls, run after ``calls`` in each round inside one ``one_blas_thread``
    (for parts that do not set OpenBLAS's threads themselves). ``pause_s``: sleep before
    each call (not timed).
    """
    from digitlab.engine.blas import one_blas_thread  # noqa: PLC0415

    held = held or {}
    for _ in range(WARMUP):
        for call in calls.values():
            call()
        with one_blas_thread():
            for call in held.values():
                call()
    out = {name: ([], []) for name in (*calls, *held)}
    clock, cpu = time.perf_counter, time.thread_time

    def timed(name, call):
        if pause_s:
            time.sleep(pause_s)
        c0, t0 = cpu(), clock()
        call()
        t1, c1 = clock(), cpu()
        out[name][0].append((t1 - t0) * 1000.0)
        out[name][1].append((c1 - c0) * 1000.0)

    for _ in range(repeats):
        for name, call in calls.items():
            timed(name, call)
        with one_blas_thread():
            for name, call in held.items():
                timed(name, call)
    return out


def _row(name: str, times: tuple[list[float], list[float]], budget_ms: float | None = None,
         reference: tuple[str, tuple[list[float], list[float]]] | None = None) -> dict:
    wall, cpu = times
    median = statistics.median(wall)
    ref_median = None if reference is None else statistics.median(reference[1][0])
    return {"name": name, "median_ms": round(median, 4),
            "p95_ms": round(float(np.percentile(wall, 95)), 4),
            "reference": None if reference is None else reference[0],
            "reference_median_ms": None if ref_median is None else round(ref_median, 4),
            "ratio": None if ref_median is None else round(median / ref_median, 4),
            "budget": None if budget_ms is None else f"median <= {budget_ms:g} ms",
            "within_budget": None if budget_ms is None else median <= budget_ms,
            "cpu_median_ms": round(statistics.median(cpu), 4), "repeats": len(wall)}


def frames(canvas: np.ndarray, count: int = FRAMES) -> list[np.ndarray]:
    """The drawing appearing in ``count`` steps: ink rows revealed top-down, so each
    frame's ink has another height (and usually width)."""
    ink_rows = np.flatnonzero((canvas < 128).any(axis=1))
    top, bottom = int(ink_rows[0]), int(ink_rows[-1]) + 1
    out = []
    for i in range(1, count + 1):
        frame = np.full_like(canvas, 255)
        end = top + (bottom - top) * i // count
        frame[:end] = canvas[:end]
        out.append(frame)
    return out


def run(repeats: int = REPEATS) -> list[dict]:
    """Measure the rows described in the module docstring."""
    from PIL import Image  # noqa: PLC0415

    from digitlab.engine import gate_data  # noqa: PLC0415
    from digitlab.engine.blas import one_blas_thread  # noqa: PLC0415
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415
    from digitlab.engine.fit_box import _resample_matrix  # noqa: PLC0415
    from digitlab.engine.preprocess import preprocess_drawing  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415
    from digitlab.engine.segment import segment_pieces  # noqa: PLC0415
    from digitlab.gui.draw.live_reading import read_drawing  # noqa: PLC0415 - no Qt inside

    data = load_mnist()
    predictor = Predictor.load_shipped()
    gate = Gate.load()
    reader = Reader(predictor, gate, load_temperatures(
        model_files={k: shipped_model_path(k) for k in predictor.kinds}))
    canvas = 255 - np.asarray(Image.fromarray(data.x_test[0]).resize((280, 280), Image.BILINEAR))
    number, _ = gate_data.compose_number(list(data.x_test[[3, 2, 1, 18]]),
                                         np.random.default_rng(0), height=150,
                                         gap_range=(0.1, 0.3))
    number = 255 - number
    reading, _ = read_drawing(reader, number, "dark", True)
    assert reading.number is not None and len(reading.number) == 4, reading.number
    growing = frames(canvas)
    step = iter(range(10**9))

    def while_drawing():
        _resample_matrix.cache_clear()
        read_drawing(reader, growing[next(step) % len(growing)], "dark", False)

    image28 = preprocess_drawing(canvas, "dark").image28
    x = image28[None]
    networks = {kind: predictor._network(kind) for kind in predictor.kinds}
    prediction = predictor.predict(canvas, "dark", feature_maps=True)
    with one_blas_thread():  # held as gui.app's keep_one_blas_thread holds it
        times = _round_robin({
            "one": lambda: read_drawing(reader, canvas, "dark", False),
            "predict": lambda: predictor.predict(canvas, "dark"),
            "drawing": while_drawing,
        }, repeats, held={
            "preprocess": lambda: preprocess_drawing(canvas, "dark"),
            "cnn": lambda: networks["cnn"].run(x, keep_maps=True),
            "dnn+multinomial": lambda: (networks["dnn"].forward(x),
                                        networks["multinomial"].forward(x)),
            "gate": lambda: gate.scores(x),
            "read_prediction": lambda: reader.read_prediction(prediction),
        })
        number_pre = preprocess_drawing(number, "dark")
        pieces = np.stack([piece.image28 for piece in reading.digits])
        number_times = _round_robin({
            "number": lambda: read_drawing(reader, number, "dark", True),
            "predict": lambda: predictor.predict(number, "dark"),
        }, repeats, held={
            "preprocess": lambda: preprocess_drawing(number, "dark"),
            "segment": lambda: segment_pieces(number_pre.cropped, gate.scores, gate.threshold),
            "models": lambda: predictor.predict_batch_with_maps(pieces)})
        paused = _round_robin({"one": lambda: read_drawing(reader, canvas, "dark", False)},
                              min(repeats, PAUSE_REPEATS), pause_s=PAUSE_S)
    reference = ("Predictor.predict of the same canvas (3 models, no gate)", times["predict"])
    return [
        _row("Draw tab, one digit: read_drawing, 280x280 canvas (3 models + maps, gate, "
             "temperatures)", times["one"], ONE_DIGIT_MS, reference),
        _row(f"Draw tab, one digit while drawing: {FRAMES} frames, resampling matrices "
             "rebuilt every call (worst case)", times["drawing"], ONE_DIGIT_MS, reference),
        _row(f"Draw tab, Number mode, 4-digit number ({number.shape[0]}x{number.shape[1]})",
             number_times["number"], FOUR_DIGITS_MS,
             ("Predictor.predict of the same canvas", number_times["predict"])),
        _row("part: preprocess_drawing, 280x280 canvas", times["preprocess"]),
        _row("part: CNN with its feature maps, one image", times["cnn"]),
        _row("part: DNN + multinomial, one image", times["dnn+multinomial"]),
        _row("part: gate, one image", times["gate"]),
        _row("part: Reader.read_prediction (gate + temperatures)", times["read_prediction"]),
        _row(f"number part: preprocess_drawing, {number.shape[0]}x{number.shape[1]}",
             number_times["preprocess"]),
        _row("number part: segment_pieces with the gate", number_times["segment"]),
        _row("number part: 3 models + CNN maps on the 4 pieces", number_times["models"]),
        _row(f"Draw tab, one digit after a {PAUSE_S * 1000:g} ms pause (caches as other work "
             "leaves them)", paused["one"], None, ("the same read back to back", times["one"])),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
