"""What each model learned: first-layer weights as images, tied to what the models compute."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.filters import FilterSettings, apply_filter
from digitlab.engine.inference import Predictor
from digitlab.engine.learned import cnn_first_layer, dnn_first_layer, multinomial_templates
from digitlab.engine.training import predict_probabilities


@pytest.fixture(scope="module")
def shipped_multinomial():
    from digitlab.engine.models import load_model, shipped_model_path

    path = shipped_model_path("multinomial")
    if not path.exists():
        pytest.skip(f"shipped model missing: {path}")
    return load_model(path, expected_kind="multinomial")[0]


def test_templates_score_images_as_the_model_does(tiny_models, mnist):
    model = tiny_models["multinomial"]
    templates = multinomial_templates(model)
    assert templates.shape == (10, 28, 28) and templates.dtype == np.float32
    bias = model.layers[-1].get_weights()[1]
    images = mnist.x_test[:50].astype(np.float32) / 255.0
    logits = np.einsum("nhw,dhw->nd", images, templates) + bias
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    np.testing.assert_allclose(probs, predict_probabilities(model, images), atol=1e-5)


def test_each_template_looks_like_its_digit(shipped_multinomial, mnist):
    templates = multinomial_templates(shipped_multinomial)
    means = np.stack([mnist.x_train[mnist.y_train == d][:500].mean(0) for d in range(10)])
    means -= means.mean(0)  # what sets each digit apart from the others
    # Correlation of template d with the mean image of every digit: highest for d itself.
    corr = np.corrcoef(templates.reshape(10, -1), means.reshape(10, -1))[:10, 10:]
    assert list(corr.argmax(axis=1)) == list(range(10))


def test_dnn_first_layer_images_are_the_units_weights(tiny_models, mnist):
    model = tiny_models["dnn"]
    images = dnn_first_layer(model)
    assert images.shape == (64, 28, 28) and images.dtype == np.float32
    kernel, bias = model.layers[1].get_weights()
    assert model.layers[1].name == "dense_64"
    x = mnist.x_test[:3].astype(np.float32) / 255.0
    # Unit j's activation = relu(image_j . x + b_j).
    np.testing.assert_allclose(
        np.maximum(np.einsum("nhw,jhw->nj", x, images) + bias, 0),
        np.maximum(x.reshape(3, -1) @ kernel + bias, 0),
        rtol=1e-5, atol=1e-5,
    )


def test_cnn_kernels_on_an_image_give_the_cnns_first_feature_maps(tiny_models, mnist):
    model = tiny_models["cnn"]
    kernels = cnn_first_layer(model)
    assert kernels.shape == (32, 3, 3) and kernels.dtype == np.float32
    predictor = Predictor.from_keras({"cnn": model})
    np.testing.assert_array_equal(
        kernels, np.transpose(predictor.cnn_first_layer_kernels(), (2, 0, 1))
    )
    # "Learned kernels on photos": the Filters tab's conv2d with these kernels, plus the
    # layer's bias and ReLU, is exactly the CNN's conv1 output.
    image = mnist.x_test[0].astype(np.float32) / 255.0
    result = apply_filter(image, list(kernels), FilterSettings(pool=1))
    assert result.conv.shape == (26, 26, 32)
    bias = model.get_layer("conv1").get_weights()[1]
    conv1 = predictor.feature_maps(image)[0]
    assert conv1.name == "conv1"
    np.testing.assert_allclose(np.maximum(result.conv + bias, 0), conv1.array, atol=1e-5)


def test_a_model_of_another_kind_is_refused(tiny_models):
    with pytest.raises(ValueError, match="Received a cnn model; expected a multinomial model"):
        multinomial_templates(tiny_models["cnn"])
    with pytest.raises(ValueError, match="expected a cnn model"):
        cnn_first_layer(tiny_models["dnn"])
    with pytest.raises(ValueError, match="expected a dnn model"):
        dnn_first_layer(tiny_models["multinomial"])
