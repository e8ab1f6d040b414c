"""Fast prediction with the three models: a numpy forward pass of their Keras weights.

``model.predict`` costs milliseconds per call (graph dispatch, batching machinery)
while the three networks themselves are about 3 million multiply-adds: too slow
to predict live as the user draws. :class:`Predictor` runs the same layers in
numpy, with the weights read straight from the ``.keras`` files by
:func:`load_predictor` (no TensorFlow import: the app predicts before TensorFlow
is loaded, and ``digitlab predict`` never loads it) or copied out of live Keras
models by :meth:`Predictor.from_keras`:

    (28, 28) -> multinomial: Flatten 784 -> Dense 10 softmax              -> (10,)
             -> dnn: Flatten 784 -> Dense 64 -> 128 -> 32 relu -> 10 softmax -> (10,)
             -> cnn: (28, 28, 1) -> conv1 (26, 26, 32) -> pool1 (13, 13, 32)
                     -> conv2 (11, 11, 64) -> pool2 (5, 5, 64) -> conv3 (3, 3, 64)
                     -> Flatten 576 -> Dense 128 relu -> Dense 10 softmax   -> (10,)

The layers themselves are in :mod:`engine.numpy_layers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitlab.engine import MODEL_KINDS
from digitlab.engine.numpy_layers import Network, compile_keras_model
from digitlab.engine.blas import one_blas_thread
from digitlab.engine.preprocess import PreprocessResult, preprocess_drawing

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

    Build one with :func:`load_predictor` (model files, no TensorFlow),
    :meth:`load_shipped` or :meth:`from_keras` (live Keras models). A predictor is
    immutable (``with_model`` returns a new one) and holds no scratch buffers, but
    ``predict`` is meant to be called from one thread at a time per predictor.
    """

    def __init__(self, networks: Mapping[str, Network]):
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
        return cls({kind: compile_keras_model(model) for kind, model in models.items()})

    @classmethod
    def load_shipped(cls, kinds: tuple[str, ...] = MODEL_KINDS) -> Predictor:
        """Load the pretrained ``resources/models/{kind}.keras`` files, without TensorFlow.

        Raises:
            engine.models.ModelFileError: a file is missing, corrupt or of the wrong kind.
        """
        from digitlab.engine.models import shipped_model_path  # noqa: PLC0415

        return load_predictor({kind: shipped_model_path(kind) for kind in kinds})

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds this predictor runs, in the order multinomial, dnn, cnn."""
        return tuple(self._networks)

    def with_model(self, kind: str, model) -> Predictor:
        """A new predictor with ``kind`` replaced by (or added as) the Keras ``model``."""
        return self.with_network(kind, compile_keras_model(model))

    def with_network(self, kind: str, network: Network) -> Predictor:
        """A new predictor with ``kind`` replaced by (or added as) ``network``
        (e.g. from :func:`engine.keras_reader.read_model_network`)."""
        return Predictor({**self._networks, kind: network})

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
        digits = {kind: int(p.argmax()) for kind, p in probabilities.items()}
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

    def predict_batch(self, images: np.ndarray, kinds: tuple[str, ...] | None = None
                      ) -> dict[str, np.ndarray]:
        """Run the models on many preprocessed images (e.g. MNIST itself).

        Args:
            images: ``(N, 28, 28)``, ``uint8`` 0..255 or float 0..1.
            kinds: the models to run; ``None``: all of this predictor's.

        Returns:
            kind -> float32 ``(N, 10)`` probabilities.

        Raises:
            ValueError: a kind this predictor does not hold, or images of another shape.
        """
        networks = (self._networks if kinds is None
                    else {kind: self._network(kind) for kind in kinds})
        return self._run_batch(images, networks, keep_maps=False)[0]

    def predict_batch_with_maps(
        self, images: np.ndarray
    ) -> tuple[dict[str, np.ndarray], tuple[tuple[FeatureMap, ...], ...]]:
        """:meth:`predict_batch` of all the models, and each image's CNN feature maps from
        the same pass (the CNN goes layer by layer; its probabilities are those of
        :meth:`predict_batch` bit for bit).

        A matrix product's rounding depends on its number of rows, so the maps of an image
        in a batch of several can differ from :meth:`feature_maps` of that image alone in
        the last bits (float32 rounding); in a batch of one they are the same.

        Args:
            images: ``(N, 28, 28)``, ``uint8`` 0..255 or float 0..1.

        Returns:
            ``(probabilities, maps)``: kind -> float32 ``(N, 10)``, and per image the
            ``FeatureMap`` s of :meth:`feature_maps` (``()`` each without a CNN).

        Raises:
            ValueError: images of another shape.
        """
        return self._run_batch(images, self._networks, keep_maps=True)

    def _run_batch(self, images: np.ndarray, networks: Mapping[str, Network], keep_maps: bool
                   ) -> tuple[dict[str, np.ndarray], tuple[tuple[FeatureMap, ...], ...]]:
        """``networks`` on ``images`` in chunks; with ``keep_maps`` each image's CNN maps."""
        x = _check_shape(images)
        out = {kind: np.empty((len(x), 10), np.float32) for kind in networks}
        maps: list[tuple[FeatureMap, ...]] = []
        with one_blas_thread():
            for start in range(0, len(x), _BATCH_CHUNK):
                # Scaled per chunk: a uint8 test set is never copied whole as float32.
                chunk = _scaled(x[start:start + _BATCH_CHUNK])
                layer_maps = []
                for kind, net in networks.items():
                    if keep_maps and kind == "cnn":
                        output, layer_maps = net.run(chunk, keep_maps=True)
                    else:
                        output = net.forward(chunk)
                    out[kind][start:start + len(chunk)] = output
                if keep_maps:
                    maps.extend(tuple(FeatureMap(name, array[i]) for name, array in layer_maps)
                                for i in range(len(chunk)))
        return out, tuple(maps)

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

    def _network(self, kind: str) -> Network:
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


def load_predictor(paths: Mapping[str, str | Path]) -> Predictor:
    """Read model files straight into a predictor, without importing TensorFlow or Keras.

    The Draw tab and ``digitlab predict`` / ``evaluate`` start with this: it reads each
    ``.keras`` file with :func:`engine.keras_reader.read_model_network` (the safety
    checks of ``engine.models.load_model``, then the config and weights in numpy), in
    about the time of ``import numpy`` rather than of ``import tensorflow``.

    Args:
        paths: kind -> ``.keras`` file, any subset of ``"multinomial"``, ``"dnn"``,
            ``"cnn"``; each file must hold a model of that kind.

    Returns:
        A :class:`Predictor` over those kinds.

    Raises:
        engine.models.ModelFileError: a file is missing, unsafe, corrupt, of the
            wrong kind or of an architecture the numpy network does not run.
        ValueError: an unknown kind.
    """
    from digitlab.engine.keras_reader import read_model_network  # noqa: PLC0415

    unknown = [kind for kind in paths if kind not in MODEL_KINDS]
    if unknown:
        raise ValueError(
            f"Received model kind(s) {unknown}; expected some of {', '.join(MODEL_KINDS)}.")
    return Predictor({kind: read_model_network(path, expected_kind=kind)[0]
                      for kind, path in paths.items()})


def _check_image28(image28: np.ndarray) -> np.ndarray:
    """``(28, 28)`` -> a ``(1, 28, 28)`` float32 batch."""
    if np.shape(image28) != (28, 28):
        raise ValueError(f"Received image28 of shape {np.shape(image28)}; expected (28, 28).")
    return _check_images(np.asarray(image28)[None])


def _check_images(images: np.ndarray) -> np.ndarray:
    """``(N, 28, 28)`` uint8 or float -> C-contiguous float32 in model units."""
    return _scaled(_check_shape(images))


def _check_shape(images: np.ndarray) -> np.ndarray:
    """``images`` as an array, if it is ``(N, 28, 28)``."""
    arr = np.asarray(images)
    if arr.ndim != 3 or arr.shape[1:] != (28, 28):
        raise ValueError(f"Received images of shape {arr.shape}; expected (N, 28, 28).")
    return arr


def _scaled(arr: np.ndarray) -> np.ndarray:
    """uint8 0..255 -> float32 0..1 (``/ 255``, as training scales); float -> float32."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255.0)
    return np.ascontiguousarray(arr, dtype=np.float32)
