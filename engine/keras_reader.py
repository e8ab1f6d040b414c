"""Read a ``.keras`` file straight into the numpy network, without Keras or TensorFlow.

``import tensorflow`` costs seconds and hundreds of MB, yet drawing and
``digitlab predict`` only need the numpy forward pass of
:mod:`engine.numpy_layers`. A ``.keras`` file is a zip archive holding the
architecture (``config.json``) and the weights (``model.weights.h5``, HDF5), so
this module reads both directly:

1. the archive checks of :func:`engine.model_archive.check_model_archive` (the
   ones Keras loading runs too: a regular, intact, bounded zip, no serialized
   code, an architecture and members within the size limits);
2. the architecture: a ``Sequential`` of the layers the numpy network runs,
   taking ``(28, 28)`` images; every layer's output shape is worked out from the
   config, so a file that does not fit is refused before any weight is read;
3. the weights, with h5py, where Keras's saver puts them
   (``layers/<class in snake_case>[_<n>]/vars/<i>``), each checked against the
   shape the config implies, then :func:`engine.models.check_finite_weights`;
4. a forward pass on :func:`engine.models.probe_images`, whose outputs must be
   finite (:func:`engine.model_archive.check_probe_outputs`).

Every refusal is a :class:`engine.models.ModelFileError` whose one line names the file.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.engine.blas import one_blas_thread
from digitlab.engine.errors import one_line
from digitlab.engine.model_archive import (
    DEFAULT_LIMITS,
    WEIGHTS,
    ModelArchiveError,
    ModelLimits,
    check_model_archive,
    check_probe_outputs,
)
from digitlab.engine.models import ModelFileError, check_finite_weights, check_kind, probe_images
from digitlab.engine.numpy_layers import SUPPORTED_LAYERS, Network, build_step

#: The archive member Keras 3 writes the weights to.
WEIGHTS_MEMBER = WEIGHTS
#: The input every Digit Lab model takes, without the batch axis.
INPUT_SHAPE = (28, 28)


@dataclass(frozen=True)
class LayerPlan:
    """One layer of the config, with the shapes it implies.

    Attributes:
        class_name: the Keras class, e.g. ``"Dense"``.
        name: the layer's name in the config.
        config: the layer's config dict.
        weights_key: its group in the weights file, e.g. ``"dense_1"``.
        weight_shapes: the arrays it must have there, e.g. ``((576, 128), (128,))``.
        output_shape: its output without the batch axis, e.g. ``(5, 5, 64)``.
    """

    class_name: str
    name: str
    config: dict
    weights_key: str
    weight_shapes: tuple[tuple[int, ...], ...]
    output_shape: tuple[int, ...]


def read_network(path: str | Path, output_shape: tuple[int, ...] = (10,),
                 limits: ModelLimits = DEFAULT_LIMITS) -> tuple[Network, tuple[LayerPlan, ...]]:
    """Read any Sequential ``.keras`` model the numpy network can run.

    Args:
        path: a ``.keras`` file whose model takes ``(28, 28)`` images.
        output_shape: the per-image output the caller needs: ``(10,)`` for the three
            classifiers, ``(1,)`` for a one-logit model such as the not-a-digit gate.
        limits: the archive's size bounds (tests scale them down).

    Returns:
        ``(network, plan)``: the network ``(N, 28, 28) float32 -> (N, *output_shape)``
        and the layers as read, with their shapes.

    Raises:
        ModelFileError: the file is unsafe, corrupt, of an architecture the numpy
            network does not run, or its weights do not match its config.
    """
    try:
        archive = check_model_archive(path, limits)
    except ModelArchiveError as exc:
        raise ModelFileError(str(exc)) from None
    path = archive.path
    plan = plan_layers(path, archive.config)
    if plan[-1].output_shape != tuple(output_shape):
        raise ModelFileError(
            f"{path}: the model returns {plan[-1].output_shape}; expected {tuple(output_shape)}")
    weights = _read_weights(path, archive.members.get(WEIGHTS_MEMBER), plan)
    check_finite_weights(path, (w for arrays in weights for w in arrays))
    try:
        steps = [build_step(layer.class_name, layer.name, layer.config, arrays)
                 for layer, arrays in zip(plan, weights, strict=True)]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{path}: {one_line(exc, name_file=False)}") from None
    network = Network(tuple(step for step in steps if step is not None))
    _check_probe_outputs(path, network)
    return network, plan


def read_model_network(path: str | Path, expected_kind: str | None = None,
                       limits: ModelLimits = DEFAULT_LIMITS) -> tuple[Network, str]:
    """Read one of the three classifiers (multinomial, dnn, cnn) from a ``.keras`` file.

    The numpy twin of :func:`engine.models.load_model`: the same archive and weight
    checks, the same kind rule (a Conv2D makes a cnn, one Dense a multinomial), no
    TensorFlow.

    Args:
        path: a ``.keras`` file mapping ``(28, 28)`` images to 10 probabilities.
        expected_kind: if given, the model must be of this kind.
        limits: the archive's size bounds (tests scale them down).

    Returns:
        ``(network, kind)``: ``(N, 28, 28) float32 -> (N, 10)`` and the model's kind.

    Raises:
        ModelFileError: with a one-line reason naming the file.
    """
    network, plan = read_network(path, output_shape=(10,), limits=limits)
    names = [layer.class_name for layer in plan]
    if "Conv2D" in names:
        kind = "cnn"
    else:
        kind = "multinomial" if names.count("Dense") == 1 else "dnn"
    if expected_kind is not None and kind != check_kind(expected_kind):
        raise ModelFileError(f"{Path(path).expanduser()}: is a {kind} model, "
                             f"expected a {expected_kind} model")
    return network, kind


def plan_layers(path: Path, config: dict) -> tuple[LayerPlan, ...]:
    """Check a model config and work out every layer's weights and output shape.

    Args:
        path: the model file, for messages.
        config: its parsed ``config.json``.

    Returns:
        The layers in order, InputLayer excluded.

    Raises:
        ModelFileError: not a Sequential of supported layers on ``(28, 28)`` input,
            or inconsistent shapes. (The size bounds are
            :func:`engine.models.read_model_archive`'s, checked before.)
    """
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        got = config.get("class_name") if isinstance(config, dict) else type(config).__name__
        raise ModelFileError(f"{path}: the model is a {got}; the fast predictor reads "
                             "Sequential models only")
    body = config.get("config")
    layers = body.get("layers") if isinstance(body, dict) else None
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"{path}: config.json lists no layers")
    shape = _input_shape(path, body, layers)
    if shape != INPUT_SHAPE:
        raise ModelFileError(f"{path}: the model takes {shape}; a Digit Lab model takes "
                             f"{INPUT_SHAPE} images")
    plan, used = [], {}
    for entry in layers:
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            raise ModelFileError(f"{path}: config.json holds a malformed layer entry")
        class_name, layer_config = entry.get("class_name"), entry["config"]
        if class_name == "InputLayer":
            continue
        name = str(layer_config.get("name", class_name))
        if class_name not in SUPPORTED_LAYERS:
            raise ModelFileError(
                f"{path}: layer {name!r} is a {class_name}; the fast predictor runs "
                f"{', '.join(SUPPORTED_LAYERS[1:])} layers only")
        _check_dtype(path, name, layer_config)
        try:
            weight_shapes, shape = _layer_shapes(class_name, layer_config, shape)
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(f"{path}: layer {name!r} ({class_name}): "
                                 f"{one_line(exc, name_file=False)}") from None
        # Keras's saver names weight groups after the class, numbered in layer order.
        key = _snake_case(class_name)
        used[key] = used.get(key, -1) + 1
        weights_key = key if used[key] == 0 else f"{key}_{used[key]}"
        plan.append(LayerPlan(class_name, name, layer_config, weights_key, weight_shapes,
                              shape))
    if not plan:
        raise ModelFileError(f"{path}: config.json lists no layers after the input")
    return tuple(plan)


def _input_shape(path: Path, body: dict, layers: list) -> tuple:
    """The per-image input shape the config declares (InputLayer, else build_input_shape)."""
    first = layers[0] if isinstance(layers[0], dict) else {}
    declared = None
    if first.get("class_name") == "InputLayer" and isinstance(first.get("config"), dict):
        # Keras 3 writes batch_shape; Keras 2 style configs batch_input_shape.
        declared = (first["config"].get("batch_shape")
                    or first["config"].get("batch_input_shape"))
    declared = declared or body.get("build_input_shape")
    if not isinstance(declared, list) or not declared:
        raise ModelFileError(f"{path}: config.json does not declare the model's input shape")
    return tuple(declared[1:])


def _layer_shapes(class_name: str, config: dict, shape: tuple[int, ...]
                  ) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]:
    """``(weight shapes, output shape)`` of one layer on a per-image input ``shape``.

    Raises:
        ValueError: the layer cannot run on ``shape`` or its settings are invalid.
    """
    if class_name == "Dropout":
        return (), shape
    if class_name == "Flatten":
        return (), (math.prod(shape),)
    if class_name == "Reshape":
        target = tuple(_positive_or_minus_one(v) for v in config["target_shape"])
        size = math.prod(shape)
        if target.count(-1) == 1:
            known = math.prod(v for v in target if v != -1)
            if size % known:
                raise ValueError(f"cannot reshape {shape} into {target}")
            target = tuple(size // known if v == -1 else v for v in target)
        if target.count(-1) or math.prod(target) != size:
            raise ValueError(f"cannot reshape {shape} into {target}")
        return (), target
    if class_name == "Dense":
        units = _positive(config["units"], "units")
        if not shape:
            raise ValueError("a Dense layer needs an input with at least one axis")
        bias = ((units,),) if config.get("use_bias", True) else ()
        return ((shape[-1], units), *bias), (*shape[:-1], units)
    if len(shape) != 3:
        raise ValueError(f"needs (height, width, channels) input; received {shape}")
    h, w, channels = shape
    if class_name == "Conv2D":
        filters = _positive(config["filters"], "filters")
        kh, kw = (_positive(v, "kernel_size") for v in _pair(config["kernel_size"]))
        out = (h - kh + 1, w - kw + 1, filters)
        bias = ((filters,),) if config.get("use_bias", True) else ()
        weight_shapes = ((kh, kw, channels, filters), *bias)
    else:  # MaxPooling2D
        ph, pw = (_positive(v, "pool_size") for v in _pair(config["pool_size"]))
        strides = config.get("strides") or (ph, pw)
        sh, sw = (_positive(v, "strides") for v in _pair(strides))
        out = ((h - ph) // sh + 1, (w - pw) // sw + 1, channels)
        weight_shapes = ()
    if min(out[:2]) < 1:
        raise ValueError(f"its window does not fit its input {shape}")
    return weight_shapes, out


def _read_weights(path: Path, data: bytes | None, plan: tuple[LayerPlan, ...]
                  ) -> list[list[np.ndarray]]:
    """Each layer's arrays from ``model.weights.h5``, checked against the plan.

    Only the datasets the plan names are read (not the optimizer's), each after its
    shape and type are checked, so memory stays bounded by the declared parameters.

    Args:
        path: the model file, for messages.
        data: the member's bytes (size-checked by the archive check), None if absent.
        plan: from :func:`plan_layers`.

    Raises:
        ModelFileError: the member is missing, not HDF5, or a dataset is missing,
            extra, of another shape or not floating point.
    """
    import h5py  # noqa: PLC0415 - only when a file is read (tens of ms)

    if data is None:
        raise ModelFileError(f"{path}: not a Keras 3 model (no {WEIGHTS_MEMBER} inside)")
    try:
        with h5py.File(io.BytesIO(data), "r") as h5:
            return [_layer_weights(path, h5, layer) for layer in plan]
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(
            f"{path}: cannot read {WEIGHTS_MEMBER} ({one_line(exc, name_file=False)})") from None


def _layer_weights(path: Path, h5, layer: LayerPlan) -> list[np.ndarray]:
    import h5py  # noqa: PLC0415

    group = h5.get(f"layers/{layer.weights_key}/vars")
    if group is None:
        if layer.weight_shapes:
            raise ModelFileError(f"{path}: {WEIGHTS_MEMBER} holds no weights for layer "
                                 f"{layer.name!r} (layers/{layer.weights_key})")
        return []
    saved_name = group.attrs.get("name")  # Keras >= 3.6 records the layer's name
    if isinstance(saved_name, bytes):
        saved_name = saved_name.decode("utf-8", "replace")
    if saved_name is not None and str(saved_name) != layer.name:
        raise ModelFileError(f"{path}: the weights at layers/{layer.weights_key} belong to "
                             f"layer {saved_name!r}, not {layer.name!r}")
    if len(group) != len(layer.weight_shapes):
        raise ModelFileError(f"{path}: layer {layer.name!r} has {len(group)} weight arrays; "
                             f"its config implies {len(layer.weight_shapes)}")
    arrays = []
    for i, expected in enumerate(layer.weight_shapes):
        dataset = group.get(str(i))
        if not isinstance(dataset, h5py.Dataset):
            raise ModelFileError(f"{path}: layer {layer.name!r} misses weight array {i}")
        if tuple(dataset.shape) != expected or dataset.dtype.kind != "f":
            raise ModelFileError(
                f"{path}: layer {layer.name!r} weight {i} is {dataset.dtype} "
                f"{tuple(dataset.shape)}; its config implies float {expected}")
        arrays.append(np.asarray(dataset[()], dtype=np.float32))
    return arrays


def _check_probe_outputs(path: Path, network: Network) -> None:
    """Run the network on the probe images Keras loading uses; refuse non-finite outputs
    (huge finite weights overflow to them)."""
    # One BLAS thread, as every prediction runs: waking OpenBLAS's pool for two tiny
    # images costs more than the forward pass (it halved the time to read three models).
    with one_blas_thread(), np.errstate(all="ignore"):
        out = network.forward(probe_images())
    try:
        if out.shape[1:] == (10,):
            check_probe_outputs(path, out)
        elif not np.isfinite(out).all():
            raise ModelArchiveError(f"{path}: the model's outputs are NaN or infinite on a "
                                    "test image (its weights are too large or broken)")
    except ModelArchiveError as exc:
        raise ModelFileError(str(exc)) from None


def _check_dtype(path: Path, name: str, config: dict) -> None:
    """Refuse layers that compute in another precision than float32."""
    dtype = config.get("dtype", "float32")
    if isinstance(dtype, dict):  # Keras >= 3.4: {"class_name": "DTypePolicy", "config": {...}}
        dtype = (dtype.get("config") or {}).get("name")
    if dtype not in (None, "float32"):
        raise ModelFileError(f"{path}: layer {name!r} computes in {dtype!r}; the fast "
                             "predictor runs float32 models only")


def _pair(value) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return tuple(value)
    raise ValueError(f"received {value!r}; expected an int or two ints")


def _positive(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"received {what}={value!r}; expected a positive integer")
    return value


def _positive_or_minus_one(value) -> int:
    if value == -1 and isinstance(value, int):
        return -1
    return _positive(value, "target_shape")


def _snake_case(name: str) -> str:
    """Keras's ``naming.to_snake_case``: ``"MaxPooling2D"`` -> ``"max_pooling2d"``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
