"""Teach it my handwriting: the personal set on disk, and fine-tuning on it."""

from __future__ import annotations

import os

import numpy as np
import pytest

from digitlab.engine.paths import user_data_dir
from digitlab.engine.personal import PersonalSet, fine_tune
from digitlab.engine.training import evaluate_accuracy, lesson_recipe, train


def _drawing(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (28, 28), dtype=np.uint8)


def test_round_trip_keeps_pixels_labels_and_order(tmp_path):
    personal = PersonalSet(tmp_path / "set")
    assert len(personal) == 0 and personal.samples() == []
    added = [personal.add(_drawing(i), label) for i, label in enumerate([3, 7, 3])]
    reopened = PersonalSet(tmp_path / "set")
    samples = reopened.samples()
    assert [s.id for s in samples] == [a.id for a in added]
    assert [s.label for s in samples] == [3, 7, 3]
    for i, sample in enumerate(samples):
        np.testing.assert_array_equal(sample.image, _drawing(i))
        assert sample.image.dtype == np.uint8 and sample.path.exists()
        assert sample.path.name.startswith(f"{sample.label}_")
    x, y = reopened.arrays()
    assert x.shape == (3, 28, 28) and x.dtype == np.uint8
    assert y.tolist() == [3, 7, 3] and y.dtype == np.uint8
    assert reopened.label_counts().tolist() == [0, 0, 0, 2, 0, 0, 0, 1, 0, 0]
    assert reopened.warnings == []


def test_float_drawings_are_stored_as_uint8():
    personal = PersonalSet()  # the default folder, under the test's private data dir
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:16] = 1.0
    image[0, 0] = 0.5
    sample = personal.add(image, 1)
    assert sample.path.parent == user_data_dir() / "personal"
    stored = personal.samples()[0].image
    assert stored[10, 12] == 255 and stored[0, 0] == 128 and stored[5, 5] == 0


def test_delete_removes_one_sample(tmp_path):
    personal = PersonalSet(tmp_path)
    keep, drop = personal.add(_drawing(0), 1), personal.add(_drawing(1), 2)
    personal.delete(drop.id)
    assert [s.id for s in personal.samples()] == [keep.id]
    assert not drop.path.exists()
    with pytest.raises(KeyError, match=drop.id):
        personal.delete(drop.id)
    with pytest.raises(ValueError, match=r"sample_id='\.\./secret'"):
        personal.delete("../secret")


def test_corrupt_and_foreign_files_are_skipped_with_a_warning(tmp_path):
    personal = PersonalSet(tmp_path)
    good = personal.add(_drawing(0), 4)
    (tmp_path / "5_20240101T000000000000_0.png").write_bytes(b"not a png at all")
    big = personal.add(_drawing(1), 6)
    from PIL import Image

    Image.new("L", (30, 28)).save(big.path)  # right name, wrong size
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / ".4_20240101T000000000000_0-abc.tmp").write_bytes(b"half")  # a write in progress
    samples = personal.samples()
    assert [s.id for s in samples] == [good.id]
    warnings = personal.warnings
    assert len(warnings) == 3
    assert any(w.startswith("5_20240101T000000000000_0.png: unreadable") for w in warnings)
    assert any("30x28, not 28x28" in w for w in warnings)
    assert any(w.startswith("notes.txt: not a sample") for w in warnings)
    assert personal.arrays()[0].shape == (1, 28, 28)


def test_a_failed_write_leaves_no_file_behind(tmp_path, monkeypatch):
    personal = PersonalSet(tmp_path)
    personal.add(_drawing(0), 1)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        personal.add(_drawing(1), 2)
    assert sorted(p.name[0] for p in tmp_path.iterdir()) == ["1"]  # no temp file, no 2_*.png
    assert len(personal) == 1 and personal.warnings == []


@pytest.mark.parametrize(
    "image, label, message",
    [
        (np.zeros((28, 28), np.uint8), 10, "label=10"),
        (np.zeros((28, 28), np.uint8), -1, "label=-1"),
        (np.zeros((28, 28), np.uint8), True, "label=True"),
        (np.zeros((20, 28), np.uint8), 1, r"shape \(20, 28\)"),
        (np.full((28, 28), 2.0, np.float32), 1, r"\[2, 2\]"),
    ],
)
def test_bad_samples_are_refused_with_the_value(tmp_path, image, label, message):
    personal = PersonalSet(tmp_path)
    with pytest.raises(ValueError, match=message):
        personal.add(image, label)
    assert len(personal) == 0


def test_fine_tuning_learns_an_odd_handwriting(tiny_models, mnist):
    # "Handwriting" the model has never seen: MNIST digits turned a quarter turn.
    px = np.rot90(mnist.x_test[-40:], k=1, axes=(1, 2)).copy()
    py = mnist.y_test[-40:]
    model = tiny_models["dnn"]
    weights = [w.copy() for w in model.get_weights()]
    data = mnist.limit(n_test=1000)
    config = lesson_recipe("dnn", epochs=1, limit=500, learning_rate=2e-3, patience=0, seed=0)
    events = []
    result = fine_tune(model, "dnn", data, px, py, config, on_event=events.append)
    assert result.before["personal"] == pytest.approx(evaluate_accuracy(model, px, py))
    assert result.before["personal"] < 0.4
    assert result.after["personal"] > result.before["personal"] + 0.3
    # MNIST is still recognised (it was trained on too), far above chance.
    assert result.after["mnist_test"] > 0.4
    assert result.after["mnist_test"] == pytest.approx(
        evaluate_accuracy(result.model, data.x_test, data.y_test))
    assert result.note == ""
    assert result.model is not model
    for before, now in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, now)  # the original model is untouched
    assert events[0].type == "begin" and events[-1].type == "end"
    # 400 MNIST (500 less the validation fifth) + 40 x 20 personal samples, batch 100.
    assert {e.batches_per_epoch for e in events} == {12}
    assert result.train_result.epochs_run == 1


def test_fine_tune_checks_its_inputs_and_flags_tiny_sets(tiny_models, mnist):
    model = tiny_models["multinomial"]
    config = lesson_recipe("multinomial", epochs=1, limit=200, patience=0, seed=0)
    x = mnist.x_test[:3]
    with pytest.raises(ValueError, match="empty personal set"):
        fine_tune(model, "multinomial", mnist, x[:0], mnist.y_test[:0], config)
    with pytest.raises(ValueError, match="kind='dnn' with config.kind='multinomial'"):
        fine_tune(model, "dnn", mnist, x, mnist.y_test[:3], config)
    with pytest.raises(ValueError, match="label=12;"):
        fine_tune(model, "multinomial", mnist, x, np.array([1, 12, 3]), config)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        fine_tune(model, "multinomial", mnist, x, mnist.y_test[:2], config)
    with pytest.raises(ValueError, match="Received a cnn model to fine-tune as kind='multinomial'"):
        fine_tune(tiny_models["cnn"], "multinomial", mnist, x, mnist.y_test[:3], config)
    with pytest.raises(ValueError, match="Received a cnn model to continue training"):
        train(config, mnist, initial_model=tiny_models["cnn"])
    with pytest.raises(ValueError, match=r"extra_train x of shape \(3, 28, 27\)"):
        train(config, mnist, extra_train=(x[:, :, :27], mnist.y_test[:3]))
    with pytest.raises(ValueError, match=r"extra_train labels \[ 1 11\]"):
        train(config, mnist, extra_train=(x[:2], np.array([1, 11])))
    result = fine_tune(model, "multinomial", mnist.limit(n_test=200), x, mnist.y_test[:3], config)
    assert "Only 3 personal sample(s)" in result.note
