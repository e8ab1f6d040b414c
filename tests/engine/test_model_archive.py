"""engine.model_archive and engine.model_shapes: a .keras file is checked and sized from its
architecture before Keras sees it (bombs scaled down through ModelLimits)."""

from __future__ import annotations

import copy
import json
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digitlab.engine.model_archive import (
    DEFAULT_LIMITS,
    ModelArchiveError,
    ModelLimits,
    check_model_archive,
    find_custom_code,
)
from digitlab.engine.model_shapes import ShapeError, count_parameters
from digitlab.resources import path as resource_path

SHIPPED = {kind: resource_path("models", f"{kind}.keras") for kind in ("multinomial", "dnn", "cnn")}
PARAMETERS = {"multinomial": 7850, "dnn": 63018, "cnn": 130890}  # model.count_params()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _config(kind: str = "multinomial") -> dict:
    return json.loads(_members(SHIPPED[kind])["config.json"])


def _with_config(tmp_path: Path, config: dict, kind: str = "multinomial") -> Path:
    members = _members(SHIPPED[kind])
    members["config.json"] = json.dumps(config).encode()
    return _write(tmp_path / "m.keras", members)


@pytest.mark.parametrize("kind", list(SHIPPED))
def test_parameter_count_of_the_shipped_models_matches_keras(kind):
    assert count_parameters(_config(kind), 10**7) == PARAMETERS[kind]
    archive = check_model_archive(SHIPPED[kind])
    assert archive.parameters == PARAMETERS[kind]
    assert set(archive.members) == {"config.json", "metadata.json", "model.weights.h5"}


def test_weights_padded_past_what_the_architecture_needs_are_refused(tmp_path):
    members = _members(SHIPPED["multinomial"])
    limit = DEFAULT_LIMITS.weights_limit(PARAMETERS["multinomial"])
    # At the limit: accepted (the file is checked, not parsed as HDF5 here).
    pad = limit - len(members["model.weights.h5"])
    _write(tmp_path / "ok.keras", {**members, "model.weights.h5":
                                   members["model.weights.h5"] + b"\0" * pad})
    assert check_model_archive(tmp_path / "ok.keras").parameters == PARAMETERS["multinomial"]
    # One byte past: refused from the declared size, in one line naming file and limit.
    bomb = _write(tmp_path / "pad.keras", {**members, "model.weights.h5":
                                           members["model.weights.h5"] + b"\0" * (pad + 1)})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ModelArchiveError) as info:
        check_model_archive(bomb)
    message = str(info.value)
    assert message.startswith(f"{bomb}: member 'model.weights.h5' declares")
    assert f"{limit / 2**20:.4g} MiB" in message and "\n" not in message


def test_a_config_asking_for_a_huge_layer_is_refused_before_keras(tmp_path):
    config = _config("dnn")
    dense = next(layer for layer in config["config"]["layers"]
                 if layer["class_name"] == "Dense")
    dense["config"]["units"] = 3000  # 2.4M weights (10**9 would be 3 TB): refused unbuilt
    with pytest.raises(ModelArchiveError, match=r"parameters, more than the limit of 2,000,000"):
        check_model_archive(_with_config(tmp_path, config, "dnn"))


def test_parameter_limit_at_and_past_the_boundary(tmp_path):
    n = PARAMETERS["multinomial"]
    assert check_model_archive(SHIPPED["multinomial"], ModelLimits(max_parameters=n))
    with pytest.raises(ModelArchiveError, match=f"{n:,} parameters, more than the limit of "
                                                f"{n - 1:,}"):
        check_model_archive(SHIPPED["multinomial"], ModelLimits(max_parameters=n - 1))


def test_a_lying_build_config_does_not_hide_the_real_size(tmp_path):
    config = _config("dnn")
    for layer in config["config"]["layers"]:
        if "build_config" in layer:
            layer["build_config"] = {"input_shape": [None, 1]}
    # Shapes are computed from the layers, not from what the file claims.
    assert count_parameters(config, 10**7) == PARAMETERS["dnn"]


def test_unknown_layers_and_huge_activations_are_refused():
    config = _config("dnn")
    config["config"]["layers"][2]["class_name"] = "MysteryLayer"
    with pytest.raises(ShapeError, match="is a MysteryLayer, which Digit Lab cannot size-check"):
        count_parameters(config, 10**7)
    config = _config("cnn")
    conv = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Conv2D")
    conv["config"]["filters"] = 6000  # 26*26*6000 = 4.06M values per image
    with pytest.raises(ShapeError, match="outputs 4,056,000 values per image"):
        count_parameters(config, DEFAULT_LIMITS.max_activation_values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 300), st.booleans()), min_size=1, max_size=5))
def test_dense_stacks_are_counted_exactly(layers):
    config = _config("multinomial")
    template = next(layer for layer in config["config"]["layers"]
                    if layer["class_name"] == "Dense")
    body = [layer for layer in config["config"]["layers"] if layer["class_name"] != "Dense"]
    expected, width = 0, 784
    for units, bias in layers:
        dense = copy.deepcopy(template)
        dense["config"].update(units=units, use_bias=bias)
        body.append(dense)
        expected += width * units + (units if bias else 0)
        width = units
    config["config"]["layers"] = body
    assert count_parameters(config, 10**7) == expected


@pytest.mark.parametrize("module, refused", [
    ("keras", False), ("keras.layers", False), ("keras.src.layers.core", False),
    ("kerasx", True), ("keras_evil.layers", True), ("keras2.layers", True), ("os", True),
    ("builtins", True), ("evil.keras", True), ("xkeras.layers", True),
])
def test_module_prefix_check(module, refused):
    config = _config("multinomial")
    config["config"]["layers"][1]["module"] = module
    found = find_custom_code(config)
    assert (found is not None) == refused, found
    if refused:
        assert found == f"class {module}.Flatten"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_module_prefix_property(module):
    config = {"class_name": "Sequential", "module": "keras",
              "config": {"layers": [{"class_name": "Dense", "module": module}]}}
    allowed = module == "keras" or module.startswith("keras.")
    assert (find_custom_code(config) is None) == allowed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_device_model_is_refused_at_once(tmp_path):
    fifo = tmp_path / "m.keras"
    os.mkfifo(fifo)
    with pytest.raises(ModelArchiveError, match=f"^{fifo}: is a FIFO"):
        check_model_archive(fifo)
    link = tmp_path / "z.keras"
    link.symlink_to("/dev/zero")
    with pytest.raises(ModelArchiveError, match=f"^{link}: is a character device"):
        check_model_archive(link)


def test_path_traversal_members_are_refused_in_one_line(tmp_path):
    import warnings

    members = _members(SHIPPED["multinomial"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = _write(tmp_path / "m.keras", {**members, "../../escape.txt": b"x"})
    with pytest.raises(ModelArchiveError) as info:
        check_model_archive(path)
    assert str(info.value).startswith(f"{path}: refused: the archive holds the unsafe member")


def test_large_asset_members_are_refused_and_small_ones_never_extracted(tmp_path):
    members = _members(SHIPPED["multinomial"])
    big = _write(tmp_path / "big.keras", {**members, "assets/blob.bin": b"\0" * (2 << 20)})
    with pytest.raises(ModelArchiveError, match="'assets/blob.bin' declares 2 MiB"):
        check_model_archive(big)
    small = _write(tmp_path / "small.keras", {**members, "assets/a.bin": b"\0" * 1000})
    archive = check_model_archive(small)
    # The clean copy Keras reads holds only what a model needs: nothing to extract.
    with zipfile.ZipFile(archive.clean_zip()) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=True)
    | st.sampled_from(["same", "valid", "channels_first", "Dense", "Conv2D", "Flatten",
                       "Reshape", "InputLayer", "Sequential", "Functional", "__keras_tensor__"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["class_name", "config", "layers", "units", "filters", "kernel_size",
                         "strides", "padding", "target_shape", "batch_shape", "name",
                         "inbound_nodes", "output_layers", "args", "keras_history", "axis",
                         "pool_size", "use_bias", "groups", "data_format"]),
        inner, max_size=6),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_parameter_count_of_any_config_is_a_number_or_a_shape_error(config):
    try:
        n = count_parameters(config, 10**6)
    except ShapeError:
        return
    assert isinstance(n, int) and n >= 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Flatten", "Dense", "Conv2D", "MaxPooling2D", "Reshape",
                                 "Dropout"]), min_size=1, max_size=6),
       st.integers(1, 40))
def test_mutated_real_configs_are_sized_or_refused(kinds, units):
    config = _config("cnn")
    layers = config["config"]["layers"]
    by_kind = {layer["class_name"]: layer for layer in layers}
    body = [layers[0]]
    for kind in kinds:
        layer = copy.deepcopy(by_kind.get(kind, by_kind["Dense"]))
        if kind == "Dense":
            layer["config"]["units"] = units
        body.append(layer)
    config["config"]["layers"] = body
    try:
        n = count_parameters(config, 10**7)
    except ShapeError:
        return
    assert n >= 0


def test_a_compressed_hdf5_dataset_declaring_a_huge_array_is_refused(tmp_path):
    import io

    import h5py

    members = _members(SHIPPED["multinomial"])
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "a") as h5:
        # 400 MB of zeros, a few KB once HDF5's own gzip filter has it.
        h5.create_dataset("layers/extra/vars/0", shape=(100_000_000,), dtype="f4",
                          chunks=(1_000_000,), compression="gzip", fillvalue=0.0)
    data = buffer.getvalue()
    assert len(data) < 2_000_000
    path = _write(tmp_path / "h5bomb.keras", {**members, "model.weights.h5": data})
    with pytest.raises(ModelArchiveError, match="model.weights.h5 declares more than"):
        check_model_archive(path)


def test_weights_that_are_not_hdf5_are_refused_in_one_line(tmp_path):
    members = _members(SHIPPED["multinomial"])
    path = _write(tmp_path / "junk.keras", {**members, "model.weights.h5": b"not hdf5" * 100})
    with pytest.raises(ModelArchiveError, match="is not a readable HDF5 file"):
        check_model_archive(path)
