"""The lesson's three MNIST classifiers, and safe loading and saving of them.

Each model takes ``(batch, 28, 28)`` float32 images scaled to [0, 1] (the CNN
reshapes to ``(batch, 28, 28, 1)`` itself) and returns ``(batch, 10)``
softmax probabilities.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from digitlab import resources
from digitlab.engine import MODEL_KINDS
from digitlab.engine.errors import one_line
from digitlab.engine.model_archive import (
    DEFAULT_LIMITS,
    ModelArchive,
    ModelArchiveError,
    ModelLimits,
    check_model_archive,
    check_probe_outputs,
    find_custom_code,
)
from digitlab.engine.model_store import (
    NotACardError,
    check_card_slot,
    file_sha256,
    model_card_path,
    read_test_accuracy,
    save_model_atomic,
    save_model_with_card,
    write_model_card,
)
from digitlab.engine.tf_runtime import import_keras

__all__ = [
    "DEFAULT_LIMITS", "SHIPPED_MODELS_DIR", "ModelFileError", "ModelLimits", "NotACardError",
    "build_model", "check_card_slot",
    "check_finite_weights", "check_kind", "check_runs_on_digits", "file_sha256",
    "find_custom_code", "infer_kind", "load_model", "model_card_path", "probe_images",
    "read_model_archive", "read_test_accuracy", "save_model_atomic", "save_model_with_card",
    "shipped_model_path", "write_model_card",
]

#: Where the pretrained models ship.
SHIPPED_MODELS_DIR = resources.path("models")


class ModelFileError(ValueError):
    """A model file is missing, corrupt, unsafe or not a model of the expected kind."""


def check_kind(kind: str) -> str:
    """Return ``kind`` if it names one of :data:`engine.MODEL_KINDS`."""
    if kind not in MODEL_KINDS:
        raise ValueError(f"Received model kind {kind!r}; expected one of {', '.join(MODEL_KINDS)}.")
    return kind


def build_model(kind: str, dropout: bool = True):
    """Build an untrained model with the lesson's architecture.

    Args:
        kind: ``"multinomial"``, ``"dnn"`` or ``"cnn"``.
        dropout: CNN only: insert ``Dropout(0.25)`` after Flatten (the lesson's
            best variant). Ignored for the other kinds.

    Returns:
        An uncompiled ``keras.Sequential`` mapping ``(None, 28, 28)`` to ``(None, 10)``.

    Layers:
        multinomial: Flatten(784) → Dense(10, softmax) — 7,850 parameters.
        dnn: Flatten(784) → Dense(64) → Dense(128) → Dense(32) (relu) → Dense(10, softmax).
        cnn: Reshape(28, 28, 1) → Conv2D(32, 3x3) → MaxPool 2x2 → Conv2D(64, 3x3)
            → MaxPool 2x2 → Conv2D(64, 3x3) → Flatten → [Dropout(0.25)] → Dense(128)
            → Dense(10, softmax). Shapes 26x26x32, 13x13x32, 11x11x64, 5x5x64, 3x3x64, 576.
    """
    keras = import_keras()
    layers = keras.layers
    check_kind(kind)
    inputs = keras.Input(shape=(28, 28), name="image")
    if kind == "multinomial":
        body = [
            layers.Flatten(name="flatten"),
            layers.Dense(10, activation="softmax", name="output"),
        ]
    elif kind == "dnn":
        body = [
            layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu", name="dense_64"),
            layers.Dense(128, activation="relu", name="dense_128"),
            layers.Dense(32, activation="relu", name="dense_32"),
            layers.Dense(10, activation="softmax", name="output"),
        ]
    else:
        body = [
            layers.Reshape((28, 28, 1), name="to_channels"),
            layers.Conv2D(32, (3, 3), activation="relu", name="conv1"),
            layers.MaxPooling2D((2, 2), name="pool1"),
            layers.Conv2D(64, (3, 3), activation="relu", name="conv2"),
            layers.MaxPooling2D((2, 2), name="pool2"),
            layers.Conv2D(64, (3, 3), activation="relu", name="conv3"),
            layers.Flatten(name="flatten"),
        ]
        if dropout:
            body.append(layers.Dropout(0.25, name="dropout"))
        body += [
            layers.Dense(128, activation="relu", name="dense_128"),
            layers.Dense(10, activation="softmax", name="output"),
        ]
    return keras.Sequential([inputs, *body], name=kind)


def infer_kind(model) -> str:
    """Tell which of the three kinds a loaded model is, from its layers.

    Raises:
        ModelFileError: the model's input/output shapes do not fit any kind.
    """
    in_shape = tuple(model.input_shape[1:]) if hasattr(model, "input_shape") else None
    out_shape = tuple(model.output_shape[1:]) if hasattr(model, "output_shape") else None
    if in_shape not in ((28, 28), (28, 28, 1), (784,)) or out_shape != (10,):
        raise ModelFileError(
            f"model takes {in_shape} and returns {out_shape}; "
            "a Digit Lab model takes (28, 28) images and returns (10,) probabilities"
        )
    names = [type(layer).__name__ for layer in model.layers]
    if "Conv2D" in names:
        return "cnn"
    dense = names.count("Dense")
    return "multinomial" if dense == 1 else "dnn"


def shipped_model_path(kind: str) -> Path:
    """Path of the pretrained model of ``kind`` in ``resources/models``."""
    return SHIPPED_MODELS_DIR / f"{check_kind(kind)}.keras"


def read_model_archive(path: str | Path, limits: ModelLimits = DEFAULT_LIMITS) -> tuple[Path, dict]:
    """Check a ``.keras`` file without importing Keras, and return its parsed config.

    The checks :func:`load_model` runs before Keras sees the file, shared with the
    TensorFlow-free reader (``engine.keras_reader``); see
    :func:`engine.model_archive.check_model_archive`, which also returns the
    size-checked member bytes.

    Args:
        path: a ``.keras`` file.
        limits: size bounds (tests scale them down).

    Returns:
        ``(path, config)``: the expanded path and the parsed ``config.json``.

    Raises:
        ModelFileError: with a one-line reason naming the file.
    """
    archive = _checked_archive(path, limits)
    return archive.path, archive.config


def _checked_archive(path, limits: ModelLimits) -> ModelArchive:
    try:
        return check_model_archive(path, limits)
    except ModelArchiveError as exc:
        raise ModelFileError(str(exc)) from None


#: What every loaded model is run on before it is accepted: a blank image and a
#: fixed stroke-like pattern, shaped as the app feeds them, (N, 28, 28) in [0, 1].
def probe_images() -> np.ndarray:
    """float32 ``(2, 28, 28)``: a blank image and a deterministic pattern in [0, 1]."""
    rng = np.random.default_rng(0)
    return np.stack([np.zeros((28, 28), np.float32), rng.random((28, 28), dtype=np.float32)])


def load_model(path: str | Path, expected_kind: str | None = None,
               limits: ModelLimits = DEFAULT_LIMITS):
    """Load a ``.keras`` model safely.

    Keras's ``safe_mode`` stays on, and the archive is checked first without
    Keras (:func:`engine.model_archive.check_model_archive`): a file holding a
    Lambda layer, a class from outside Keras or other serialized code is refused
    rather than run, and so is an architecture or a member larger than the limits.
    Keras then reads a clean in-memory copy of the checked members, so it extracts
    nothing to the temporary folder. The model must map ``(N, 28, 28)`` images to
    ``(N, 10)`` finite outputs, checked by running it on :func:`probe_images`.

    Args:
        path: a ``.keras`` file.
        expected_kind: if given, the model must be of this kind.
        limits: size bounds (tests scale them down).

    Returns:
        ``(model, kind)``.

    Raises:
        ModelFileError: with a one-line reason naming the file.
    """
    archive = _checked_archive(path, limits)
    path = archive.path
    keras = import_keras()
    from keras.src.saving import saving_lib  # noqa: PLC0415 - the file-object entry point

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = saving_lib.load_model(archive.clean_zip(), compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types; the message is what matters.
        reason = one_line(exc, name_file=False)
        if "safe_mode" in str(exc) or "Lambda" in str(exc):
            reason = (
                "it contains serialized code (e.g. a Lambda layer), which Digit Lab refuses to run"
            )
        raise ModelFileError(f"{path}: cannot load model: {reason}") from None
    if not isinstance(model, keras.Model):
        raise ModelFileError(f"{path}: does not hold a Keras model")
    try:
        kind = infer_kind(model)
    except ModelFileError as exc:  # the message must name the file, as all the others do
        raise ModelFileError(f"{path}: {exc}") from None
    check_finite_weights(path, model.get_weights())
    if expected_kind is not None and kind != check_kind(expected_kind):
        raise ModelFileError(f"{path}: is a {kind} model, expected a {expected_kind} model")
    check_runs_on_digits(path, model)
    return model, kind


def check_runs_on_digits(path: str | Path, model) -> None:
    """Run ``model`` on :func:`probe_images` as the app will, and refuse what fails.

    Raises:
        ModelFileError: the model cannot take ``(N, 28, 28)`` input (e.g. it expects
            ``(784,)`` or ``(28, 28, 1)``), or its outputs are not ``(N, 10)`` finite.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            outputs = np.asarray(model(probe_images(), training=False))
    except Exception as exc:  # noqa: BLE001 - any failure means it cannot run in the app
        raise ModelFileError(
            f"{path}: the model cannot run on (N, 28, 28) images: "
            f"{one_line(exc, name_file=False)}") from None
    try:
        check_probe_outputs(path, outputs)
    except ModelArchiveError as exc:
        raise ModelFileError(str(exc)) from None
    # The app predicts with the numpy forward pass, which does not reshape its input as
    # Keras does ((28, 28, 1) models run in Keras, not there): probe it too, so such a
    # model fails here, naming the file, and not at the first prediction.
    from digitlab.engine.numpy_layers import compile_keras_model  # noqa: PLC0415

    try:
        network = compile_keras_model(model)
    except ValueError:
        return  # a layer the fast predictor lacks: the predictor says so when it is built
    try:
        with np.errstate(all="ignore"):
            fast = network.forward(probe_images())
    except Exception as exc:  # noqa: BLE001 - shape errors from numpy
        raise ModelFileError(
            f"{path}: the model cannot run on (N, 28, 28) images: "
            f"{one_line(exc, name_file=False)}") from None
    try:
        check_probe_outputs(path, fast)
    except ModelArchiveError as exc:
        raise ModelFileError(str(exc)) from None


def check_finite_weights(path: str | Path, weights) -> None:
    """Refuse a model whose weights hold NaN or infinity.

    Args:
        path: the model file, for the message.
        weights: iterable of numpy arrays.

    Raises:
        ModelFileError: a weight is not finite.
    """
    if not all(np.isfinite(w).all() for w in weights):
        # e.g. saved after a run whose loss became NaN: every prediction would be NaN.
        raise ModelFileError(f"{path}: the model's weights hold NaN or infinite values")
