"""ModelStore: ready stores, adopting and saving user models, loading with fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine import MODEL_KINDS
from digitlab.engine.models import SHIPPED_MODELS_DIR, load_model, save_model_atomic
from digitlab.engine.paths import user_model_path
from digitlab.gui.workers.model_load_worker import read_accuracy_sidecar, write_accuracy_sidecar
from digitlab.gui.model_store import ModelInfo, ModelStore

LOAD_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def predictor(tiny_models):
    from digitlab.engine.inference import Predictor

    return Predictor.from_keras(tiny_models)


@pytest.fixture(scope="module")
def shipped_dir(tmp_path_factory, tiny_models):
    """A stand-in for resources/models: the tiny models, with stored accuracies."""
    folder = tmp_path_factory.mktemp("shipped")
    for kind, model in tiny_models.items():
        path = save_model_atomic(model, folder / f"{kind}.keras")
        write_accuracy_sidecar(path, {"multinomial": 0.81, "dnn": 0.82, "cnn": 0.83}[kind])
    return folder


@pytest.fixture
def stores():
    """Stores made by a test; their worker threads are joined before the thread check."""
    made: list[ModelStore] = []
    yield made
    for store in made:
        store.shutdown()


def digit(mnist, index=0):
    return mnist.x_test[index].astype(np.float32) / 255.0


def keras_probabilities(model, image28):
    return np.asarray(model(image28[None], training=False))[0]


def test_from_predictor_is_ready_at_once(predictor, tiny_models):
    store = ModelStore.from_predictor(predictor, models=tiny_models)
    assert store.is_ready
    assert store.predictor is predictor
    assert set(store.models) == set(MODEL_KINDS)
    assert {kind: info.source for kind, info in store.info.items()} == dict.fromkeys(
        MODEL_KINDS, "shipped")
    assert store.summary().startswith("Models: multinomial")


def test_a_new_store_is_loading_until_started():
    store = ModelStore()
    assert not store.is_ready and store.predictor is None
    assert all(info.source == "loading" for info in store.info.values())
    assert "loading…" in store.summary()


def test_use_model_replaces_predictor_and_saves_a_loadable_file(
        qtbot, tiny_models, mnist, stores):
    from digitlab.engine.inference import Predictor

    store = ModelStore.from_predictor(Predictor.from_keras({"dnn": tiny_models["dnn"]}))
    stores.append(store)
    before = store.predictor
    with qtbot.waitSignals([store.models_changed, store.model_saved], timeout=LOAD_TIMEOUT_MS):
        store.use_model("cnn", tiny_models["cnn"], 0.875)

    assert store.predictor is not before
    assert "cnn" in store.predictor.kinds and "dnn" in store.predictor.kinds
    image = digit(mnist)
    np.testing.assert_allclose(store.predictor.predict_image28(image)["cnn"],
                               keras_probabilities(tiny_models["cnn"], image), atol=1e-4)
    path = user_model_path("cnn")
    assert store.info["cnn"] == ModelInfo("user", str(path), 0.875)
    assert "CNN 87.50% (yours)" in store.summary()
    reloaded, kind = load_model(path, expected_kind="cnn")
    assert kind == "cnn"
    np.testing.assert_allclose(keras_probabilities(reloaded, image),
                               keras_probabilities(tiny_models["cnn"], image), atol=1e-5)
    assert read_accuracy_sidecar(path) == pytest.approx(0.875)


def test_use_model_before_any_predictor_creates_one(qtbot, tiny_models, stores):
    store = ModelStore()
    stores.append(store)
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.use_model("multinomial", tiny_models["multinomial"], None)
    assert store.is_ready and store.predictor.kinds == ("multinomial",)


def test_saving_into_an_unwritable_folder_keeps_the_model_and_says_why(
        qtbot, tmp_path, monkeypatch, predictor, tiny_models, stores):
    # A data folder "inside" a regular file cannot be created, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("DIGITLAB_DATA_DIR", str(blocker / "digitlab"))
    store = ModelStore.from_predictor(predictor)
    stores.append(store)
    messages: list[str] = []
    store.status_changed.connect(messages.append)

    with qtbot.waitSignal(store.status_changed, timeout=LOAD_TIMEOUT_MS,
                          check_params_cb=lambda text: "could not be saved" in text):
        store.use_model("dnn", tiny_models["dnn"], 0.5)

    assert "not-a-folder" in messages[-1]
    assert store.info["dnn"] == ModelInfo("user", None, 0.5)
    assert "not saved" in store.summary()
    assert store.predictor is not predictor and "dnn" in store.predictor.kinds
    assert not (blocker / "digitlab").exists()


def test_loading_prefers_valid_user_models_and_falls_back_on_corrupt_ones(
        qtbot, shipped_dir, tiny_models, stores):
    save_model_atomic(tiny_models["dnn"], user_model_path("dnn"))
    write_accuracy_sidecar(user_model_path("dnn"), 0.9)
    corrupt = user_model_path("cnn")
    corrupt.write_bytes(b"PK\x03\x04 this is not a model")
    store = ModelStore(shipped_dir=shipped_dir)
    stores.append(store)
    messages: list[str] = []
    store.status_changed.connect(messages.append)

    with qtbot.waitSignals([store.tensorflow_loaded, store.models_changed],
                           timeout=LOAD_TIMEOUT_MS):
        store.start_loading()

    assert store.is_ready and store.predictor.kinds == MODEL_KINDS
    info = store.info
    assert info["dnn"] == ModelInfo("user", str(user_model_path("dnn")), 0.9)
    assert info["cnn"] == ModelInfo("shipped", str(shipped_dir / "cnn.keras"), 0.83)
    assert info["multinomial"].source == "shipped"
    assert any("Your cnn model could not be loaded" in m and "using the shipped one" in m
               for m in messages), messages


def test_loading_measures_missing_accuracies_and_reports_missing_models(
        qtbot, tmp_path, tiny_models, mnist, stores):
    from digitlab.engine.training import evaluate_accuracy

    folder = tmp_path / "only-multinomial"
    save_model_atomic(tiny_models["multinomial"], folder / "multinomial.keras")
    store = ModelStore(shipped_dir=folder)
    stores.append(store)
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.start_loading()
    assert store.predictor.kinds == ("multinomial",)
    assert store.info["cnn"].source == "missing"
    assert "CNN: none" in store.summary()

    qtbot.waitUntil(lambda: store.info["multinomial"].test_accuracy is not None,
                    timeout=LOAD_TIMEOUT_MS)
    expected = evaluate_accuracy(tiny_models["multinomial"], mnist.x_test, mnist.y_test)
    assert store.info["multinomial"].test_accuracy == pytest.approx(expected, abs=1e-6)


def test_no_model_at_all_fails_loading_with_a_reason(qtbot, tmp_path, stores):
    store = ModelStore(shipped_dir=tmp_path / "empty")
    stores.append(store)
    with qtbot.waitSignal(store.loading_failed, timeout=LOAD_TIMEOUT_MS) as blocker:
        store.start_loading()
    assert "multinomial.keras is missing" in blocker.args[0]
    assert not store.is_ready
    assert all(info.source == "missing" for info in store.info.values())


def test_restore_shipped_sets_user_models_aside(qtbot, shipped_dir, tiny_models, stores):
    save_model_atomic(tiny_models["cnn"], user_model_path("cnn"))
    store = ModelStore(shipped_dir=shipped_dir)
    stores.append(store)
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.start_loading()
    assert store.info["cnn"].source == "user"

    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.restore_shipped()
    assert store.info["cnn"].source == "shipped"
    assert not user_model_path("cnn").exists()
    assert user_model_path("cnn").with_name("cnn.keras.bak").exists()


@pytest.mark.skipif(not (SHIPPED_MODELS_DIR / "cnn.keras").exists(),
                    reason="resources/models is not populated yet")
def test_corrupt_user_model_falls_back_to_the_real_shipped_one(qtbot, stores):
    user_model_path("cnn").parent.mkdir(parents=True, exist_ok=True)
    user_model_path("cnn").write_bytes(b"garbage")
    store = ModelStore()
    stores.append(store)
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.start_loading()
    assert store.info["cnn"].source == "shipped"
    assert store.info["cnn"].path == str(SHIPPED_MODELS_DIR / "cnn.keras")


def test_a_user_model_the_predictor_cannot_run_falls_back_to_shipped(
        qtbot, shipped_dir, stores):
    from digitlab.engine.tf_runtime import import_keras

    keras = import_keras()
    odd = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                            keras.layers.Dense(16, activation="relu"),
                            keras.layers.BatchNormalization(),
                            keras.layers.Dense(10, activation="softmax")])
    save_model_atomic(odd, user_model_path("dnn"))
    store = ModelStore(shipped_dir=shipped_dir)
    stores.append(store)
    messages: list[str] = []
    store.status_changed.connect(messages.append)
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.start_loading()
    assert store.info["dnn"].source == "shipped"
    assert store.predictor.kinds == MODEL_KINDS
    assert any("Your dnn model could not be loaded" in m for m in messages), messages


def test_the_predictor_is_ready_before_tensorflow_and_keras_models_follow(
        qtbot, shipped_dir, mnist, stores):
    # Issue 14: the Draw tab predicts from the files read without TensorFlow; the Keras
    # models (training, gradients) arrive after tensorflow_loaded.
    store = ModelStore(shipped_dir=shipped_dir)
    stores.append(store)
    seen = []
    store.models_changed.connect(
        lambda: seen.append(("models", store.tensorflow_ready, set(store.models))))
    store.tensorflow_loaded.connect(lambda _: seen.append(("tensorflow", True, None)))
    assert not store.tensorflow_ready
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.start_loading()
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=LOAD_TIMEOUT_MS)
    assert seen[:3] == [("models", False, set()), ("tensorflow", True, None),
                        ("models", True, set(MODEL_KINDS))]
    assert store.predictor.kinds == MODEL_KINDS and store.tensorflow_ready
    x = np.stack([digit(mnist, i) for i in range(5)])
    for kind, model in store.models.items():  # the same files, read both ways
        np.testing.assert_allclose(store.predictor.predict_batch(x, kinds=(kind,))[kind],
                                   np.asarray(model(x, training=False)), atol=1e-5)


def test_a_model_adopted_while_tensorflow_loads_is_not_replaced_by_the_files(
        qtbot, shipped_dir, tiny_models, stores):
    # Between the first prediction and the Keras models there are seconds of TensorFlow
    # import; a model the user adopts then must survive the Keras models' arrival.
    store = ModelStore(shipped_dir=shipped_dir)
    stores.append(store)
    with qtbot.waitSignal(store.models_changed, timeout=LOAD_TIMEOUT_MS):
        store.start_loading()
    assert store.is_loading and not store.models
    adopted = tiny_models["dnn"]
    with qtbot.waitSignal(store.model_saved, timeout=LOAD_TIMEOUT_MS):
        store.use_model("dnn", adopted, 0.5)
    qtbot.waitUntil(lambda: set(store.models) == set(MODEL_KINDS), timeout=LOAD_TIMEOUT_MS)
    assert store.models["dnn"] is adopted
    assert store.info["dnn"] == ModelInfo("user", str(user_model_path("dnn")), 0.5)
