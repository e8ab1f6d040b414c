"""engine.train_report: a run with its test report, and the lines the Train tab shows."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.evaluation import report_from_predictions
from digitlab.engine.train_report import TrainOutcome, describe_outcome, format_duration
from digitlab.engine.training import TrainResult, lesson_recipe


def outcome(kind="dnn", stop_reason="completed", best_epoch=3, finite=True, gallery_size=60,
            dropout=True, epochs_run=5):
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7], np.int64)
    predicted = np.array([0, 1, 2, 3, 4, 5, 7, 1], np.int64)  # two mistakes
    confidence = np.array([0.9] * 6 + [0.6, 0.8], np.float32)  # the 7->1 mistake is surer
    images = np.arange(8 * 28 * 28, dtype=np.uint32).reshape(8, 28, 28).astype(np.uint8)
    images[:, 0, 0] = np.arange(8)  # tell the images apart
    run = TrainResult(model=None, config=lesson_recipe(kind, dropout=dropout), history={},
                      epochs_run=epochs_run, best_epoch=best_epoch, stop_reason=stop_reason,
                      seconds=75.0)
    report = report_from_predictions(labels, predicted, confidence, finite=finite)
    return TrainOutcome.from_run(run, report, images, gallery_size=gallery_size)


def test_the_gallery_holds_the_surest_mistakes_first_with_their_labels():
    result = outcome()
    assert result.test_accuracy == pytest.approx(6 / 8)
    assert [int(i[0, 0]) for i in result.misclassified_images] == [7, 6]
    assert result.misclassified_true.tolist() == [7, 6]
    assert result.misclassified_predicted.tolist() == [1, 7]
    assert result.confusion.sum() == 8 and result.confusion[7, 1] == 1
    limited = outcome(gallery_size=1)
    assert len(limited.misclassified_images) == len(limited.misclassified_true) == 1


def test_the_result_lines_compare_with_the_lesson_and_say_how_the_run_ended():
    text = describe_outcome(outcome())
    assert text == ("Test accuracy 75.00% — the lesson's DNN: 95.73%.\n"
                    "Completed 5 epochs; kept the weights of epoch 4 (1 min 15 s).")
    stopped = describe_outcome(outcome("cnn", "user", best_epoch=None, dropout=False))
    assert "the lesson's CNN without dropout" in stopped
    assert stopped.endswith("\nStopped by you after 5 epochs (1 min 15 s).")
    one = describe_outcome(outcome("dnn", "early_stopping", best_epoch=0, epochs_run=1))
    assert one.endswith("\nEarly stopping ended it after 1 epoch; kept the weights of epoch 1 "
                        "(1 min 15 s).")


def test_a_model_with_nan_outputs_has_no_accuracy():
    result = outcome(stop_reason="nan", finite=False)
    assert result.test_accuracy is None
    assert describe_outcome(result).startswith(
        "Test accuracy not measurable: the model outputs NaN (the lesson's DNN: 95.73%).\n"
        "Stopped: the loss became NaN after 5 epochs")


@pytest.mark.parametrize(("seconds", "text"), [(0, "0 s"), (59.4, "59 s"), (75, "1 min 15 s"),
                                               (3700, "1 h 1 min")])
def test_durations_read_like_a_person_would_say_them(seconds, text):
    assert format_duration(seconds) == text
