"""The numpy layers against plain loops: im2col, pooling, and the fused convolution + pooling."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.engine.numpy_layers import Network, _max_pool, _patches, build_step

CONV = {"strides": [1, 1], "padding": "valid", "dilation_rate": [1, 1], "groups": 1,
        "data_format": "channels_last"}


def naive_conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """VALID stride-1 convolution by a loop over output positions, float64."""
    n, h, w, _ = x.shape
    kh, kw, _, c_out = kernel.shape
    out = np.empty((n, h - kh + 1, w - kw + 1, c_out))
    for y in range(h - kh + 1):
        for x0 in range(w - kw + 1):
            window = x[:, y:y + kh, x0:x0 + kw, :].astype(np.float64)
            out[:, y, x0] = np.einsum("nijc,ijco->no", window, kernel) + bias
    return out


def naive_pool(x: np.ndarray, window: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = window, strides
    oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    out = np.empty((n, oh, ow, c), x.dtype)
    for y in range(oh):
        for x0 in range(ow):
            out[:, y, x0] = x[:, y * sh:y * sh + ph, x0 * sw:x0 * sw + pw].max(axis=(1, 2))
    return out


def network(spec, rng) -> tuple[Network, list]:
    """A (28, 28) -> (10,) network from ``("conv", filters, (kh, kw), activation)`` and
    ``("pool", size, strides)`` items, with random weights; also the Keras-style layers."""
    layers = [("Reshape", {"target_shape": [28, 28, 1]}, [])]
    h = w = 28
    c = 1
    for item in spec:
        if item[0] == "conv":
            _, filters, (kh, kw), activation = item
            weights = [rng.standard_normal((kh, kw, c, filters)).astype(np.float32) * 0.4,
                       rng.standard_normal(filters).astype(np.float32) * 0.2]
            layers.append(("Conv2D", {**CONV, "activation": activation}, weights))
            h, w, c = h - kh + 1, w - kw + 1, filters
        else:
            _, size, strides = item
            layers.append(("MaxPooling2D", {"padding": "valid", "data_format": "channels_last",
                                            "pool_size": list(size),
                                            "strides": None if strides is None else list(strides)},
                           []))
            sh, sw = strides or size
            h, w = (h - size[0]) // sh + 1, (w - size[1]) // sw + 1
    layers.append(("Flatten", {"data_format": "channels_last"}, []))
    layers.append(("Dense", {"activation": "softmax"},
                   [rng.standard_normal((h * w * c, 10)).astype(np.float32) * 0.1,
                    np.zeros(10, np.float32)]))
    steps = [build_step(cls, f"{cls.lower()}_{i}", config, weights)
             for i, (cls, config, weights) in enumerate(layers)]
    return Network(tuple(steps)), layers


ARCHITECTURES = {
    "lesson cnn": [("conv", 8, (3, 3), "relu"), ("pool", (2, 2), None),
                   ("conv", 6, (3, 3), "relu"), ("pool", (2, 2), None),
                   ("conv", 5, (3, 3), "relu")],
    "odd pools, linear conv": [("conv", 4, (5, 5), "linear"), ("pool", (3, 3), (2, 2)),
                               ("conv", 3, (3, 2), "relu"), ("pool", (2, 3), (1, 2))],
    "softmax conv before a pool": [("conv", 3, (3, 3), "softmax"), ("pool", (2, 2), None)],
    "pool after pool, 1x1 conv": [("conv", 3, (1, 1), "relu"), ("pool", (2, 2), None),
                                  ("pool", (2, 2), (1, 1)), ("conv", 4, (4, 4), "relu"),
                                  ("pool", (4, 4), (3, 3))],
}


@pytest.mark.parametrize("channels", [1, 3, 32])
@pytest.mark.parametrize("batch", [1, 3, 8, 9])  # one channel: gathered up to 8, then joined
def test_patches_are_the_windows_in_kernel_order(channels, batch):
    rng = np.random.default_rng(channels)
    x = rng.random((batch, 9, 8, channels), dtype=np.float32)
    kh, kw = 3, 2
    oh, ow = 9 - kh + 1, 8 - kw + 1
    cols = _patches(x, kh, kw, oh, ow)
    expected = np.stack([x[n, y:y + kh, x0:x0 + kw, :].reshape(-1)
                         for n in range(batch) for y in range(oh) for x0 in range(ow)])
    np.testing.assert_array_equal(cols, expected)


@pytest.mark.parametrize("shape", [(1, 26, 26, 4), (2, 11, 11, 3), (1, 5, 7, 2), (3, 3, 4, 1)])
@pytest.mark.parametrize("window,strides", [((2, 2), (2, 2)), ((3, 3), (2, 2)),
                                            ((2, 3), (1, 2))])
def test_max_pool_matches_a_loop(shape, window, strides):
    if shape[1] < window[0] or shape[2] < window[1]:
        pytest.skip("window larger than the input")
    x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    np.testing.assert_array_equal(_max_pool(x, window, strides), naive_pool(x, window, strides))


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_forward_equals_the_layer_by_layer_run_exactly(name):
    """``forward`` pools before the bias and ReLU; that must not change a single bit."""
    rng = np.random.default_rng(len(name))
    net, _ = network(ARCHITECTURES[name], rng)
    for batch in (1, 2, 9):
        x = rng.random((batch, 28, 28), dtype=np.float32) * (rng.random((batch, 28, 28)) > 0.4)
        stepwise, maps = net.run(x, keep_maps=True)
        np.testing.assert_array_equal(net.forward(x), stepwise)
        assert [m.shape[0] for _, m in maps] == [batch] * len(maps)


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_an_empty_batch_gives_an_empty_output_of_the_right_shape(name):
    """A set with no samples (fit-gate-stage on a machine without the Hershey fonts had
    one): no error from a reshape that cannot infer a size from zero samples."""
    net, _ = network(ARCHITECTURES[name], np.random.default_rng(3))
    empty = np.zeros((0, 28, 28), np.float32)
    assert net.forward(empty).shape == (0, 10)
    out, maps = net.run(empty, keep_maps=True)
    _, full = net.run(np.zeros((2, 28, 28), np.float32), keep_maps=True)
    assert out.shape == (0, 10)
    assert [(n, m.shape) for n, m in maps] == [(n, (0, *m.shape[1:])) for n, m in full]


def test_fused_plan_keeps_softmax_convolutions_unfused():
    rng = np.random.default_rng(0)
    fused, _ = network(ARCHITECTURES["lesson cnn"], rng)
    kept, _ = network(ARCHITECTURES["softmax conv before a pool"], rng)
    assert len(fused._fast) == len(fused.steps) - 2  # both conv + pool pairs fused
    assert len(kept._fast) == len(kept.steps)


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_forward_matches_plain_convolution_loops(name):
    rng = np.random.default_rng(7 + len(name))
    net, layers = network(ARCHITECTURES[name], rng)
    x = rng.random((2, 28, 28), dtype=np.float32)
    h = x[..., None].astype(np.float64)
    for cls, config, weights in layers[1:]:
        if cls == "Conv2D":
            h = naive_conv(h, weights[0], weights[1])
            if config["activation"] == "relu":
                h = np.maximum(h, 0.0)
            elif config["activation"] == "softmax":
                h = np.exp(h - h.max(axis=-1, keepdims=True))
                h /= h.sum(axis=-1, keepdims=True)
        elif cls == "MaxPooling2D":
            size = tuple(config["pool_size"])
            h = naive_pool(h, size, tuple(config["strides"] or size))
        elif cls == "Flatten":
            h = h.reshape(len(h), -1)
        else:
            z = h @ weights[0] + weights[1]
            h = np.exp(z - z.max(axis=1, keepdims=True))
            h /= h.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.forward(x), h, atol=1e-5)
