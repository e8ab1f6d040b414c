"""``digitlab calibrate``: says when new temperatures switch the gate's second stage off."""

from __future__ import annotations

import json

import pytest

from digitlab.cli import main
from digitlab.engine import calibration
from digitlab.engine.gate import SHIPPED_GATE, read_stage

pytestmark = pytest.mark.skipif(
    not SHIPPED_GATE.exists() or read_stage(SHIPPED_GATE) is None,
    reason="no shipped gate with a second stage")


@pytest.fixture
def app_file(tmp_path, monkeypatch):
    """The file the app reads its temperatures from, moved to a temporary place."""
    path = tmp_path / "calibration.json"
    monkeypatch.setattr(calibration, "SHIPPED_CALIBRATION", path)
    return path


def test_the_shipped_recipe_keeps_the_stage_and_says_nothing(app_file, capsys):
    assert main(["calibrate"]) == 0
    err = capsys.readouterr().err
    temperatures = {k: v["temperature"] for k, v in json.loads(app_file.read_text()).items()}
    assert read_stage(SHIPPED_GATE).applies_to(temperatures)
    assert "fit-gate-stage" not in err


def test_other_temperatures_for_the_app_say_the_stage_is_off_until_refitted(app_file, capsys):
    assert main(["calibrate", "--validation-split", "0.05"]) == 0
    err = capsys.readouterr().err
    temperatures = {k: v["temperature"] for k, v in json.loads(app_file.read_text()).items()}
    assert not read_stage(SHIPPED_GATE).applies_to(temperatures)
    assert "second stage" in err and "digitlab fit-gate-stage" in err


def test_temperatures_written_elsewhere_leave_the_app_alone_and_say_nothing(
        app_file, tmp_path, capsys):
    other = tmp_path / "other.json"
    assert main(["calibrate", "--validation-split", "0.05", "--output", str(other)]) == 0
    assert other.exists() and not app_file.exists()
    assert "fit-gate-stage" not in capsys.readouterr().err
