"""The one chunked evaluation, and ``digitlab evaluate --confusion``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.engine.evaluation import (
    ConfusedPair,
    evaluate,
    keras_predict_proba,
    predictor_predict_proba,
    report_from_predictions,
)
from digitlab.engine.inference import load_predictor
from digitlab.engine.models import save_model_atomic

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def one_hot_model(answers: np.ndarray, confidence: np.ndarray | None = None, calls=None):
    """A fake classifier: image i (its pixel [0, 0] holds i) gets digit answers[i]."""
    def predict_proba(batch):
        if calls is not None:
            calls.append(len(batch))
        index = batch[:, 0, 0].astype(int)
        probs = np.full((len(batch), 10), 0.01, np.float32)
        probs[np.arange(len(batch)), answers[index]] = (
            0.91 if confidence is None else confidence[index])
        return probs
    return predict_proba


def indexed_images(n: int) -> np.ndarray:
    images = np.zeros((n, 28, 28), np.float32)
    images[:, 0, 0] = np.arange(n)
    return images


def test_report_counts_every_answer_where_it_belongs():
    labels = np.array([0, 1, 2, 4, 4, 4, 9, 9, 7])
    answers = np.array([0, 1, 3, 9, 9, 4, 4, 9, 1])
    confidence = np.array([.9, .9, .5, .6, .8, .9, .7, .9, .6], np.float32)
    report = evaluate(one_hot_model(answers, confidence), indexed_images(9), labels)
    assert report.samples == 9 and report.correct == 4
    assert report.accuracy == pytest.approx(4 / 9)
    expected = np.zeros((10, 10), np.int64)
    np.add.at(expected, (labels, answers), 1)
    np.testing.assert_array_equal(report.confusion, expected)
    # Mistakes, most confident first; equal confidence keeps image order (3 before 8).
    assert report.misclassified.tolist() == [4, 6, 3, 8, 2]
    assert report.misclassified_true.tolist() == [4, 9, 4, 7, 2]
    assert report.misclassified_predicted.tolist() == [9, 4, 9, 1, 3]
    np.testing.assert_allclose(report.misclassified_confidence, [.8, .7, .6, .6, .5])
    assert report.most_confused == (ConfusedPair(4, 9, 2), ConfusedPair(2, 3, 1),
                                    ConfusedPair(7, 1, 1), ConfusedPair(9, 4, 1))
    assert report.finite


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
def test_chunks_change_nothing_but_the_batch_sizes(chunk_size):
    rng = np.random.default_rng(0)
    labels, answers = rng.integers(0, 10, 100), rng.integers(0, 10, 100)
    calls = []
    report = evaluate(one_hot_model(answers, calls=calls), indexed_images(100), labels,
                      chunk_size=chunk_size)
    whole = report_from_predictions(labels, answers)
    np.testing.assert_array_equal(report.confusion, whole.confusion)
    assert sorted(report.misclassified) == sorted(whole.misclassified)
    assert sum(calls) == 100 and max(calls) == min(chunk_size, 100)


def test_should_stop_abandons_between_chunks():
    calls = []
    asked = iter([False, False, True])
    report = evaluate(one_hot_model(np.zeros(50, int), calls=calls), indexed_images(50),
                      np.zeros(50, int), chunk_size=10, should_stop=lambda: next(asked))
    assert report is None and calls == [10, 10]


def test_nan_outputs_are_reported_as_not_finite():
    def nan_model(batch):
        probs = np.full((len(batch), 10), 0.1, np.float32)
        probs[-1] = np.nan
        return probs
    report = evaluate(nan_model, indexed_images(30), np.zeros(30, int), chunk_size=10)
    assert not report.finite and report.samples == 30


def test_an_empty_set_has_an_empty_report():
    report = evaluate(one_hot_model(np.zeros(1, int)), np.zeros((0, 28, 28)), np.zeros(0, int))
    assert report.samples == 0 and report.accuracy == 0.0 and report.most_confused == ()


@pytest.mark.parametrize("images, labels, proba, message", [
    (np.zeros((3, 28, 28)), np.zeros(4, int), None, "3 images and labels of shape (4,)"),
    (np.zeros((2, 28, 28)), np.array([0, 10]), None, "labels must be 0..9"),
    (np.zeros((2, 28, 28)), np.array([0.0, 1.0]), None, "labels must be 0..9"),
    (np.zeros((2, 28, 28)), np.zeros(2, int), lambda b: np.zeros((len(b), 9)),
     "probabilities of shape (2, 9) for 2 images"),
])
def test_bad_arguments_are_refused(images, labels, proba, message):
    with pytest.raises(ValueError) as info:
        evaluate(proba or one_hot_model(np.zeros(3, int)), images, labels)
    assert message in str(info.value)


def test_keras_and_numpy_models_give_the_same_report(tiny_models, mnist, tmp_path):
    path = save_model_atomic(tiny_models["cnn"], tmp_path / "cnn.keras")
    x, y = mnist.x_test[:500], mnist.y_test[:500]
    keras_report = evaluate(keras_predict_proba(tiny_models["cnn"]), x, y, chunk_size=128)
    numpy_report = evaluate(predictor_predict_proba(load_predictor({"cnn": path}), "cnn"), x, y)
    # Outputs agree to 1e-5, so at most a near-tie could flip one answer.
    assert np.abs(keras_report.confusion - numpy_report.confusion).sum() <= 2
    assert keras_report.accuracy == pytest.approx(numpy_report.accuracy, abs=2 / 500)


# ---------------------------------------------------------------- digitlab evaluate --confusion

MODELS = [str(FIXTURES / "keras-3.3.3-cnn.keras"), str(FIXTURES / "keras-3.3.3-dnn.keras")]


def test_confusion_json_is_a_10x10_matrix_per_model_summing_to_the_test_set(capsys, mnist):
    assert main(["evaluate", "--model", *MODELS, "--confusion", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == MODELS
    for path, row in report.items():
        matrix = np.array(row["confusion"])
        assert matrix.shape == (10, 10) and matrix.dtype.kind == "i"
        assert matrix.sum() == len(mnist.y_test) == row["samples"] == 10000
        assert np.trace(matrix) / 10000 == pytest.approx(row["accuracy"], abs=1e-6)
        # Rows are the true digits: each row sums to how often that digit is in the test set.
        np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(mnist.y_test))
        # The same counts as a plain argmax over the numpy network's outputs.
        probs = load_predictor({"cnn" if "cnn" in path else "dnn": path}).predict_batch(
            mnist.x_test)
        expected = np.zeros((10, 10), int)
        np.add.at(expected, (mnist.y_test, next(iter(probs.values())).argmax(1)), 1)
        np.testing.assert_array_equal(matrix, expected)
        pairs = row["most_confused"]
        assert 0 < len(pairs) <= 5
        counts = [pair["count"] for pair in pairs]
        assert counts == sorted(counts, reverse=True)
        assert all(matrix[p["true"], p["predicted"]] == p["count"] and p["true"] != p["predicted"]
                   for p in pairs)
        assert counts[0] == (matrix - np.diag(np.diag(matrix))).max()


def test_confusion_text_shows_the_matrix_and_the_pairs(capsys):
    assert main(["evaluate", "--model", MODELS[1], "--confusion"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:3] == ["predicted", "->", "0"]
    rows = [line for line in out if line.strip().startswith("true ")]
    assert len(rows) == 10
    assert sum(int(v) for line in rows for v in line.split("|")[1].split()) == 10000
    assert out[-1].startswith("  most confused: ") and "taken for" in out[-1]


def test_without_confusion_the_json_keeps_its_keys(capsys):
    assert main(["evaluate", "--model", MODELS[1], "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)[MODELS[1]]) == {"accuracy", "samples"}
