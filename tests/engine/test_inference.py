"""The numpy Predictor against Keras itself: same probabilities, same feature maps."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.inference import FeatureMap, Prediction, Predictor
from digitlab.engine.models import build_model, shipped_model_path
from digitlab.engine.tf_runtime import import_keras

FEATURE_SHAPES = {"conv1": (26, 26, 32), "pool1": (13, 13, 32), "conv2": (11, 11, 64),
                  "pool2": (5, 5, 64), "conv3": (3, 3, 64)}


@pytest.fixture(scope="module")
def predictor(tiny_models):
    return Predictor.from_keras(tiny_models)


@pytest.fixture(scope="module")
def inputs(mnist):
    """Real MNIST digits, uniform noise and a blank image: (N, 28, 28) float32 in [0, 1]."""
    rng = np.random.default_rng(0)
    real = mnist.x_test[:24].astype(np.float32) / 255
    noise = rng.random((6, 28, 28), dtype=np.float32)
    return np.concatenate([real, noise, np.zeros((1, 28, 28), np.float32)])


def drawn_digit(digit28: np.ndarray) -> np.ndarray:
    """A 280x280 canvas with the digit upscaled 10x, dark ink on white, as drawn."""
    from PIL import Image

    return 255 - np.asarray(Image.fromarray(digit28).resize((280, 280), Image.BILINEAR))


@pytest.mark.parametrize("kind", ["multinomial", "dnn", "cnn"])
def test_probabilities_match_keras(predictor, tiny_models, inputs, kind):
    expected = np.asarray(tiny_models[kind](inputs, training=False))
    batch = predictor.predict_batch(inputs)[kind]
    assert batch.shape == (len(inputs), 10) and batch.dtype == np.float32
    np.testing.assert_allclose(batch, expected, atol=1e-5)
    for image, row in zip(inputs[::7], expected[::7], strict=True):
        np.testing.assert_allclose(predictor.predict_image28(image)[kind], row, atol=1e-5)


def test_uint8_batches_are_scaled_like_the_training_data(predictor, mnist):
    as_uint8 = predictor.predict_batch(mnist.x_test[:8])
    as_float = predictor.predict_batch(mnist.x_test[:8].astype(np.float32) / 255)
    for kind in predictor.kinds:
        np.testing.assert_allclose(as_uint8[kind], as_float[kind], atol=1e-6)


def test_feature_maps_match_keras_layer_outputs(predictor, tiny_models, inputs):
    keras = import_keras()
    cnn = tiny_models["cnn"]
    names = list(FEATURE_SHAPES)
    probe = keras.Model(cnn.inputs, [cnn.get_layer(name).output for name in names])
    for image in inputs[[0, 1, 25]]:
        expected = [np.asarray(a)[0] for a in probe([image[None]], training=False)]
        maps = predictor.feature_maps(image)
        assert [m.name for m in maps] == names
        for feature_map, reference in zip(maps, expected, strict=True):
            assert isinstance(feature_map, FeatureMap)
            assert feature_map.shape == FEATURE_SHAPES[feature_map.name]
            assert feature_map.array.dtype == np.float32
            np.testing.assert_allclose(feature_map.array, reference, atol=1e-5)


def test_first_layer_kernels_are_the_cnn_conv1_weights(predictor, tiny_models):
    kernel = tiny_models["cnn"].get_layer("conv1").get_weights()[0]  # (3, 3, 1, 32)
    kernels = predictor.cnn_first_layer_kernels()
    assert kernels.shape == (3, 3, 32) and kernels.dtype == np.float32
    np.testing.assert_array_equal(kernels, kernel[:, :, 0, :])


def test_predict_on_a_drawing(predictor, tiny_models, mnist):
    canvas = drawn_digit(mnist.x_test[0])
    prediction = predictor.predict(canvas)
    assert isinstance(prediction, Prediction) and not prediction.is_empty
    assert list(prediction.probabilities) == ["multinomial", "dnn", "cnn"]
    for kind, probabilities in prediction.probabilities.items():
        assert probabilities.shape == (10,)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
        assert prediction.digits[kind] == int(np.argmax(probabilities))
        # What the models see is the preprocessed image, exactly.
        expected = np.asarray(tiny_models[kind](prediction.preprocess.image28[None]))[0]
        np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    assert prediction.digit == prediction.digits["cnn"]
    assert prediction.preprocess.ink == "dark"
    assert prediction.feature_maps == ()
    with_maps = predictor.predict(canvas, feature_maps=True)
    assert [m.shape for m in with_maps.feature_maps] == list(FEATURE_SHAPES.values())
    alone = predictor.feature_maps(prediction.preprocess.image28)
    for in_prediction, separately in zip(with_maps.feature_maps, alone, strict=True):
        np.testing.assert_array_equal(in_prediction.array, separately.array)
    np.testing.assert_array_equal(with_maps.probabilities["cnn"], prediction.probabilities["cnn"])


def test_blank_canvas_predicts_nothing(predictor):
    prediction = predictor.predict(np.full((280, 280), 255, np.uint8), feature_maps=True)
    assert prediction.is_empty
    assert prediction.probabilities == {} and prediction.digits == {}
    assert prediction.digit is None and prediction.feature_maps == ()


def test_digit_falls_back_to_the_first_model_without_a_cnn(tiny_models, mnist):
    predictor = Predictor.from_keras({"dnn": tiny_models["dnn"],
                                      "multinomial": tiny_models["multinomial"]})
    assert predictor.kinds == ("multinomial", "dnn")
    prediction = predictor.predict(drawn_digit(mnist.x_test[1]), feature_maps=True)
    assert prediction.digit == prediction.digits["multinomial"]
    assert prediction.feature_maps == ()
    with pytest.raises(ValueError, match="no cnn model"):
        predictor.feature_maps(prediction.preprocess.image28)


def test_with_model_replaces_one_kind_and_leaves_the_original(predictor, inputs):
    keras = import_keras()
    keras.utils.set_random_seed(5)
    fresh = build_model("dnn")
    replaced = predictor.with_model("dnn", fresh)
    expected = np.asarray(fresh(inputs[:3], training=False))
    np.testing.assert_allclose(replaced.predict_batch(inputs[:3])["dnn"], expected, atol=1e-5)
    unchanged = replaced.predict_batch(inputs[:3])["cnn"]
    np.testing.assert_array_equal(unchanged, predictor.predict_batch(inputs[:3])["cnn"])
    assert not np.allclose(predictor.predict_batch(inputs[:3])["dnn"], expected, atol=1e-3)


def test_predictor_holds_its_own_copy_of_the_weights(inputs):
    """Training the Keras model on (e.g. in the app) must not change a live predictor."""
    model = build_model("multinomial")
    predictor = Predictor.from_keras({"multinomial": model})
    before = predictor.predict_image28(inputs[0])["multinomial"]
    model.get_layer("output").set_weights([np.ones((784, 10), np.float32),
                                           np.arange(10, dtype=np.float32)])
    model.predict = None  # and it never calls Keras at predict time
    np.testing.assert_array_equal(predictor.predict_image28(inputs[0])["multinomial"], before)


def test_unknown_kind_and_unsupported_layers_are_refused():
    keras = import_keras()
    with pytest.raises(ValueError, match="'lenet'"):
        Predictor.from_keras({"lenet": build_model("cnn")})
    padded = keras.Sequential([
        keras.Input((28, 28)), keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(4, 3, padding="same", name="conv_same"), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="padding='same'"):
        Predictor.from_keras({"cnn": padded})
    normed = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                               keras.layers.BatchNormalization(name="bn"),
                               keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="BatchNormalization"):
        Predictor.from_keras({"dnn": normed})


def test_wrong_image_shape_is_refused(predictor):
    with pytest.raises(ValueError, match=r"\(28, 27\)"):
        predictor.predict_image28(np.zeros((28, 27), np.float32))
    with pytest.raises(ValueError, match=r"\(5, 28\)"):
        predictor.predict_batch(np.zeros((5, 28)))


def test_numpy_blas_threading_is_restored_after_predicting(predictor, inputs):
    from digitlab.engine import blas

    if blas._OPENBLAS is None:
        pytest.skip("numpy does not use a bundled OpenBLAS here")
    get, set_ = blas._OPENBLAS
    before = get()
    set_(2)
    try:
        predictor.predict(drawn_digit((inputs[0] * 255).astype(np.uint8)))
        assert get() == 2  # other numpy work in the process keeps its threads
    finally:
        set_(before)


@pytest.mark.skipif(not shipped_model_path("cnn").exists(), reason="no shipped models yet")
def test_shipped_models_read_mnist(mnist):
    predictor = Predictor.load_shipped()
    probabilities = predictor.predict_batch(mnist.x_test[:300])
    accuracy = {kind: (p.argmax(1) == mnist.y_test[:300]).mean()
                for kind, p in probabilities.items()}
    assert accuracy["cnn"] >= 0.97 and accuracy["dnn"] >= 0.94 and accuracy["multinomial"] >= 0.85


def test_predict_batch_runs_the_kinds_asked_for(predictor, mnist):
    every = predictor.predict_batch(mnist.x_test[:300])
    only_cnn = predictor.predict_batch(mnist.x_test[:300], kinds=("cnn",))
    assert list(only_cnn) == ["cnn"]
    np.testing.assert_array_equal(only_cnn["cnn"], every["cnn"])
    with pytest.raises(ValueError, match="has no gate model"):
        predictor.predict_batch(mnist.x_test[:3], kinds=("gate",))


def test_with_network_adds_a_model_read_from_a_file(tiny_models, inputs, tmp_path):
    from digitlab.engine.keras_reader import read_model_network
    from digitlab.engine.models import save_model_atomic

    only_dnn = Predictor.from_keras({"dnn": tiny_models["dnn"]})
    network, _ = read_model_network(save_model_atomic(tiny_models["cnn"], tmp_path / "c.keras"))
    both = only_dnn.with_network("cnn", network)
    assert both.kinds == ("dnn", "cnn") and only_dnn.kinds == ("dnn",)
    expected = np.asarray(tiny_models["cnn"](inputs[:20], training=False))
    got = both.predict_batch(inputs[:20], kinds=("cnn",))["cnn"]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_batch_maps_come_from_the_same_pass_as_the_batch_probabilities(mnist):
    """predict_batch_with_maps: probabilities bit for bit those of predict_batch, and each
    image's CNN maps are that image's rows of the batch's layer-by-layer pass (within float32
    rounding of feature_maps() alone; exactly feature_maps() in a batch of one)."""
    shipped = Predictor.load_shipped()
    images = mnist.x_test[:130].astype(np.float32) / 255  # two chunks of _BATCH_CHUNK
    probabilities, maps = shipped.predict_batch_with_maps(images)
    plain = shipped.predict_batch(images)
    assert list(probabilities) == list(plain)
    for kind, expected in plain.items():
        np.testing.assert_array_equal(probabilities[kind], expected)
    assert len(maps) == len(images)
    _, layers = shipped._network("cnn").run(images[:128], keep_maps=True)  # the first chunk
    for i in (0, 1, 4):
        assert [m.name for m in maps[i]] == list(FEATURE_SHAPES)
        for feature_map, (name, batch) in zip(maps[i], layers, strict=True):
            assert feature_map.name == name and feature_map.shape == FEATURE_SHAPES[name]
            np.testing.assert_array_equal(feature_map.array, batch[i])
    for i in (3, 128, 129):  # each image gets its own maps, in the second chunk too
        for feature_map, alone in zip(maps[i], shipped.feature_maps(images[i]), strict=True):
            np.testing.assert_allclose(feature_map.array, alone.array, rtol=1e-5, atol=1e-5)
    _, (one,) = shipped.predict_batch_with_maps(images[7:8])
    for feature_map, alone in zip(one, shipped.feature_maps(images[7]), strict=True):
        np.testing.assert_array_equal(feature_map.array, alone.array)
    without_cnn = Predictor({"dnn": shipped._network("dnn")})
    probabilities, maps = without_cnn.predict_batch_with_maps(images[:3])
    assert list(probabilities) == ["dnn"] and maps == ((), (), ())
