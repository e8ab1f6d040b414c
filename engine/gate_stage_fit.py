"""Fit the gate's second stage (:mod:`engine.gate_stage`) and measure it honestly.

The data are the gate's own kinds, all through the app's preprocessing:

- non-digits: fresh samples of the families the gate trained on (all of them for the
  shipped gate; the training families only for its twin);
- digits: the MNIST training digits the gate did not train on (``[48000, 60000)``),
  plain, restyled or redrawn, and 1,000 of them in each style of :mod:`engine.styles`,
  plus digits of the training hands (handwriting and Hershey fonts).

The measurement compares the gate alone (its card's threshold) with the gate and the
stage together, on data neither saw: MNIST test digits plain, redrawn and in each style,
the held-out hands' digits, the Fontsource hands' letters and digits
(``digitlab fetch-hand-fonts``), and for a twin the held-out families.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from digitlab.engine import gate_data, gate_fonts
from digitlab.engine.calibration import apply_temperature, logits_from_probabilities
from digitlab.engine.gate_stage import (FLAG_RATE, GATE_SURE, STAGE_KINDS, SecondStage,
                                       fit_stage)
from digitlab.engine.gate_training import (TRAIN_DIGITS, _digit_set, digits_through_app,
                                           is_held_out, styled_digits)

#: Fresh samples per family and per hand group, for the fit and for the measurement.
PER_FAMILY = 150
#: Validation digits for the fit: redrawn or restyled, and in each style.
FIT_REDRAWN, FIT_STYLED = 6000, 1000
#: MNIST test digits for the measurement: plain, redrawn with a pen, in each style.
MEASURE_PLAIN, MEASURE_REDRAWN, MEASURE_STYLED = 10000, 2000, 1500


def calibrated_models(predictor, temperatures: Mapping[str, float]
                      ) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """images -> kind -> calibrated probabilities ``(N, 10)`` (the :data:`STAGE_KINDS`)."""
    def run(images: np.ndarray) -> dict[str, np.ndarray]:
        probs = predictor.predict_batch(images)
        return {k: apply_temperature(logits_from_probabilities(probs[k]), temperatures[k])
                for k in STAGE_KINDS}
    return run


def fit_for_gate(gate, predictor, temperatures: Mapping[str, float], data, *,
                 all_families: bool, seed: int = 80, flag_rate: float = FLAG_RATE,
                 band_share: float | None = None) -> SecondStage:
    """Fit a stage for ``gate`` (trained on all families or, for a twin, the training ones).

    Args:
        band_share: where the stage decides: below the gate score under which this share of
            the fit's digits lie (:func:`band_at_share`), instead of the fixed score
            :data:`engine.gate_stage.GATE_SURE`. None: the fixed score.
    """
    families = gate_data.negative_families(train=True)
    if all_families:
        families = {**families, **gate_data.negative_families(train=False)}
    non_digits, _ = gate_data.sample_set(families, PER_FAMILY, seed)
    val_x = data.x_train[TRAIN_DIGITS:]
    digits = np.concatenate([_digit_set(val_x, FIT_REDRAWN, 2), digits_through_app(val_x),
                             *styled_digits(val_x[:FIT_STYLED], seed + 2).values()])
    hands, _ = gate_data.sample_set(gate_data.font_digit_samplers(train=True), PER_FAMILY,
                                    seed + 1)
    sure = GATE_SURE if band_share is None else band_at_share(gate.scores(digits), band_share)
    return fit_stage(gate.scores, calibrated_models(predictor, temperatures), temperatures,
                     non_digits, digits, hands, flag_rate, gate_sure=sure)


def band_at_share(digit_scores: np.ndarray, share: float) -> float:
    """The gate score under which ``share`` of the digits' scores lie: the stage's band.

    A gate trained on soft targets (``train-gate --mix-outliers``) scores digits lower, so
    the fixed band (score under 0.15) holds fewer of them, or none; a band holding the
    same share of digits gives such a gate's stage the room the base gate's has (tried,
    not shipped: resources/models/README.md).

    Raises:
        ValueError: ``share`` outside (0, 1), or a band that is not a score in (0, 1).
    """
    if not 0.0 < share < 1.0:
        raise ValueError(f"Received a band share of {share!r}; expected a share in (0, 1)")
    band = float(np.quantile(np.asarray(digit_scores, np.float64), share))
    if not 0.0 < band < 1.0:
        raise ValueError(f"Received digits whose scores put the band at {band!r}; a band "
                         "must be a score strictly between 0 and 1")
    return band


def measure_stage(gate, stage: SecondStage, predictor, temperatures: Mapping[str, float],
                  data, *, held_out_families: bool, seed: int = 90) -> dict:
    """Shares flagged by the gate alone and by the gate with the stage, on unseen data.

    Args:
        held_out_families: also the held-out families (the honest figure for a twin; the
            shipped gate trained on them).

    Returns:
        ``{"non_digits_flagged": {set: {"gate": share, "gate + stage": share}},
        "digits_flagged": {...}, "cnn_accuracy_accepted": {...}}``.
    """
    models = calibrated_models(predictor, temperatures)

    def rates(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
        scores, calibrated = gate.scores(x), models(x)
        return scores < gate.threshold, stage.flags(scores, calibrated), calibrated

    def pair(a: np.ndarray, b: np.ndarray) -> dict:
        return {"gate": round(float(np.mean(a)), 5), "gate + stage": round(float(np.mean(b)), 5)}

    non_digits: dict[str, dict] = {}
    if held_out_families:
        fams = gate_data.negative_families(train=False)
        x, fam = gate_data.sample_set(fams, PER_FAMILY, seed + 1)
        alone, both, _ = rates(x)
        per = [(alone[fam == k].mean(), both[fam == k].mean()) for k in range(len(fams))
               if (fam == k).any()]
        non_digits["held-out families (mean per family)"] = pair(*np.array(per).T)
    fonts = gate_fonts.find_fonts()
    for name, held in (("21 Fontsource hands no model saw", True),
                       ("42 Fontsource hands the CNN learnt digits of", False)):
        families = [f for g, fs in gate_fonts.FONTSOURCE_GROUPS.items()
                    if g.endswith("-2") == held for f in fs if f in fonts]
        if families:
            letters = {f: gate_fonts.glyph_sampler((f,), gate_data._HAND_CHARS) for f in families}
            x, _ = gate_data.sample_set(letters, 30, seed + 5 + held)
            non_digits[f"letters and symbols of {name}"] = pair(*rates(x)[:2])
    test = data.x_test
    plain = slice(0, MEASURE_PLAIN)
    sets = {"MNIST test": (digits_through_app(test[plain]), data.y_test[plain]),
            "MNIST test redrawn with a pen": (_digit_set(test, MEASURE_REDRAWN, seed), None)}
    part = slice(4000, 4000 + MEASURE_STYLED)  # as in the run that decided to ship it
    for name, x in styled_digits(test[part], seed).items():
        sets[f"MNIST test, {name}"] = (x, data.y_test[part] if len(x) == len(test[part])
                                       else None)
    x, y = gate_data.labelled_digits(gate_data.font_digit_samplers(train=False), PER_FAMILY,
                                     seed + 3)
    sets["held-out hands' digits (Debian, Hershey)"] = (x, y)
    fs = {f: gate_fonts.hand_digit_sampler((f,)) for g, names in
          gate_fonts.FONTSOURCE_GROUPS.items() for f in names if f in fonts}
    if fs:
        x, y = gate_data.labelled_digits(fs, 30, seed + 4)
        sets["Fontsource hands' digits"] = (x, y)
    digits, accuracy = {}, {}
    for name, (x, y) in sets.items():
        if not len(x):
            continue  # e.g. no Debian or Hershey hands installed: no figure, not a NaN
        alone, both, calibrated = rates(x)
        digits[name] = pair(alone, both)
        if y is not None:
            right = calibrated["cnn"].argmax(axis=1) == y
            accuracy[name] = {"all": round(float(right.mean()), 5),
                              "gate": round(float(right[~alone].mean()), 5),
                              "gate + stage": round(float(right[~both].mean()), 5)}
    return {"non_digits_flagged": non_digits, "digits_flagged": digits,
            "cnn_accuracy_accepted": accuracy, "seed": seed,
            "held_out_families": sorted(f for f in gate_data.negative_families(train=False)
                                        if is_held_out(f)) if held_out_families else []}
