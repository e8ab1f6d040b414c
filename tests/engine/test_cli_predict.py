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


needs_gate = pytest.mark.skipif(
    not (shipped_model_path("cnn").parent / "gate.keras").exists(), reason="no shipped gate")


@needs_gate
def test_json_reads_numbers_and_says_not_a_digit(capsys, tmp_path, mnist):
    from digitlab.engine.gate_data import compose_number, shape_sampler

    rng = np.random.default_rng(4)
    idx = [3, 2, 1]  # 0 1 2
    number, _ = compose_number(list(mnist.x_test[idx]), rng, height=80, gap_range=(0.2, 0.4))
    Image.fromarray(255 - number).save(tmp_path / "number.png")
    Image.fromarray(shape_sampler("shape:circle-cross")(rng)).save(tmp_path / "cross.png")
    single = write_digit(tmp_path / "seven.png", mnist.x_test[0])
    code, rows = run_json(capsys, [str(tmp_path / "number.png"), str(tmp_path / "cross.png"),
                                   single])
    assert code == 0  # "not a digit" is an answer, not an error
    num, cross, seven = rows

    assert num["number"] == "012" and num["digit"] is None and num["reason"] == "several digits"
    assert len(num["digits"]) == 3
    lefts = [d["box"][1] for d in num["digits"]]
    assert lefts == sorted(lefts)
    for piece, truth in zip(num["digits"], "012", strict=True):
        assert piece["digit"] == int(truth)
        assert len(piece["box"]) == 4 and all(isinstance(v, int) for v in piece["box"])
        assert set(piece["models"]) == {"multinomial", "dnn", "cnn"}
        assert 0.0 <= piece["digit_score"] <= 1.0

    assert cross["digit"] is None and cross["reason"] == "not a digit"
    assert cross["number"] is None and cross["digit_score"] < cross["threshold"]
    assert set(cross["models"]) == {"multinomial", "dnn", "cnn"}

    # One digit: today's keys and answer, plus the number and its one piece.
    assert seven["digit"] == 7 and seven["number"] == "7" and "reason" not in seven
    assert len(seven["digits"]) == 1
    assert seven["digits"][0]["models"] == seven["models"]
    assert seven["digit_score"] >= seven["threshold"]


@needs_gate
def test_readable_output_names_the_number_and_the_non_digit(capsys, tmp_path, mnist):
    from digitlab.engine.gate_data import compose_number, shape_sampler

    rng = np.random.default_rng(6)
    number, _ = compose_number(list(mnist.x_test[[3, 2]]), rng, height=80, gap_range=(0.3, 0.4))
    Image.fromarray(number).save(tmp_path / "n.png")
    Image.fromarray(shape_sampler("shape:star")(rng)).save(tmp_path / "star.png")
    assert main(["predict", str(tmp_path / "n.png"), str(tmp_path / "star.png")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{tmp_path / 'n.png'}: 01 (2 parts:")
    assert out[1].startswith(f"{tmp_path / 'star.png'}: not a digit (digit score ")
