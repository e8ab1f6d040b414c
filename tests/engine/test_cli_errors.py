"""Every kind of bad file on the command line: one line naming the file, no traceback, exit 1.

``digitlab filter`` and ``digitlab predict`` get bad images, ``digitlab evaluate
--model`` and ``digitlab predict --model`` bad model files, ``digitlab train
--data`` and ``digitlab evaluate --data`` bad MNIST files. Most cases run
in-process through :func:`digitlab.cli.main`; one per command runs the real
``python -m digitlab`` in a subprocess, where a traceback or TensorFlow's
chatter would really reach the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.engine.models import build_model, save_model_atomic, shipped_model_path
from tests.image_files import png_bomb

ROOT = Path(__file__).resolve().parents[2]
needs_shipped = pytest.mark.skipif(
    not all(shipped_model_path(k).exists() for k in ("multinomial", "dnn", "cnn")),
    reason="the shipped models are not in resources/models yet")


# ----- bad images ------------------------------------------------------------------------
def _truncated(path: Path, fmt: str) -> Path:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path, format=fmt)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


BAD_IMAGES = {
    "missing": (lambda d: d / "gone.png", "no such file"),
    "folder": (lambda d: (d / "photos").mkdir() or d / "photos", "folder"),
    "empty": (lambda d: (d / "empty.jpg").write_bytes(b"") or d / "empty.jpg", "empty"),
    "text": (lambda d: (d / "notes.png").write_text("not a PNG") and d / "notes.png",
             "not an image"),
    "truncated jpeg": (lambda d: _truncated(d / "cut.jpg", "JPEG"), "corrupt or truncated"),
    "truncated png": (lambda d: _truncated(d / "cut.png", "PNG"), "corrupt or truncated"),
    "unsupported": (lambda d: Image.new("RGB", (16, 16)).save(d / "icon.ico") or d / "icon.ico",
                    "unsupported format ICO"),
    "bomb": (lambda d: png_bomb(d / "bomb.png"), "decompression bomb"),
}


# ----- bad model files -------------------------------------------------------------------
def _saved(model, path: Path) -> Path:
    return save_model_atomic(model, path)


def _foreign_shape(path: Path) -> Path:
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    return _saved(keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                    keras.layers.Dense(5)]), path)


def _lambda_model(path: Path) -> Path:
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Lambda(lambda x: x * 2),
                              keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    model.save(path)  # plain Keras save: the user's file, not ours
    return path


def _truncated_model(path: Path) -> Path:
    _saved(build_model("cnn"), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _foreign_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "holiday photos")
    return path


def _nan_weights(path: Path) -> Path:
    model = build_model("cnn")
    weights = model.get_weights()
    weights[-1][:] = np.nan
    model.set_weights(weights)
    return _saved(model, path)


BAD_MODELS = {
    "missing": (lambda d: d / "gone.keras", "no such model file"),
    "folder": (lambda d: (d / "m.keras").mkdir() or d / "m.keras", "folder"),
    "empty": (lambda d: (d / "m.keras").write_bytes(b"") or d / "m.keras", "empty"),
    "not a zip": (lambda d: (d / "m.keras").write_text("HDF5?") and d / "m.keras",
                  "not a Keras model"),
    "truncated": (lambda d: _truncated_model(d / "m.keras"), "m.keras"),
    "foreign zip": (lambda d: _foreign_zip(d / "m.keras"), "no config.json"),
    "foreign shape": (lambda d: _foreign_shape(d / "m.keras"), "takes (32, 32, 3)"),
    "lambda": (lambda d: _lambda_model(d / "m.keras"), "serialized code"),
    "nan weights": (lambda d: _nan_weights(d / "m.keras"), "NaN"),
}


# ----- bad MNIST files -------------------------------------------------------------------
def _npz(path: Path, **overrides) -> Path:
    arrays = {"x_train": np.zeros((20, 28, 28), np.uint8), "y_train": np.arange(20) % 10,
              "x_test": np.zeros((5, 28, 28), np.uint8), "y_test": np.arange(5)}
    arrays.update(overrides)
    with open(path, "wb") as fh:  # a handle: np.savez keeps the name as given
        np.savez(fh, **{k: v for k, v in arrays.items() if v is not None})
    return path


BAD_DATA = {
    "missing": (lambda d: d / "gone.npz", "not found"),
    "not an npz": (lambda d: (d / "m.npz").write_text("1,2,3") and d / "m.npz",
                   "not a zip archive"),
    "missing keys": (lambda d: _npz(d / "m.npz", y_test=None), "missing key(s) y_test"),
    "wrong shape": (lambda d: _npz(d / "m.npz", x_train=np.zeros((20, 32, 32), np.uint8)),
                    "x_train has shape (20, 32, 32)"),
    "wrong dtype": (lambda d: _npz(d / "m.npz", x_test=np.zeros((5, 28, 28), np.float64)),
                    "x_test has dtype float64"),
    "labels": (lambda d: _npz(d / "m.npz", y_train=np.arange(20)), "label 10"),
    "truncated": (lambda d: _npz(d / "m.npz").write_bytes(b"PK\x03\x04") and d / "m.npz",
                  "not a readable .npz"),
}


def _error_line(capsys, command: str, argv: list[str]) -> str:
    """Run ``digitlab`` in-process; return its one stderr line (checks exit 1, no traceback)."""
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"digitlab {command}: error: ")
    return lines[0]


@pytest.mark.parametrize("kind", list(BAD_IMAGES))
def test_filter_a_bad_photo(tmp_path, capsys, kind):
    make, reason = BAD_IMAGES[kind]
    path = make(tmp_path)
    line = _error_line(capsys, "filter", ["filter", str(path)])
    assert str(path) in line and reason in line


@needs_shipped
@pytest.mark.parametrize("kind", list(BAD_IMAGES))
def test_predict_a_bad_image(tmp_path, capsys, kind):
    make, reason = BAD_IMAGES[kind]
    path = make(tmp_path)
    code = main(["predict", str(path)])
    captured = capsys.readouterr()
    # One line per unreadable image, on stderr; stdout keeps the results only.
    assert code == 1 and captured.out == ""
    assert captured.err.splitlines() == [captured.err.strip()]
    assert captured.err.startswith(f"{path}: error: ") and reason in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("kind", list(BAD_MODELS))
def test_evaluate_a_bad_model_file(tmp_path, capsys, kind):
    make, reason = BAD_MODELS[kind]
    path = make(tmp_path)
    line = _error_line(capsys, "evaluate", ["evaluate", "--model", str(path)])
    assert str(path) in line and reason in line


@pytest.mark.parametrize("kind", ["empty", "truncated", "lambda", "nan weights"])
def test_predict_with_a_bad_model_file(tmp_path, capsys, kind):
    make, reason = BAD_MODELS[kind]
    path = make(tmp_path)
    image = tmp_path / "digit.png"
    Image.new("L", (28, 28), 0).save(image)
    line = _error_line(capsys, "predict", ["predict", str(image), "--model", f"cnn={path}"])
    assert str(path) in line and reason in line


def test_predict_with_a_model_of_another_kind(tmp_path, capsys):
    path = _saved(build_model("dnn"), tmp_path / "dnn.keras")
    image = tmp_path / "digit.png"
    Image.new("L", (28, 28), 0).save(image)
    line = _error_line(capsys, "predict", ["predict", str(image), "--model", f"cnn={path}"])
    assert "is a dnn model, expected a cnn model" in line


@pytest.mark.parametrize("kind", list(BAD_DATA))
def test_train_with_bad_data(tmp_path, capsys, kind):
    make, reason = BAD_DATA[kind]
    path = make(tmp_path)
    output = tmp_path / "out.keras"
    line = _error_line(capsys, "train", ["train", "multinomial", "--data", str(path),
                                         "--epochs", "1", "--output", str(output)])
    assert str(path) in line and reason in line
    assert not output.exists()


@pytest.mark.parametrize("kind", ["not an npz", "labels"])
def test_evaluate_with_bad_data(tmp_path, capsys, kind):
    make, reason = BAD_DATA[kind]
    path = make(tmp_path)
    line = _error_line(capsys, "evaluate", ["evaluate", "--data", str(path)])
    assert str(path) in line and reason in line


# ----- the real command, in a subprocess -------------------------------------------------
def _digitlab(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "digitlab", *argv], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def _assert_one_clean_error_line(proc: subprocess.CompletedProcess, command: str, *needles):
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr  # no TensorFlow chatter either
    assert lines[0].startswith(f"digitlab {command}: error: ")
    for needle in needles:
        assert needle in lines[0]


def test_subprocess_filter_refuses_a_decompression_bomb(tmp_path):
    bomb = png_bomb(tmp_path / "bomb.png")
    proc = _digitlab("filter", str(bomb), cwd=tmp_path)
    _assert_one_clean_error_line(proc, "filter", str(bomb), "20000x20000", "refused")
    assert proc.stdout == ""


def test_subprocess_evaluate_refuses_a_lambda_model(tmp_path):
    path = _lambda_model(tmp_path / "lambda.keras")
    proc = _digitlab("evaluate", "--model", str(path), cwd=tmp_path)
    _assert_one_clean_error_line(proc, "evaluate", str(path), "serialized code")


def test_subprocess_train_refuses_data_with_wrong_labels(tmp_path):
    path = _npz(tmp_path / "mine.npz", y_train=np.arange(20))
    proc = _digitlab("train", "dnn", "--data", str(path), "--output",
                     str(tmp_path / "out.keras"), cwd=tmp_path)
    _assert_one_clean_error_line(proc, "train", str(path), "y_train has label 10")
    assert not (tmp_path / "out.keras").exists()


def test_subprocess_predict_reports_a_truncated_image_and_a_bad_model(tmp_path):
    image = _truncated(tmp_path / "cut.jpg", "JPEG")
    model = _truncated_model(tmp_path / "cnn.keras")
    proc = _digitlab("predict", str(image), "--model", f"cnn={model}", cwd=tmp_path)
    _assert_one_clean_error_line(proc, "predict", str(model))
    assert proc.stdout == ""
    if shipped_model_path("cnn").exists():
        proc = _digitlab("predict", str(image), cwd=tmp_path)
        assert proc.returncode == 1 and proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{image}: error: corrupt or truncated")
