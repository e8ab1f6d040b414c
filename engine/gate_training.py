"""Train the not-a-digit gate (:mod:`engine.gate`) and measure it honestly.

Data (all through the app's preprocessing, see :mod:`engine.gate_data`):

- positives: MNIST training digits ``[0, 48000)``, plain, restyled
  (:mod:`engine.styles`) or redrawn as pen strokes;
- negatives: the *training* non-digit families, and pairs of MNIST training digits.

The threshold is the ``flag_rate`` quantile of the scores of digits the gate did
not train on (MNIST training digits ``[48000, 60000)``, styled the same way).
The report then measures the shipped decision on data it never saw: MNIST test
digits (plain and in each style of :mod:`engine.styles`), fresh samples of the
training families, and the *held-out* families (fonts, scribbles and shapes the
gate never saw) — the last is the honest estimate for drawings nobody generated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from digitlab.engine import gate_data, hershey
from digitlab.engine.gate import Gate, build_gate_model, threshold_for_rate
from digitlab.engine.gate_stage import FLAG_RATE
from digitlab.engine.preprocess import preprocess_drawing
from digitlab.engine.styles import STYLES

#: MNIST training digits the gate trains on; the rest of the training set picks the threshold.
TRAIN_DIGITS = 48000

#: The random-stroke families: no two samples alike, where a font has a few dozen glyphs.
GENERATORS = ("scribble:", "partial:", "invented:")


@dataclass(frozen=True)
class GateTrainingResult:
    """A trained gate and its measurements.

    Attributes:
        model: the Keras gate. threshold: its decision threshold.
        report: JSON-ready measurements (see :func:`measure_gate`).
        seconds: wall time of data generation and training.
    """

    model: object
    threshold: float
    report: dict
    seconds: float


def digits_through_app(images: np.ndarray) -> np.ndarray:
    """MNIST digits through the app's preprocessing: float32 ``(N, 28, 28)`` (empties dropped)."""
    out = [preprocess_drawing(d) for d in images]
    return np.asarray([p.image28 for p in out if not p.is_empty], np.float32).reshape(-1, 28, 28)


def styled_digits(images: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Each style of :mod:`engine.styles` applied to ``images``, preprocessed.

    Returns:
        style name -> float32 ``(N, 28, 28)``.
    """
    out = {}
    for name, style in STYLES.items():
        rng = np.random.default_rng(seed)
        pre = [preprocess_drawing(style(d, rng)) for d in images]
        out[name] = np.asarray([p.image28 for p in pre if not p.is_empty],
                               np.float32).reshape(-1, 28, 28)
    return out


def _digit_set(images: np.ndarray, n: int, seed: int, distort: float = 0.0) -> np.ndarray:
    x, _ = gate_data.sample_set({"digits": gate_data.digit_sampler(images)}, n, seed, distort)
    return x


def training_data(data, per_family: int, n_digits: int, seed: int, *,
                  log: Callable[[str], None] = print, font_digits: int = 200,
                  all_families: bool = False, distort: float = 0.0,
                  distort_digits: bool = False,
                  shifted: int = 0,
                  generator_samples: int = 0,
                  outlines: int = 0,
                  more_hands: bool = False,
                  convex_outlines: int = 0,
                  scrawls: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Digits (label 1) and training-family non-digits (label 0), preprocessed.

    Args:
        font_digits: digits per training group of handwriting and Hershey fonts
            (:func:`engine.gate_data.font_digit_samplers`), added to the MNIST ones:
            other hands than MNIST's writers.
        all_families: train on the held-out non-digit families too (their digits,
            the held-out hands', stay out).
        distort: the share of non-digits bent by :func:`engine.gate_data.warp` (the
            letters are drawn from fonts, whose shapes are exact; a hand bends them).
        distort_digits: bend the same share of the digits too (MNIST's and the fonts').
        shifted: samples of each ``shifted:<turn>`` family (MNIST training digits turned
            or mirrored into no digit, :func:`engine.gate_data.shifted_samplers`; 0: none).
        generator_samples: samples of each random-stroke family (:data:`GENERATORS`)
            instead of ``per_family`` (0: ``per_family``, and the samples as before).
        outlines: samples of each ``outline:<kind>`` family (closed outlines that are no
            oval, :data:`engine.doodles.OUTLINES`; 0: none, and the samples as before).
        more_hands: the Fontsource hands' training groups too, letters and digits
            (:data:`engine.gate_fonts.FONTSOURCE_GROUPS`, where installed).
        convex_outlines: samples of the ``outline:convex`` family (closed outlines, convex
            or nearly, that are no oval, :data:`engine.doodles.CONVEX_OUTLINES`; 0: none, and
            the samples as before).
        scrawls: samples of the ``scribble:scrawl`` family (quick scribbles of 9-28
            straight strokes, :data:`engine.strokes.SCRAWLS`; 0: none, and the samples as
            before).

    Returns:
        ``(x, y)``: float32 ``(N, 28, 28)`` and float32 ``(N,)``.
    """
    train_x = data.x_train[:TRAIN_DIGITS]
    log(f"generating {n_digits} digits and {per_family} samples of each non-digit family...")
    bend = distort if distort_digits else 0.0
    pos = _digit_set(train_x, n_digits, seed, bend)
    hands = gate_data.font_digit_samplers(train=True, more_hands=more_hands)
    if hands and font_digits:
        pos = np.concatenate([pos, gate_data.sample_set(hands, font_digits, seed + 3,
                                                        bend)[0]])
    families = gate_data.negative_families(train=True, more_hands=more_hands)
    if all_families:
        families.update(gate_data.negative_families(train=False, more_hands=more_hands))
    families["pair"] = gate_data.pair_sampler(train_x)
    if generator_samples:
        drawn = {k: v for k, v in families.items() if k.startswith(GENERATORS)}
        rest = {k: v for k, v in families.items() if k not in drawn}
        neg = np.concatenate([gate_data.sample_set(rest, per_family, seed + 1, distort)[0],
                              gate_data.sample_set(drawn, generator_samples, seed + 5,
                                                   distort)[0]])
    else:
        neg, _ = gate_data.sample_set(families, per_family, seed + 1, distort)
    if shifted:
        turned = gate_data.shifted_samplers(train_x, data.y_train[:TRAIN_DIGITS])
        neg = np.concatenate([neg, gate_data.sample_set(turned, shifted, seed + 4)[0]])
        families.update(turned)
    if outlines:
        closed = gate_data.outline_samplers()
        neg = np.concatenate([neg, gate_data.sample_set(closed, outlines, seed + 6)[0]])
        families.update(closed)
    if convex_outlines:
        convex = gate_data.outline_samplers(convex=True)
        neg = np.concatenate([neg, gate_data.sample_set(convex, convex_outlines, seed + 7)[0]])
        families.update(convex)
    if scrawls:
        quick = gate_data.scrawl_samplers()
        neg = np.concatenate([neg, gate_data.sample_set(quick, scrawls, seed + 8)[0]])
        families.update(quick)
    log(f"{len(pos)} digits, {len(neg)} non-digits from {len(families)} families")
    x = np.concatenate([pos, neg])
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]).astype(np.float32)
    return x, y


#: Hard-negative mining: the share of the epochs trained before the negatives are scored,
#: and how much more the hardest ones then weigh.
MINE_AFTER, MINE_FACTOR = 0.75, 3.0


def hard_negative_weights(scores: np.ndarray, y: np.ndarray, weights: np.ndarray,
                          top: float, factor: float = MINE_FACTOR) -> np.ndarray:
    """Weights with the ``top`` share of negatives the gate scores most digit-like up-weighted.

    The hardest negatives (label 0, highest score) weigh ``factor`` times more; all
    negatives are then rescaled so that their total weight is unchanged, so the balance
    between digits and non-digits stays as it was.

    Args:
        scores: ``(N,)`` the gate's logits (or scores) of the training images.
        y: ``(N,)`` labels, 1 digit and 0 non-digit. weights: ``(N,)`` current weights.
        top: share of the negatives to up-weight, in ``(0, 1]``. factor: their extra weight.

    Returns:
        float32 ``(N,)``: the new weights (digits' weights untouched).

    Raises:
        ValueError: ``top`` outside ``(0, 1]`` or ``factor`` below 1.
    """
    if not 0.0 < top <= 1.0 or factor < 1.0:
        raise ValueError(f"Received top {top!r}, factor {factor!r}; expected 0 < top <= 1 "
                         "and factor >= 1")
    return _reweigh_extremes(-np.asarray(scores), np.flatnonzero(y < 0.5), weights, top, factor)


def _reweigh_extremes(order_by: np.ndarray, members: np.ndarray, weights: np.ndarray,
                      share: float, factor: float) -> np.ndarray:
    """``weights`` with the ``share`` of ``members`` lowest in ``order_by`` times ``factor``,
    then all members rescaled to their old total weight; float32, others untouched."""
    out = np.asarray(weights, np.float64).copy()
    if not len(members):
        return out.astype(np.float32)
    order = np.argsort(order_by[members], kind="stable")
    total = out[members].sum()
    out[members[order[:max(1, round(share * len(members)))]]] *= factor
    out[members] *= total / out[members].sum()
    return out.astype(np.float32)


#: Dropping digits: the share of the epochs trained before the digits are scored.
DROP_AFTER = 0.25


def drop_digit_weights(scores: np.ndarray, y: np.ndarray, weights: np.ndarray,
                       share: float) -> np.ndarray:
    """Weights with the ``share`` of digits the gate scores least digit-like set to 0.

    The other digits are rescaled so that the digits' total weight is unchanged.

    Raises:
        ValueError: ``share`` outside ``(0, 1)``.
    """
    if not 0.0 < share < 1.0:
        raise ValueError(f"Received share {share!r}; expected 0 < share < 1")
    return _reweigh_extremes(np.asarray(scores), np.flatnonzero(y > 0.5), weights, share, 0.0)


def fit_gate(x: np.ndarray, y: np.ndarray, epochs: int, seed: int,
             filters: tuple[int, int] = (16, 32), dense: int = 64,
             digit_weight: float = 1.0, hard_negatives: float = 0.0,
             drop_digits: float = 0.0, mix_outliers: float = 0.0, mix_power: float = 1.0):
    """Train a fresh gate; returns the Keras model.

    Balanced class weights, Adam 2e-3 with cosine decay, and every batch randomly
    shifted, rotated, sheared, scaled and thickened or thinned (:mod:`engine.augment`),
    so the gate learns shapes rather than the exact pixels of the generated samples.

    Args:
        digit_weight: extra weight of the digits over the balanced one; the gate works
            at the digits' tail (its threshold flags well under 1 % of them), so the
            rarest digits matter more than the easiest non-digits.
        hard_negatives: 0 (off), or the share of training negatives to mine: after
            :data:`MINE_AFTER` of the epochs the gate scores its training images, and for
            the remaining epochs (same learning-rate schedule) the highest-scoring share of
            negatives weighs :data:`MINE_FACTOR` times more (:func:`hard_negative_weights`).
            Measured once (share 0.25, the shipped recipe's twin, seed 0): held-out
            families flagged 77.2 % vs 77.4 % without, pairs of digits 76.0 % vs 82.7 %;
            so it is off by default.
        drop_digits: 0 (off), or the share of training digits to drop: after
            :data:`DROP_AFTER` of the epochs the gate scores its training images, and the
            digits it finds least digit-like weigh 0 for the rest
            (:func:`drop_digit_weights`): MNIST's scrawls, which would otherwise teach the
            gate to accept scribbles.
        mix_outliers: 0 (off), or the share of each batch's non-digits replaced by a
            non-digit with a box of a digit pasted in (:mod:`engine.gate_mix`), labelled
            by the digit's share of the ink to the power ``mix_power``.
    """
    from digitlab.engine.augment import AugmentConfig, augment_batch  # noqa: PLC0415
    from digitlab.engine.gate_mix import mix_outliers as mix_outliers_batch  # noqa: PLC0415
    from digitlab.engine.tf_runtime import import_keras, import_tensorflow  # noqa: PLC0415

    keras, tf = import_keras(), import_tensorflow()
    keras.utils.set_random_seed(seed)
    model = build_gate_model(filters, dense)
    steps = epochs * -(-len(x) // 128)
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    n_pos = float(y.sum())
    weights = np.where(y > 0.5, digit_weight * len(y) / (2 * n_pos),
                       len(y) / (2 * (len(y) - n_pos)))
    gen = tf.random.Generator.from_seed(seed)
    config = AugmentConfig(max_rotation_deg=10.0, max_shift_px=2.0)

    def batches(w: np.ndarray):
        return (tf.data.Dataset.from_tensor_slices((x, y, w.astype(np.float32)))
                .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
                .batch(128)
                .map(lambda im, lab, w: (augment_batch(im, gen, config), lab, w),
                     num_parallel_calls=1))

    def mixed(batches):
        if not mix_outliers:
            return batches.prefetch(2)
        return batches.map(lambda im, lab, w: mix_outliers_batch(
            im, lab, w, gen, mix_outliers, mix_power), num_parallel_calls=1).prefetch(2)

    # The dataset shuffles itself (fit's own shuffle does not apply to one). At each
    # checkpoint: train up to it, score the training images, reweigh them.
    stops = {}
    if drop_digits:
        stops.setdefault(round(epochs * DROP_AFTER), []).append(
            lambda logits, w: drop_digit_weights(logits, y, w, drop_digits))
    if hard_negatives:
        stops.setdefault(round(epochs * MINE_AFTER), []).append(
            lambda logits, w: hard_negative_weights(logits, y, w, hard_negatives))
    done = 0
    for at in sorted(k for k in stops if 0 < k < epochs):
        model.fit(mixed(batches(weights)), initial_epoch=done, epochs=at, verbose=2, shuffle=False)
        logits = model.predict(x, batch_size=1024, verbose=0).reshape(-1)
        for reweigh in stops[at]:
            weights = reweigh(logits, weights)
        done = at
    model.fit(mixed(batches(weights)), initial_epoch=done, epochs=epochs, verbose=2, shuffle=False)
    return model


def choose_threshold(gate: Gate, data, flag_rate: float, seed: int) -> float:
    """The score that flags ``flag_rate`` of MNIST training digits the gate did not train on.

    All 12,000 of them plain, and 6,000 restyled or redrawn (a quantile this low needs many).
    """
    val_x = data.x_train[TRAIN_DIGITS:]
    val = np.concatenate([_digit_set(val_x, 6000, seed), digits_through_app(val_x)])
    return threshold_for_rate(gate.scores(val), flag_rate)


def train_gate(data, *, per_family: int = 500, n_digits: int = 20000, epochs: int = 16,
               flag_rate: float = FLAG_RATE, seed: int = 0, filters: tuple[int, int] = (32, 64),
               dense: int = 128, font_digits: int = 200, all_families: bool = False,
               hard_negatives: float = 0.0, distort: float = 0.0,
               distort_digits: bool = False, shifted: int = 0, generator_samples: int = 0,
               drop_digits: float = 0.0, outlines: int = 0, more_hands: bool = False,
               mix_outliers: float = 0.0, mix_power: float = 1.0, convex_outlines: int = 0,
               scrawls: int = 0,
               log: Callable[[str], None] = print) -> GateTrainingResult:
    """Generate the data, train the gate, choose its threshold and measure it.

    Args:
        data: an :class:`engine.data.MnistData`.
        per_family: training samples per non-digit family.
        n_digits: MNIST training digits (plain, restyled, redrawn).
        font_digits: digits per training group of handwriting and Hershey fonts.
        epochs: passes over the training data.
        flag_rate: share of unseen validation digits the threshold may flag.
        seed: for data, weights and shuffling.
        filters, dense: the gate's size (see :func:`engine.gate.build_gate_model`).
        all_families: first train and measure a gate without the held-out families
            (its held-out figures are the honest estimate, kept in the report under
            ``"split_twin"``), then train the returned gate on all families.
        hard_negatives: share of training negatives to mine (0: off; see :func:`fit_gate`).
        distort, distort_digits: training samples bent first (see :func:`training_data`).
        shifted: training samples of each shifted-digit family (see :func:`training_data`).
        generator_samples: training samples of each random-stroke family (0: per_family).
        drop_digits: share of training digits to drop (0: off; see :func:`fit_gate`).
        outlines: training samples of each closed-outline family (see :func:`training_data`).
        convex_outlines: training samples of the convex-outline family (the same).
        scrawls: training samples of the quick-scribble family (the same).
        more_hands: train and measure with the Fontsource hands too (see :func:`training_data`).
        mix_outliers, mix_power: share of each batch's non-digits mixed with a digit, and
            how their targets are made (see :func:`fit_gate`).
        log: called with one line per stage.

    Returns:
        A :class:`GateTrainingResult`.
    """
    started = time.perf_counter()
    twin = None
    if all_families:
        log("first the twin trained without the held-out families, to measure them...")
        twin = train_gate(data, per_family=per_family, n_digits=n_digits, epochs=epochs,
                          flag_rate=flag_rate, seed=seed, filters=filters, dense=dense,
                          font_digits=font_digits, hard_negatives=hard_negatives,
                          distort=distort, distort_digits=distort_digits, shifted=shifted,
                          generator_samples=generator_samples, drop_digits=drop_digits,
                          outlines=outlines, more_hands=more_hands,
                          mix_outliers=mix_outliers, mix_power=mix_power,
                          convex_outlines=convex_outlines, scrawls=scrawls, log=log)
        log("then the gate trained on all families...")
    x, y = training_data(data, per_family, n_digits, seed, log=log, font_digits=font_digits,
                         all_families=all_families, distort=distort,
                         distort_digits=distort_digits, shifted=shifted,
                         generator_samples=generator_samples, outlines=outlines,
                         more_hands=more_hands, convex_outlines=convex_outlines,
                         scrawls=scrawls)
    log(f"training on {len(x)} images ({time.perf_counter() - started:.0f}s so far)...")
    model = fit_gate(x, y, epochs, seed, filters, dense, hard_negatives=hard_negatives,
                     drop_digits=drop_digits, mix_outliers=mix_outliers, mix_power=mix_power)
    gate = Gate.from_keras(model)
    threshold = choose_threshold(gate, data, flag_rate, seed + 2)
    log(f"threshold {threshold:.4f} flags {flag_rate:.1%} of unseen validation digits; "
        "measuring...")
    report = measure_gate(gate.with_threshold(threshold), data, seed=seed + 10,
                          more_hands=more_hands)
    report["flag_rate"] = flag_rate
    report["trained_on_held_out_families"] = all_families
    report["hard_negatives"] = hard_negatives
    report["distort"] = distort
    report["distort_digits"] = distort_digits
    report["shifted_digits"] = shifted
    report["generator_samples"] = generator_samples or per_family
    report["drop_digits"] = drop_digits
    report["outlines"] = outlines
    report["convex_outlines"] = convex_outlines
    report["scrawls"] = scrawls
    report["more_hands"] = more_hands
    report["mix_outliers"] = mix_outliers
    report["mix_power"] = mix_power
    if twin is not None:
        report["split_twin"] = twin.report
    return GateTrainingResult(model, threshold, report, time.perf_counter() - started)


def measure_gate(gate: Gate, data, seed: int = 10, per_family: int = 150,
                 n_test: int = 10000, n_styled: int = 300, more_hands: bool = False) -> dict:
    """Share of non-digits flagged and of digits flagged, on data the gate never trained on.

    Args:
        gate: the gate with its threshold.
        data: an :class:`engine.data.MnistData` (its test split is used).
        per_family: fresh samples per non-digit family.
        n_test: MNIST test digits, plain. n_styled: MNIST test digits per style.
        more_hands: the Fontsource hands' groups too (held-out letters and digits).

    Returns:
        ``{"threshold", "digits_flagged": {set: share}, "held_out_hand_digits_flagged":
        {group: share}, "non_digits_flagged": {"train_families", "held_out_families",
        "held_out_by_source", "pairs_of_test_digits", "per_family": {family: share}}}``.
    """
    def flagged(x: np.ndarray) -> float:
        return float(np.mean(gate.scores(x) < gate.threshold)) if len(x) else float("nan")

    test = data.x_test
    digits = {"mnist test": flagged(digits_through_app(test[:n_test]))}
    for name, x in styled_digits(test[:n_styled], seed).items():
        digits[name] = flagged(x)
    digits["pen-redrawn"] = flagged(_digit_set(test, n_styled, seed))
    family_rates, groups = {}, {"train_families": [], "held_out_families": []}
    for train in (True, False):
        fams = gate_data.negative_families(train=train, more_hands=more_hands)
        x, fam = gate_data.sample_set(fams, per_family, seed + (0 if train else 1))
        hits = gate.scores(x) < gate.threshold
        for k, name in enumerate(fams):
            if (fam == k).any():
                family_rates[name] = float(np.mean(hits[fam == k]))
        groups["train_families" if train else "held_out_families"] = hits
    pairs, _ = gate_data.sample_set({"pair": gate_data.pair_sampler(test)}, per_family, seed + 2)
    foreign = gate_data.font_digit_samplers(train=False, more_hands=more_hands)
    hand_digits = {}
    if foreign:
        x, fam = gate_data.sample_set(foreign, per_family, seed + 3)
        hits = gate.scores(x) < gate.threshold
        digits["held-out hands (fonts)"] = float(np.mean(hits))
        hand_digits = {name: float(np.mean(hits[fam == k])) for k, name in enumerate(foreign)
                       if (fam == k).any()}
    return {
        "threshold": gate.threshold,
        "digits_flagged": digits,
        "held_out_hand_digits_flagged": hand_digits,
        "non_digits_flagged": {
            "train_families": float(np.mean(groups["train_families"])),
            "held_out_families": float(np.mean(groups["held_out_families"])),
            "held_out_by_source": by_source(family_rates, train=False),
            "pairs_of_test_digits": flagged(pairs),
            "per_family": family_rates,
        },
    }


#: How families group into sources (by name prefix) in the reports.
SOURCES = {"system fonts": ("font:",), "handwriting fonts": ("hand:",),
           "Hershey stroke fonts": ("hershey:",),
           "generators": ("scribble:", "shape:", "partial:", "doodle:", "invented:")}


def by_source(family_rates: dict[str, float], train: bool) -> dict[str, float]:
    """Mean flag rate per source (:data:`SOURCES`) over the training or held-out families.

    Each family counts once (families have equal sample counts); sources with no
    family installed are left out.
    """
    out = {}
    for source, prefixes in SOURCES.items():
        rates = [r for name, r in family_rates.items()
                 if name.startswith(prefixes) and is_held_out(name) != train]
        if rates:
            out[source] = float(np.mean(rates))
    return out


def is_held_out(family: str) -> bool:
    """Whether ``family`` (a name from :func:`engine.gate_data.negative_families`) is held
    out, decided by its name as ``negative_families`` decides it, whatever is installed."""
    if family.startswith("font:"):
        return gate_data.is_held_out_font(family[len("font:"):])
    if family.startswith("hershey:"):
        return family in hershey.HELD_OUT_HERSHEY
    if family.startswith("hand:"):
        return family.endswith("-2")
    return family in gate_data.HELD_OUT
