"""Temperature scaling, ECE and reliability bins (engine.calibration)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digitlab.engine.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    load_temperatures,
    logits_from_probabilities,
    reliability,
    reliability_from_json,
)


def synthetic(temperature: float, n: int = 20000, seed: int = 0):
    """Logits and labels drawn from softmax(z / temperature): that T is the true one."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, size=(n, 10))
    p = apply_temperature(z, temperature)
    labels = (p.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    return z, labels


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_recovers_the_temperature_the_labels_were_drawn_with(true_t):
    z, labels = synthetic(true_t)
    assert fit_temperature(z, labels) == pytest.approx(true_t, rel=0.05)


def test_temperature_keeps_every_argmax_and_calibrates():
    z, labels = synthetic(2.0)
    raw = apply_temperature(z, 1.0)
    fitted = apply_temperature(z, fit_temperature(z, labels))
    np.testing.assert_array_equal(raw.argmax(axis=1), fitted.argmax(axis=1))
    np.testing.assert_allclose(fitted.sum(axis=1), 1.0)
    # Over-confident by construction; calibrated after.
    assert expected_calibration_error(raw, labels) > 0.05
    assert expected_calibration_error(fitted, labels) < 0.02


def test_log_probabilities_are_logits_for_temperature_scaling():
    z = np.array([[2.0, -1.0, 0.5, 3.0]])
    p = apply_temperature(z, 1.0)
    np.testing.assert_allclose(apply_temperature(logits_from_probabilities(p), 1.7),
                               apply_temperature(z, 1.7), atol=1e-12)


def test_reliability_bins_by_hand():
    # Two predictions at 0.95 (one right), two at 0.55 (both right), 10 bins.
    p = np.array([[0.95, 0.05], [0.95, 0.05], [0.55, 0.45], [0.45, 0.55]])
    labels = np.array([0, 1, 0, 1])
    diagram = reliability(p, labels, n_bins=10)
    assert diagram.counts.sum() == 4
    assert diagram.counts[9] == 2 and diagram.counts[5] == 2
    assert diagram.accuracy[9] == pytest.approx(0.5)
    assert diagram.confidence[5] == pytest.approx(0.55)
    # ECE = 2/4 * |0.5 - 0.95| + 2/4 * |1.0 - 0.55|
    assert diagram.ece == pytest.approx(0.5 * 0.45 + 0.5 * 0.45)
    assert np.isnan(diagram.accuracy[0])
    back = reliability_from_json(json.loads(json.dumps(diagram.to_json())))
    np.testing.assert_allclose(back.counts, diagram.counts)
    assert back.ece == pytest.approx(diagram.ece)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature_is_refused_with_the_value(bad):
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(np.zeros((1, 10)), bad)


def test_fit_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(5, 10\)"):
        fit_temperature(np.zeros((5, 10)), np.zeros(4, int))


def test_one_temperature_per_model_equals_each_model_scaled_alone():
    z = np.random.default_rng(0).normal(size=(3, 5, 10)) * 4
    t = np.array([0.9, 1.1, 1.4])
    together = apply_temperature(z, t[:, None, None])
    for k in range(3):
        np.testing.assert_array_equal(together[k], apply_temperature(z[k], float(t[k])))
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(z, np.array([1.0, 0.0, 1.0])[:, None, None])


def test_a_temperature_fitted_for_another_model_file_is_not_used(tmp_path):
    model = tmp_path / "cnn.keras"
    model.write_bytes(b"version one")
    from digitlab.engine.models import file_sha256

    cal = tmp_path / "calibration.json"
    cal.write_text(json.dumps({"cnn": {"temperature": 1.5, "model_sha256": file_sha256(model)},
                               "dnn": {"temperature": -2}}))
    assert load_temperatures(cal, {"cnn": model}) == {"cnn": 1.5}
    model.write_bytes(b"retrained")
    assert load_temperatures(cal, {"cnn": model}) == {}
    assert load_temperatures(tmp_path / "missing.json") == {}


def test_shipped_temperatures_match_the_shipped_models():
    from digitlab.engine.models import shipped_model_path

    kinds = ("multinomial", "dnn", "cnn")
    temps = load_temperatures(model_files={k: shipped_model_path(k) for k in kinds})
    assert set(temps) == set(kinds)
    assert all(0.3 < t < 5 for t in temps.values())


def test_apply_temperature_stays_finite_for_huge_logits_and_leaves_its_input():
    z = np.array([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]])
    before = z.copy()
    p = apply_temperature(z, 0.5)
    np.testing.assert_array_equal(z, before)  # computed in a copy
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-15)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-15)
