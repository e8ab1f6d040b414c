"""What each model learned: its first layer's weights, shaped as images.

- multinomial: the Dense(10) kernel ``(784, 10)``; column ``d`` reshaped to 28x28 is
  the template digit ``d`` is scored against (logit = template . image + bias).
- dnn: the first Dense(64) kernel ``(784, 64)``; each unit's 784 weights as a 28x28
  image (what that unit looks for before the ReLU).
- cnn: the first Conv2D's 32 kernels ``(3, 3, 1, 32)`` as 32 3x3 images (the same
  kind of edge and blob detectors as the lesson's hand-made filters; apply them to
  a photo with :func:`engine.filters.apply_filter`).

All arrays are copies in float32; the sign is kept (positive weight = ink there
raises the score).
"""

from __future__ import annotations

import numpy as np

from digitlab.engine.models import infer_kind


def multinomial_templates(model) -> np.ndarray:
    """The multinomial model's ten weight templates.

    Args:
        model: a multinomial Keras model (Flatten -> Dense(10, softmax)).

    Returns:
        float32 ``(10, 28, 28)``: ``templates[d]`` = the Dense kernel column ``d``.

    Raises:
        ValueError: ``model`` is not a multinomial model.
    """
    kernel = _first_weights(model, "multinomial", "Dense")  # (784, 10)
    return np.ascontiguousarray(kernel.T.reshape(-1, 28, 28))


def dnn_first_layer(model) -> np.ndarray:
    """The DNN's first hidden layer as images.

    Args:
        model: a dnn Keras model (Flatten -> Dense(64) -> ...).

    Returns:
        float32 ``(64, 28, 28)``: image ``j`` = the 784 input weights of unit ``j``.

    Raises:
        ValueError: ``model`` is not a dnn model.
    """
    kernel = _first_weights(model, "dnn", "Dense")  # (784, 64)
    return np.ascontiguousarray(kernel.T.reshape(-1, 28, 28))


def cnn_first_layer(model) -> np.ndarray:
    """The CNN's first convolution kernels.

    Args:
        model: a cnn Keras model (Reshape -> Conv2D(32, 3x3) -> ...).

    Returns:
        float32 ``(32, 3, 3)``: kernel ``c`` is output channel ``c`` of ``conv1``, in the
        ``(C, kh, kw)`` stack :func:`engine.filters.apply_filter` accepts.

    Raises:
        ValueError: ``model`` is not a cnn model.
    """
    kernel = _first_weights(model, "cnn", "Conv2D")  # (3, 3, 1, 32)
    return np.ascontiguousarray(np.transpose(kernel[:, :, 0, :], (2, 0, 1)))


def _first_weights(model, kind: str, layer_type: str) -> np.ndarray:
    found = infer_kind(model)
    if found != kind:
        raise ValueError(f"Received a {found} model; expected a {kind} model.")
    layer = next(layer for layer in model.layers if type(layer).__name__ == layer_type)
    return np.array(layer.get_weights()[0], dtype=np.float32)


__all__ = ["cnn_first_layer", "dnn_first_layer", "multinomial_templates"]
