"""The numpy layers behind :class:`engine.inference.Predictor`.

A Keras model of one of the lesson's architectures is compiled once, by
:func:`compile_keras_model`, into a :class:`Network`: a tuple of :class:`Step`
objects holding float32 copies of the weights. A convolution is one matrix
product over its im2col patches (ordered as Keras stores kernels,
``(kh, kw, C_in)``); pooling is an elementwise max of strided views; Flatten is
row-major over ``(H, W, C)`` exactly as Keras's. Layers or settings outside the
lesson's (``padding='same'``, BatchNormalization...) are refused by name.

:meth:`Network.forward` pools a convolution's products before its bias and ReLU
(:class:`_ConvPool`); :meth:`Network.run` with ``keep_maps=True`` goes layer by layer
for the feature maps. Both give the same values bit for bit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

_ACTIVATIONS = ("linear", "relu", "softmax")
#: Activations that never decrease (so they commute with max pooling and bias adds).
_MONOTONIC = ("linear", "relu")


@functools.lru_cache(maxsize=64)
def _zeros(size: int) -> np.ndarray:
    """A read-only float32 row of ``size`` zeros (shared)."""
    zeros = np.zeros(size, np.float32)
    zeros.flags.writeable = False
    return zeros


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    """Apply ``activation`` in place on ``z`` (float32, last axis = units)."""
    if activation == "relu":
        if z.size >= 2048 and z.flags.c_contiguous:
            # Against a row of zeros, not the scalar 0: numpy's maximum has vector loops
            # for two arrays only (3 us instead of 15 us for conv1's 26x26x32; below ~2000
            # values the scalar's lower overhead wins).
            rows = z.reshape(len(z), -1)
            np.maximum(rows, _zeros(rows.shape[1]), out=rows)
        else:
            np.maximum(z, 0.0, out=z)
    elif activation == "softmax":
        # Subtracting the max keeps exp() finite for any logits.
        # The ufuncs' reductions: what z.max and z.sum call, without their Python wrappers.
        z -= np.maximum.reduce(z, axis=-1, keepdims=True)
        np.exp(z, out=z)
        z /= np.add.reduce(z, axis=-1, keepdims=True)
    return z


def _patches(x: np.ndarray, kh: int, kw: int, oh: int, ow: int) -> np.ndarray:
    """The im2col matrix ``(N*oh*ow, kh*kw*C)`` of VALID stride-1 windows of ``x``
    ``(N, H, W, C)``, each row in Keras's kernel order ``(kh, kw, C)``.

    Row ``i`` of a window, ``x[n, y+i, x0:x0+kw, :]``, is ``kw*C`` contiguous values, so
    the copy out of a strided view moves runs of ``kw*C`` floats. With one channel those
    runs are too short: up to :data:`_GATHER_BATCH` images (the live path's digit, a
    number's pieces) gather their windows with cached indices, a larger batch joins the
    ``kh*kw`` shifted slices (faster than either at 128 images).
    """
    n, h, w, c = x.shape
    if c == 1 and n <= _GATHER_BATCH:  # one gather: 6 us, not 8, for one image; 24, not 29, for 4
        return np.take(x.reshape(n * h * w), _window_index(h, w, kh, kw, n))
    if c == 1:
        shifted = [x[:, i:i + oh, j:j + ow] for i in range(kh) for j in range(kw)]
        return np.concatenate(shifted, axis=-1).reshape(n * oh * ow, kh * kw)
    x = np.ascontiguousarray(x)
    s_n, s_h, s_w, s_c = x.strides
    # A view built by the ndarray constructor (as_strided's wrapper costs 4 us more);
    # it is only read, by the copying reshape.
    windows = np.ndarray((n, oh, ow, kh, kw * c), x.dtype, x, 0, (s_n, s_h, s_w, s_h, s_c))
    return windows.reshape(n * oh * ow, kh * kw * c)


#: Batches up to this size of one-channel images gather their im2col windows (see _patches).
_GATHER_BATCH = 8


@functools.lru_cache(maxsize=32)
def _window_index(h: int, w: int, kh: int, kw: int, n: int = 1) -> np.ndarray:
    """``(n*oh*ow, kh*kw)`` flat indices into ``n`` stacked ``(h, w)`` images of each VALID
    window, image by image."""
    rows = np.arange(h - kh + 1)[:, None, None, None] * w + np.arange(kh)[None, None, :, None] * w
    cols = np.arange(w - kw + 1)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    one = (rows + cols).reshape(-1, kh * kw)
    index = (np.arange(n)[:, None, None] * (h * w) + one).reshape(-1, kh * kw)
    index.flags.writeable = False
    return index


def _max_pool(x: np.ndarray, window: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    """(N, H, W, C) -> (N, (H-ph)//sh+1, (W-pw)//sw+1, C), VALID max pooling."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = window, strides
    oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    if window == strides == (2, 2):
        # Pairs of rows, then pairs of columns: two maxima over halves.
        rows = np.maximum(x[:, 0:2 * oh:2, :2 * ow], x[:, 1:2 * oh:2, :2 * ow])
        pairs = rows.reshape(n, oh, ow, 2 * c)
        return np.maximum(pairs[..., :c], pairs[..., c:])
    out = None
    for i in range(ph):
        for j in range(pw):
            view = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            out = view.copy() if out is None else np.maximum(out, view, out=out)
    return out


@dataclass(frozen=True)
class Step:
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
    #: conv: the bias repeated over ``H*W`` output positions, keyed by ``H*W`` (filled on use).
    _tiled: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.op == "reshape":
            return x.reshape((x.shape[0], *self.shape))
        if self.op == "dense":
            out = x @ self.weights
            out += self.bias
            return _activate(out, self.activation)
        if self.op == "conv":
            return self._conv(x)
        return _max_pool(x, self.window, self.strides)

    def _conv(self, x: np.ndarray, activate: bool = True) -> np.ndarray:
        """(N, H, W, C) -> (N, H-kh+1, W-kw+1, C_out), VALID, stride 1; ``activate=False``:
        the products alone, without the bias and the activation."""
        n, h, w, _ = x.shape
        kh, kw = self.window
        oh, ow = h - kh + 1, w - kw + 1
        out = (_patches(x, kh, kw, oh, ow) @ self.weights).reshape(n, oh, ow, -1)
        return self.bias_and_activation(out) if activate else out

    def bias_and_activation(self, out: np.ndarray) -> np.ndarray:
        """Add the bias and apply the activation in place on a conv output ``(N, H, W, C)``.

        The bias is added as one row of ``H*W*C`` values (repeated once per shape): adding
        ``(C,)`` broadcast over ``N*H*W`` rows runs numpy's loop ``N*H*W`` times, 4x slower.
        """
        out = np.ascontiguousarray(out)
        n, h, w, _ = out.shape
        tiled = self._tiled.get(h * w)
        if tiled is None:
            tiled = np.tile(self.bias, h * w)
            tiled.flags.writeable = False
            self._tiled[h * w] = tiled
        rows = out.reshape(n, -1)
        np.add(rows, tiled, out=rows)
        return _activate(out, self.activation)


@dataclass(frozen=True)
class _ConvPool:
    """A convolution and the max pooling after it, pooled before the bias and activation.

    Exact, not approximate: adding a channel's bias and ReLU never decrease a value,
    so they commute with the maximum (in floating point too, rounding being monotonic),
    and they run on a quarter of the values. (Computing only the outputs the pooling
    reads would save a little more, but a matrix product with fewer rows rounds some of
    them differently.)
    """

    conv: Step
    pool: Step

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = _max_pool(self.conv._conv(x, activate=False), self.pool.window, self.pool.strides)
        return self.conv.bias_and_activation(out)


def _plan(steps: tuple[Step, ...]) -> tuple:
    """The steps to run when no feature maps are kept: each convolution with a monotonic
    activation that a max pooling follows becomes one :class:`_ConvPool`."""
    plan, i = [], 0
    while i < len(steps):
        step = steps[i]
        following = steps[i + 1] if i + 1 < len(steps) else None
        if (step.op == "conv" and step.activation in _MONOTONIC and following is not None
                and following.op == "pool"):
            plan.append(_ConvPool(step, following))
            i += 2
        else:
            plan.append(step)
            i += 1
    return tuple(plan)


@dataclass(frozen=True)
class Network:
    """A compiled model: numpy steps from ``(N, 28, 28)`` float32 to ``(N, 10)`` probabilities."""

    steps: tuple[Step, ...]
    _fast: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_fast", _plan(tuple(self.steps)))

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            # An empty batch (a set with no samples): the output's shape, from one blank
            # sample (the steps' reshapes cannot infer a size from zero samples).
            return self.forward(np.zeros((1, *x.shape[1:]), x.dtype))[:0]
        for step in self._fast:
            x = step(x)
        return x

    def run(self, x: np.ndarray, keep_maps: bool = False
            ) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        """The output, and ``(name, (N, H, W, C))`` of every conv and pool step if asked."""
        if not keep_maps:
            return self.forward(x), []
        if not len(x):
            out, maps = self.run(np.zeros((1, *x.shape[1:]), x.dtype), keep_maps)
            return out[:0], [(name, m[:0]) for name, m in maps]
        maps = []
        for step in self.steps:
            x = step(x)
            if step.op in ("conv", "pool"):
                maps.append((step.name, x))
        return x, maps

    def first_conv_kernel(self) -> np.ndarray:
        return next(s.kernel for s in self.steps if s.op == "conv")


#: Keras layer classes the numpy forward pass runs (InputLayer and Dropout as no-ops).
SUPPORTED_LAYERS = ("InputLayer", "Reshape", "Flatten", "Dropout", "Conv2D", "MaxPooling2D",
                    "Dense")


def compile_keras_model(model) -> Network:
    """Turn a Sequential-style Keras model into numpy steps (weights copied as float32)."""
    steps = (build_step(type(layer).__name__, layer.name, layer.get_config(),
                        layer.get_weights())
             for layer in model.layers)
    return Network(tuple(step for step in steps if step is not None))


def build_step(class_name: str, name: str, config: dict, weights) -> Step | None:
    """One Keras layer, given by its class, config and weights, as a numpy :class:`Step`.

    Shared by :func:`compile_keras_model` (a live Keras model) and
    ``engine.keras_reader`` (a ``.keras`` file read without Keras), so both refuse
    the same settings.

    Args:
        class_name: the Keras class, e.g. ``"Conv2D"``.
        name: the layer's name, for messages and feature maps.
        config: the layer's config (``layer.get_config()`` or config.json's).
        weights: the layer's arrays in Keras's order: ``[kernel, bias]`` (bias optional).

    Returns:
        The step, or ``None`` for layers that are the identity at inference
        (InputLayer, Dropout).

    Raises:
        ValueError: a layer type or setting the numpy forward pass does not implement.
    """
    if class_name in ("InputLayer", "Dropout"):  # Dropout is the identity at inference
        return None
    if class_name == "Flatten":
        if config.get("data_format") not in (None, "channels_last"):  # channels_first transposes
            raise ValueError(f"Received layer {name!r} with data_format="
                             f"{config['data_format']!r}; the fast predictor supports "
                             "data_format='channels_last' only.")
        return Step(name, "reshape", shape=(-1,))
    if class_name == "Reshape":
        return Step(name, "reshape", shape=tuple(config["target_shape"]))
    if class_name == "Dense":
        w, b = _weights(weights)
        return Step(name, "dense", weights=w, bias=b, activation=_activation(name, config))
    if class_name == "Conv2D":
        _require(name, config, strides=(1, 1), padding="valid", dilation_rate=(1, 1),
                 groups=1, data_format="channels_last")
        kernel, b = _weights(weights)
        kh, kw, _, c_out = kernel.shape
        return Step(name, "conv", weights=np.ascontiguousarray(kernel.reshape(-1, c_out)),
                    bias=b, window=(kh, kw), activation=_activation(name, config),
                    kernel=kernel)
    if class_name == "MaxPooling2D":
        _require(name, config, padding="valid", data_format="channels_last")
        pool = tuple(config["pool_size"])
        strides = tuple(config["strides"] or pool)
        return Step(name, "pool", window=pool, strides=strides)
    raise ValueError(
        f"Received a model with layer {name!r} of type {class_name}; the fast predictor "
        "runs Reshape, Flatten, Dropout, Conv2D, MaxPooling2D and Dense layers only."
    )


def _weights(weights) -> tuple[np.ndarray, np.ndarray]:
    weights = [np.asarray(w, dtype=np.float32) for w in weights]
    kernel = weights[0]
    bias = weights[1] if len(weights) > 1 else np.zeros(kernel.shape[-1], np.float32)
    return np.ascontiguousarray(kernel), np.ascontiguousarray(bias)


def _activation(layer_name: str, config: dict) -> str:
    name = config.get("activation")
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"Received layer {layer_name!r} with activation={name!r}; the fast predictor "
            f"supports {', '.join(_ACTIVATIONS)}."
        )
    return name


def _require(layer_name: str, config: dict, **expected) -> None:
    for key, value in expected.items():
        got = config.get(key)
        if (tuple(got) if isinstance(got, list) else got) != value:
            raise ValueError(
                f"Received layer {layer_name!r} with {key}={got!r}; the fast predictor "
                f"supports {key}={value!r} only."
            )
