"""The training benchmark's statistics: fast-mode ratio, slow-epoch counts (no timing here)."""

from __future__ import annotations

import pytest

from tests.benchmarks.bench_training import _row

THRESHOLD = 0.7 * 9000


def test_slow_spells_on_one_side_do_not_decide_the_ratio_but_are_counted():
    # Same code speed (9,000/s when fast); plain happened to meet two slow epochs.
    rounds = [([9000.0, 9100.0, 8900.0], [9050.0, 4500.0, 4600.0]),
              ([8950.0, 9000.0, 9050.0], [9000.0, 8950.0, 9100.0])]
    row = _row("ours", rounds, "plain", THRESHOLD)
    assert row["ratio"] == pytest.approx(9000 / 9025, abs=1e-3)
    assert row["within_budget"]
    assert (row["slow_epochs"], row["reference_slow_epochs"]) == (0, 2)
    assert (row["epochs_measured"], row["reference_epochs_measured"]) == (6, 6)
    assert row["round_ratios"][0] == pytest.approx(9000 / 4600, abs=1e-3)


def test_a_per_batch_overhead_lowers_the_fast_mode_ratio_and_fails_the_budget():
    rounds = [([8000.0, 8100.0, 7900.0], [9000.0, 9100.0, 8900.0])] * 3
    row = _row("ours", rounds, "plain", THRESHOLD)
    assert row["ratio"] == pytest.approx(8000 / 9000, abs=1e-3)
    assert not row["within_budget"]
    assert row["pooled_ratio"] == row["ratio"]
