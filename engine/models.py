"""The lesson's three MNIST classifiers, and safe loading and saving of them.

Each model takes ``(batch, 28, 28)`` float32 images scaled to [0, 1] (the CNN
reshapes to ``(batch, 28, 28, 1)`` itself) and returns ``(batch, 10)``
softmax probabilities.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from digitlab import resources
from digitlab.engine import MODEL_KINDS
from digitlab.engine.tf_runtime import import_keras

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


def read_model_archive(path: str | Path) -> tuple[Path, dict]:
    """Check a ``.keras`` file without importing Keras, and return its parsed config.

    The checks :func:`load_model` runs before Keras sees the file, shared with the
    TensorFlow-free reader (``engine.keras_reader``): a regular, non-empty zip
    archive, intact, with a ``config.json`` that holds no serialized code.

    Args:
        path: a ``.keras`` file.

    Returns:
        ``(path, config)``: the expanded path and the parsed ``config.json``.

    Raises:
        ModelFileError: with a one-line reason naming the file.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelFileError(f"{path}: no such model file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a .keras model file")
    if path.stat().st_size == 0:
        raise ModelFileError(f"{path}: the file is empty")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a Keras model (.keras files are zip archives)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()
        if bad is not None:
            raise ModelFileError(f"{path}: the archive is corrupt (bad entry {bad})")
        if "config.json" not in names:
            raise ModelFileError(f"{path}: not a Keras model (no config.json inside)")
        config = _read_config(path)
    except zipfile.BadZipFile as exc:
        raise ModelFileError(f"{path}: the archive is corrupt ({exc})") from exc
    code = find_custom_code(config)
    if code is not None:
        # Refused before Keras deserializes anything: safe_mode stops Lambda layers,
        # but an unknown class would still be looked up (and its module imported).
        raise ModelFileError(
            f"{path}: refused: it contains serialized code ({code}), which Digit Lab "
            "refuses to run; use model files only from sources you trust"
        )
    return path, config


def load_model(path: str | Path, expected_kind: str | None = None):
    """Load a ``.keras`` model safely.

    Keras's ``safe_mode`` stays on, and the archive's ``config.json`` is read
    first: a file holding a Lambda layer, a class from outside Keras or other
    serialized code is refused rather than run. The file must be a Keras zip
    archive whose model maps 28x28 images to 10 probabilities, with finite weights.

    Args:
        path: a ``.keras`` file.
        expected_kind: if given, the model must be of this kind.

    Returns:
        ``(model, kind)``.

    Raises:
        ModelFileError: with a one-line reason.
    """
    path, _ = read_model_archive(path)
    keras = import_keras()
    try:
        model = keras.models.load_model(path, compile=False, safe_mode=True)
    except ModelFileError:
        raise
    except Exception as exc:  # Keras raises many types; the message is what matters.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "safe_mode" in str(exc) or "Lambda" in str(exc):
            reason = (
                "it contains serialized code (e.g. a Lambda layer), which Digit Lab refuses to run"
            )
        raise ModelFileError(f"{path}: cannot load model: {reason}") from exc
    try:
        kind = infer_kind(model)
    except ModelFileError as exc:  # the message must name the file, as all the others do
        raise ModelFileError(f"{path}: {exc}") from None
    check_finite_weights(path, model.get_weights())
    if expected_kind is not None and kind != check_kind(expected_kind):
        raise ModelFileError(f"{path}: is a {kind} model, expected a {expected_kind} model")
    return model, kind


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


#: Classes that carry Python code (or load it) inside a model file.
_CODE_CLASSES = frozenset({"Lambda", "__lambda__", "TFSMLayer"})
#: A config.json larger than this is not one of the lesson's models (and may be a zip bomb).
_MAX_CONFIG_BYTES = 16 * 1024 * 1024


def _read_config(path: Path):
    """The parsed ``config.json`` of a ``.keras`` archive.

    Raises:
        ModelFileError: too large or not JSON.
        zipfile.BadZipFile: the archive is corrupt.
    """
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo("config.json").file_size
        if size > _MAX_CONFIG_BYTES:
            raise ModelFileError(
                f"{path}: config.json is {size:,} bytes; a Digit Lab model's is a few KB")
        raw = zf.read("config.json")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path}: config.json is not valid JSON ({exc})") from None


def find_custom_code(config) -> str | None:
    """Name the first object in a Keras model config that is not plain Keras.

    Args:
        config: the parsed ``config.json`` of a ``.keras`` file.

    Returns:
        ``None`` when every serialized object comes from a ``keras`` module and
        none carries code; otherwise a short description such as ``"a Lambda
        layer"`` or ``"class my_pkg.layers.Custom"``.
    """
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            name, module = node.get("class_name"), node.get("module")
            if name in _CODE_CLASSES:
                return f"a {name} layer"
            if isinstance(module, str) and module != "keras" and not module.startswith("keras."):
                return f"class {module}.{name}"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def save_model_atomic(model, path: str | Path) -> Path:
    """Save ``model`` to ``path`` so that a crash never leaves a corrupt file there.

    The model is written to a temporary file in the same folder, flushed to
    disk, then renamed over ``path`` (``os.replace`` is atomic on POSIX and
    Windows). On failure the temporary file is removed and ``path`` is untouched.

    Raises:
        OSError: the folder cannot be created or written (read-only, disk full).
    """
    path = Path(path).expanduser()
    if path.suffix != ".keras":
        raise ValueError(f"Received path {str(path)!r}; a model file must end in .keras")
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".keras", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        model.save(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


#: A temporary save file older than this belongs to a save that was killed.
_STALE_TEMPORARY_SECONDS = 600


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporaries of earlier saves of ``path`` that were killed midway."""
    now = time.time()
    for tmp in path.parent.glob(f".{path.stem}-*.keras"):
        try:
            if now - tmp.stat().st_mtime > _STALE_TEMPORARY_SECONDS:
                tmp.unlink()
        except OSError:  # another process got there first, or no permission: harmless
            pass


def model_card_path(model_path: str | Path) -> Path:
    """The JSON card beside a model file (``cnn.keras`` -> ``cnn.json``)."""
    return Path(model_path).with_suffix(".json")


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_model_card(model_path: str | Path, test_accuracy: float | None, **details) -> Path | None:
    """Record a model file's test accuracy (and how it was trained) beside it.

    The card holds the model file's SHA-256, so a card left over from an older
    model is recognised as stale. ``test_accuracy=None`` removes the card.

    Raises:
        OSError: the folder is not writable.
    """
    card = model_card_path(model_path)
    if test_accuracy is None:
        card.unlink(missing_ok=True)
        return None
    content = {"test_accuracy": float(test_accuracy), **details,
               "model_sha256": file_sha256(model_path)}
    tmp = card.with_name(f".{card.name}.tmp")
    tmp.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, card)
    return card


def read_test_accuracy(model_path: str | Path) -> float | None:
    """The test accuracy on the card beside ``model_path``; None if absent, stale or unreadable."""
    try:
        card = json.loads(model_card_path(model_path).read_text(encoding="utf-8"))
        if card.get("model_sha256") != file_sha256(model_path):
            return None  # the card belongs to another version of the file
        value = card.get("test_accuracy")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(value, (int, float)) and 0.0 <= value <= 1.0:
        return float(value)
    return None
