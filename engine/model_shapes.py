"""Output shapes and parameter counts of a Keras model config, computed without Keras.

Keras allocates every weight when it builds a model from its config, before
any weight is read, so a tiny ``config.json`` asking for ``Dense(10**9)`` would
take gigabytes. This module walks the config the way Keras would build it —
each layer's output shape from its input shape and its own settings, never from
the ``build_config`` a file claims — and adds up the parameters, so the loader
can refuse an oversized architecture first.

Only layers whose shapes and weights are known here are accepted; an unknown
class is refused (it could hold any number of weights).
"""

from __future__ import annotations

import math

__all__ = ["ShapeError", "count_parameters"]


class ShapeError(ValueError):
    """The config cannot be sized, or a layer would be too large."""


# Layers that keep the shape of their input and hold no weights.
_PASS_THROUGH = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax",
    "Rescaling", "ActivityRegularization", "Identity", "Masking", "UnitNormalization",
})
_MERGE_SAME = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})
_MODELS = frozenset({"Sequential", "Functional", "Model"})


def count_parameters(config: dict, max_activation_values: int) -> int:
    """Parameters of the model a ``.keras`` config describes.

    Args:
        config: the parsed ``config.json`` (``{"class_name": "Sequential", ...}``).
        max_activation_values: most values any layer may output per sample.

    Returns:
        The total number of weight values (trainable and not).

    Raises:
        ShapeError: an unknown layer class, a shape that cannot be computed, or a
            layer output larger than ``max_activation_values``.
    """
    walker = _Walker(max_activation_values)
    try:
        walker.model(config, None)
    except ShapeError:
        raise
    except (TypeError, KeyError, AttributeError, ValueError, IndexError, RecursionError,
            OverflowError, ZeroDivisionError) as exc:
        # A hand-edited or hostile config of the wrong types: one line, never a traceback.
        raise ShapeError(f"the model config is malformed ({type(exc).__name__}: {exc})") \
            from None
    return walker.parameters


def _ints(value, name: str, layer: str) -> list[int]:
    values = value if isinstance(value, (list, tuple)) else [value]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ShapeError(f"layer {layer!r} has {name}={value!r}; expected whole numbers")
    return list(values)


def _shape(value, layer: str) -> tuple[int, ...]:
    """A per-sample shape (batch axis dropped) of known, positive sizes."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ShapeError(f"layer {layer!r} has no input shape")
    dims = list(value)[1:]
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims):
        raise ShapeError(f"layer {layer!r} has input shape {value!r}; every size must be known")
    return tuple(dims)


class _Walker:
    def __init__(self, max_values: int):
        self.max_values = max_values
        self.parameters = 0

    # --- models ---------------------------------------------------------------------------

    def model(self, node: dict, in_shape: tuple[int, ...] | None) -> tuple[int, ...]:
        if not isinstance(node, dict) or not isinstance(node.get("class_name"), str) \
                or node["class_name"] not in _MODELS:
            raise ShapeError("config.json does not describe a Keras Sequential or Functional model")
        cfg = node.get("config")
        layers = cfg.get("layers") if isinstance(cfg, dict) else None
        if not isinstance(layers, list) or not layers:
            raise ShapeError("the model config lists no layers")
        if node["class_name"] == "Sequential":
            return self._sequential(layers, in_shape, node)
        return self._functional(cfg, layers, in_shape)

    def _sequential(self, layers: list, shape, node: dict) -> tuple[int, ...]:
        for layer in layers:
            if not isinstance(layer, dict):
                raise ShapeError("a layer entry of the model config is not an object")
            if layer.get("class_name") == "InputLayer":
                declared = self._input_layer(layer)
                if shape is not None and declared != shape:
                    raise ShapeError(f"nested model expects {declared}, receives {shape}")
                shape = declared
                continue
            if shape is None:  # Keras 2 style: the first layer carries the input shape
                cfg = layer.get("config") or {}
                first = cfg.get("batch_input_shape") or cfg.get("batch_shape")
                if first is None:
                    raise ShapeError("the model config gives no input shape")
                shape = _shape(first, str(cfg.get("name")))
            shape = self.layer(layer, [shape])
        if shape is None:
            raise ShapeError("the model config gives no input shape")
        return shape

    def _functional(self, cfg: dict, layers: list, in_shape) -> tuple[int, ...]:
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in layers:
            if not isinstance(layer, dict):
                raise ShapeError("a layer entry of the model config is not an object")
            name = str(layer.get("name") or (layer.get("config") or {}).get("name"))
            if layer.get("class_name") == "InputLayer":
                shapes[name] = in_shape if in_shape is not None else self._input_layer(layer)
                continue
            nodes = layer.get("inbound_nodes") or []
            if len(nodes) != 1:
                raise ShapeError(f"layer {name!r} is called {len(nodes)} times; "
                                 "Digit Lab sizes layers called once")
            sources = _history_names(nodes[0])
            if not sources or any(s not in shapes for s in sources):
                raise ShapeError(f"layer {name!r} has inputs that cannot be traced")
            shapes[name] = self.layer(layer, [shapes[s] for s in sources])
        outputs = cfg.get("output_layers") or []
        if outputs and isinstance(outputs[0], str):  # one output: [name, node, tensor]
            outputs = [outputs]
        out_names = [o[0] for o in outputs if isinstance(o, list) and o]
        if not out_names or any(n not in shapes for n in out_names):
            raise ShapeError("the model's outputs cannot be traced")
        return shapes[out_names[0]]

    def _input_layer(self, layer: dict) -> tuple[int, ...]:
        cfg = layer.get("config") or {}
        batch = cfg.get("batch_shape") or cfg.get("batch_input_shape")
        return _shape(batch, str(cfg.get("name")))

    # --- layers ---------------------------------------------------------------------------

    def layer(self, layer: dict, inputs: list[tuple[int, ...]]) -> tuple[int, ...]:
        kind = layer.get("class_name")
        cfg = layer.get("config") if isinstance(layer.get("config"), dict) else {}
        name = str(cfg.get("name", kind))
        if kind in _MODELS:
            out = self.model(layer, inputs[0])
        else:
            rule = getattr(self, f"_l_{kind}", None)
            if kind in _PASS_THROUGH:
                out = inputs[0]
            elif kind in _MERGE_SAME:
                out = inputs[0]
            elif rule is not None:
                out, params = rule(cfg, inputs[0] if kind != "Concatenate" else inputs, name)
                self.parameters += params
            else:
                raise ShapeError(
                    f"layer {name!r} is a {kind}, which Digit Lab cannot size-check; a Digit "
                    "Lab model uses layers such as Dense, Conv2D, pooling, Flatten, Dropout")
        values = math.prod(out)
        if values > self.max_values:
            raise ShapeError(
                f"layer {name!r} outputs {values:,} values per image, more than the limit of "
                f"{self.max_values:,}")
        return out

    @staticmethod
    def _l_Reshape(cfg, shape, name):
        target = _ints(cfg.get("target_shape"), "target_shape", name)
        total = math.prod(shape)
        if target.count(-1) == 1:
            known = math.prod(t for t in target if t != -1)
            if known < 1 or total % known:
                raise ShapeError(f"layer {name!r} cannot reshape {shape} to {tuple(target)}")
            target = [total // known if t == -1 else t for t in target]
        if any(t < 1 for t in target) or math.prod(target) != total:
            raise ShapeError(f"layer {name!r} cannot reshape {shape} to {tuple(target)}")
        return tuple(target), 0

    @staticmethod
    def _l_Flatten(cfg, shape, name):
        return (math.prod(shape),), 0

    @staticmethod
    def _l_Dense(cfg, shape, name):
        units = _ints(cfg.get("units"), "units", name)[0]
        if units < 1:
            raise ShapeError(f"layer {name!r} has units={units}")
        bias = units if cfg.get("use_bias", True) else 0
        return (*shape[:-1], units), shape[-1] * units + bias

    def _conv(self, cfg, shape, name, rank, transpose=False):
        if len(shape) != rank + 1:
            raise ShapeError(f"layer {name!r} expects {rank + 1}-D samples, receives {shape}")
        first = cfg.get("data_format") == "channels_first"
        channels, spatial = (shape[0], shape[1:]) if first else (shape[-1], shape[:-1])
        k = _spread(cfg.get("kernel_size"), rank, "kernel_size", name)
        s = _spread(cfg.get("strides", 1), rank, "strides", name)
        d = _spread(cfg.get("dilation_rate", 1), rank, "dilation_rate", name)
        padding = str(cfg.get("padding", "valid")).lower()
        if transpose:
            out = [n * st + max(kk - st, 0) if padding == "valid" else n * st
                   for n, kk, st in zip(spatial, k, s, strict=True)]
        else:
            out = [_window_out(n, (kk - 1) * dd + 1, st, padding, name)
                   for n, kk, st, dd in zip(spatial, k, s, d, strict=True)]
        return out, channels, k

    def _conv_layer(self, cfg, shape, name, rank, transpose=False):
        out, channels, k = self._conv(cfg, shape, name, rank, transpose)
        filters = _ints(cfg.get("filters"), "filters", name)[0]
        groups = _ints(cfg.get("groups", 1), "groups", name)[0]
        if filters < 1 or groups < 1 or channels % groups:
            raise ShapeError(f"layer {name!r} has filters={filters}, groups={groups}")
        params = math.prod(k) * (channels // groups) * filters
        params += filters if cfg.get("use_bias", True) else 0
        first = cfg.get("data_format") == "channels_first"
        return ((filters, *out) if first else (*out, filters)), params

    def _l_Conv1D(self, cfg, shape, name):
        return self._conv_layer(cfg, shape, name, 1)

    def _l_Conv2D(self, cfg, shape, name):
        return self._conv_layer(cfg, shape, name, 2)

    def _l_Conv3D(self, cfg, shape, name):
        return self._conv_layer(cfg, shape, name, 3)

    def _l_Conv2DTranspose(self, cfg, shape, name):
        return self._conv_layer(cfg, shape, name, 2, transpose=True)

    def _l_DepthwiseConv2D(self, cfg, shape, name):
        out, channels, k = self._conv(cfg, shape, name, 2)
        mult = _ints(cfg.get("depth_multiplier", 1), "depth_multiplier", name)[0]
        params = math.prod(k) * channels * mult + (channels * mult if cfg.get("use_bias", True)
                                                   else 0)
        first = cfg.get("data_format") == "channels_first"
        return ((channels * mult, *out) if first else (*out, channels * mult)), params

    def _l_SeparableConv2D(self, cfg, shape, name):
        out, channels, k = self._conv(cfg, shape, name, 2)
        mult = _ints(cfg.get("depth_multiplier", 1), "depth_multiplier", name)[0]
        filters = _ints(cfg.get("filters"), "filters", name)[0]
        params = math.prod(k) * channels * mult + channels * mult * filters
        params += filters if cfg.get("use_bias", True) else 0
        first = cfg.get("data_format") == "channels_first"
        return ((filters, *out) if first else (*out, filters)), params

    def _pool(self, cfg, shape, name, rank):
        if len(shape) != rank + 1:
            raise ShapeError(f"layer {name!r} expects {rank + 1}-D samples, receives {shape}")
        first = cfg.get("data_format") == "channels_first"
        channels, spatial = (shape[0], shape[1:]) if first else (shape[-1], shape[:-1])
        p = _spread(cfg.get("pool_size", 2), rank, "pool_size", name)
        strides = cfg.get("strides")
        s = p if strides is None else _spread(strides, rank, "strides", name)
        padding = str(cfg.get("padding", "valid")).lower()
        out = [_window_out(n, pp, st, padding, name)
               for n, pp, st in zip(spatial, p, s, strict=True)]
        return ((channels, *out) if first else (*out, channels)), 0

    def _l_MaxPooling1D(self, cfg, shape, name):
        return self._pool(cfg, shape, name, 1)

    def _l_MaxPooling2D(self, cfg, shape, name):
        return self._pool(cfg, shape, name, 2)

    def _l_MaxPooling3D(self, cfg, shape, name):
        return self._pool(cfg, shape, name, 3)

    _l_AveragePooling1D = _l_MaxPooling1D
    _l_AveragePooling2D = _l_MaxPooling2D
    _l_AveragePooling3D = _l_MaxPooling3D

    @staticmethod
    def _global_pool(cfg, shape, name):
        first = cfg.get("data_format") == "channels_first"
        channels = shape[0] if first else shape[-1]
        if cfg.get("keepdims"):
            ones = (1,) * (len(shape) - 1)
            return ((channels, *ones) if first else (*ones, channels)), 0
        return (channels,), 0

    _l_GlobalAveragePooling1D = _l_GlobalAveragePooling2D = _l_GlobalAveragePooling3D = \
        _l_GlobalMaxPooling1D = _l_GlobalMaxPooling2D = _l_GlobalMaxPooling3D = _global_pool

    @staticmethod
    def _axis_size(cfg, shape, name) -> int:
        axis = cfg.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        if not isinstance(axis, int) or not -len(shape) - 1 <= axis <= len(shape) or axis == 0:
            raise ShapeError(f"layer {name!r} has axis={axis!r}")
        return shape[axis - 1] if axis > 0 else shape[axis]

    def _l_BatchNormalization(self, cfg, shape, name):
        return shape, 4 * self._axis_size(cfg, shape, name)

    def _l_LayerNormalization(self, cfg, shape, name):
        return shape, 2 * self._axis_size(cfg, shape, name)

    def _l_GroupNormalization(self, cfg, shape, name):
        return shape, 2 * self._axis_size(cfg, shape, name)

    def _l_Normalization(self, cfg, shape, name):
        return shape, 2 * self._axis_size(cfg, shape, name) + 1

    @staticmethod
    def _l_PReLU(cfg, shape, name):
        return shape, math.prod(shape)

    @staticmethod
    def _l_Embedding(cfg, shape, name):
        n_in = _ints(cfg.get("input_dim"), "input_dim", name)[0]
        n_out = _ints(cfg.get("output_dim"), "output_dim", name)[0]
        return (*shape, n_out), n_in * n_out

    @staticmethod
    def _l_ZeroPadding2D(cfg, shape, name):
        return _pad_crop(cfg, shape, name, "padding", +1)

    @staticmethod
    def _l_Cropping2D(cfg, shape, name):
        return _pad_crop(cfg, shape, name, "cropping", -1)

    @staticmethod
    def _l_UpSampling2D(cfg, shape, name):
        size = _spread(cfg.get("size", 2), 2, "size", name)
        if len(shape) != 3:
            raise ShapeError(f"layer {name!r} expects 3-D samples, receives {shape}")
        if cfg.get("data_format") == "channels_first":
            return (shape[0], shape[1] * size[0], shape[2] * size[1]), 0
        return (shape[0] * size[0], shape[1] * size[1], shape[2]), 0

    @staticmethod
    def _l_Permute(cfg, shape, name):
        dims = _ints(cfg.get("dims"), "dims", name)
        if sorted(dims) != list(range(1, len(shape) + 1)):
            raise ShapeError(f"layer {name!r} has dims={dims}")
        return tuple(shape[d - 1] for d in dims), 0

    @staticmethod
    def _l_RepeatVector(cfg, shape, name):
        n = _ints(cfg.get("n"), "n", name)[0]
        if n < 1 or len(shape) != 1:
            raise ShapeError(f"layer {name!r} has n={n} for input {shape}")
        return (n, shape[0]), 0

    @staticmethod
    def _l_Concatenate(cfg, shapes, name):
        axis = cfg.get("axis", -1)
        first = shapes[0]
        if not isinstance(axis, int) or axis == 0 or abs(axis) > len(first):
            raise ShapeError(f"layer {name!r} has axis={axis!r}")
        idx = axis - 1 if axis > 0 else len(first) + axis
        out = list(first)
        out[idx] = sum(s[idx] for s in shapes)
        return tuple(out), 0


def _history_names(node) -> list[str]:
    """Names of the layers whose outputs feed one inbound node (Keras 3 and 2 formats)."""
    names: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            cfg = item.get("config")
            if item.get("class_name") == "__keras_tensor__" and isinstance(cfg, dict):
                history = cfg.get("keras_history")
                if isinstance(history, list) and history:
                    names.append(str(history[0]))
                continue
            stack.extend(item.values())
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                names.append(item[0])  # Keras 2: [layer_name, node_index, tensor_index, {}]
                continue
            stack.extend(item)
    return names[::-1]


def _spread(value, rank: int, what: str, name: str) -> list[int]:
    values = _ints(value, what, name)
    if len(values) == 1:
        values = values * rank
    if len(values) != rank or any(v < 1 for v in values):
        raise ShapeError(f"layer {name!r} has {what}={value!r}")
    return values


def _window_out(n: int, window: int, stride: int, padding: str, name: str) -> int:
    if padding == "same":
        return math.ceil(n / stride)
    if padding != "valid" or window > n:
        raise ShapeError(f"layer {name!r}: a window of {window} does not fit {n} ({padding})")
    return (n - window) // stride + 1


def _pad_crop(cfg, shape, name, key, sign):
    value = cfg.get(key, 1)
    if isinstance(value, int):
        pairs = [(value, value), (value, value)]
    elif isinstance(value, list) and len(value) == 2:
        pairs = [tuple(_spread(v, 2, key, name)) if isinstance(v, list) else (v, v)
                 for v in value]
    else:
        raise ShapeError(f"layer {name!r} has {key}={value!r}")
    if len(shape) != 3 or not all(isinstance(a, int) and a >= 0 for p in pairs for a in p):
        raise ShapeError(f"layer {name!r} has {key}={value!r} for input {shape}")
    first = cfg.get("data_format") == "channels_first"
    h, w = (shape[1], shape[2]) if first else (shape[0], shape[1])
    h, w = h + sign * sum(pairs[0]), w + sign * sum(pairs[1])
    if h < 1 or w < 1:
        raise ShapeError(f"layer {name!r} crops everything away")
    return ((shape[0], h, w) if first else (h, w, shape[2])), 0
