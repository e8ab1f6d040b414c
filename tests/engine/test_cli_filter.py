"""``digitlab filter``: the lesson's shapes, outputs, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from digitlab.cli import main
from digitlab.resources import path as resource_path

ROCKET = str(resource_path("photos", "rocket.jpg"))


def _run(capsys, *argv):
    code = main(["filter", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_reports_the_lesson_shapes_on_rocket(capsys):
    code, out, err = _run(capsys, ROCKET, "--json")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert list(report)[:4] == ["input_shape", "kernel_shape", "conv_shape", "pool_shape"]
    assert report["input_shape"] == [1, 427, 640, 1]
    assert report["kernel_shape"] == [3, 3, 1, 1]
    assert report["conv_shape"] == [1, 425, 638, 1]
    assert report["pool_shape"] == [1, 141, 212, 1]
    assert report["channel"] == "red" and report["downscaled"] is False


def test_readable_output_and_options(capsys):
    code, out, _ = _run(capsys, ROCKET, "--kernel", "sobel x", "--kernel", "1,2,1;0,0,0;-1,-2,-1",
                        "--stride", "2", "--padding", "SAME", "--channel", "gray",
                        "--pool", "2", "--pool-stride", "1", "--pool-padding", "same")
    assert code == 0
    assert "input     (1, 427, 640, 1)" in out
    assert "kernel    (3, 3, 1, 2)" in out
    assert "conv2d    (1, 214, 320, 2)" in out
    assert "max_pool  (1, 214, 320, 2)" in out
    assert "gray channel" in out


def test_output_figure_and_arrays(tmp_path, capsys):
    figure, arrays = tmp_path / "fig.png", tmp_path / "result.npz"
    code, _, _ = _run(capsys, ROCKET, "--output", str(figure), "--arrays", str(arrays))
    assert code == 0
    with Image.open(figure) as img:
        assert img.format == "PNG" and img.width > 600
    saved = np.load(arrays)
    assert saved["conv"].shape == (1, 425, 638, 1)
    assert saved["pool"].shape == (1, 141, 212, 1)
    # The pooled map really is the 3x3 maximum of the feature map.
    assert saved["pool"][0, 0, 0, 0] == saved["conv"][0, :3, :3, 0].max()


def test_list_kernels_needs_no_photo(capsys):
    code, out, _ = _run(capsys, "--list-kernels")
    assert code == 0
    assert out.splitlines()[0].startswith("vertical edge (lesson)")
    assert "-1,0,1;-1,0,1;-1,0,1" in out and "sobel x" in out


def test_missing_photo_argument_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["filter"])
    assert info.value.code == 2
    assert "PHOTO" in capsys.readouterr().err


@pytest.mark.parametrize("extra, quoted", [
    (["--kernel", "1,2;3"], "lengths 2, 1"),
    (["--kernel", "wobble"], "'wobble'"),
    (["--kernel", "1,nan;2,3"], "'nan'"),
    (["--stride", "0"], "stride=0"),
    (["--pool", "-1"], "pool=-1"),
    (["--pool", "500"], "pool=500"),
    (["--kernel", ";".join(["1"] * 16)], "16x1"),
])
def test_bad_settings_fail_with_one_line(capsys, extra, quoted):
    code, out, err = _run(capsys, ROCKET, *extra)
    assert code == 1 and out == ""
    assert err.startswith("digitlab filter: error: ") and quoted in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_photos_fail_with_one_line(tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    for path, reason in [(tmp_path / "missing.jpg", "no such file"),
                         (text, "not an image"), (tmp_path, "folder")]:
        code, out, err = _run(capsys, str(path))
        assert code == 1 and out == ""
        assert str(path) in err and reason in err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_non_integer_stride_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["filter", ROCKET, "--stride", "1.5"])
    assert info.value.code == 2
    assert "--stride" in capsys.readouterr().err


def test_the_trained_cnn_kernels_give_32_maps(capsys):
    import json as _json

    from digitlab.cli import main as _main
    from digitlab.resources import path as _path

    code = _main(["filter", str(_path("photos", "rocket.jpg")), "--kernel", "cnn", "--json"])
    assert code == 0
    report = _json.loads(capsys.readouterr().out)
    assert report["kernel_shape"] == [3, 3, 1, 32]
    assert report["conv_shape"] == [1, 425, 638, 32] and report["pool_shape"] == [1, 141, 212, 32]
