"""Fast prediction with the three models: a numpy forward pass of their Keras weights.

``model.predict`` costs milliseconds per call (graph dispatch, batching machinery)
while the three networks themselves are about 3 million multiply-adds: too slow
to predict live as the user draws. :class:`Predictor` copies the weights out of
the Keras models once and runs the same layers in numpy:

    (28, 28) -> multinomial: Flatten 784 -> Dense 10 softmax              -> (10,)
             -> dnn: Flatten 784 -> Dense 64 -> 128 -> 32 relu -> 10 softmax -> (10,)
             -> cnn: (28, 28, 1) -> conv1 (26, 26, 32) -> pool1 (13, 13, 32)
                     -> conv2 (11, 11, 64) -> pool2 (5, 5, 64) -> conv3 (3, 3, 64)
                     -> Flatten 576 -> Dense 128 relu -> Dense 10 softmax   -> (10,)

A convolution is one matrix product over its im2col patches (ordered as Keras
stores kernels, ``(kh, kw, C_in)``); pooling is an elementwise max of strided
views; Flatten is row-major over ``(H, W, C)`` exactly as Keras's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine import MODEL_KINDS
from engine.preprocess import PreprocessResult, one_blas_thread, preprocess_drawing

#: Images per chunk in :meth:`Predictor.predict_batch` (bounds the im2col buffers).
_BATCH_CHUNK = 128


@dataclass(frozen=True)
class FeatureMap:
    """One CNN layer's output for one image.

    Attributes:
        name: the Keras layer's name: ``"conv1"``, ``"pool1"``, ``"conv2"``, ``"pool2"``,
            ``"conv3"``.
        array: float32 ``(H, W, C)``.
    """

    name: str
    array: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        """``(H, W, C)``, e.g. ``(26, 26, 32)`` for conv1."""
        return tuple(self.array.shape)


@dataclass(frozen=True)
class Prediction:
    """What the models say about one drawing.

    Attributes:
        is_empty: the drawing has no digit (nothing was predicted).
        probabilities: kind -> float32 ``(10,)`` softmax output; empty when ``is_empty``.
        digits: kind -> the most probable digit; empty when ``is_empty``.
        preprocess: every stage of the preprocessing, to show the user.
        feature_maps: the CNN's conv/pool outputs when asked for, else ``()``.
    """

    is_empty: bool
    probabilities: dict[str, np.ndarray]
    digits: dict[str, int]
    preprocess: PreprocessResult
    feature_maps: tuple[FeatureMap, ...] = field(default=())

    @property
    def digit(self) -> int | None:
        """The CNN's digit (the best model), else the first model's; ``None`` when empty."""
        if "cnn" in self.digits:
            return self.digits["cnn"]
        return next(iter(self.digits.values()), None)


class Predictor:
    """Runs any subset of the three models on drawings, in numpy.

    Build one with :meth:`from_keras` or :meth:`load_shipped`. A predictor is
    immutable (``with_model`` returns a new one) and holds no scratch buffers, but
    ``predict`` is meant to be called from one thread at a time per predictor.
    """

    def __init__(self, networks: Mapping[str, _Network]):
        unknown = [kind for kind in networks if kind not in MODEL_KINDS]
        if unknown:
            raise ValueError(
                f"Received model kind(s) {unknown}; expected some of {', '.join(MODEL_KINDS)}."
            )
        # Always in the app's order, so dict iteration (and Prediction.digit) is stable.
        self._networks = {kind: networks[kind] for kind in MODEL_KINDS if kind in networks}

    @classmethod
    def from_keras(cls, models: Mapping[str, object]) -> Predictor:
        """Copy the weights out of Keras models.

        Args:
            models: kind -> ``keras.Model``, any subset of ``"multinomial"``, ``"dnn"``,
                ``"cnn"``; each maps ``(None, 28, 28)`` to ``(None, 10)``.

        Raises:
            ValueError: an unknown kind, or a layer the numpy forward pass does not
                implement (it covers Reshape, Flatten, Dropout, Conv2D, MaxPooling2D, Dense).
        """
        return cls({kind: _compile_keras_model(model) for kind, model in models.items()})

    @classmethod
    def load_shipped(cls, kinds: tuple[str, ...] = MODEL_KINDS) -> Predictor:
        """Load the pretrained ``resources/models/{kind}.keras`` files.

        Raises:
            engine.models.ModelFileError: a file is missing, corrupt or of the wrong kind.
        """
        from engine.models import load_model, shipped_model_path  # noqa: PLC0415 - loads TF

        models = {}
        for kind in kinds:
            models[kind], _ = load_model(shipped_model_path(kind), expected_kind=kind)
        return cls.from_keras(models)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds this predictor runs, in the order multinomial, dnn, cnn."""
        return tuple(self._networks)

    def with_model(self, kind: str, model) -> Predictor:
        """A new predictor with ``kind`` replaced by (or added as) the Keras ``model``."""
        return Predictor({**self._networks, kind: _compile_keras_model(model)})

    def predict(
        self, drawing: np.ndarray, ink: str = "auto", feature_maps: bool = False
    ) -> Prediction:
        """Preprocess a drawing MNIST-style and run every model on it.

        Args:
            drawing: 2-D grayscale ``(H, W)`` canvas, ``uint8`` 0..255 or float 0..1.
            ink: ``"auto"``, ``"bright"`` (white on black) or ``"dark"`` (black on white).
            feature_maps: also return the CNN's conv/pool outputs (needs a CNN).

        Returns:
            A :class:`Prediction`; ``is_empty`` with no probabilities when there is no digit.
        """
        with one_blas_thread():
            pre = preprocess_drawing(drawing, ink=ink)
            if pre.is_empty:
                return Prediction(True, {}, {}, pre, ())
            x = _check_image28(pre.image28)
            probabilities, maps = {}, ()
            for kind, net in self._networks.items():
                # The CNN's maps come from the same forward pass as its probabilities.
                want_maps = feature_maps and kind == "cnn"
                output, layer_maps = net.run(x, keep_maps=want_maps)
                probabilities[kind] = output[0]
                if want_maps:
                    maps = tuple(FeatureMap(name, array[0]) for name, array in layer_maps)
        digits = {kind: int(np.argmax(p)) for kind, p in probabilities.items()}
        return Prediction(False, probabilities, digits, pre, maps)

    def predict_image28(self, image28: np.ndarray) -> dict[str, np.ndarray]:
        """Run every model on an already preprocessed image.

        Args:
            image28: float ``(28, 28)`` in [0, 1], ink bright.

        Returns:
            kind -> float32 ``(10,)`` probabilities.
        """
        with one_blas_thread():
            return self._predict28(image28)

    def predict_batch(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """Run every model on many preprocessed images (e.g. MNIST itself).

        Args:
            images: ``(N, 28, 28)``, ``uint8`` 0..255 or float 0..1.

        Returns:
            kind -> float32 ``(N, 10)`` probabilities.
        """
        x = _check_images(images)
        out = {kind: np.empty((len(x), 10), np.float32) for kind in self._networks}
        with one_blas_thread():
            for start in range(0, len(x), _BATCH_CHUNK):
                chunk = x[start:start + _BATCH_CHUNK]
                for kind, net in self._networks.items():
                    out[kind][start:start + len(chunk)] = net.forward(chunk)
        return out

    def feature_maps(self, image28: np.ndarray) -> tuple[FeatureMap, ...]:
        """The CNN's conv and pool outputs for one preprocessed image.

        Args:
            image28: float ``(28, 28)`` in [0, 1], ink bright.

        Returns:
            ``FeatureMap`` s named after the layers: conv1 ``(26, 26, 32)``, pool1
            ``(13, 13, 32)``, conv2 ``(11, 11, 64)``, pool2 ``(5, 5, 64)``, conv3 ``(3, 3, 64)``.

        Raises:
            ValueError: this predictor has no CNN.
        """
        with one_blas_thread():
            return self._feature_maps(image28)

    def cnn_first_layer_kernels(self) -> np.ndarray:
        """The CNN's first convolution kernels, float32 ``(3, 3, 32)`` (one 3x3 per channel)."""
        kernel = self._network("cnn").first_conv_kernel()
        return np.ascontiguousarray(kernel[:, :, 0, :], dtype=np.float32)

    def __contains__(self, kind: object) -> bool:
        return kind in self._networks

    def __repr__(self) -> str:
        return f"Predictor(kinds={self.kinds})"

    def _network(self, kind: str) -> _Network:
        if kind not in self._networks:
            loaded = ", ".join(self.kinds) or "none"
            raise ValueError(f"This predictor has no {kind} model (loaded: {loaded}).")
        return self._networks[kind]

    def _predict28(self, image28: np.ndarray) -> dict[str, np.ndarray]:
        x = _check_image28(image28)
        return {kind: net.forward(x)[0] for kind, net in self._networks.items()}

    def _feature_maps(self, image28: np.ndarray) -> tuple[FeatureMap, ...]:
        net = self._network("cnn")
        x = _check_image28(image28)
        _, maps = net.run(x, keep_maps=True)
        return tuple(FeatureMap(name, array[0]) for name, array in maps)


def _check_image28(image28: np.ndarray) -> np.ndarray:
    """``(28, 28)`` -> a ``(1, 28, 28)`` float32 batch."""
    if np.shape(image28) != (28, 28):
        raise ValueError(f"Received image28 of shape {np.shape(image28)}; expected (28, 28).")
    return _check_images(np.asarray(image28)[None])


def _check_images(images: np.ndarray) -> np.ndarray:
    """``(N, 28, 28)`` uint8 or float -> C-contiguous float32 in model units."""
    arr = np.asarray(images)
    if arr.ndim != 3 or arr.shape[1:] != (28, 28):
        raise ValueError(f"Received images of shape {arr.shape}; expected (N, 28, 28).")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) * np.float32(1.0 / 255.0)
    return np.ascontiguousarray(arr, dtype=np.float32)


# --- the numpy layers ------------------------------------------------------------------------

_ACTIVATIONS = ("linear", "relu", "softmax")


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    """Apply ``activation`` in place on ``z`` (float32, last axis = units)."""
    if activation == "relu":
        np.maximum(z, 0.0, out=z)
    elif activation == "softmax":
        # Subtracting the max keeps exp() finite for any logits.
        z -= z.max(axis=-1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=-1, keepdims=True)
    return z


@dataclass(frozen=True)
class _Step:
    """One Keras layer as a numpy op on a batch: ``(N, ...) -> (N, ...)``."""

    name: str
    op: str  # "reshape", "conv", "pool" or "dense"
    shape: tuple[int, ...] = ()  # reshape: the per-sample target shape
    weights: np.ndarray | None = None  # conv: (kh*kw*C_in, C_out); dense: (in, out)
    bias: np.ndarray | None = None
    window: tuple[int, int] = (1, 1)  # conv kernel or pool size
    strides: tuple[int, int] = (1, 1)  # pool strides
    activation: str = "linear"
    kernel: np.ndarray | None = None  # conv: Keras's (kh, kw, C_in, C_out), for display

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.op == "reshape":
            return x.reshape((x.shape[0], *self.shape))
        if self.op == "dense":
            return _activate(x @ self.weights + self.bias, self.activation)
        if self.op == "conv":
            return self._conv(x)
        return self._pool(x)

    def _conv(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W, C) -> (N, H-kh+1, W-kw+1, C_out), VALID, stride 1."""
        n, h, w, _ = x.shape
        kh, kw = self.window
        oh, ow = h - kh + 1, w - kw + 1
        # Patches in Keras's kernel order (kh, kw, C). For one image, joining the kh*kw
        # shifted slices is ~2x faster than copying the 6-D window view; for batches
        # the view wins.
        if n <= 8:
            shifted = [x[:, i:i + oh, j:j + ow] for i in range(kh) for j in range(kw)]
            cols = np.concatenate(shifted, axis=-1).reshape(n * oh * ow, -1)
        else:
            windows = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, oh, ow, C, kh, kw)
            cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, -1)
        out = cols @ self.weights
        out += self.bias
        return _activate(out, self.activation).reshape(n, oh, ow, -1)

    def _pool(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W, C) -> (N, (H-ph)//sh+1, (W-pw)//sw+1, C), VALID max pooling."""
        _, h, w, _ = x.shape
        (ph, pw), (sh, sw) = self.window, self.strides
        oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
        out = None
        for i in range(ph):
            for j in range(pw):
                view = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
                out = view.copy() if out is None else np.maximum(out, view, out=out)
        return out


@dataclass(frozen=True)
class _Network:
    """A compiled model: numpy steps from ``(N, 28, 28)`` float32 to ``(N, 10)`` probabilities."""

    steps: tuple[_Step, ...]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for step in self.steps:
            x = step(x)
        return x

    def run(self, x: np.ndarray, keep_maps: bool = False
            ) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        """The output, and ``(name, (N, H, W, C))`` of every conv and pool step if asked."""
        maps = []
        for step in self.steps:
            x = step(x)
            if keep_maps and step.op in ("conv", "pool"):
                maps.append((step.name, x))
        return x, maps

    def first_conv_kernel(self) -> np.ndarray:
        return next(s.kernel for s in self.steps if s.op == "conv")


def _compile_keras_model(model) -> _Network:
    """Turn a Sequential-style Keras model into numpy steps (weights copied as float32)."""
    steps = []
    for layer in model.layers:
        kind = type(layer).__name__
        config = layer.get_config()
        if kind in ("InputLayer", "Dropout"):  # Dropout is the identity at inference
            continue
        if kind == "Flatten":
            steps.append(_Step(layer.name, "reshape", shape=(-1,)))
        elif kind == "Reshape":
            steps.append(_Step(layer.name, "reshape", shape=tuple(config["target_shape"])))
        elif kind == "Dense":
            w, b = _weights(layer)
            steps.append(_Step(layer.name, "dense", weights=w, bias=b,
                               activation=_activation(layer, config)))
        elif kind == "Conv2D":
            _require(layer, config, strides=(1, 1), padding="valid", dilation_rate=(1, 1),
                     groups=1, data_format="channels_last")
            kernel, b = _weights(layer)
            kh, kw, c_in, c_out = kernel.shape
            steps.append(_Step(
                layer.name, "conv", weights=np.ascontiguousarray(kernel.reshape(-1, c_out)),
                bias=b, window=(kh, kw), activation=_activation(layer, config), kernel=kernel))
        elif kind == "MaxPooling2D":
            _require(layer, config, padding="valid", data_format="channels_last")
            pool = tuple(config["pool_size"])
            strides = tuple(config["strides"] or pool)
            steps.append(_Step(layer.name, "pool", window=pool, strides=strides))
        else:
            raise ValueError(
                f"Received a model with layer {layer.name!r} of type {kind}; the fast predictor "
                "runs Reshape, Flatten, Dropout, Conv2D, MaxPooling2D and Dense layers only."
            )
    return _Network(tuple(steps))


def _weights(layer) -> tuple[np.ndarray, np.ndarray]:
    weights = [np.asarray(w, dtype=np.float32) for w in layer.get_weights()]
    kernel = weights[0]
    bias = weights[1] if len(weights) > 1 else np.zeros(kernel.shape[-1], np.float32)
    return np.ascontiguousarray(kernel), np.ascontiguousarray(bias)


def _activation(layer, config: dict) -> str:
    name = config.get("activation")
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"Received layer {layer.name!r} with activation={name!r}; the fast predictor "
            f"supports {', '.join(_ACTIVATIONS)}."
        )
    return name


def _require(layer, config: dict, **expected) -> None:
    for key, value in expected.items():
        got = config.get(key)
        if (tuple(got) if isinstance(got, list) else got) != value:
            raise ValueError(
                f"Received layer {layer.name!r} with {key}={got!r}; the fast predictor "
                f"supports {key}={value!r} only."
            )
