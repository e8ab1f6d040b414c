"""``digitlab predict``: digit images in, one prediction (or one error) per image out."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.engine.models import save_model_atomic, shipped_model_path


def write_digit(path, digit28: np.ndarray, scale: int = 8, canvas=(420, 360), at=(100, 20),
                dark: bool = True) -> str:
    """Save an MNIST digit upscaled onto a big canvas, off-centre, as a PNG."""
    side = 28 * scale
    up = np.asarray(Image.fromarray(digit28).resize((side, side), Image.BILINEAR))
    image = np.zeros(canvas, np.uint8)
    image[at[0]:at[0] + side, at[1]:at[1] + side] = up
    Image.fromarray(255 - image if dark else image).save(path)
    return str(path)


@pytest.fixture(scope="module")
def model_args(tiny_models, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    args = []
    for kind, model in tiny_models.items():
        args += ["--model", f"{kind}={save_model_atomic(model, folder / f'{kind}.keras')}"]
    return args


def run_json(capsys, argv):
    code = main(["predict", *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_json_reports_every_model_for_every_image(capsys, tmp_path, mnist, tiny_models,
                                                  model_args):
    from digitlab.engine.images import load_digit_image
    from digitlab.engine.inference import Predictor

    paths = [write_digit(tmp_path / "dark.png", mnist.x_test[0]),
             write_digit(tmp_path / "bright.png", mnist.x_test[0], dark=False, at=(5, 130)),
             write_digit(tmp_path / "two.png", mnist.x_test[1], scale=5)]
    code, rows = run_json(capsys, [*paths, *model_args])
    assert code == 0
    assert [row["path"] for row in rows] == paths
    predictor = Predictor.from_keras(tiny_models)
    for row in rows:
        assert set(row["models"]) == {"multinomial", "dnn", "cnn"}
        assert row["digit"] == row["models"]["cnn"]["digit"]
        expected = predictor.predict(load_digit_image(row["path"]))
        for kind, result in row["models"].items():
            assert len(result["probabilities"]) == 10
            assert sum(result["probabilities"]) == pytest.approx(1.0, abs=1e-4)
            np.testing.assert_allclose(result["probabilities"], expected.probabilities[kind],
                                       atol=1e-5)
            assert result["digit"] == expected.digits[kind]
    # The same digit, dark on white or bright on black and elsewhere: the same answer.
    for kind in ("multinomial", "dnn", "cnn"):
        np.testing.assert_allclose(rows[0]["models"][kind]["probabilities"],
                                   rows[1]["models"][kind]["probabilities"], atol=1e-3)


def test_unreadable_files_are_reported_and_the_rest_still_predicted(capsys, tmp_path, mnist,
                                                                    model_args):
    good = write_digit(tmp_path / "good.png", mnist.x_test[2])
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    missing = str(tmp_path / "missing.png")
    code, rows = run_json(capsys, [missing, good, str(text), *model_args])
    assert code == 1
    assert rows[0]["path"] == missing and "no such file" in rows[0]["error"]
    assert rows[2]["path"] == str(text) and "\n" not in rows[2]["error"]
    assert "error" not in rows[1] and isinstance(rows[1]["digit"], int)


def test_blank_image_is_no_digit(capsys, tmp_path, model_args):
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((200, 200), 255, np.uint8)).save(blank)
    code, rows = run_json(capsys, [str(blank), *model_args])
    assert code == 0
    assert rows == [{"path": str(blank), "digit": None, "models": {}, "digit_score": None,
                     "number": None, "digits": [], "reason": "empty"}]


def test_readable_output_is_one_line_per_image(capsys, tmp_path, mnist, model_args):
    good = write_digit(tmp_path / "digit.png", mnist.x_test[3])
    blank = tmp_path / "blank.png"
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(blank)
    missing = str(tmp_path / "gone.png")
    code = main(["predict", good, str(blank), missing, *model_args])
    captured = capsys.readouterr()
    lines = captured.out.splitlines() + captured.err.splitlines()
    assert code == 1 and len(lines) == 3 and len(captured.err.splitlines()) == 1
    model = r"(?: says \d)? \d{1,3}\.\d%"
    assert re.fullmatch(rf".*digit\.png: \d \(cnn{model}, dnn{model}, multinomial{model}\)",
                        lines[0]), lines[0]
    assert lines[1] == f"{blank}: no digit"
    assert lines[2].startswith(f"{missing}: error: ") and "no such file" in lines[2]


def test_a_model_of_the_wrong_kind_is_refused(capsys, tmp_path, mnist, model_args):
    dnn_path = model_args[model_args.index("--model") + 3].split("=", 1)[1]
    assert dnn_path.endswith("dnn.keras")
    image = write_digit(tmp_path / "d.png", mnist.x_test[4])
    code = main(["predict", image, "--model", f"cnn={dnn_path}"])
    err = capsys.readouterr().err
    assert code == 1 and "is a dnn model, expected a cnn model" in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_model_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["predict", "x.png", "--model", "lenet=model.keras"])
    assert exc.value.code == 2
    assert "'lenet=model.keras'" in capsys.readouterr().err


@pytest.mark.skipif(not shipped_model_path("cnn").exists(), reason="no shipped models yet")
def test_shipped_models_read_big_drawn_digits(capsys, tmp_path, mnist):
    """The first test digit of each class, drawn 10x bigger, dark on white, off-centre."""
    indices = [int(np.flatnonzero(mnist.y_test == d)[0]) for d in range(10)]
    paths = [write_digit(tmp_path / f"{i}.png", mnist.x_test[i], scale=10, canvas=(480, 400),
                         at=(20 + 13 * n, 110 - 11 * n))
             for n, i in enumerate(indices)]
    code, rows = run_json(capsys, paths)
    assert code == 0
    assert [row["digit"] for row in rows] == list(range(10))
