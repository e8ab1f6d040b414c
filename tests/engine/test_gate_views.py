"""The gate's second look (engine.gate_views): turned views where the gate is unsure."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from digitlab.engine.gate import SHIPPED_GATE, Gate
from digitlab.engine.gate_views import GateViews, turned, with_views
from digitlab.engine.models import ModelFileError
from digitlab.engine.numpy_layers import Network, Step


def _pixel_network(row: int, col: int) -> Network:
    """A gate whose logit is one pixel's value (scaled): its views see that pixel move."""
    weights = np.zeros((784, 1), np.float32)
    weights[row * 28 + col, 0] = 10.0
    return Network((Step("flatten", "reshape", shape=(-1,)),
                    Step("logit", "dense", weights=weights, bias=np.array([-5.0], np.float32))))


def test_no_turn_is_the_image_itself():
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(turned(x, 0.0), x, atol=1e-6)


def test_a_turn_moves_ink_about_the_centre_by_that_angle():
    """A dot 10 px right of the centre, turned 30 degrees counter-clockwise, lands 10 px
    from the centre at 30 degrees above the horizontal (image rows grow downwards)."""
    c = 13.5
    x = np.zeros((1, 28, 28), np.float32)
    x[0, 13:15, 23:25] = 1.0  # a 2x2 dot centred on (13.5, 23.5)
    out = turned(x, 30.0)[0]
    ys, xs = np.mgrid[0:28, 0:28]
    my, mx = (out * ys).sum() / out.sum(), (out * xs).sum() / out.sum()
    assert math.isclose(mx, c + 10 * math.cos(math.radians(30)), abs_tol=0.2)
    assert math.isclose(my, c - 10 * math.sin(math.radians(30)), abs_tol=0.2)
    assert math.isclose(out.sum(), 4.0, rel_tol=0.02)  # ink kept (bilinear)


def test_only_drawings_under_below_are_seen_again_and_get_the_mean_logit():
    net = _pixel_network(13, 23)
    x = np.zeros((2, 28, 28), np.float32)
    x[0, 13, 23] = 1.0  # logit 5: sure, kept as it is
    x[1, 13, 23] = 0.45  # logit -0.5: unsure, seen again (turned, the pixel loses ink)
    forward = lambda images: net.forward(images)[:, 0]  # noqa: E731
    plain = forward(x).astype(np.float64)
    views = GateViews((8.0, -8.0), 0.5)
    got = with_views(plain, x, views, forward)
    assert got[0] == plain[0]
    expected = (plain[1] + forward(turned(x[1:], 8.0))[0] + forward(turned(x[1:], -8.0))[0]) / 3
    assert got[1] == pytest.approx(expected, abs=1e-6)
    assert got[1] < plain[1]  # the turned views moved the ink off the pixel
    # Through the gate: its scores are the sigmoid of those logits.
    gate = Gate(net, 0.5, views=views)
    np.testing.assert_allclose(gate.scores(x), 1 / (1 + np.exp(-got)), rtol=1e-6)
    np.testing.assert_allclose(Gate(net, 0.5).scores(x), 1 / (1 + np.exp(-plain)), rtol=1e-6)


def test_many_drawings_are_seen_again_in_chunks_with_the_same_result(monkeypatch):
    from digitlab.engine import gate_views

    net = _pixel_network(12, 20)
    x = np.random.default_rng(1).random((50, 28, 28)).astype(np.float32) * 0.6
    gate = Gate(net, 0.5, views=GateViews((8.0, -8.0), 1.0))
    whole = gate.scores(x)
    monkeypatch.setattr(gate_views, "CHUNK", 7)
    np.testing.assert_array_equal(gate.scores(x), whole)


@pytest.mark.parametrize("angles, below", [((), 0.9), ((8.0, math.nan), 0.9), ((60.0,), 0.9),
                                           ((8.0,), 0.0), ((8.0,), 1.5)])
def test_views_outside_their_range_are_refused(angles, below):
    with pytest.raises(ValueError, match="Received"):
        GateViews(angles, below)


def test_the_gate_keeps_its_views_with_another_threshold_or_stage():
    views = GateViews((8.0, -8.0), 0.9)
    gate = Gate(_pixel_network(0, 0), 0.2, views=views)
    assert gate.with_threshold(0.3).views == views
    assert gate.with_stage(None).views == views
    assert gate.with_views(None).views is None


@pytest.mark.skipif(not SHIPPED_GATE.exists(), reason="no shipped gate")
def test_the_card_gives_the_views_and_refuses_unreadable_ones(tmp_path):
    gate = tmp_path / "gate.keras"
    shutil.copy(SHIPPED_GATE, gate)
    card = tmp_path / "gate.json"
    card.write_text(json.dumps({"threshold": 0.1, "views": {"angles": [8, -8], "below": 0.9}}))
    assert Gate.load(gate).views == GateViews((8.0, -8.0), 0.9)
    card.write_text(json.dumps({"threshold": 0.1}))
    assert Gate.load(gate).views is None
    card.write_text(json.dumps({"threshold": 0.1, "views": {"angles": [8]}}))
    with pytest.raises(ModelFileError, match="gate.json.*views"):
        Gate.load(gate)
    assert GateViews.from_json(GateViews((8.0, -8.0), 0.9).to_json()) == GateViews((8.0, -8.0),
                                                                                   0.9)
