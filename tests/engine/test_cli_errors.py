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
    "fifo": (lambda d: os.mkfifo(d / "pipe.png") or d / "pipe.png", "is a FIFO"),
    "device": (lambda d: (d / "zero.png").symlink_to("/dev/zero") or d / "zero.png",
               "is a character device"),
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
    "fifo": (lambda d: os.mkfifo(d / "m.keras") or d / "m.keras", "is a FIFO"),
    "device": (lambda d: (d / "m.keras").symlink_to("/dev/zero") or d / "m.keras",
               "is a character device"),
    "huge weights": (lambda d: _huge_weights(d / "m.keras"), "NaN or infinite"),
    "flat input": (lambda d: _flat_input(d / "m.keras"), "28, 28)"),
    "traversal": (lambda d: _traversal(d / "m.keras"), "unsafe member name '../evil.py'"),
}


def _huge_weights(path: Path) -> Path:
    model = build_model("dnn")
    model.set_weights([np.full_like(w, 1e37) for w in model.get_weights()])
    return _saved(model, path)


def _flat_input(path: Path) -> Path:
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    return _saved(keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, "softmax")]),
                  path)


def _traversal(path: Path) -> Path:
    import warnings

    _saved(build_model("multinomial"), path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("../evil.py", "import os")
    return path


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
    "fifo": (lambda d: os.mkfifo(d / "m.npz") or d / "m.npz", "is a FIFO"),
    "device": (lambda d: (d / "m.npz").symlink_to("/dev/zero") or d / "m.npz",
               "is a character device"),
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


# ----- issue 11: kernels, outputs, train's --output ----------------------------------------
ROCKET = ROOT / "resources" / "photos" / "rocket.jpg"


@pytest.mark.parametrize("form", [["--kernel", "-1,0,1;-1,0,1;-1,0,1"],
                                  ["--kernel=-1,0,1;-1,0,1;-1,0,1"],
                                  ["--kernel", "-.5 0 .5; -1/9 0 1e-1"],
                                  ["--kernel", "[[-1, 0, 1], [-1, 0, 1]]"]])
def test_kernel_rows_starting_with_minus(capsys, form):
    assert main(["filter", str(ROCKET), *form, "--json"]) == 0
    import json

    summary = json.loads(capsys.readouterr().out)
    assert summary["kernels"] == [form[-1].removeprefix("--kernel=")]


def test_a_word_that_is_not_numbers_is_still_an_option_error(capsys):
    with pytest.raises(SystemExit):
        main(["filter", str(ROCKET), "--kernel", "-x"])


def test_kernel_count_at_and_past_the_limit():
    from digitlab.engine.kernels import MAX_KERNELS, FilterError, check_kernel_count

    assert check_kernel_count(MAX_KERNELS) == MAX_KERNELS
    with pytest.raises(FilterError, match=f"Received {MAX_KERNELS + 1} kernels; at most "
                                          f"{MAX_KERNELS}"):
        check_kernel_count(MAX_KERNELS + 1)


def test_repeated_cnn_kernels_are_refused_before_any_work(capsys, monkeypatch):
    import digitlab.cli.filter as cli_filter

    monkeypatch.setattr(cli_filter, "_cnn_kernels", lambda: [np.eye(3, dtype=np.float32)] * 32)
    line = _error_line(capsys, "filter", ["filter", str(ROCKET)] + ["--kernel", "cnn"] * 8)
    assert "at most 64" in line


def test_feature_budget_reduces_the_photo_at_and_past_the_boundary():
    from digitlab.engine.kernels import side_for_feature_budget

    assert side_for_feature_budget((100, 200), 4, limit=80_000) is None
    side = side_for_feature_budget((100, 200), 4, limit=79_999)
    assert side is not None and side < 200 and (side * side // 2) * 4 <= 80_000


def test_overflowing_filter_result_is_an_error(capsys, tmp_path):
    arrays = tmp_path / "r.npz"
    line = _error_line(capsys, "filter", ["filter", str(ROCKET), "--kernel", "3e38,3e38;3e38,3e38",
                                          "--arrays", str(arrays)])
    assert "overflows float32" in line and not arrays.exists()


def test_arrays_reports_the_name_it_writes(capsys, tmp_path):
    import json

    assert main(["filter", str(ROCKET), "--arrays", str(tmp_path / "result"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["arrays"] == str(tmp_path / "result.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.npz"]
    with np.load(tmp_path / "result.npz") as npz:
        assert npz["conv"].shape == (1, 425, 638, 1)
    assert main(["filter", str(ROCKET), "--arrays", str(tmp_path / "result")]) == 0
    assert f"arrays    {tmp_path / 'result.npz'}" in capsys.readouterr().out


def test_outputs_are_written_both_or_neither(capsys, tmp_path, monkeypatch):
    figure, arrays = tmp_path / "fig.png", tmp_path / "res.npz"

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    line = _error_line(capsys, "filter", ["filter", str(ROCKET), "--output", str(figure),
                                          "--arrays", str(arrays)])
    assert str(arrays) in line and "No space left" in line
    assert list(tmp_path.iterdir()) == []  # no figure, no temporaries


@pytest.mark.parametrize("make, reason", [
    (lambda d: (d / "x.keras").mkdir(), "x.keras: is a folder; cannot write the model"),
    (lambda d: (d / "x.json").write_text('{"mine": 1}'), "x.json: exists and is not a Digit Lab"),
    (lambda d: (d / "sub").write_text("a file"), "sub is a file, not a folder"),
])
def test_train_checks_its_output_before_training(capsys, tmp_path, monkeypatch, make, reason):
    import digitlab.engine.training as training

    make(tmp_path)
    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("trained anyway"))
    output = tmp_path / ("sub/x.keras" if reason.startswith("sub ") else "x.keras")
    line = _error_line(capsys, "train", ["train", "multinomial", "--output", str(output)])
    assert reason in line
    if (tmp_path / "x.json").exists():
        assert (tmp_path / "x.json").read_text() == '{"mine": 1}'


def test_train_keeps_the_model_when_the_save_fails_at_the_end(capsys, tmp_path, monkeypatch):
    import digitlab.engine.model_store as store

    monkeypatch.setenv("DIGITLAB_DATA_DIR", str(tmp_path / "data"))
    output = tmp_path / "out" / "m.keras"
    real = store._write_model_temp

    def fail_once(model, path):
        if path == output:
            raise OSError(30, "Read-only file system", str(path))
        return real(model, path)

    monkeypatch.setattr(store, "_write_model_temp", fail_once)
    code = main(["train", "multinomial", "--epochs", "1", "--limit", "200", "--output",
                 str(output)])
    err = capsys.readouterr().err
    assert code == 1 and str(output) in err and "Read-only file system" in err
    saved = list((tmp_path / "data" / "models").glob("m-*.keras"))
    assert len(saved) == 1 and f"saved to {saved[0]} instead" in err
    assert saved[0].with_suffix(".json").exists()


def test_a_pool_that_would_run_for_minutes_is_refused_at_once(capsys):
    from digitlab.engine.kernels import MAX_POOL_WORK, FilterError, check_pool_work

    line = _error_line(capsys, "filter", ["filter", str(ROCKET), "--pool", "400",
                                          "--pool-stride", "1", "--pool-padding", "same"])
    assert "pool=400" in line and "comparisons" in line
    # At and past the limit: 10x10 map, window 10 SAME stride 1 = 100 * 10 * 10 = 10,000.
    check_pool_work((10, 10), 10, 1, "SAME", 1, limit=10_000)
    with pytest.raises(FilterError, match="10,000 comparisons, more than the limit of 9,999"):
        check_pool_work((10, 10), 10, 1, "SAME", 1, limit=9_999)
    check_pool_work((425, 638), 3, 3, "VALID", 64, limit=MAX_POOL_WORK)  # the lesson's pool
