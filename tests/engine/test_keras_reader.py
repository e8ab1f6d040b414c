"""The TF-free reader: same outputs as Keras's own loading, same refusals, each naming the file."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from digitlab.engine.inference import Predictor, load_predictor
from digitlab.engine.keras_reader import plan_layers, read_model_network, read_network
from digitlab.engine.models import ModelFileError, load_model, save_model_atomic, shipped_model_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Saved by Keras 3.3.3 (see fixtures/make_old_keras_models.py): no layer names on the
#: weight groups, dtype as a plain string, auto-generated layer names.
OLD_KERAS = {"cnn": FIXTURES / "keras-3.3.3-cnn.keras", "dnn": FIXTURES / "keras-3.3.3-dnn.keras"}
TOLERANCE = 1e-5

needs_shipped = pytest.mark.skipif(
    not all(shipped_model_path(k).exists() for k in ("multinomial", "dnn", "cnn")),
    reason="the shipped models are not in resources/models",
)


def _inputs(mnist) -> np.ndarray:
    """Test digits, plus blank, saturated and noisy images (float32 (N, 28, 28) in [0, 1])."""
    rng = np.random.default_rng(1)
    extra = np.stack([np.zeros((28, 28)), np.ones((28, 28)), rng.random((28, 28))])
    return np.concatenate([mnist.x_test[:200] / np.float32(255), extra]).astype(np.float32)


def _keras_outputs(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model(x, training=False))


def _assert_same(network, model, x) -> None:
    ours, theirs = network.forward(x), _keras_outputs(model, x)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE)


@needs_shipped
@pytest.mark.parametrize("kind", ["multinomial", "dnn", "cnn"])
def test_shipped_models_predict_as_keras_does(kind, mnist):
    path = shipped_model_path(kind)
    network, read_kind = read_model_network(path, expected_kind=kind)
    model, _ = load_model(path, expected_kind=kind)
    assert read_kind == kind
    _assert_same(network, model, _inputs(mnist))


@pytest.mark.parametrize("kind", ["multinomial", "dnn", "cnn"])
def test_freshly_trained_models_predict_as_keras_does(kind, tiny_models, mnist, tmp_path):
    path = save_model_atomic(tiny_models[kind], tmp_path / f"{kind}.keras")
    network, read_kind = read_model_network(path)
    assert read_kind == kind
    _assert_same(network, tiny_models[kind], _inputs(mnist))


def test_feature_maps_and_kernels_match_the_keras_model(tiny_models, mnist, tmp_path):
    path = save_model_atomic(tiny_models["cnn"], tmp_path / "cnn.keras")
    ours = load_predictor({"cnn": path})
    theirs = Predictor.from_keras({"cnn": tiny_models["cnn"]})
    image = mnist.x_test[3] / np.float32(255)
    for a, b in zip(ours.feature_maps(image), theirs.feature_maps(image), strict=True):
        assert a.name == b.name and a.shape == b.shape
        np.testing.assert_allclose(a.array, b.array, atol=TOLERANCE)
    np.testing.assert_array_equal(ours.cnn_first_layer_kernels(),
                                  theirs.cnn_first_layer_kernels())


@pytest.mark.parametrize("version, kind", [("3.3.3", "cnn"), ("3.3.3", "dnn"), ("3.0.5", "cnn")])
def test_models_saved_by_an_older_keras_3_predict_as_keras_does(version, kind, mnist):
    path = FIXTURES / f"keras-{version}-{kind}.keras"
    assert json.loads(zipfile.ZipFile(path).read("metadata.json"))["keras_version"] == version
    network, read_kind = read_model_network(path)
    model, _ = load_model(path)
    assert read_kind == kind
    _assert_same(network, model, _inputs(mnist))


# ---------------------------------------------------------------- refusals

def _rewrite(src: Path, dst: Path, config=None, weights=None, drop=()) -> Path:
    """Copy a .keras archive, changing its config (a function of the dict), its weights
    (a function of the open h5py file) or dropping members."""
    import h5py

    with zipfile.ZipFile(src) as zf:
        members = {name: zf.read(name) for name in zf.namelist() if name not in drop}
    if config is not None:
        parsed = json.loads(members["config.json"])
        config(parsed)
        members["config.json"] = json.dumps(parsed).encode()
    if weights is not None:
        buffer = io.BytesIO(members["model.weights.h5"])
        with h5py.File(buffer, "r+") as h5:
            weights(h5)
        members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def _layers(config: dict) -> list:
    return config["config"]["layers"]


def _set_weight(dataset: str, value):
    def change(h5):
        h5[dataset][...] = value
    return change


def _insert_layer(layer: dict, at: int = 1):
    return lambda config: _layers(config).insert(at, layer)


CASES = {
    "a Lambda layer": (
        "dnn", dict(config=_insert_layer({"module": "keras.layers", "class_name": "Lambda",
                                          "config": {"name": "run_me"}})),
        "serialized code"),
    "a class from another module": (
        "dnn", dict(config=_insert_layer({"module": "evil.layers", "class_name": "Dense",
                                          "config": {"name": "x", "units": 12}})),
        "class evil.layers.Dense"),
    "a layer the numpy network does not run": (
        "dnn", dict(config=_insert_layer({"module": "keras.layers",
                                          "class_name": "BatchNormalization",
                                          "config": {"name": "bn"}}, at=2)),
        "layer 'bn' is a BatchNormalization"),
    "weights that do not fit the config": (
        "dnn", dict(config=lambda c: _layers(c)[2]["config"].update(units=13)),
        "weight 0 is float32 (784, 12); its config implies float (784, 13)"),
    "an input other than 28x28": (
        "dnn", dict(config=lambda c: _layers(c)[0]["config"].update(batch_shape=[None, 784])),
        "the model takes (784,)"),
    "an output other than 10 probabilities": (
        "dnn", dict(config=lambda c: _layers(c)[3]["config"].update(units=9)),
        "the model returns (9,); expected (10,)"),
    "padding='same'": (
        "cnn", dict(config=lambda c: _layers(c)[2]["config"].update(padding="same")),
        "padding='same'"),
    "a conv window larger than its input": (
        "cnn", dict(config=lambda c: _layers(c)[2]["config"].update(kernel_size=[29, 3])),
        "does not fit"),
    "float16 layers": (
        "dnn", dict(config=lambda c: _layers(c)[2]["config"].update(dtype="mixed_float16")),
        "computes in 'mixed_float16'"),
    "NaN weights": (
        "dnn", dict(weights=_set_weight("layers/dense/vars/0", np.nan)),
        "weights hold NaN or infinite values"),
    "weights so large the outputs overflow": (
        "dnn", dict(weights=_set_weight("layers/dense/vars/0", 3e38)),
        "outputs are NaN or infinite"),
    "a missing weight array": (
        "dnn", dict(weights=lambda h5: h5.__delitem__("layers/dense_1/vars/1")),
        "layer 'dense_3' has 1 weight arrays; its config implies 2"),
    "integer weights": (
        "dnn", dict(weights=lambda h5: (h5.__delitem__("layers/dense_1/vars/1"),
                                        h5.create_dataset("layers/dense_1/vars/1",
                                                          data=np.zeros(10, np.int32)))),
        "weight 1 is int32 (10,); its config implies float (10,)"),
    "no weights member": (
        "dnn", dict(drop=("model.weights.h5",)), "no model.weights.h5 inside"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_files_are_refused_in_one_line_naming_the_file(case, tmp_path):
    kind, change, message = CASES[case]
    path = _rewrite(OLD_KERAS[kind], tmp_path / "bad model.keras", **change)
    with pytest.raises(ModelFileError) as info:
        read_model_network(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_only_sequential_configs_are_planned():
    config = json.loads(zipfile.ZipFile(OLD_KERAS["dnn"]).read("config.json"))
    assert [layer.weights_key for layer in plan_layers(Path("m.keras"), config)] == [
        "flatten", "dense", "dense_1"]
    config["class_name"] = "Functional"
    with pytest.raises(ModelFileError, match=r"^m.keras: the model is a Functional; .* "
                       "Sequential models only$"):
        plan_layers(Path("m.keras"), config)


def test_the_archive_bounds_apply_on_this_path_too(tmp_path):
    # The size limits of engine.model_archive (issue 11) guard the TF-free reader as well:
    # the fixture DNN has 9,550 parameters; a bound just below it refuses the file.
    from digitlab.engine.model_archive import ModelLimits

    assert read_model_network(OLD_KERAS["dnn"], limits=ModelLimits(max_parameters=9_550))
    with pytest.raises(ModelFileError, match=str(OLD_KERAS["dnn"])):
        read_model_network(OLD_KERAS["dnn"], limits=ModelLimits(max_parameters=9_549))
    with pytest.raises(ModelFileError, match="model.weights.h5"):
        read_network(OLD_KERAS["dnn"], limits=ModelLimits(bytes_per_parameter=1,
                                                          weights_overhead=0))


def test_the_unchanged_copy_is_accepted(tmp_path):
    # The refusals above come from each change, not from the copying.
    path = _rewrite(OLD_KERAS["dnn"], tmp_path / "copy.keras")
    assert read_model_network(path)[1] == "dnn"


@needs_shipped
def test_weights_saved_under_another_layers_name_are_refused(tmp_path):
    # Keras >= 3.6 records each weight group's layer name; a config that disagrees is refused.
    def rename(config):
        _layers(config)[2]["config"]["name"] = "renamed"
    path = _rewrite(shipped_model_path("cnn"), tmp_path / "cnn.keras", config=rename)
    with pytest.raises(ModelFileError, match="belong to layer 'conv1', not 'renamed'"):
        read_model_network(path)


def test_a_model_of_another_kind_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match=r"is a dnn model, expected a cnn model"):
        read_model_network(OLD_KERAS["dnn"], expected_kind="cnn")
    with pytest.raises(ModelFileError, match=r"is a cnn model, expected a dnn model"):
        load_predictor({"dnn": OLD_KERAS["cnn"]})


def test_not_a_model_file_is_refused_like_keras_loading_refuses_it(tmp_path):
    text = tmp_path / "notes.keras"
    text.write_text("hello")
    for read in (read_model_network, load_model):
        with pytest.raises(ModelFileError, match="zip"):
            read(text)
    with pytest.raises(ModelFileError, match="no such model file"):
        read_model_network(tmp_path / "missing.keras")


def test_a_one_logit_model_reads_with_its_output_shape(tmp_path):
    # The not-a-digit gate is a (1,) logit model: read_network takes the output it needs.
    def one_unit(config):
        _layers(config)[3]["config"]["units"] = 1

    def one_column(h5):
        for name in ("layers/dense_1/vars/0", "layers/dense_1/vars/1"):
            data = h5[name][...]
            del h5[name]
            h5.create_dataset(name, data=data[..., :1])
    path = _rewrite(OLD_KERAS["dnn"], tmp_path / "gate.keras", config=one_unit,
                    weights=one_column)
    network, plan = read_network(path, output_shape=(1,))
    assert plan[-1].output_shape == (1,)
    assert network.forward(np.zeros((2, 28, 28), np.float32)).shape == (2, 1)
