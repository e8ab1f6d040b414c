"""Training: the lesson's defaults, progress events, stop requests, NaN, best weights."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from digitlab.engine.training import (
    LESSON_ACCURACY,
    TrainConfig,
    evaluate_accuracy,
    improved_recipe,
    lesson_recipe,
    split_validation,
    train,
)


def test_lesson_recipe_is_the_default():
    config = lesson_recipe("cnn")
    assert (config.learning_rate, config.batch_size, config.validation_split, config.patience) == (
        1e-4,
        100,
        0.2,
        3,
    )
    assert config.dropout and not config.augment and config.schedule == "constant"
    assert LESSON_ACCURACY == {
        "multinomial": 0.918,
        "dnn": 0.9573,
        "cnn": 0.9845,
        "cnn_dropout": 0.9867,
    }


def test_improved_recipe_changes_the_knobs_it_says():
    config = improved_recipe("dnn")
    assert config.learning_rate == 1e-3 and config.schedule == "cosine" and config.augment
    assert not improved_recipe("multinomial").augment
    # The shipped models' recipe: pen-redrawn digits were tried and not kept.
    assert improved_recipe("cnn").pen_share == lesson_recipe("cnn").pen_share == 0
    assert improved_recipe("cnn").elastic_share == lesson_recipe("cnn").elastic_share == 0


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("epochs", 0, "epochs=0"),
        ("learning_rate", -1.0, "learning_rate=-1.0"),
        ("learning_rate", math.nan, "learning_rate=nan"),
        ("batch_size", 0, "batch_size=0"),
        ("validation_split", 1.0, "validation_split=1.0"),
        ("patience", -2, "patience=-2"),
        ("limit", 1, "limit=1"),
        ("schedule", "linear", "schedule='linear'"),
        ("pen_share", 1.5, "pen_share=1.5"),
        ("pen_share", -0.1, "pen_share=-0.1"),
        ("elastic_share", 1.01, "elastic_share=1.01"),
        ("elastic_share", -0.5, "elastic_share=-0.5"),
        ("kind", "rnn", "model kind 'rnn'"),
    ],
)
def test_bad_knobs_are_refused_with_the_value(field, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        TrainConfig(**{field: value})


def test_validation_split_takes_the_end_like_keras():
    x, y = np.arange(10), np.arange(10)
    (x_tr, _), (x_val, _) = split_validation(x, y, 0.2)
    assert list(x_val) == [8, 9] and list(x_tr) == list(range(8))
    with pytest.raises(ValueError, match="leaves no"):
        split_validation(x[:2], y[:2], 0.2)


def test_short_run_learns_and_reports_progress(mnist):
    events = []
    config = lesson_recipe("dnn", epochs=2, limit=3000, learning_rate=1e-3, seed=3)
    result = train(config, mnist.limit(n_test=2000), on_event=events.append)
    types = [e.type for e in events]
    assert types[0] == "begin" and types[-1] == "end"
    assert types.count("epoch_end") == 2 == result.epochs_run
    batches = [e for e in events if e.type == "batch"]
    assert batches and batches[-1].batch == batches[-1].batches_per_epoch == 24  # 2400 / 100
    assert all(e.samples_per_second > 0 for e in batches)
    assert 0 < batches[0].run_fraction <= batches[-1].run_fraction <= 1.0
    assert len(result.history["val_loss"]) == 2 and result.history["val_loss"][1] < 2.0
    # Far above chance (0.1) after 2 epochs on 2,400 images.
    assert result.test_accuracy > 0.6
    assert result.test_accuracy == pytest.approx(
        evaluate_accuracy(result.model, mnist.x_test[:2000], mnist.y_test[:2000])
    )


def test_stop_request_ends_the_run_and_keeps_the_best_weights(mnist):
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 30  # during the 2nd epoch (24 batches per epoch)

    config = lesson_recipe("multinomial", epochs=20, limit=3000, learning_rate=1e-3, seed=1)
    result = train(config, mnist, should_stop=should_stop, evaluate_test=False)
    assert result.stop_reason == "user"
    assert result.epochs_run == 2  # Keras finishes the epoch's bookkeeping, then stops
    assert result.best_epoch is not None
    assert evaluate_accuracy(result.model, mnist.x_test[:1000], mnist.y_test[:1000]) > 0.6


def test_early_stopping_restores_the_best_epoch(mnist):
    events = []
    # A tiny training set over-fits fast, so val_loss turns up within a few epochs.
    config = lesson_recipe("dnn", epochs=60, limit=300, learning_rate=3e-3, patience=2, seed=0)
    result = train(config, mnist, on_event=events.append, evaluate_test=False)
    assert result.stop_reason == "early_stopping"
    assert result.epochs_run < 60
    best = int(np.argmin(result.history["val_loss"]))
    assert result.best_epoch == best
    messages = [e.message for e in events if e.type == "message"]
    assert any(f"restored the weights of epoch {best + 1}" in m for m in messages)


def test_nan_loss_stops_with_a_message(mnist):
    events = []
    config = lesson_recipe("dnn", epochs=3, limit=2000, learning_rate=1e12, seed=0)
    try:
        result = train(config, mnist, on_event=events.append, evaluate_test=False)
    except FloatingPointError as exc:
        assert "NaN" in str(exc)
    else:
        assert result.stop_reason == "nan"
    assert any("training stopped" in e.message for e in events if e.type == "message")


def test_augmented_training_runs_and_is_reproducible(mnist):
    config = lesson_recipe("cnn", epochs=1, limit=600, augment=True, seed=5, learning_rate=1e-3)
    a = train(config, mnist, evaluate_test=False)
    b = train(config, mnist, evaluate_test=False)
    assert a.history["loss"][0] == pytest.approx(b.history["loss"][0], rel=1e-4)


def test_pen_share_trains_on_pen_redrawn_digits(mnist, monkeypatch):
    """The pen share reaches the pipeline: the run says so and redraws the training digits."""
    import digitlab.engine.augment as augment  # noqa: PLC0415

    redrawn = []
    real = augment.pen_versions

    def spy(x, seed=None, should_stop=None):
        redrawn.append(len(x))
        return real(x, seed, should_stop)

    monkeypatch.setattr(augment, "pen_versions", spy)
    events = []
    config = improved_recipe("cnn", epochs=1, limit=300, seed=3, pen_share=0.3)
    train(config, mnist, on_event=events.append, evaluate_test=False)
    assert redrawn == [270]  # the training part only, not the validation hold-out
    assert any("pen strokes" in e.message for e in events if e.type == "message")
    redrawn.clear()
    train(replace(config, pen_share=0.0), mnist, evaluate_test=False)
    train(replace(config, augment=False), mnist, evaluate_test=False)
    assert redrawn == []


def test_stop_while_redrawing_with_a_pen_reaches_the_redrawing(mnist, monkeypatch):
    """The stop button works during the ~1.5 min of redrawing, not only once batches run."""
    import digitlab.engine.augment as augment  # noqa: PLC0415

    polled = []

    def spy(x, seed=None, should_stop=None):
        polled.append(should_stop is not None and should_stop())
        return np.asarray(x, np.float32)

    monkeypatch.setattr(augment, "pen_versions", spy)
    config = improved_recipe("cnn", epochs=3, limit=1200, seed=3, pen_share=0.5)
    result = train(config, mnist, should_stop=lambda: True, evaluate_test=False)
    assert polled == [True] and result.stop_reason == "user" and result.epochs_run <= 1
