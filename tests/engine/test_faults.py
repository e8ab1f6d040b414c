"""Faults and untrusted files in the engine: killed saves, model files with code, bad data.

The common cases (bad photos, bad kernels, empty or truncated model files, bad
MNIST arrays) are tested beside their modules; this file holds what a user's
disk or an interrupted process can do that those tests do not reach.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from digitlab.engine.data import MnistFormatError, load_mnist
from digitlab.engine.models import (
    ModelFileError,
    build_model,
    file_sha256,
    find_custom_code,
    load_model,
    save_model_atomic,
)

ROOT = Path(__file__).resolve().parents[2]

# The child starts a real save_model_atomic and stops inside Keras's writer, after
# the archive's config is written and before it is complete; the parent kills it there.
_SLOW_SAVE = """
import sys, time
from digitlab.engine.models import build_model, save_model_atomic
from keras.src.saving import saving_lib

original = saving_lib._save_state

def stalled(*args, **kwargs):
    original(*args, **kwargs)
    print("inside-save", flush=True)
    time.sleep(300)

saving_lib._save_state = stalled
save_model_atomic(build_model("dnn"), sys.argv[1])
print("saved", flush=True)
"""


def _config_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("config.json"))


def _rewrite_config(source: Path, target: Path, config) -> Path:
    """A copy of the ``.keras`` archive ``source`` whose config.json is ``config``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "config.json":
                data = config if isinstance(config, bytes) else json.dumps(config).encode()
            zout.writestr(name, data)
    return target


@pytest.fixture(scope="module")
def good_model_file(tmp_path_factory) -> Path:
    return save_model_atomic(build_model("multinomial"),
                             tmp_path_factory.mktemp("models") / "multinomial.keras")


def test_killing_the_process_mid_save_leaves_the_previous_model_loadable(tmp_path):
    path = save_model_atomic(build_model("multinomial"), tmp_path / "model.keras")
    digest = file_sha256(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    child = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(path)], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = child.stdout.readline()
        assert line.strip() == "inside-save", "the child never reached the middle of the save"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    # The half-written archive exists, but only under a temporary name.
    leftovers = [p for p in tmp_path.iterdir() if p.name != "model.keras"]
    assert leftovers and all(p.name.startswith(".digitlab-tmp-") for p in leftovers), \
        leftovers
    assert file_sha256(path) == digest
    model, kind = load_model(path, expected_kind="multinomial")
    assert kind == "multinomial" and model.count_params() == 7850
    # Keras's own scratch folder was made inside ours, not in the system temp folder,
    # so the next save there, once the leftovers are stale, removes every one of them.
    import time

    old = time.time() - 3600
    for p in leftovers:
        os.utime(p, (old, old))
    save_model_atomic(model, path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_a_class_from_outside_keras_is_refused_before_its_module_is_imported(
        tmp_path, good_model_file, monkeypatch):
    # A module that leaves a mark if anything imports it: loading must not.
    marker = tmp_path / "imported"
    (tmp_path / "digitlab_evil_layers.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "class Evil:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = copy.deepcopy(_config_of(good_model_file))
    dense = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")
    dense.update(module="digitlab_evil_layers", class_name="Evil", registered_name=None)
    path = _rewrite_config(good_model_file, tmp_path / "evil.keras", config)

    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert "serialized code (class digitlab_evil_layers.Evil)" in message
    assert "trust" in message
    assert not marker.exists() and "digitlab_evil_layers" not in sys.modules


@pytest.mark.parametrize("module, class_name", [
    ("builtins", "eval"), ("subprocess", "Popen"), ("os", "system")])
def test_a_top_level_object_that_is_not_a_keras_model_is_refused(
        tmp_path, good_model_file, module, class_name):
    config = {"module": module, "class_name": class_name, "registered_name": None,
              "config": {"args": ["touch", str(tmp_path / "ran")]}}
    path = _rewrite_config(good_model_file, tmp_path / "odd.keras", config)
    with pytest.raises(ModelFileError, match=f"class {module}.{class_name}"):
        load_model(path)
    assert not (tmp_path / "ran").exists()


def test_plain_keras_configs_hold_no_custom_code(tiny_models, tmp_path):
    for kind, model in tiny_models.items():
        # Compiled and trained: the optimizer and its schedule are in the config too.
        config = _config_of(save_model_atomic(model, tmp_path / f"{kind}.keras"))
        assert find_custom_code(config) is None
    assert find_custom_code({"class_name": "Lambda", "module": "keras.layers"}) == "a Lambda layer"


@pytest.mark.parametrize("content, message", [
    (b"{not json", "config.json is not valid JSON"),
    (b"\xff\xfe\x00garbage", "config.json is not valid JSON"),
])
def test_a_config_that_is_not_json_is_refused(tmp_path, good_model_file, content, message):
    path = _rewrite_config(good_model_file, tmp_path / "bad.keras", content)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_a_zip_that_is_not_a_keras_model_is_refused(tmp_path, mnist):
    # An .npz is a zip archive too: a mix-up of file names must not reach Keras.
    path = tmp_path / "mnist.keras"
    with open(path, "wb") as fh:
        np.savez(fh, x_test=mnist.x_test[:5], y_test=mnist.y_test[:5])
    with pytest.raises(ModelFileError, match=r"not a Keras model \(no config.json inside\)"):
        load_model(path)


def test_a_model_whose_weights_hold_nan_is_refused(tmp_path):
    model = build_model("dnn")
    weights = model.get_weights()
    weights[0][0, 0] = np.nan  # what a run that diverged and was saved anyway leaves
    model.set_weights(weights)
    path = save_model_atomic(model, tmp_path / "dnn.keras")
    with pytest.raises(ModelFileError, match="weights hold NaN or infinite values"):
        load_model(path)


def test_nan_after_a_good_epoch_keeps_the_good_weights_and_says_so(mnist, monkeypatch):
    """The loss blows up in epoch 2: the run stops with a message and the model of epoch 1."""
    import digitlab.engine.training as training

    make_callback = training.make_progress_callback

    def poisoning_callback(keras):
        base = make_callback(keras)

        class Poison(base):
            def on_epoch_begin(self, epoch, logs=None):
                super().on_epoch_begin(epoch, logs)
                if epoch == 1:  # as an exploding gradient would leave the weights
                    weights = self.model.get_weights()
                    weights[0] = np.full_like(weights[0], np.inf)
                    self.model.set_weights(weights)

        return Poison

    config = training.lesson_recipe("multinomial", epochs=4, limit=1000, learning_rate=1e-2,
                                    batch_size=20, patience=0, seed=0)
    reference = training.train(replace(config, epochs=1), mnist, evaluate_test=False)
    monkeypatch.setattr(training, "make_progress_callback", poisoning_callback)
    events = []
    result = training.train(config, mnist, on_event=events.append, evaluate_test=False)

    assert result.stop_reason == "nan" and result.epochs_run == 2 and result.best_epoch == 0
    messages = [e.message for e in events if e.type == "message"]
    assert any("Epoch 2: the loss became" in m and "training stopped" in m for m in messages)
    assert any("Kept the weights of the best epoch, 1" in m for m in messages)
    assert all(np.isfinite(w).all() for w in result.model.get_weights())
    for kept, first_epoch in zip(result.model.get_weights(), reference.model.get_weights(),
                                 strict=True):
        np.testing.assert_allclose(kept, first_epoch, atol=1e-6)
    accuracy = training.evaluate_accuracy(result.model, mnist.x_test[:500], mnist.y_test[:500])
    assert accuracy > 0.6  # one real epoch on 800 digits: a usable model, not garbage


def _npy(path: Path) -> None:
    with open(path, "wb") as fh:  # a handle: np.save would add ".npy" to the name
        np.save(fh, np.zeros((3, 28, 28), np.uint8))


@pytest.mark.parametrize("make", [
    _npy,  # one array saved with np.save, named .npz
    lambda p: p.write_text("x_train,y_train\n1,2\n"),
    lambda p: p.write_bytes(b""),
    lambda p: p.write_bytes(b"\x80\x04\x95 a pickle"),
], ids=["npy", "csv", "empty", "pickle"])
def test_a_data_file_that_is_not_an_npz_names_the_problem(tmp_path, make):
    path = tmp_path / "mnist.npz"
    make(path)
    with pytest.raises(MnistFormatError) as info:
        load_mnist(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not a readable .npz file (not a zip archive")
    assert "x_train, y_train, x_test, y_test" in message and "\n" not in message


def test_a_truncated_npz_names_the_file(tmp_path, mnist):
    path = tmp_path / "mnist.npz"
    with open(path, "wb") as fh:
        np.savez(fh, x_train=mnist.x_train[:50], y_train=mnist.y_train[:50],
                 x_test=mnist.x_test[:10], y_test=mnist.y_test[:10])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(MnistFormatError, match=f"^{path}: not a readable .npz file"):
        load_mnist(path)


def test_an_npz_with_pickled_objects_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "mnist.npz"
    objects = np.array([{"evil": 1}] * 3, dtype=object)
    images = np.zeros((3, 28, 28), np.uint8)
    np.savez(path, x_train=objects, y_train=np.zeros(3, np.uint8), x_test=images,
             y_test=np.zeros(3, np.uint8))
    with pytest.raises(MnistFormatError, match=f"^{path}: x_train holds Python objects"):
        load_mnist(path)



# --- issue 11: models refused at load, Keras extracts nothing, cards never clobber --------------


def test_huge_finite_weights_are_refused_at_load_naming_the_file(tmp_path):
    model = build_model("multinomial")
    model.set_weights([np.full_like(w, 1e37) for w in model.get_weights()])
    path = save_model_atomic(model, tmp_path / "huge.keras")
    with pytest.raises(ModelFileError, match=f"^{path}: the model's outputs are NaN or infinite"):
        load_model(path)


@pytest.mark.parametrize("shape", [(784,), (28, 28, 1)])
def test_a_model_that_cannot_take_28x28_input_is_refused_at_load(tmp_path, shape):
    import keras

    inputs = keras.Input(shape=shape)
    # (28, 28, 1): a Conv2D straight on the input needs the channel axis the app never sends.
    x = keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(inputs)) if len(shape) > 1 else inputs
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    path = save_model_atomic(model, tmp_path / "odd.keras")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "28" in message


def test_keras_extracts_nothing_to_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    members = {}
    with zipfile.ZipFile(ROOT / "resources" / "models" / "dnn.keras") as zf:
        for name in zf.namelist():
            members[name] = zf.read(name)
    members["assets/vocabulary.txt"] = b"a\n" * 1000  # Keras would extract every member
    path = tmp_path / "with_assets.keras"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp",
                        lambda *a, **k: seen.append(1) or real_mkdtemp(*a, **k))
    model, kind = load_model(path)
    assert kind == "dnn" and not seen and list(scratch.iterdir()) == []


def test_the_card_never_overwrites_a_json_it_did_not_write(tmp_path, tiny_models):
    from digitlab.engine.models import NotACardError, save_model_with_card, write_model_card

    foreign = tmp_path / "x.json"
    foreign.write_text('{"my": "notes"}')
    path = tmp_path / "x.keras"
    with pytest.raises(NotACardError, match=r"x\.json: exists and is not a Digit Lab model card"):
        save_model_with_card(tiny_models["multinomial"], path, 0.9)
    assert not path.exists()  # refused before anything was written
    save_model_atomic(tiny_models["multinomial"], path)
    for accuracy in (0.9, None):  # writing or removing: the foreign file stays
        with pytest.raises(NotACardError):
            write_model_card(path, accuracy)
    assert foreign.read_text() == '{"my": "notes"}'


def test_saved_models_and_cards_get_the_umask_permissions(tmp_path, tiny_models):
    from digitlab.engine.models import save_model_with_card

    old = os.umask(0o022)
    try:
        path, card = save_model_with_card(tiny_models["multinomial"], tmp_path / "m.keras", 0.5)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644 and card.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]


class _FakeModel:
    """Saves distinct bytes, so a card from another save has another SHA-256."""

    def __init__(self, tag: int):
        self.tag = tag

    def save(self, path):
        Path(path).write_bytes(f"model {self.tag} ".encode() * 2000)


def _save_many(path: str, worker: int) -> None:
    from digitlab.engine.models import save_model_with_card

    for i in range(25):
        save_model_with_card(_FakeModel(worker * 100 + i), path, 0.5, run=worker * 100 + i)


def test_concurrent_saves_leave_a_matching_model_and_card(tmp_path):
    import multiprocessing

    from digitlab.engine.models import read_test_accuracy

    path = tmp_path / "m.keras"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_save_many, args=(str(path), w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    card = json.loads(path.with_suffix(".json").read_text())
    assert path.read_bytes() == f"model {card['run']} ".encode() * 2000
    assert read_test_accuracy(path) == 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]


def test_many_concurrent_card_writes_all_succeed(tmp_path):
    import threading

    from digitlab.engine.models import write_model_card

    path = tmp_path / "m.keras"
    path.write_bytes(b"a model")
    errors = []

    def write(i):
        try:
            write_model_card(path, 0.5, run=i)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras"]
