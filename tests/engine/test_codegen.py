"""Copy as code: the snippets compile, run, and reproduce what the app computes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitlab.engine.codegen import filter_code, training_code
from digitlab.engine.filters import KERNEL_PRESETS, FilterSettings, apply_filter
from digitlab.engine.images import extract_channel, load_photo
from digitlab.engine.models import build_model
from digitlab.engine.training import TrainConfig, lesson_recipe


@pytest.fixture
def photo_file(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (37, 52, 3), dtype=np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(rgb).save(path)
    return path


def _run(code: str) -> dict:
    namespace: dict = {"__name__": "__snippet__"}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace


@pytest.mark.parametrize(
    "kernels, settings, channel",
    [
        (KERNEL_PRESETS["vertical edge (lesson)"], FilterSettings(), "red"),
        (KERNEL_PRESETS["gaussian blur"], FilterSettings(stride=2, padding="SAME", pool=2), "gray"),
        (
            [KERNEL_PRESETS["sobel x"], KERNEL_PRESETS["sobel y"], KERNEL_PRESETS["box blur"]],
            FilterSettings(pool=3, pool_stride=2, pool_padding="SAME"),
            "blue",
        ),
        # Learned-looking kernels: values that need all of float32's digits.
        (np.random.default_rng(1).normal(0, 0.3, (32, 3, 3)).astype(np.float32),
         FilterSettings(pool=2), "green"),
    ],
)
def test_filter_snippet_reproduces_the_filters_tab(photo_file, capsys, kernels, settings, channel):
    code = filter_code(kernels, settings, channel, str(photo_file))
    ns = _run(code)
    expected = apply_filter(
        extract_channel(load_photo(photo_file).rgb, channel), kernels, settings
    )
    assert ns["x"].shape == expected.input_shape
    assert tuple(ns["kernel"].shape) == expected.kernel_shape
    assert tuple(ns["conv"].shape) == expected.conv_shape
    assert tuple(ns["pooled"].shape) == expected.pool_shape
    np.testing.assert_allclose(ns["conv"].numpy()[0], expected.conv, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(ns["pooled"].numpy()[0], expected.pooled, rtol=1e-5, atol=1e-3)
    printed = capsys.readouterr().out
    assert f"conv:   {expected.conv_shape}" in printed
    assert f"pooled: {expected.pool_shape}" in printed
    assert f"strides=[1, {settings.stride}, {settings.stride}, 1]" in code


def test_filter_snippet_handles_transparency_and_downscaling(tmp_path):
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[10:30, 10:50, 3] = 255  # an opaque block on a transparent background
    path = tmp_path / "logo.png"
    Image.fromarray(rgba).save(path)
    photo = load_photo(path, max_side=30)
    assert photo.downscaled
    code = filter_code(KERNEL_PRESETS["identity"], FilterSettings(pool=1), "green",
                       str(path), resize_to=photo.size)
    ns = _run(code)
    assert ns["x"].shape == (1, photo.size[1], photo.size[0], 1)
    # Transparent pixels are white (255 green), opaque ones the block's 0 green.
    green = ns["x"][0, :, :, 0]
    assert green[0, 0] == 255 and green[photo.size[1] // 2, photo.size[0] // 2] == 0


def test_filter_code_refuses_a_bad_channel():
    with pytest.raises(ValueError, match="channel='alpha'"):
        filter_code(KERNEL_PRESETS["identity"], FilterSettings(), "alpha", "photo.jpg")


@pytest.mark.parametrize("kind", ["multinomial", "dnn", "cnn"])
@pytest.mark.parametrize("dropout", [True, False])
def test_training_snippet_defines_exactly_the_apps_model(kind, dropout):
    code = training_code(TrainConfig(kind=kind, dropout=dropout))
    compile(code, "<snippet>", "exec")
    model_source = code[code.index("model = keras.Sequential("):code.index("model.summary()")]
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    ns = {"keras": keras, "layers": keras.layers}
    exec(model_source, ns)  # noqa: S102
    built, reference = ns["model"], build_model(kind, dropout=dropout)
    assert [(type(a).__name__, a.name, a.output.shape) for a in built.layers] == [
        (type(b).__name__, b.name, b.output.shape) for b in reference.layers
    ]
    for a, b in zip(built.layers, reference.layers, strict=True):
        a_config = {k: v for k, v in a.get_config().items() if k not in ("seed", "dtype")}
        b_config = {k: v for k, v in b.get_config().items() if k not in ("seed", "dtype")}
        assert a_config == b_config
    assert built.count_params() == reference.count_params()


def test_training_snippet_writes_the_knobs():
    code = training_code(lesson_recipe("cnn", patience=4, schedule="cosine", learning_rate=3e-4))
    assert "EarlyStopping(" in code and "patience=4" in code
    assert "CosineDecay(" in code and "0.0003" in code
    assert "validation_split = 0.2" in code and "batch_size = 100" in code
    assert "EarlyStopping" not in training_code(lesson_recipe("dnn", patience=0))
    assert "CosineDecay" not in training_code(lesson_recipe("dnn"))


@pytest.mark.parametrize("augment", [False, True])
def test_training_snippet_trains_on_a_small_slice(monkeypatch, mnist, capsys, augment):
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    # The snippet loads MNIST with keras.datasets (a download): give it the bundled copy.
    monkeypatch.setattr(
        keras.datasets.mnist, "load_data",
        lambda: ((mnist.x_train, mnist.y_train), (mnist.x_test[:300], mnist.y_test[:300])),
    )
    config = lesson_recipe("cnn", epochs=1, limit=200, learning_rate=1e-3, augment=augment,
                           schedule="cosine", seed=0)
    ns = _run(training_code(config))
    assert len(ns["history"].history["loss"]) == 1
    assert "val_loss" in ns["history"].history
    assert ns["model"].count_params() == build_model("cnn").count_params()
    assert "test accuracy:" in capsys.readouterr().out
