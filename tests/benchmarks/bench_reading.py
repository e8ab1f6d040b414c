"""Benchmark: the not-a-digit gate, reading numbers, and the live path with the gate.

Rows (see :func:`run`); quality rows carry ``value`` (a share) and no times:

- ``gate: non-digits flagged, training families`` / ``held-out families``: fresh
  generated non-digits (engine.gate_data) the gate flags; the held-out families (fonts,
  scribbles, shapes it never trained on) are the honest estimate. Budget >= 90 %.
- ``read: non-digit drawings flagged, ...``: the same kinds of drawings through the whole
  :class:`engine.reading.Reader` (segmentation included): flagged when no number comes
  out. This is what the app and ``digitlab predict`` do; lower than the gate's own
  figure because a drawing cut into pieces can pass piece by piece.
- ``read (twin ...): non-digit drawings flagged, held-out families``: with
  ``DIGITLAB_BENCH_TWIN=twin.keras`` (a gate trained without the held-out families:
  ``digitlab train-gate --seed 0 --output twin.keras``), the same through the reader
  with the twin alone and with its own second stage: the honest figure (:func:`twin_rows`).
- ``read: 2-3 digits with a held-out letter among them, read as a number``: no budget;
  the share of such drawings that still give a number (:func:`letter_in_number_rate`),
  and in ``letter_named`` the share where only the letter's place is "not a digit".
- ``gate: pairs of touching/close digits flagged``: two or three test digits as one piece.
- ``gate: MNIST test digits flagged`` and ``... restyled / pen-redrawn digits flagged``:
  budget <= 1 %; ``gate + stage: ...`` the same sets as the app judges them (the gate, and
  its second stage where the gate is unsure).
- ``cnn accuracy: all test digits`` vs ``accepted test digits``: the gate must not
  cost accuracy on what it lets through.
- ``numbers read exactly, k digits``: k MNIST test digits composed with natural spacing
  (gaps -5 %..50 % of the height, so some touch; baseline and size jitter), read by
  :class:`engine.reading.Reader`. Budget >= 95 %. Each digit is from another MNIST
  writer, so one number mixes stroke widths and slants.
- ``numbers read exactly, 4 digits, on a line rising or falling ...``: no budget; the
  same, each number written on a line that drifts up or down by 0.15-0.35 of a digit's
  height per digit (no ruled line; the row test once took a drift of 0.2 or more for
  pieces in different rows, and read none of them at 0.3).
- ``numbers read exactly, k digits, one writer``: closer to the hidden set (each number
  written by one person): the digits share stroke width and slant (nearest MNIST test
  digits to the first one in both), one size (+-6 %), and the writer's own spacing
  (a mean gap of 5-40 % of the height, +-8 % per gap: mostly small gaps, sometimes
  touching). See :func:`compose_one_writer`.
- ``numbers read exactly, k digits, one writer, one pen``: the same, redrawn along their
  skeleton with one round pen (:func:`pen_accuracy`): one stroke width, a pen's joins and
  breaks. The closest of these to real pen-written numbers.
- ``live read: 3 models + gate, one digit`` (280x280 canvas, budget median <= 1 ms) and
  ``... 4-digit number`` (about 200x600, budget median <= 3 ms), preprocessing and
  segmentation included; reference: ``Predictor.predict`` of the same image, timed
  interleaved (the ratio says what the gate and segmentation add on this machine).

Run alone with ``python -m tests.benchmarks.run --only reading``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

ONE_DIGIT_MS, FOUR_DIGITS_MS = 1.0, 3.0
REPEATS, WARMUP = 200, 30
NUMBERS_PER_LENGTH = 200
#: The slopes of the numbers written on a rising or falling line (digit heights per digit).
SLOPES = (0.15, 0.35)


def quality_row(name: str, value: float, budget: str | None, within: bool | None, **extra) -> dict:
    # The shared table shows times only: the share goes into the name as well.
    return {"name": f"{name}: {100 * value:.1f}%", "value": round(float(value), 4),
            "budget": budget, "within_budget": within, **extra}


def _timed_pair(fn, reference, repeats: int = REPEATS) -> tuple[list[float], list[float]]:
    """Interleaved timings of ``fn`` and ``reference`` (background load hits both alike)."""
    for _ in range(WARMUP):
        fn()
        reference()
    out, ref = [], []
    for _ in range(repeats):
        for call, times in ((fn, out), (reference, ref)):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000.0)
    return out, ref


def _time_row(name: str, ms: list[float], budget_ms: float, ref_ms: list[float],
              reference: str) -> dict:
    median, ref = statistics.median(ms), statistics.median(ref_ms)
    return {"name": name, "median_ms": round(median, 4),
            "p95_ms": round(float(np.percentile(ms, 95)), 4),
            "reference": reference, "reference_median_ms": round(ref, 4),
            "ratio": round(median / ref, 4),
            "budget": f"median <= {budget_ms:g} ms", "within_budget": median <= budget_ms,
            "repeats": len(ms)}


def number_accuracy(reader, images: np.ndarray, labels: np.ndarray, length: int, n: int,
                    seed: int, slopes: tuple[float, float] | None = None) -> float:
    """Share of ``n`` composed ``length``-digit numbers the reader reads exactly.

    ``slopes``: each number written on a line rising or falling (at random) by a slope
    drawn from this range, in digit heights per digit (``compose_number``'s ``slope``).
    """
    from digitlab.engine.gate_data import compose_number  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    right = 0
    for _ in range(n):
        idx = rng.integers(len(images), size=length)
        slope = 0.0 if slopes is None else float(rng.uniform(*slopes) * rng.choice([-1, 1]))
        image, _ = compose_number(list(images[idx]), rng, height=int(rng.integers(40, 160)),
                                  slope=slope)
        truth = "".join(str(int(d)) for d in labels[idx])
        right += reader.read(image).number == truth
    return right / n


def writer_features(images: np.ndarray) -> np.ndarray:
    """Stroke width (pixels) and slant (dx per dy) of MNIST digits.

    Args:
        images: uint8 ``(N, 28, 28)``.

    Returns:
        float ``(N, 2)``: width = 2 x inked area / inked boundary length; slant = the ink's
        second moment xy over yy.
    """
    x = images.astype(np.float32) / 255.0
    ink = (x > 0.5).astype(np.int8)
    area = ink.sum(axis=(1, 2)).astype(np.float32)
    edges = np.abs(np.diff(ink, axis=1)).sum(axis=(1, 2)) + np.abs(np.diff(ink, axis=2)).sum(
        axis=(1, 2))
    width = 2 * area / np.maximum(edges, 1)
    ys, xs = np.mgrid[:28, :28]
    mass = x.sum(axis=(1, 2)) + 1e-6
    dy = ys[None] - ((x * ys).sum(axis=(1, 2)) / mass)[:, None, None]
    dx = xs[None] - ((x * xs).sum(axis=(1, 2)) / mass)[:, None, None]
    slant = (x * dx * dy).sum(axis=(1, 2)) / np.maximum((x * dy * dy).sum(axis=(1, 2)), 1e-6)
    return np.stack([width, slant], axis=1)


def compose_one_writer(images: np.ndarray, labels: np.ndarray, features: np.ndarray,
                       length: int, rng: np.random.Generator, margin: int = 16
                       ) -> tuple[np.ndarray, str]:
    """A ``length``-digit number as one person might write it, from MNIST test digits.

    The first digit is drawn at random; each other digit (a random label) is one of the 25
    digits of that label nearest to the first in stroke width and slant
    (:func:`writer_features`, in standard deviations). One height for all (40-160 px, +-6 %
    per digit), baseline +-5 %, and the writer's own spacing: a mean gap of 5-40 % of the
    height, each gap +-8 % (normal), so some digits touch.

    Returns:
        ``(image, truth)``: uint8 ``(H, W)`` ink bright, and the digits as a string.
    """
    from PIL import Image  # noqa: PLC0415

    height = int(rng.integers(40, 160))
    first = int(rng.integers(len(images)))
    spread = features.std(axis=0)
    picks = [first]
    for _ in range(length - 1):
        same = np.flatnonzero(labels == int(rng.integers(10)))
        distance = np.abs((features[same] - features[first]) / spread).sum(axis=1)
        picks.append(int(rng.choice(same[np.argsort(distance)[:25]])))
    picks = [picks[i] for i in rng.permutation(length)]
    gap = rng.uniform(0.05, 0.4)
    pieces = []
    for i in picks:
        digit = images[i]
        rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        crop = Image.fromarray(digit[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
        scale = height / 20.0 * rng.uniform(0.94, 1.06)
        size = (max(1, round(crop.size[0] * scale)), max(1, round(crop.size[1] * scale)))
        pieces.append(np.asarray(crop.resize(size, Image.BILINEAR)))
    return write_in_a_row(pieces, height, gap, rng, margin), "".join(
        str(int(labels[i])) for i in picks)


def write_in_a_row(pieces: list[np.ndarray], height: int, gap: float,
                   rng: np.random.Generator, margin: int = 16) -> np.ndarray:
    """Digit images (ink bright, cropped) side by side as one writer spaces them: each gap
    ``gap`` x ``height`` +- 8 % (normal), each baseline +- 5 %; uint8 ``(H, W)``."""
    tallest = max(p.shape[0] for p in pieces)
    jitter = 0.05
    x, placed = margin, []
    for k, p in enumerate(pieces):
        if k:
            x += int(round((gap + rng.normal(0, 0.08)) * height))
        x = max(x, margin // 2)
        y = margin + int(jitter * height) + (tallest - p.shape[0]) // 2 + int(
            round(rng.uniform(-jitter, jitter) * height))
        placed.append((y, x, p))
        x += p.shape[1]
    out = np.zeros((tallest + 2 * margin + int(2 * jitter * height) + 2, x + margin), np.uint8)
    for y, x0, p in placed:
        region = out[y:y + p.shape[0], x0:x0 + p.shape[1]]
        np.maximum(region, p, out=region)
    return out


def one_writer_accuracy(reader, images: np.ndarray, labels: np.ndarray, length: int, n: int,
                        seed: int, features: np.ndarray | None = None) -> float:
    """Share of ``n`` one-writer numbers (:func:`compose_one_writer`) read exactly."""
    features = writer_features(images) if features is None else features
    rng = np.random.default_rng(seed)
    right = 0
    for _ in range(n):
        image, truth = compose_one_writer(images, labels, features, length, rng)
        right += reader.read(image).number == truth
    return right / n


def with_one_pen(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A composed number (16 px margins) redrawn along its skeleton with one round pen
    6-12 % of its digits' height wide (``engine.strokes.pen_redraw``)."""
    from digitlab.engine.strokes import pen_redraw  # noqa: PLC0415

    height = image.shape[0] - 32  # the composition's margins
    return pen_redraw(image, float(np.clip(height * rng.uniform(0.06, 0.12), 2, 30)))


def pen_accuracy(reader, images: np.ndarray, labels: np.ndarray, length: int, n: int,
                 seed: int, features: np.ndarray | None = None) -> float:
    """Share of ``n`` one-writer numbers redrawn with one round pen, read exactly.

    Each number (:func:`compose_one_writer`) is thinned to its skeleton and drawn again
    with a pen 6-12 % of the digits' height wide (``engine.strokes.pen_redraw``): strokes
    of one width, joins and breaks as a pen makes them, closer to real pen-written numbers.
    """
    features = writer_features(images) if features is None else features
    rng = np.random.default_rng(seed)
    right = 0
    for _ in range(n):
        image, truth = compose_one_writer(images, labels, features, length, rng)
        image = with_one_pen(image, rng)
        right += reader.read(image).number == truth
    return right / n


def reader_flag_rate(reader, families: dict, per_family: int, seed: int) -> tuple[float, int]:
    """Share of generated non-digit drawings the reader reads no number from, and how many."""
    rng = np.random.default_rng(seed)
    flagged = total = 0
    for sampler in families.values():
        for _ in range(per_family):
            drawing = sampler(rng)
            if drawing is None:
                continue
            reading = reader.read(drawing)
            if reading.is_empty:
                continue
            total += 1
            flagged += reading.number is None
    return flagged / max(total, 1), total


def letter_in_number_rate(reader, images: np.ndarray, families: dict, per_family: int,
                          seed: int) -> tuple[float, float, int]:
    """Numbers with one letter or symbol among their digits: how often the reader is fooled.

    Each drawing is 2 or 3 MNIST test digits with one sample of a ``font:``, ``hand:`` or
    ``hershey:`` family (brought to MNIST's 20 px box, as the digits are) at a random
    place among them, composed as :func:`engine.gate_data.compose_number` writes numbers
    and redrawn with one round pen (:func:`with_one_pen`), so that letter and digits
    share one stroke.

    Returns:
        ``(false, named, n)``: the share read as a number (the letter taken for digits),
        the share where the letter's place alone is "not a digit" and every digit is
        read as one, and how many drawings.
    """
    from digitlab.engine import gate_data  # noqa: PLC0415
    from digitlab.engine.preprocess import preprocess_drawing  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    false = named = total = 0
    for name, sampler in families.items():
        if not name.startswith(("font:", "hand:", "hershey:")):
            continue
        for _ in range(per_family):
            drawing = sampler(rng)
            drawing = drawing[0] if isinstance(drawing, tuple) else drawing
            pre = None if drawing is None else preprocess_drawing(drawing)
            if pre is None or pre.is_empty:
                continue
            length = int(rng.integers(2, 4))
            place = int(rng.integers(length + 1))
            parts = list(images[rng.integers(len(images), size=length)])
            parts.insert(place, (pre.image28 * 255).astype(np.uint8))
            image, _ = gate_data.compose_number(parts, rng, height=int(rng.integers(40, 160)))
            image = with_one_pen(image, rng)
            reading = reader.read(image)
            total += 1
            false += reading.number is not None
            named += reading.number is None and [d.is_digit for d in reading.digits] == [
                i != place for i in range(length + 1)]
    return false / max(total, 1), named / max(total, 1), total


def twin_rows(predictor, data, temperatures: dict, per_family: int = 60,
              seed: int = 301) -> list[dict]:
    """The honest reader figure: the held-out families through the whole reader with the
    twin gate (trained without them; path in ``DIGITLAB_BENCH_TWIN``), alone and with its
    own second stage (fitted as ``digitlab fit-gate-stage --twin`` fits it, with the shipped
    stage's ``--band-share``, ~1.5 minutes).
    No rows without that variable or without temperatures for the three models."""
    import os  # noqa: PLC0415

    from digitlab.engine import gate_data  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.gate_stage import STAGE_KINDS  # noqa: PLC0415
    from digitlab.engine.gate_stage_fit import fit_for_gate  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415

    path = os.environ.get("DIGITLAB_BENCH_TWIN")
    if not path or any(k not in temperatures for k in STAGE_KINDS):
        return []
    twin = Gate.load(path).with_stage(None)
    shipped = Gate.load().stage  # the twin's stage is fitted as the shipped gate's was
    share = shipped.report.get("band_share") if shipped is not None else None
    stage = fit_for_gate(twin, predictor, temperatures, data, all_families=False,
                         band_share=share)
    rows = []
    for name, gate in (("twin alone", twin), ("twin + its stage", twin.with_stage(stage))):
        reader = Reader(predictor, gate, temperatures)
        share, n = reader_flag_rate(reader, gate_data.negative_families(train=False),
                                    per_family, seed)
        rows.append(quality_row(f"read ({name}, never trained on them): non-digit drawings "
                                "flagged, held-out families", share, ">= 90%", share >= 0.9,
                                samples=n))
    return rows


def run() -> list[dict]:
    """Measure the rows described in the module docstring."""
    from digitlab.engine import gate_data  # noqa: PLC0415
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.gate_training import digits_through_app, styled_digits  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415
    from tests.benchmarks.bench_gate import stage_flagger  # noqa: PLC0415 - it imports this module

    data = load_mnist()
    predictor = Predictor.load_shipped()
    gate = Gate.load()
    kinds = predictor.kinds
    temperatures = load_temperatures(model_files={k: shipped_model_path(k) for k in kinds})
    reader = Reader(predictor, gate, temperatures)

    def flagged(x: np.ndarray) -> float:
        return float(np.mean(gate.scores(x) < gate.threshold))

    rows = []
    for train in (True, False):
        families = gate_data.negative_families(train=train)
        x, _ = gate_data.sample_set(families, 100, seed=100 + train)
        share = flagged(x)
        label = "training families (fresh samples)" if train else "held-out families"
        rows.append(quality_row(f"gate: non-digits flagged, {label}", share, ">= 90%",
                             share >= 0.9, samples=len(x), families=len(families)))
    for train in (True, False):
        families = gate_data.negative_families(train=train)
        share, n = reader_flag_rate(reader, families, 25, seed=200 + train)
        label = "training families (fresh samples)" if train else "held-out families"
        rows.append(quality_row(f"read: non-digit drawings flagged, {label}", share, ">= 90%",
                             share >= 0.9, samples=n))
    rows += twin_rows(predictor, data, temperatures)
    false, named, n = letter_in_number_rate(reader, data.x_test, gate_data.negative_families(
        train=False), 10, seed=202)
    rows.append(quality_row("read: 2-3 digits with a held-out letter among them, read as a "
                            "number", false, None, None, samples=n, letter_named=round(named, 4)))
    pairs, _ = gate_data.sample_set({"pair": gate_data.pair_sampler(data.x_test)}, 200, seed=102)
    rows.append(quality_row("gate: pairs of close/touching test digits flagged", flagged(pairs),
                         None, None, samples=len(pairs)))

    test_x, test_y = data.x_test[:3000], data.y_test[:3000]
    plain = digits_through_app(test_x)
    share = flagged(plain)
    rows.append(quality_row("gate: MNIST test digits flagged", share, "<= 1%", share <= 0.01,
                         samples=len(plain)))
    styled = np.concatenate(list(styled_digits(test_x[:200], seed=7).values()))
    redrawn, _ = gate_data.sample_set({"d": gate_data.digit_sampler(test_x)}, 600, seed=8)
    for name, x in (("restyled (engine.styles, 6 styles)", styled),
                    ("pen-redrawn / fast-restyled", redrawn)):
        share = flagged(x)
        rows.append(quality_row(f"gate: {name} digits flagged", share, "<= 1%", share <= 0.01,
                             samples=len(x)))
    with_stage = stage_flagger(gate)  # what the app flags: the gate, its stage where unsure
    if with_stage is not None:
        for name, x in (("MNIST test", plain), ("restyled (engine.styles, 6 styles)", styled),
                        ("pen-redrawn / fast-restyled", redrawn)):
            share = float(np.mean(with_stage(x)))
            rows.append(quality_row(f"gate + stage: {name} digits flagged", share, "<= 1%",
                                    share <= 0.01, samples=len(x)))

    cnn = predictor.predict_batch(plain)["cnn"].argmax(axis=1)
    accepted = gate.scores(plain) >= gate.threshold
    acc_all = float(np.mean(cnn == test_y))
    acc_accepted = float(np.mean(cnn[accepted] == test_y[accepted]))
    rows.append(quality_row("cnn accuracy: all MNIST test digits", acc_all, None, None))
    rows.append(quality_row("cnn accuracy: accepted MNIST test digits", acc_accepted,
                         ">= all digits", acc_accepted >= acc_all))

    for length in (2, 3, 4):
        share = number_accuracy(reader, data.x_test, data.y_test, length, NUMBERS_PER_LENGTH,
                                seed=length)
        rows.append(quality_row(f"numbers read exactly, {length} digits", share, ">= 95%",
                             share >= 0.95, samples=NUMBERS_PER_LENGTH))
    share = number_accuracy(reader, data.x_test, data.y_test, 4, NUMBERS_PER_LENGTH, seed=30,
                            slopes=SLOPES)
    rows.append(quality_row(f"numbers read exactly, 4 digits, on a line rising or falling "
                            f"{SLOPES[0]:g}-{SLOPES[1]:g} digit heights per digit", share, None,
                            None, samples=NUMBERS_PER_LENGTH))
    features = writer_features(data.x_test)
    for length in (2, 3, 4):
        share = one_writer_accuracy(reader, data.x_test, data.y_test, length,
                                    NUMBERS_PER_LENGTH, seed=10 + length, features=features)
        rows.append(quality_row(f"numbers read exactly, {length} digits, one writer", share,
                             ">= 95%", share >= 0.95, samples=NUMBERS_PER_LENGTH))
    for length in (2, 3, 4):
        share = pen_accuracy(reader, data.x_test, data.y_test, length, NUMBERS_PER_LENGTH,
                             seed=20 + length, features=features)
        rows.append(quality_row(f"numbers read exactly, {length} digits, one writer, one pen",
                                share, ">= 95%", share >= 0.95, samples=NUMBERS_PER_LENGTH))

    from PIL import Image  # noqa: PLC0415

    canvas = 255 - np.asarray(Image.fromarray(data.x_test[0]).resize((280, 280), Image.BILINEAR))
    reference = "Predictor.predict (3 models, no gate, no segmentation)"
    live, ref = _timed_pair(lambda: reader.read(canvas), lambda: predictor.predict(canvas))
    rows.append(_time_row("live read: 3 models + gate, one digit (280x280 canvas)", live,
                          ONE_DIGIT_MS, ref, reference))
    number, _ = gate_data.compose_number(list(data.x_test[[3, 2, 1, 18]]),
                                         np.random.default_rng(0), height=150,
                                         gap_range=(0.1, 0.3))
    number = 255 - number
    assert len(reader.read(number).digits) == 4, "the timing number must read as 4 digits"
    live, ref = _timed_pair(lambda: reader.read(number), lambda: predictor.predict(number))
    rows.append(_time_row(f"live read: 3 models + gate, 4-digit number ({number.shape[0]}x"
                          f"{number.shape[1]})", live, FOUR_DIGITS_MS, ref, reference))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
