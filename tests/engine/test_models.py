"""The lesson's three architectures, and safe loading/saving of model files."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

from digitlab.engine.models import (ModelFileError, build_model, infer_kind, load_model,
                                    save_model_atomic)

# Parameter counts of the lesson's models (Flatten 784 inputs).
EXPECTED_PARAMS = {
    ("multinomial", True): 784 * 10 + 10,
    ("dnn", True): (784 * 64 + 64) + (64 * 128 + 128) + (128 * 32 + 32) + (32 * 10 + 10),
    ("cnn", True): (9 * 32 + 32)
    + (9 * 32 * 64 + 64)
    + (9 * 64 * 64 + 64)
    + (576 * 128 + 128)
    + 1290,
    ("cnn", False): (9 * 32 + 32)
    + (9 * 32 * 64 + 64)
    + (9 * 64 * 64 + 64)
    + (576 * 128 + 128)
    + 1290,
}


@pytest.mark.parametrize("kind, dropout", list(EXPECTED_PARAMS))
def test_architecture_shapes_and_parameters(kind, dropout):
    model = build_model(kind, dropout=dropout)
    assert model.count_params() == EXPECTED_PARAMS[(kind, dropout)]
    assert tuple(model.input_shape) == (None, 28, 28)
    assert tuple(model.output_shape) == (None, 10)
    out = np.asarray(model(np.zeros((2, 28, 28), np.float32)))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    assert infer_kind(model) == kind


def test_cnn_layer_shapes_follow_the_lesson():
    model = build_model("cnn")
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes["conv1"] == (26, 26, 32)
    assert shapes["pool1"] == (13, 13, 32)
    assert shapes["conv2"] == (11, 11, 64)
    assert shapes["pool2"] == (5, 5, 64)
    assert shapes["conv3"] == (3, 3, 64)
    assert shapes["flatten"] == (576,)
    assert "dropout" in shapes and "dropout" not in {
        layer.name for layer in build_model("cnn", False).layers
    }


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Received model kind 'rnn'"):
        build_model("rnn")


def test_save_is_atomic_and_round_trips(tmp_path, tiny_models):
    path = tmp_path / "sub" / "dnn.keras"
    save_model_atomic(tiny_models["dnn"], path)
    model, kind = load_model(path, expected_kind="dnn")
    x = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(tiny_models["dnn"](x)), atol=1e-6)
    assert [p.name for p in path.parent.iterdir()] == ["dnn.keras"]  # no temporary left behind


def test_failed_save_leaves_the_old_file_intact(tmp_path, tiny_models, monkeypatch):
    path = tmp_path / "cnn.keras"
    save_model_atomic(tiny_models["cnn"], path)
    before = path.read_bytes()

    def crash(*args, **kwargs):  # what a disk-full or kill mid-write looks like
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(tiny_models["cnn"]), "save", crash)
    with pytest.raises(OSError, match="No space left"):
        save_model_atomic(tiny_models["cnn"], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["cnn.keras"]


def test_save_into_read_only_folder_raises(tmp_path, tiny_models, monkeypatch):
    import tempfile

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:  # root ignores permissions: make the folder refuse like a read-only one

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(folder))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError):
        save_model_atomic(tiny_models["multinomial"], folder / "multinomial.keras")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty"), (b"hello, not a model", "not a Keras model"), (None, "no such model file")],
)
def test_bad_model_files_are_refused(tmp_path, content, message):
    path = tmp_path / "m.keras"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_truncated_model_file_is_refused(tmp_path, tiny_models):
    path = tmp_path / "m.keras"
    save_model_atomic(tiny_models["dnn"], path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelFileError):
        load_model(path)


def test_wrong_kind_and_foreign_shapes_are_refused(tmp_path, tiny_models):
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    path = tmp_path / "m.keras"
    save_model_atomic(tiny_models["dnn"], path)
    with pytest.raises(ModelFileError, match="is a dnn model, expected a cnn model"):
        load_model(path, expected_kind="cnn")
    foreign = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(5)]
    )
    save_model_atomic(foreign, path)
    with pytest.raises(ModelFileError, match=r"takes \(32, 32, 3\) and returns \(5,\)"):
        load_model(path)


def test_lambda_layer_is_refused_not_run(tmp_path):
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Lambda(lambda x: x * 2),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ModelFileError, match="serialized code"):
        load_model(path)
    with zipfile.ZipFile(path) as zf:
        assert "config.json" in zf.namelist()


def test_model_card_is_ignored_once_the_model_changes(tmp_path, tiny_models):
    from digitlab.engine.models import read_test_accuracy, write_model_card

    path = save_model_atomic(tiny_models["dnn"], tmp_path / "dnn.keras")
    assert read_test_accuracy(path) is None
    write_model_card(path, 0.9731, recipe="lesson")
    assert read_test_accuracy(path) == pytest.approx(0.9731)
    save_model_atomic(tiny_models["dnn"], path)  # same weights, new file bytes (new zip stamps)
    path.write_bytes(path.read_bytes() + b"\0")  # certainly another file now
    assert read_test_accuracy(path) is None


def test_shipped_model_cards_match_their_files():
    from digitlab.engine.models import read_test_accuracy, shipped_model_path

    for kind, floor in (("multinomial", 0.918), ("dnn", 0.975), ("cnn", 0.994)):
        assert read_test_accuracy(shipped_model_path(kind)) >= floor


def test_temporaries_of_killed_saves_are_cleaned_up(tmp_path, tiny_models):
    import os
    import time

    from digitlab.engine.safe_writes import temp_path_beside

    stale = temp_path_beside(tmp_path / "dnn.keras", suffix=".keras")
    fresh = temp_path_beside(tmp_path / "dnn.keras", suffix=".keras")  # a save still running
    # Files the user made that look like old-style temporaries must survive, old or not.
    users = [tmp_path / ".dnn-abc123.keras", tmp_path / ".m-backup.keras", tmp_path / ".hidden"]
    for f in (stale, fresh, *users):
        f.write_bytes(b"half a model")
    old = time.time() - 3600
    for f in (stale, *users):
        os.utime(f, (old, old))
    save_model_atomic(tiny_models["dnn"], tmp_path / "dnn.keras")
    assert not stale.exists() and fresh.exists()
    assert all(f.exists() for f in users)


def test_output_named_like_a_glob_removes_nothing_else(tmp_path, tiny_models):
    import os
    import time

    hidden = tmp_path / ".anything-else.keras"
    hidden.write_bytes(b"mine")
    old = time.time() - 3600
    os.utime(hidden, (old, old))
    save_model_atomic(tiny_models["dnn"], tmp_path / "*.keras")
    assert hidden.exists() and (tmp_path / "*.keras").is_file()
