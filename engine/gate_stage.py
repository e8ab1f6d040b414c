"""The gate's second stage: where the gate itself is unsure, the three models' doubt decides.

The gate (:mod:`engine.gate`) flags 83 % of the kinds of drawing it never saw (its twin's
honest figure). What it lets through is often something the lesson's models are unsure
of too: a letter read "8" at 60 %, with the DNN saying "3". The second stage is a
logistic regression over nine numbers the app has already computed for every drawing:

    the gate's logit; per model (CNN, DNN, multinomial) the log of its largest calibrated
    probability and the entropy of its calibrated probabilities; whether the CNN agrees
    with the DNN, and with the multinomial model.

It only decides where the gate is unsure (gate score below :attr:`SecondStage.gate_sure`,
0.15): a digit written unusually (turned 20 degrees, or in a pen whose skeleton lost a
loop) makes the models unsure too, and without that band the stage flagged 1.5-1.7 % of
turned digits. Its threshold flags 0.6 % of validation digits (plain, redrawn and in the
seven styles of :mod:`engine.styles`) together with the band.

It was fitted on the shipped models' calibrated outputs, so it applies only to those
models: :meth:`SecondStage.applies_to` checks their temperatures, which
``calibration.json`` gives only to the very files it was fitted on (SHA-256). With any
other model in use (a model trained in the app, ``predict --model``) the gate decides
alone, as before. ``digitlab fit-gate-stage`` fits it and writes it onto the gate's card.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

#: The models the stage reads, in the order of its features.
STAGE_KINDS = ("cnn", "dnn", "multinomial")
#: The features' names, in order (see :func:`stage_features`).
FEATURES = ("gate logit",
            "cnn log max p", "cnn entropy", "dnn log max p", "dnn entropy",
            "multinomial log max p", "multinomial entropy",
            "cnn agrees with dnn", "cnn agrees with multinomial")
#: From this gate score on, the gate alone accepts (the stage decides below it).
GATE_SURE = 0.15
#: The share of validation digits the gate and the stage together flag, unless the gate's
#: card records the rate it was trained with (``train-gate --flag-rate``).
FLAG_RATE = 0.006


def stage_features(gate_scores: np.ndarray, calibrated: Mapping[str, np.ndarray]) -> np.ndarray:
    """The nine features of :data:`FEATURES`.

    Args:
        gate_scores: ``(N,)`` the gate's digit scores (0..1).
        calibrated: kind -> ``(N, 10)`` calibrated probabilities, for every kind of
            :data:`STAGE_KINDS`.

    Returns:
        float64 ``(N, 9)``.
    """
    s = np.clip(np.asarray(gate_scores, np.float64), 1e-7, 1 - 1e-7)
    cols = [np.log(s / (1 - s))]
    top = {}
    for kind in STAGE_KINDS:
        q = np.asarray(calibrated[kind], np.float64)
        cols.append(np.log(np.maximum(q.max(axis=1), 1e-12)))
        cols.append(-(q * np.log(q + 1e-12)).sum(axis=1))
        top[kind] = q.argmax(axis=1)
    cols.append((top["cnn"] == top["dnn"]).astype(np.float64))
    cols.append((top["cnn"] == top["multinomial"]).astype(np.float64))
    return np.stack(cols, axis=1)


@dataclass(frozen=True)
class SecondStage:
    """A fitted second stage (see the module docstring).

    Attributes:
        mean, scale: the features' standardisation (9 each).
        weights, bias: the logistic regression on standardised features.
        threshold: the stage's logit a drawing needs when the gate is unsure.
        temperatures: kind -> the temperature of the model it was fitted on.
        gate_sure: the gate score from which the gate alone accepts.
        report: what was measured when it was fitted (JSON).
    """

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    temperatures: dict[str, float]
    gate_sure: float = GATE_SURE
    report: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        n = len(FEATURES)
        if not (len(self.mean) == len(self.scale) == len(self.weights) == n):
            raise ValueError(f"Received a second stage with {len(self.weights)} weights; "
                             f"expected {n}.")
        values = (*self.mean, *self.scale, *self.weights, self.bias, self.threshold,
                  *self.temperatures.values())
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            raise ValueError("Received a second stage with a value that is not a finite number.")
        if min(self.scale) <= 0 or not 0 < self.gate_sure < 1:
            raise ValueError("Received a second stage with a scale <= 0 or gate_sure "
                             "outside (0, 1).")
        if set(self.temperatures) != set(STAGE_KINDS):
            raise ValueError(f"Received temperatures for {sorted(self.temperatures)}; "
                             f"expected {sorted(STAGE_KINDS)}.")

    def logits(self, features: np.ndarray) -> np.ndarray:
        """The stage's logit per row of :func:`stage_features`."""
        z = (np.asarray(features, np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights) + self.bias

    def applies_to(self, temperatures: Mapping[str, float]) -> bool:
        """True when the models in use are the ones it was fitted on: all three, each with
        the very temperature it was fitted with."""
        return all(k in temperatures and abs(float(temperatures[k]) - t) <= 1e-6 * t
                   for k, t in self.temperatures.items())

    def _logits_at(self, scores: np.ndarray, calibrated: Mapping[str, np.ndarray],
                   rows) -> np.ndarray:
        """The stage's logits of the drawings at ``rows`` (an index or a bool mask)."""
        sub = {k: np.asarray(calibrated[k])[rows] for k in STAGE_KINDS}
        return self.logits(stage_features(scores[rows], sub))

    def flags(self, gate_scores: np.ndarray, calibrated: Mapping[str, np.ndarray]
              ) -> np.ndarray:
        """bool ``(N,)``: True where the drawing is not a digit (gate and stage together)."""
        scores = np.asarray(gate_scores, np.float64)
        unsure = scores < self.gate_sure
        out = np.zeros(len(scores), bool)
        if unsure.any():
            out[unsure] = self._logits_at(scores, calibrated, unsure) < self.threshold
        return out

    def revise(self, decisions: list, gate_scores: np.ndarray,
               calibrated: Mapping[str, np.ndarray], gate_threshold: float) -> list:
        """The gate's decisions (``engine.gate.GateDecision`` or None), with the stage
        deciding where the gate is unsure.

        A decision taken at a stricter threshold than the gate's own (a piece cut out of
        connected ink must score at least ``engine.segment.CUT_SCORE``) stays the gate's:
        above :attr:`gate_sure` anyway, it is what the segmentation relies on.

        Returns:
            New decisions: where the stage decided, ``digit_score`` is the sigmoid of its
            logit and ``threshold`` the sigmoid of its threshold, so the two numbers
            shown are the ones that decided.
        """
        scores = np.asarray(gate_scores, np.float64)
        pick = [i for i, d in enumerate(decisions) if d is not None
                and d.threshold <= gate_threshold and scores[i] < self.gate_sure]
        if not pick:
            return decisions
        z = self._logits_at(scores, calibrated, pick)
        t = _sigmoid(self.threshold)
        out = list(decisions)
        for i, zi in zip(pick, z.tolist(), strict=True):
            out[i] = replace(out[i], is_digit=zi >= self.threshold,
                             digit_score=_sigmoid(zi), threshold=t)
        return out

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "threshold": self.threshold,
                "gate_sure": self.gate_sure, "temperatures": dict(self.temperatures),
                "report": self.report}

    @classmethod
    def from_json(cls, entry: dict) -> SecondStage:
        """Back from :meth:`to_json`.

        Raises:
            ValueError: a field is missing or not of the expected kind.
        """
        try:
            if list(entry["features"]) != list(FEATURES):
                raise ValueError(f"features {entry['features']!r}; expected {list(FEATURES)!r}")
            return cls(tuple(map(float, entry["mean"])), tuple(map(float, entry["scale"])),
                       tuple(map(float, entry["weights"])), float(entry["bias"]),
                       float(entry["threshold"]),
                       {str(k): float(v) for k, v in dict(entry["temperatures"]).items()},
                       float(entry.get("gate_sure", GATE_SURE)), dict(entry.get("report", {})))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"unreadable second stage ({exc!r})") from None


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(z, -60.0), 60.0)))


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-3,
                 steps: int = 3000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by full-batch gradient descent (standardised ``x``).

    Returns:
        ``(weights, bias)``.
    """
    weights, bias = np.zeros(x.shape[1]), 0.0
    total = float(w.sum())
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ weights + bias, -60, 60)))
        g = (p - y) * w
        weights -= rate * (x.T @ g / total + l2 * weights)
        bias -= rate * float(g.sum()) / total
    return weights, bias


def fit_stage(gate_scores: Callable[[np.ndarray], np.ndarray],
              models: Callable[[np.ndarray], Mapping[str, np.ndarray]],
              temperatures: Mapping[str, float], non_digits: np.ndarray,
              digits: np.ndarray, hand_digits: np.ndarray, flag_rate: float = FLAG_RATE,
              gate_sure: float = GATE_SURE) -> SecondStage:
    """Fit the stage.

    Args:
        gate_scores: images -> the gate's scores. models: images -> kind -> calibrated
            probabilities ``(N, 10)``.
        temperatures: the models' temperatures (the stage applies only with these).
        non_digits: ``(N, 28, 28)`` the gate's training families, fresh samples.
        digits: validation digits the gate and the models did not train on (plain,
            redrawn, styled): the fit's digit side and the threshold's.
        hand_digits: digits of the training hands (the fit's digit side too).
        flag_rate: the share of ``digits`` the gate and the stage together may flag.
    """
    def feats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = gate_scores(x)
        return stage_features(s, models(x)), s

    (fn, _), (fd, sd) = feats(non_digits), feats(digits)
    fh = feats(hand_digits)[0] if len(hand_digits) else np.zeros((0, len(FEATURES)))
    x = np.concatenate([fn, fd, fh])
    y = np.concatenate([np.zeros(len(fn)), np.ones(len(fd)), np.ones(len(fh))])
    # Non-digits weigh as much as all digits; validation and hands' digits half each (the
    # validation digits all of it where no handwriting or Hershey font is installed).
    share = 0.5 if len(fh) else 1.0
    w = np.concatenate([np.ones(len(fn)), np.full(len(fd), share * len(fn) / len(fd)),
                        np.full(len(fh), 0.5 * len(fn) / max(len(fh), 1))])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    weights, bias = fit_logistic((x - mean) / scale, y, w)
    stage = SecondStage(tuple(mean.tolist()), tuple(scale.tolist()), tuple(weights.tolist()),
                        float(bias), 0.0, {k: float(temperatures[k]) for k in STAGE_KINDS},
                        gate_sure)
    # Only the digits the gate is unsure of can be flagged: the threshold is the logit
    # below which ``flag_rate`` of all digits fall.
    z = np.where(sd < gate_sure, stage.logits(fd), np.inf)
    threshold = float(np.quantile(z, flag_rate))
    if not math.isfinite(threshold):
        raise ValueError("Received digits the gate is sure of almost all of; the stage "
                         "would flag none: fit it with more (or harder) digits.")
    return replace(stage, threshold=threshold)
