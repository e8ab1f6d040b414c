"""``digitlab fit-gate-stage``: fits the second stage onto a gate's card (small samples here)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.engine import gate_stage_fit
from digitlab.engine.calibration import load_temperatures
from digitlab.engine.gate import SHIPPED_GATE, Gate
from digitlab.engine.gate_stage import GATE_SURE, STAGE_KINDS
from digitlab.engine.models import shipped_model_path

pytestmark = pytest.mark.skipif(not SHIPPED_GATE.exists(), reason="no shipped gate")


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(gate_stage_fit, "PER_FAMILY", 3)
    monkeypatch.setattr(gate_stage_fit, "FIT_REDRAWN", 60)
    monkeypatch.setattr(gate_stage_fit, "FIT_STYLED", 20)
    monkeypatch.setattr(gate_stage_fit, "MEASURE_PLAIN", 300)
    monkeypatch.setattr(gate_stage_fit, "MEASURE_REDRAWN", 30)
    monkeypatch.setattr(gate_stage_fit, "MEASURE_STYLED", 20)


def stageless_copy(tmp_path, **report) -> tuple:
    """The shipped gate and its card in ``tmp_path``, the card without its second stage and
    with ``report`` entries added: ``(gate path, card)``."""
    gate_path = tmp_path / "gate.keras"
    shutil.copy(SHIPPED_GATE, gate_path)
    card = json.loads(SHIPPED_GATE.with_suffix(".json").read_text(encoding="utf-8"))
    card.pop("second_stage", None)
    card["report"].update(report)
    gate_path.with_suffix(".json").write_text(json.dumps(card), encoding="utf-8")
    return gate_path, card


def test_it_writes_a_stage_for_the_shipped_models_onto_the_card_and_keeps_the_rest(
        tmp_path, small, capsys, monkeypatch):
    gate_path, card = stageless_copy(tmp_path)
    # As on a machine without Debian's handwriting and Hershey fonts (CI's): that set of
    # digits is empty, which once crashed the gate's numpy pass. An empty set has no figure.
    monkeypatch.setattr(gate_stage_fit.gate_data, "font_digit_samplers", lambda **_: {})

    assert main(["fit-gate-stage", "--gate", str(gate_path), "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "digits flagged, MNIST test: gate" in out and "saved the stage to" in out

    text = gate_path.with_suffix(".json").read_text(encoding="utf-8")
    assert "NaN" not in text
    written = json.loads(text)
    assert "held-out hands' digits (Debian, Hershey)" not in (
        written["second_stage"]["report"]["digits_flagged"])
    assert written["threshold"] == card["threshold"]  # the gate's own card is kept
    assert written["model_sha256"] == card["model_sha256"]
    report = written["second_stage"]["report"]
    assert set(report["models_sha256"]) == set(STAGE_KINDS)
    assert 0.0 <= report["digits_flagged"]["MNIST test"]["gate + stage"] <= 1.0
    gate = Gate.load(gate_path)
    temperatures = load_temperatures(model_files={k: shipped_model_path(k) for k in STAGE_KINDS})
    assert gate.stage is not None and gate.stage.applies_to(temperatures)
    assert np.isfinite(gate.stage.threshold)
    assert gate.stage.gate_sure == GATE_SURE and report["band"] == GATE_SURE  # by default
    assert report["band_share"] is None


def test_a_card_that_cannot_be_read_is_a_one_line_error(tmp_path, capsys):
    gate_path = tmp_path / "gate.keras"
    shutil.copy(SHIPPED_GATE, gate_path)
    gate_path.with_suffix(".json").write_text("{not json", encoding="utf-8")
    assert main(["fit-gate-stage", "--gate", str(gate_path)]) != 0
    err = capsys.readouterr().err
    assert "gate.json" in err and "cannot be read" in err and "Traceback" not in err


def test_the_stage_flags_the_share_of_digits_the_gate_was_trained_to_flag(
        tmp_path, small, monkeypatch):
    """A gate trained with ``train-gate --flag-rate R`` records R; its stage is fitted at R."""
    gate_path, _ = stageless_copy(tmp_path, flag_rate=0.02)
    asked = []
    real = gate_stage_fit.fit_for_gate

    def spy(*args, **kwargs):
        asked.append(kwargs["flag_rate"])
        return real(*args, **kwargs)

    monkeypatch.setattr(gate_stage_fit, "fit_for_gate", spy)
    # A band holding a tenth of the digits: room for the stage to flag 2 % of them (the
    # shipped gate's own threshold, 0.141, lies just under the fixed band's 0.15).
    band = ["--band-share", "0.1"]
    assert main(["fit-gate-stage", "--gate", str(gate_path), "--seed", "7", *band]) == 0
    written = json.loads(gate_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert asked == [0.02] and written["second_stage"]["report"]["flag_rate"] == 0.02

    assert main(["fit-gate-stage", "--gate", str(gate_path), "--seed", "7",
                 "--flag-rate", "0.001", *band]) == 0
    tighter = json.loads(gate_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert asked == [0.02, 0.001]
    # A smaller share of digits flagged: a lower logit needed to be a digit.
    assert tighter["second_stage"]["threshold"] < written["second_stage"]["threshold"]


def test_a_flag_rate_outside_zero_to_one_is_refused(tmp_path, capsys):
    assert main(["fit-gate-stage", "--flag-rate", "1.5", "--data",
                 str(tmp_path / "none.npz")]) != 0
    err = capsys.readouterr().err
    assert "--flag-rate 1.5" in err and "Traceback" not in err


def test_a_band_share_puts_that_share_of_the_fit_digits_in_the_stage_band(
        tmp_path, small, monkeypatch):
    """``--band-share``: the stage decides below the score under which that share of the
    fit's digits lie (tried for gates trained with --mix-outliers, whose scores are lower)."""
    gate_path, _ = stageless_copy(tmp_path)
    seen = {}
    real = gate_stage_fit.fit_stage

    def spy(gate_scores, models, temperatures, non_digits, digits, *args, **kwargs):
        seen["scores"], seen["sure"] = gate_scores(digits), kwargs["gate_sure"]
        return real(gate_scores, models, temperatures, non_digits, digits, *args, **kwargs)

    monkeypatch.setattr(gate_stage_fit, "fit_stage", spy)
    assert main(["fit-gate-stage", "--gate", str(gate_path), "--seed", "7",
                 "--band-share", "0.3"]) == 0
    below = float(np.mean(seen["scores"] < seen["sure"]))
    assert abs(below - 0.3) <= 1.0 / len(seen["scores"]) + 1e-9
    assert seen["sure"] != GATE_SURE
    written = json.loads(gate_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert written["second_stage"]["gate_sure"] == seen["sure"]
    assert written["second_stage"]["report"]["band"] == seen["sure"]
    assert written["second_stage"]["report"]["band_share"] == 0.3  # for fitting twins alike
    assert Gate.load(gate_path).stage.gate_sure == seen["sure"]


@pytest.mark.parametrize("share", ["0", "1", "1.5", "-0.1"])
def test_a_band_share_outside_zero_to_one_is_refused_before_any_work(tmp_path, capsys, share):
    assert main(["fit-gate-stage", "--band-share", share, "--data",
                 str(tmp_path / "none.npz")]) != 0
    err = capsys.readouterr().err
    assert f"--band-share {float(share)}" in err and "Traceback" not in err


def test_band_at_share_is_the_scores_quantile_and_refuses_bands_that_are_no_score():
    scores = np.linspace(0.001, 0.999, 1000)
    band = gate_stage_fit.band_at_share(scores, 0.1)
    assert np.mean(scores < band) == pytest.approx(0.1, abs=0.002)
    assert gate_stage_fit.band_at_share(scores, 0.5) > band
    for share in (0.0, 1.0, float("nan")):
        with pytest.raises(ValueError, match="band share"):
            gate_stage_fit.band_at_share(scores, share)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        gate_stage_fit.band_at_share(np.zeros(100), 0.1)  # every digit scored 0: no band


def test_views_go_onto_the_card_and_the_twins_with_thresholds_chosen_again(
        tmp_path, small, capsys):
    from digitlab.engine.gate_views import VIEW_BELOW, GateViews

    gate_path, card = stageless_copy(tmp_path)
    twin_dir = tmp_path / "twin"
    twin_dir.mkdir()
    twin_path, twin_card = stageless_copy(twin_dir)
    assert main(["fit-gate-stage", "--gate", str(gate_path), "--twin", str(twin_path),
                 "--seed", "7", "--views", "8", "--band-share", "0.2"]) == 0
    views = GateViews((8.0, -8.0), VIEW_BELOW)
    for path, before in ((gate_path, card), (twin_path, twin_card)):
        written = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert written["views"]["threshold_without_views"] == before["threshold"]
        assert written["threshold"] != before["threshold"]  # chosen again, with the views
        assert Gate.load(path).views == views
    assert Gate.load(gate_path).stage is not None


@pytest.mark.parametrize("degrees", ["0", "-8", "50"])
def test_views_outside_0_45_degrees_are_refused_before_any_fitting(tmp_path, small, capsys,
                                                                  degrees):
    gate_path, card = stageless_copy(tmp_path)
    assert main(["fit-gate-stage", "--gate", str(gate_path), f"--views={degrees}"]) != 0
    err = capsys.readouterr().err
    assert "--views" in err and "Traceback" not in err
    assert json.loads(gate_path.with_suffix(".json").read_text(encoding="utf-8")) == card
