"""Honest probabilities: temperature scaling, expected calibration error, reliability bins.

A network trained to minimise cross-entropy is usually over-confident: of the
digits it calls with 99 %, fewer than 99 % are right. Temperature scaling
(Guo et al., 2017) divides the logits by one number ``T`` fitted on held-out
data, ``softmax(z / T)``; the argmax, hence every predicted digit, is unchanged.

The lesson's models end in a softmax, so the logits come back as log-probabilities,
``z = log p`` (the true logits minus their log-sum-exp, a constant per image that
softmax ignores): ``softmax(log p / T)`` is exactly temperature scaling.

Temperatures are stored in ``resources/models/calibration.json`` beside the models,
each with the SHA-256 of the model file it was fitted for: a retrained or replaced
model gets ``T = 1`` (uncalibrated) rather than another model's temperature.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab import resources

#: Where the shipped models' temperatures are stored.
SHIPPED_CALIBRATION = resources.path("models", "calibration.json")
#: Bins of the reliability diagram and of the ECE.
N_BINS = 15
_TINY = np.float64(1e-45)


def logits_from_probabilities(probabilities: np.ndarray) -> np.ndarray:
    """Log-probabilities, the logits up to a per-row constant: float64 ``(..., 10)``."""
    z = np.maximum(np.asarray(probabilities, np.float64), _TINY)
    return np.log(z, out=z)


def apply_temperature(logits: np.ndarray, temperature: float | np.ndarray) -> np.ndarray:
    """``softmax(logits / T)`` along the last axis.

    Args:
        logits: ``(..., K)``; temperature: > 0, one for all rows or an array that
            broadcasts against ``logits`` (e.g. ``(M, 1, 1)`` for ``(M, N, K)``: one per model).

    Returns:
        float64 ``(..., K)``, rows summing to 1; the argmax is that of ``logits``.
    """
    t = np.asarray(temperature, np.float64)
    if not bool(np.all(np.isfinite(t) & (t > 0))):
        raise ValueError(f"Received temperature={temperature!r}; expected a finite value > 0.")
    return softmax_at(np.asarray(logits, np.float64), t)


def softmax_at(logits: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """:func:`apply_temperature` without checking ``T`` (a caller that checked it once).

    Args:
        logits: float64 ``(..., K)``. temperature: float64, finite, > 0, broadcastable.

    Returns:
        float64 ``(..., K)``, the same values as :func:`apply_temperature`.
    """
    z = logits / temperature
    # The ufuncs' own reductions: what ndarray.max/sum call, without their Python wrappers.
    z -= np.maximum.reduce(z, axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= np.add.reduce(z, axis=-1, keepdims=True)
    return z


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean ``-log softmax(z / T)[label]`` over ``(N, K)`` logits and ``(N,)`` labels."""
    z = np.asarray(logits, np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(z)), np.asarray(labels, np.int64)]))


def fit_temperature(logits: np.ndarray, labels: np.ndarray,
                    bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature minimising the negative log-likelihood (golden-section search on log T).

    Args:
        logits: ``(N, K)`` held-out logits (or log-probabilities); labels: ``(N,)`` ints.
        bounds: the search range of ``T``.

    Returns:
        ``T`` > 0.

    Raises:
        ValueError: shapes that do not match, or no samples.
    """
    logits = np.asarray(logits, np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2 or len(logits) == 0 or labels.shape != (len(logits),):
        raise ValueError(f"Received logits of shape {logits.shape} and labels of shape "
                         f"{labels.shape}; expected (N, K) and (N,) with N >= 1.")
    lo, hi = math.log(bounds[0]), math.log(bounds[1])
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa = negative_log_likelihood(logits, labels, math.exp(a))
    fb = negative_log_likelihood(logits, labels, math.exp(b))
    for _ in range(60):  # the NLL is unimodal in log T; 60 steps reach ~1e-12
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = negative_log_likelihood(logits, labels, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = negative_log_likelihood(logits, labels, math.exp(b))
    return float(math.exp((lo + hi) / 2))


@dataclass(frozen=True)
class ReliabilityDiagram:
    """Confidence against accuracy in equal-width confidence bins, for drawing.

    Attributes:
        edges: float ``(B + 1,)`` bin edges over [0, 1].
        confidence: float ``(B,)`` mean top probability in each bin (NaN when empty).
        accuracy: float ``(B,)`` share of correct predictions in each bin (NaN when empty).
        counts: int ``(B,)`` predictions in each bin.
        ece: expected calibration error: ``sum(counts / N * |accuracy - confidence|)``.
    """

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    ece: float

    def to_json(self) -> dict:
        """Lists (NaN -> None) for JSON."""
        def clean(a):
            return [None if not np.isfinite(v) else round(float(v), 6) for v in a]
        return {"edges": clean(self.edges), "confidence": clean(self.confidence),
                "accuracy": clean(self.accuracy), "counts": [int(c) for c in self.counts],
                "ece": round(self.ece, 6)}


def reliability(probabilities: np.ndarray, labels: np.ndarray, n_bins: int = N_BINS
                ) -> ReliabilityDiagram:
    """Bin predictions by their top probability and compare with how often they were right.

    Args:
        probabilities: ``(N, K)`` rows summing to 1; labels: ``(N,)`` ints.
        n_bins: equal-width bins over [0, 1].

    Returns:
        A :class:`ReliabilityDiagram`.
    """
    p = np.asarray(probabilities, np.float64)
    labels = np.asarray(labels)
    if p.ndim != 2 or len(p) == 0 or labels.shape != (len(p),):
        raise ValueError(f"Received probabilities of shape {p.shape} and labels of shape "
                         f"{labels.shape}; expected (N, K) and (N,) with N >= 1.")
    if n_bins < 1:
        raise ValueError(f"Received n_bins={n_bins}; expected >= 1.")
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bins are (lo, hi]; a confidence of exactly 0 (impossible for a softmax) goes in the first.
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(idx, conf, n_bins) / counts
        mean_acc = np.bincount(idx, correct, n_bins) / counts
    gaps = np.where(counts > 0, np.abs(mean_acc - mean_conf), 0.0)
    ece = float(np.sum(counts / len(p) * gaps))
    return ReliabilityDiagram(edges, mean_conf, mean_acc, counts, ece)


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray,
                               n_bins: int = N_BINS) -> float:
    """ECE with ``n_bins`` equal-width bins (see :class:`ReliabilityDiagram`)."""
    return reliability(probabilities, labels, n_bins).ece


def load_temperatures(path: str | Path = SHIPPED_CALIBRATION,
                      model_files: dict[str, Path] | None = None) -> dict[str, float]:
    """Temperatures stored in a calibration file, kind -> ``T``.

    Args:
        path: the JSON file (missing file: no temperatures).
        model_files: kind -> the model file in use; an entry fitted for a file with
            another SHA-256 is dropped (that model is then uncalibrated, ``T = 1``).

    Returns:
        kind -> temperature, only for kinds with a valid entry.
    """
    from digitlab.engine.models import file_sha256  # noqa: PLC0415

    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for kind, entry in entries.items() if isinstance(entries, dict) else ():
        t = entry.get("temperature") if isinstance(entry, dict) else None
        if not isinstance(t, (int, float)) or not (0 < t < 1e3):
            continue
        if model_files is not None:
            model = model_files.get(kind)
            try:
                if model is None or file_sha256(model) != entry.get("model_sha256"):
                    continue
            except OSError:
                continue
        out[kind] = float(t)
    return out


def calibrate_kind(val_probabilities: np.ndarray, val_labels: np.ndarray,
                   test_probabilities: np.ndarray, test_labels: np.ndarray) -> dict:
    """Fit one model's temperature on held-out data and measure it on the test set.

    Args:
        val_probabilities: ``(N, 10)`` softmax outputs on the validation split; val_labels ``(N,)``.
        test_probabilities: ``(M, 10)`` on the test set; test_labels ``(M,)``.

    Returns:
        ``{"temperature", "ece_before", "ece_after", "nll_before", "nll_after",
        "reliability_before", "reliability_after"}`` (test-set figures; reliability as JSON).
    """
    t = fit_temperature(logits_from_probabilities(val_probabilities), val_labels)
    test_logits = logits_from_probabilities(test_probabilities)
    before = reliability(apply_temperature(test_logits, 1.0), test_labels)
    after = reliability(apply_temperature(test_logits, t), test_labels)
    return {
        "temperature": round(t, 6),
        "ece_before": round(before.ece, 6),
        "ece_after": round(after.ece, 6),
        "nll_before": round(negative_log_likelihood(test_logits, test_labels, 1.0), 6),
        "nll_after": round(negative_log_likelihood(test_logits, test_labels, t), 6),
        "reliability_before": before.to_json(),
        "reliability_after": after.to_json(),
    }


def reliability_from_json(entry: dict) -> ReliabilityDiagram:
    """A :class:`ReliabilityDiagram` back from :meth:`ReliabilityDiagram.to_json`."""
    def arr(values):
        return np.array([np.nan if v is None else v for v in values], np.float64)
    return ReliabilityDiagram(arr(entry["edges"]), arr(entry["confidence"]),
                              arr(entry["accuracy"]), np.asarray(entry["counts"], np.int64),
                              float(entry["ece"]))


def load_calibration_report(path: str | Path = SHIPPED_CALIBRATION) -> dict:
    """The whole calibration file (kind -> entry of :func:`calibrate_kind` plus ``model_sha256``).

    Returns ``{}`` when the file is missing or unreadable.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
