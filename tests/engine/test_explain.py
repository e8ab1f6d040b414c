"""Why this digit: exact weight x input, integrated gradients' completeness, Grad-CAM."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine import MODEL_KINDS
from digitlab.engine.explain import explain, explain_all, grad_cam, model_logits
from digitlab.engine.training import predict_probabilities


@pytest.fixture(scope="module")
def shipped_models():
    from digitlab.engine.models import load_model, shipped_model_path

    paths = {kind: shipped_model_path(kind) for kind in MODEL_KINDS}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        pytest.skip(f"shipped models missing: {', '.join(missing)}")
    return {kind: load_model(p, expected_kind=kind)[0] for kind, p in paths.items()}


@pytest.fixture(scope="module")
def seven(mnist):
    """The first MNIST test image (a 7) as the models see it."""
    assert mnist.y_test[0] == 7
    return mnist.x_test[0].astype(np.float32) / 255.0


def test_multinomial_map_plus_bias_is_the_logit(tiny_models, seven):
    model = tiny_models["multinomial"]
    kernel, bias = model.layers[-1].get_weights()
    probs = predict_probabilities(model, seven[None])[0]
    logits = []
    for digit in range(10):
        a = explain(model, "multinomial", seven, digit=digit)
        assert a.method == "weight x input" and a.map.shape == (28, 28)
        assert a.map.dtype == np.float32 and a.digit == digit
        np.testing.assert_allclose(a.map.ravel(), kernel[:, digit] * seven.ravel(), rtol=1e-6)
        assert a.output_change == pytest.approx(float(a.map.sum(dtype=np.float64)), abs=1e-4)
        logits.append(a.map.sum(dtype=np.float64) + bias[digit])
        assert a.probability == pytest.approx(float(probs[digit]), abs=1e-5)
    # The contributions plus the bias, through a softmax, are exactly the model's output.
    softmax = np.exp(logits - np.max(logits)) / np.exp(logits - np.max(logits)).sum()
    np.testing.assert_allclose(softmax, probs, atol=1e-5)


def test_default_digit_is_the_models_prediction(tiny_models, seven):
    for kind, model in tiny_models.items():
        probs = predict_probabilities(model, seven[None])[0]
        a = explain(model, kind, seven)
        assert a.kind == kind and a.digit == int(np.argmax(probs))
        assert a.probability == pytest.approx(float(probs.max()), abs=1e-4)


@pytest.mark.parametrize("method", [None, "grad-cam"])
def test_the_probability_calibrated_as_the_bars_are(tiny_models, seven, method):
    from digitlab.engine.calibration import apply_temperature, logits_from_probabilities

    for kind, model in tiny_models.items():
        if method and kind != "cnn":
            continue
        probs = predict_probabilities(model, seven[None])[0]
        a = explain(model, kind, seven, digit=3, method=method)
        np.testing.assert_allclose(a.probabilities, probs, atol=1e-5)
        assert a.probabilities[3] == a.probability
        for t in (0.5, 1.7):
            expected = apply_temperature(logits_from_probabilities(probs), t)[3]
            assert a.probability_at(t) == pytest.approx(float(expected), rel=1e-4)
            assert a.probability_at(t) != pytest.approx(a.probability, rel=1e-3)
        assert a.probability_at(1.0) == a.probability
        with pytest.raises(ValueError, match="temperature"):
            a.probability_at(0.0)


@pytest.mark.parametrize("kind", ["dnn", "cnn"])
def test_integrated_gradients_add_up_to_the_logit_change(tiny_models, seven, kind):
    model = tiny_models[kind]
    a = explain(model, kind, seven, digit=7, steps=64)
    assert a.method == "integrated gradients" and a.output == "logit"
    logits, output = model_logits(model, np.stack([seven, np.zeros_like(seven)]))
    assert output == "logit"
    # The logits really are the model's: their softmax is its probability output.
    z = logits[0] - logits[0].max()
    np.testing.assert_allclose(
        np.exp(z) / np.exp(z).sum(), predict_probabilities(model, seven[None])[0], atol=1e-5
    )
    assert a.output_change == pytest.approx(float(logits[0, 7] - logits[1, 7]), abs=1e-4)
    # Completeness: the pixels share out the whole change, up to the path integral's error.
    assert abs(a.map.sum() - a.output_change) <= 0.03 * abs(a.output_change) + 0.05


def test_more_steps_bring_completeness_closer(shipped_models, mnist):
    relative_errors = {8: [], 128: []}
    for image in mnist.x_test[:5].astype(np.float32) / 255.0:
        for steps, errors in relative_errors.items():
            a = explain(shipped_models["cnn"], "cnn", image, steps=steps)
            errors.append(abs(a.map.sum() - a.output_change) / abs(a.output_change))
    assert np.mean(relative_errors[128]) < np.mean(relative_errors[8])
    assert np.mean(relative_errors[128]) < 0.01


def test_attribution_sits_where_the_ink_is(shipped_models, mnist):
    # A digit squeezed into the top-left quarter: nothing may be attributed elsewhere.
    digit = mnist.x_test[1].astype(np.float32)[::2, ::2] / 255.0  # (14, 14)
    image = np.zeros((28, 28), np.float32)
    image[:14, :14] = digit
    ink = image > 0
    for kind, a in explain_all(shipped_models, image).items():
        assert np.all(a.map[~ink] == 0), kind
        assert np.abs(a.map[:14, :14]).sum() > 0, kind
    cam = grad_cam(shipped_models["cnn"], image)
    assert cam.shape == (28, 28) and cam.min() >= 0
    # Grad-CAM is not tied to the ink pixels, but its mass still sits on the digit's side.
    assert cam[:14, :14].sum() > cam[14:, 14:].sum()


def test_explain_all_covers_every_model_with_its_method(tiny_models, seven):
    result = explain_all(tiny_models, seven, digit=3)
    assert list(result) == ["multinomial", "dnn", "cnn"]
    assert [a.method for a in result.values()] == [
        "weight x input", "integrated gradients", "integrated gradients",
    ]
    assert all(a.digit == 3 for a in result.values())


def test_grad_cam_attribution_for_the_cnn(shipped_models, seven):
    a = explain(shipped_models["cnn"], "cnn", seven, method="grad-cam")
    assert a.method == "grad-cam" and a.digit == 7 and a.probability > 0.9
    np.testing.assert_allclose(a.map, grad_cam(shipped_models["cnn"], seven, 7), rtol=1e-5)
    assert np.isnan(a.output_change)


def test_bad_inputs_are_refused_with_the_value(tiny_models, seven):
    model = tiny_models["multinomial"]
    with pytest.raises(ValueError, match=r"shape \(28, 27\)"):
        explain(model, "multinomial", seven[:, :27])
    with pytest.raises(ValueError, match="digit=10"):
        explain(model, "multinomial", seven, digit=10)
    with pytest.raises(ValueError, match="multinomial model for kind='dnn'"):
        explain(model, "dnn", seven)
    with pytest.raises(ValueError, match="steps=0"):
        explain(tiny_models["dnn"], "dnn", seven, steps=0)
    with pytest.raises(ValueError, match="Grad-CAM needs the CNN"):
        explain(tiny_models["dnn"], "dnn", seven, method="grad-cam")
    with pytest.raises(ValueError, match="NaN"):
        explain(model, "multinomial", np.full((28, 28), np.nan, np.float32))
