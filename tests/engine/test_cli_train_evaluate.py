"""``digitlab train`` and ``evaluate``: JSON, saved models, clean errors, quiet start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digitlab.cli import main
from digitlab.engine.models import load_model, shipped_model_path

ROOT = Path(__file__).resolve().parents[2]
TF_CHATTER = ("oneDNN", "absl", "cuda", "cpu_feature_guard", "I0000", "W0000", "E0000")


def test_train_saves_a_model_and_prints_json(tmp_path, capsys):
    out = tmp_path / "dnn.keras"
    code = main(
        [
            "train",
            "dnn",
            "--limit",
            "600",
            "--epochs",
            "1",
            "--seed",
            "0",
            "--learning-rate",
            "0.001",
            "--output",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["kind"] == "dnn" and summary["epochs_run"] == 1
    assert 0.1 < summary["test_accuracy"] <= 1.0 and summary["lesson_accuracy"] == 0.9573
    model, kind = load_model(out)
    assert kind == "dnn"


def test_train_defaults_to_the_users_data_folder(capsys):
    code = main(["train", "multinomial", "--limit", "300", "--epochs", "1", "--json"])
    assert code == 0
    saved = Path(os.environ["DIGITLAB_DATA_DIR"]) / "models" / "multinomial.keras"
    assert saved.is_file()


def test_hand_digits_join_the_training_split_and_the_card(tmp_path, monkeypatch, capsys):
    import numpy as np

    from digitlab.cli import train as train_cli
    from digitlab.engine import gate_data, training

    seven = np.zeros((280, 280), np.uint8)
    seven[40:60, 60:220] = 255
    seven[60:240, 180:200] = 255
    seen = {}

    def samplers(train, more_hands=False, extra_hands=False):
        seen["asked"] = (train, more_hands, extra_hands)
        return {"hand:a": lambda rng: (seven, 7), "hand:b": lambda rng: (seven, 7)}

    monkeypatch.setattr(gate_data, "font_digit_samplers", samplers)
    real = training.train

    def spy(config, data, *args, extra_train=None, **kwargs):
        seen["extra"] = extra_train
        return real(config, data, *args, extra_train=extra_train, **kwargs)

    monkeypatch.setattr(training, "train", spy)
    out = tmp_path / "dnn.keras"
    assert main(["train", "dnn", "--limit", "300", "--epochs", "1", "--seed", "2",
                 "--hand-digits", "5", "--output", str(out)]) == 0
    x, y = seen["extra"]
    assert x.shape == (10, 28, 28) and y.tolist() == [7] * 10
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["hand_digits"] == {"per_group": 5, "digits": 10, "groups": ["hand:a", "hand:b"]}
    assert seen["asked"] == (True, True, False)  # training groups; the extra hands when asked
    assert main(["train", "dnn", "--limit", "300", "--epochs", "1", "--hand-digits", "5",
                 "--extra-hands", "--output", str(tmp_path / "c.keras")]) == 0
    assert seen["asked"] == (True, True, True)
    # Without fonts, a clear error before any training.
    monkeypatch.setattr(gate_data, "font_digit_samplers", lambda train, **kw: {})
    assert main(["train", "dnn", "--limit", "300", "--hand-digits", "5",
                 "--output", str(tmp_path / "b.keras")]) == 1
    assert "no handwriting or Hershey font" in capsys.readouterr().err
    assert train_cli.HAND_DIGITS_SEED > 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "cnn", "--epochs", "0"], "epochs=0"),
        (["train", "cnn", "--learning-rate", "-1"], "learning_rate=-1.0"),
        (["train", "cnn", "--validation-split", "1.5"], "validation_split=1.5"),
        (["train", "cnn", "--elastic-share", "2"], "elastic_share=2.0"),
        (["train", "cnn", "--output", "model.h5"], "must end in .keras"),
        (["train", "cnn", "--hand-digits", "-1"], "--hand-digits -1"),
        (["train", "cnn", "--extra-hands"], "--extra-hands without --hand-digits"),
        (["train", "cnn", "--data", "/nonexistent/mnist.npz", "--limit", "10"], "not found"),
        (["evaluate", "--model", "/nonexistent/model.keras"], "no such model file"),
    ],
)
def test_bad_input_is_one_line_without_traceback(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "transformer"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_evaluate_json_for_a_model_file(tmp_path, tiny_models, capsys):
    from digitlab.engine.models import save_model_atomic

    path = save_model_atomic(tiny_models["multinomial"], tmp_path / "m.keras")
    assert main(["evaluate", "--model", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report[str(path)]["samples"] == 10000
    assert 0.1 < report[str(path)]["accuracy"] < 1.0


def _subprocess_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_terminal_stays_clean_unless_verbose(tmp_path):
    argv = [
        sys.executable,
        "-m",
        "digitlab",
        "train",
        "multinomial",
        "--limit",
        "200",
        "--epochs",
        "1",
        "--output",
        str(tmp_path / "m.keras"),
    ]
    quiet = subprocess.run(
        argv, capture_output=True, text=True, env=_subprocess_env(), cwd=tmp_path
    )
    assert quiet.returncode == 0, quiet.stderr
    noisy_lines = [line for line in quiet.stderr.splitlines() if any(c in line for c in TF_CHATTER)]
    assert noisy_lines == []
    assert "Test accuracy" in quiet.stdout
    loud = subprocess.run(
        argv[:3] + ["--verbose"] + argv[3:],
        capture_output=True,
        text=True,
        env=_subprocess_env(),
        cwd=tmp_path,
    )
    assert loud.returncode == 0
    assert any(c in loud.stderr for c in TF_CHATTER)


needs_shipped = pytest.mark.skipif(
    not all(shipped_model_path(k).exists() for k in ("multinomial", "dnn", "cnn")),
    reason="the shipped models are not in resources/models yet",
)


@needs_shipped
def test_shipped_models_beat_the_lesson_on_the_full_test_set(capsys):
    assert main(["evaluate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"multinomial", "dnn", "cnn"}
    assert all(row["samples"] == 10000 for row in report.values())
    # The lesson's figures, and the shipped models' goals (README, resources/models/README.md).
    assert report["multinomial"]["accuracy"] >= 0.918
    assert report["dnn"]["accuracy"] >= 0.975
    assert report["cnn"]["accuracy"] >= 0.994


def test_evaluate_styles_reports_each_style(tmp_path, tiny_models, capsys):
    from digitlab.engine.models import save_model_atomic
    from digitlab.engine.styles import STYLES

    path = save_model_atomic(tiny_models["cnn"], tmp_path / "c.keras")
    assert main(["evaluate", "--model", str(path), "--styles", "20", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[str(path)]
    assert set(row["styles"]) == set(STYLES) and row["styles_samples"] == 20
    assert all(0.0 <= acc <= 1.0 for acc in row["styles"].values())
    # Upscaled onto a canvas, MNIST digits stay readable: far above chance even for a tiny model.
    assert row["styles"]["canvas"] > 0.3


def test_styles_render_digits_the_preprocessing_recovers(mnist):
    import numpy as np

    from digitlab.engine.preprocess import preprocess_drawing
    from digitlab.engine.styles import STYLES

    digit = mnist.x_test[0]
    for name, style in STYLES.items():
        image = style(digit, np.random.default_rng(0))
        result = preprocess_drawing(image)
        assert not result.is_empty, name
        # The 28x28 the model sees still looks like the original digit.
        a = result.image28.ravel() - result.image28.mean()
        b = digit.astype("float32").ravel() - digit.mean()
        assert float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) > 0.4, name
