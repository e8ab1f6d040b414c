"""The gate's second stage (engine.gate_stage): where the gate is unsure, the models' doubt
decides; only with the models it was fitted on."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from digitlab.engine import gate_data
from digitlab.engine.calibration import load_temperatures
from digitlab.engine.gate import SHIPPED_GATE, Gate, GateDecision
from digitlab.engine.gate_stage import FEATURES, STAGE_KINDS, SecondStage, fit_stage, stage_features
from digitlab.engine.models import ModelFileError, shipped_model_path
from digitlab.engine.reading import Reader

FRESH_SEED = 5151
TEMPERATURES = {"cnn": 1.4, "dnn": 1.1, "multinomial": 0.9}


def _stage(weights=None, bias=0.0, threshold=0.0, gate_sure=0.15) -> SecondStage:
    n = len(FEATURES)
    return SecondStage((0.0,) * n, (1.0,) * n, tuple(weights or (1.0,) + (0.0,) * (n - 1)),
                       bias, threshold, dict(TEMPERATURES), gate_sure)


def _uniform(n: int) -> dict[str, np.ndarray]:
    return {k: np.full((n, 10), 0.1) for k in STAGE_KINDS}


def test_features_are_the_gate_logit_then_each_models_doubt_then_agreement():
    sure = np.eye(10)[[3]]
    calibrated = {"cnn": sure, "dnn": np.eye(10)[[5]], "multinomial": np.full((1, 10), 0.1)}
    f = stage_features(np.array([0.5]), calibrated)[0]
    assert f.shape == (len(FEATURES),)
    assert f[0] == pytest.approx(0.0)                      # logit(0.5)
    assert f[1] == pytest.approx(0.0) and f[2] == pytest.approx(0.0, abs=1e-9)  # cnn sure
    assert f[5] == pytest.approx(math.log(0.1)) and f[6] == pytest.approx(math.log(10))
    assert f[7] == 0.0 and f[8] == 0.0                     # 3 vs 5; 3 vs argmax 0


def test_the_stage_decides_only_below_gate_sure_and_never_for_stricter_decisions():
    # A stage that flags everything it is asked about (logit = gate logit - 100 < 0).
    stage = _stage(bias=-100.0)
    scores = np.array([0.149, 0.15, 0.9, 0.01])
    decisions = [GateDecision(True, 0.149, 0.004), GateDecision(True, 0.15, 0.004),
                 GateDecision(True, 0.9, 0.004), GateDecision(True, 0.01, 0.5)]  # last: a cut
    out = stage.revise(decisions, scores, _uniform(4), gate_threshold=0.004)
    assert [d.is_digit for d in out] == [False, True, True, True]
    assert out[1:] == decisions[1:]  # untouched, as the gate decided them
    assert out[0].threshold == pytest.approx(0.5)  # sigmoid of the stage's threshold 0
    assert out[0].digit_score < 1e-20
    assert stage.flags(scores, _uniform(4)).tolist() == [True, False, False, True]


def test_the_stage_can_accept_what_the_gate_alone_would_flag():
    stage = _stage(bias=100.0)  # accepts everything it is asked about
    out = stage.revise([GateDecision(False, 0.001, 0.004)], np.array([0.001]), _uniform(1),
                       gate_threshold=0.004)
    assert out[0].is_digit and out[0].digit_score > out[0].threshold


def test_it_applies_only_to_the_models_it_was_fitted_on():
    stage = _stage()
    assert stage.applies_to(dict(TEMPERATURES))
    assert not stage.applies_to({**TEMPERATURES, "cnn": 1.41})   # another CNN
    assert not stage.applies_to({"cnn": 1.4, "dnn": 1.1})        # no multinomial model
    assert not stage.applies_to({**TEMPERATURES, "dnn": 1.0})    # an uncalibrated DNN


def test_json_round_trip_and_refusals():
    stage = _stage(weights=[0.5] * len(FEATURES), bias=0.25, threshold=-1.5)
    assert SecondStage.from_json(json.loads(json.dumps(stage.to_json()))) == stage
    bad = stage.to_json()
    bad["features"] = bad["features"][:-1]
    with pytest.raises(ValueError, match="features"):
        SecondStage.from_json(bad)
    with pytest.raises(ValueError, match="finite"):
        _stage(threshold=float("nan"))
    with pytest.raises(ValueError, match="temperatures"):
        SecondStage(*[getattr(stage, f) for f in ("mean", "scale", "weights", "bias",
                                                  "threshold")], {"cnn": 1.0})


def test_fit_puts_the_threshold_at_the_flag_rate_of_the_digits_and_learns_the_doubt():
    rng = np.random.default_rng(0)
    n = 4000
    # Synthetic features: digits have confident models, non-digits doubtful ones, and the
    # gate is unsure of both often enough (scores under 0.15).
    digit_scores = rng.uniform(0.0, 0.3, n)
    non_scores = rng.uniform(0.0, 0.3, n)

    def fake_models(doubt: float, k: int):
        q = np.full((k, 10), doubt / 9)
        q[:, 0] = 1 - doubt
        return q
    images = {"digits": np.zeros((n, 28, 28)), "non": np.ones((n, 28, 28)),
              "hands": np.full((n, 28, 28), 0.5)}

    def gate_scores(x):
        return digit_scores if x.flat[0] == 0 else non_scores if x.flat[0] == 1 else digit_scores

    def models(x):
        doubt = rng.uniform(0.0, 0.2, len(x)) if x.flat[0] != 1 else rng.uniform(0.3, 0.8, len(x))
        return {k: np.stack([fake_models(d, 1)[0] for d in doubt]) for k in STAGE_KINDS}
    stage = fit_stage(gate_scores, models, TEMPERATURES, images["non"], images["digits"],
                      images["hands"], flag_rate=0.01)
    assert stage.weights[FEATURES.index("cnn entropy")] < 0  # doubt says "not a digit"
    flagged = stage.flags(digit_scores, models(images["digits"]))
    assert 0.002 <= flagged.mean() <= 0.03
    assert stage.flags(non_scores, models(images["non"])).mean() > 0.3
    # Without any handwriting or Hershey font installed (CI) there are no hands' digits.
    alone = fit_stage(gate_scores, models, TEMPERATURES, images["non"], images["digits"],
                      np.zeros((0, 28, 28)), flag_rate=0.01)
    assert 0.002 <= alone.flags(digit_scores, models(images["digits"])).mean() <= 0.03


def test_a_card_with_an_unreadable_stage_is_refused_naming_the_card(tmp_path):
    if not SHIPPED_GATE.exists():
        pytest.skip("no shipped gate")
    gate = tmp_path / "gate.keras"
    shutil.copy(SHIPPED_GATE, gate)
    (tmp_path / "gate.json").write_text(json.dumps({"threshold": 0.01,
                                                    "second_stage": {"features": ["x"]}}))
    with pytest.raises(ModelFileError, match="gate.json.*second stage"):
        Gate.load(gate)
    (tmp_path / "gate.json").write_text(json.dumps({"threshold": 0.01}))
    assert Gate.load(gate).stage is None


needs_stage = pytest.mark.skipif(not SHIPPED_GATE.exists() or Gate.load().stage is None,
                                 reason="no shipped gate with a second stage")


@pytest.fixture(scope="module")
def shipped():
    from digitlab.engine.inference import Predictor

    temperatures = load_temperatures(model_files={k: shipped_model_path(k)
                                                  for k in STAGE_KINDS})
    return Gate.load(), Predictor.load_shipped(), temperatures


@needs_stage
def test_the_reader_uses_the_stage_with_the_shipped_models_only(shipped):
    gate, predictor, temperatures = shipped
    assert Reader(predictor, gate, temperatures).stage is gate.stage
    assert Reader(predictor, gate, {**temperatures, "cnn": 1.0}).stage is None
    assert Reader(predictor, gate.with_stage(None), temperatures).stage is None


@needs_stage
def test_shipped_stage_flags_more_non_digits_and_keeps_real_looking_digits(shipped, mnist):
    """Fresh samples of the shipped gate's families (it trained on them; the honest figures
    are its twin's, on the card) and MNIST test digits, plain and in each style."""
    from digitlab.engine.gate_stage_fit import calibrated_models
    from digitlab.engine.gate_training import digits_through_app, styled_digits

    gate, predictor, temperatures = shipped
    models = calibrated_models(predictor, temperatures)
    families = gate_data.negative_families(train=False)
    x, _ = gate_data.sample_set(families, 20, FRESH_SEED)
    scores = gate.scores(x)
    alone, both = scores < gate.threshold, gate.stage.flags(scores, models(x))
    assert both.sum() > alone.sum()  # measured: 548 against 539 of 600
    digits = np.concatenate([digits_through_app(mnist.x_test[-1000:]),
                             *styled_digits(mnist.x_test[-300:], FRESH_SEED).values()])
    # measured: 3 of 3,100 (0.1 %), as the gate alone
    assert np.mean(gate.stage.flags(gate.scores(digits), models(digits))) <= 0.012
    # The reader decides the same way: a drawing the stage flags reads "not a digit".
    reader = Reader(predictor, gate, temperatures)
    pick = np.flatnonzero(both & ~alone)[:3]
    for i in pick:
        piece = reader.read_image28(x[i])
        assert not piece.is_digit and piece.gate.digit_score < piece.gate.threshold
