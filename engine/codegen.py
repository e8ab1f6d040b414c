"""Copy as code: the TensorFlow/Keras code equivalent to what the app shows.

Each function returns a self-contained, runnable Python script as text, written
the way the lesson writes it (``tf.nn.conv2d`` on a ``(1, H, W, 1)`` tensor; a
``keras.Sequential`` model, ``compile`` and ``fit``), so a user can paste it
into a notebook and get the same shapes and, for filters, the same numbers.
"""

from __future__ import annotations

import json
import math

import numpy as np

from digitlab.engine.filters import FilterSettings, _stack_kernels
from digitlab.engine.images import CHANNELS
from digitlab.engine.training import TrainConfig

#: ITU-R 601 luma weights, as engine.images.extract_channel uses for "gray".
_LUMA = (0.299, 0.587, 0.114)


def filter_code(
    kernels: np.ndarray | list,
    settings: FilterSettings,
    channel: str,
    photo_name: str,
    resize_to: tuple[int, int] | None = None,
) -> str:
    """The Filters tab as a TensorFlow script.

    Args:
        kernels: what :func:`engine.filters.apply_filter` accepts: one ``(kh, kw)``
            kernel, a list or ``(C, kh, kw)`` stack of them, or ``(kh, kw, 1, C)``.
        settings: stride, padding and pooling.
        channel: ``"red"``, ``"green"``, ``"blue"``, ``"mean"`` or ``"gray"``.
        photo_name: the photo's file name or path, written into the script.
        resize_to: ``(width, height)`` when the app downscaled the photo
            (:attr:`engine.images.Photo.downscaled`), so the script works on the same
            pixels; ``None`` otherwise.

    Returns:
        Python source: loads the photo with Pillow, slices the channel, reshapes to
        ``(1, H, W, 1)``, builds the ``(kh, kw, 1, C)`` kernel, runs ``tf.nn.conv2d``
        then ``tf.nn.max_pool`` and prints the four shapes. The variables ``x``,
        ``kernel``, ``conv`` and ``pooled`` hold the results.

    Raises:
        engine.filters.FilterError: bad kernels or settings.
        ValueError: an unknown channel or a bad ``resize_to``.
    """
    if not isinstance(settings, FilterSettings):
        raise ValueError(f"Received settings={settings!r}; expected a FilterSettings.")
    if channel not in CHANNELS:
        raise ValueError(f"Received channel={channel!r}; expected one of {', '.join(CHANNELS)}.")
    stack = _stack_kernels(kernels)  # (kh, kw, 1, C): the same reading apply_filter does
    kh, kw, _, count = stack.shape
    per_channel = np.transpose(stack[:, :, 0, :], (2, 0, 1))  # (C, kh, kw)
    s, pad = settings.stride, settings.padding
    p, ps, ppad = settings.pool, settings.effective_pool_stride, settings.pool_padding

    lines = [
        "# Digit Lab: the Filters tab as TensorFlow code (the lesson's conv2d + max_pool).",
        "import numpy as np",
        "import tensorflow as tf",
        "from PIL import Image, ImageOps",
        "",
        f"photo_path = {_q(str(photo_name))}",
        "img = ImageOps.exif_transpose(Image.open(photo_path))  # upright, as a camera shows it",
        'if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:',
        "    # Transparent pixels become white, as in Digit Lab.",
        '    rgba = img.convert("RGBA")',
        '    img = Image.new("RGBA", rgba.size, "white")',
        "    img.alpha_composite(rgba)",
        'img = img.convert("RGB")',
    ]
    if resize_to is not None:
        width, height = _check_size(resize_to)
        lines += [
            "# Digit Lab works on photos downscaled to at most 2048 px a side.",
            f"img.thumbnail(({max(width, height)}, {max(width, height)}), Image.LANCZOS)",
        ]
    lines += ["image = np.asarray(img)  # (H, W, 3) uint8"]
    if channel == "gray":
        lines.append(
            f"channel = image.astype(np.float32) @ np.array({list(_LUMA)}, np.float32)"
            "  # gray (luma)"
        )
    elif channel == "mean":
        lines.append(
            "channel = image.astype(np.float32).sum(axis=2) / 3  # the lesson's grey: (R+G+B)/3"
        )
    else:
        lines.append(
            f"channel = image[:, :, {CHANNELS.index(channel)}].astype(np.float32)  # {channel}"
        )
    lines += [
        "height, width = channel.shape",
        "x = channel.reshape(1, height, width, 1)  # (batch, height, width, channels)",
        "",
        f"# {count} kernel(s) of {kh}x{kw}, one per output channel.",
        f"kernels = np.array({_format_array(per_channel)}, dtype=np.float32)"
        f"  # {per_channel.shape}",
        f"kernel = np.transpose(kernels, (1, 2, 0)).reshape({kh}, {kw}, 1, {count})"
        "  # (kh, kw, in, out)",
        "",
        f"conv = tf.nn.conv2d(x, kernel, strides=[1, {s}, {s}, 1], padding={_q(pad)})",
        f"pooled = tf.nn.max_pool(conv, ksize=[1, {p}, {p}, 1], strides=[1, {ps}, {ps}, 1], "
        f"padding={_q(ppad)})",
        "",
        'print("image: ", x.shape)',
        'print("kernel:", kernel.shape)',
        'print("conv:  ", tuple(conv.shape))',
        'print("pooled:", tuple(pooled.shape))',
    ]
    return "\n".join(lines) + "\n"


def training_code(config: TrainConfig) -> str:
    """The Train tab's run as a Keras script.

    Args:
        config: the knobs on screen.

    Returns:
        Python source: loads MNIST with ``keras.datasets.mnist.load_data()``, defines
        the model layer by layer exactly as :func:`engine.models.build_model` does,
        compiles it (Adam, constant or cosine-decay learning rate), trains it
        (``EarlyStopping`` when ``patience > 0``, augmentation as a ``tf.data`` map
        when ``augment``) and prints the test accuracy. ``model`` and ``history``
        hold the results.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"Received config={config!r}; expected a TrainConfig.")
    from digitlab.engine.models import build_model  # noqa: PLC0415 - imports Keras

    layer_lines = [f"        {_layer_code(layer)}," for layer in build_model(
        config.kind, dropout=config.dropout).layers]
    monitor = "val_loss" if config.validation_split > 0 else "loss"
    lines = [
        f"# Digit Lab: training the {config.kind} model as Keras code.",
        "import math",
        "",
        "import keras",
        "import numpy as np",
        *(["import tensorflow as tf"] if config.augment else []),
        "from keras import layers",
        "",
    ]
    if config.seed is not None:
        lines += [f"keras.utils.set_random_seed({config.seed})", ""]
    lines += [
        "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()",
    ]
    if config.limit is not None:
        lines.append(f"x_train, y_train = x_train[:{config.limit}], y_train[:{config.limit}]")
    lines += [
        "x_train = x_train.astype(np.float32) / 255.0  # (N, 28, 28) in [0, 1]",
        "x_test = x_test.astype(np.float32) / 255.0",
        "",
        "model = keras.Sequential(",
        "    [",
        "        keras.Input(shape=(28, 28)),",
        *layer_lines,
        "    ],",
        f"    name={_q(config.kind)},",
        ")",
        "model.summary()",
        "",
        f"epochs = {config.epochs}",
        f"batch_size = {config.batch_size}",
        f"validation_split = {config.validation_split!r}",
        "n_val = int(len(x_train) * validation_split)",
        "steps_per_epoch = math.ceil((len(x_train) - n_val) / batch_size)",
    ]
    if config.schedule == "cosine":
        lines += [
            "learning_rate = keras.optimizers.schedules.CosineDecay(",
            f"    {config.learning_rate!r}, decay_steps=steps_per_epoch * epochs, alpha=0.01",
            ")",
        ]
    else:
        lines.append(f"learning_rate = {config.learning_rate!r}")
    lines += [
        "model.compile(",
        "    optimizer=keras.optimizers.Adam(learning_rate=learning_rate),",
        '    loss="sparse_categorical_crossentropy",',
        '    metrics=["accuracy"],',
        ")",
        "",
        "callbacks = []",
    ]
    if config.patience > 0:
        lines += [
            "callbacks.append(keras.callbacks.EarlyStopping(",
            f"    monitor={_q(monitor)}, patience={config.patience}, restore_best_weights=True",
            "))",
        ]
    lines.append("")
    if config.augment:
        lines += _augment_fit_lines()
    else:
        lines += [
            "history = model.fit(",
            "    x_train, y_train, batch_size=batch_size, epochs=epochs,",
            "    validation_split=validation_split, callbacks=callbacks, shuffle=True,",
            ")",
        ]
    lines += [
        "",
        "loss, accuracy = model.evaluate(x_test, y_test, verbose=0)",
        'print(f"test accuracy: {accuracy:.4f}")',
    ]
    return "\n".join(lines) + "\n"


def _augment_fit_lines() -> list[str]:
    # Keras's preprocessing layers cover Digit Lab's rotations, scale and shifts
    # (engine/augment.py also varies shear and stroke width, in raw TensorFlow ops).
    return [
        "# Random rotation (12 degrees), zoom (0.8-1.12x) and shift (2.5 px) per image.",
        "augmenter = keras.Sequential([",
        "    layers.RandomRotation(12 / 360, fill_mode=\"constant\"),",
        "    layers.RandomZoom((-0.12, 0.2), fill_mode=\"constant\"),",
        "    layers.RandomTranslation(2.5 / 28, 2.5 / 28, fill_mode=\"constant\"),",
        "])",
        "",
        "",
        "def augment(images, labels):",
        "    return augmenter(images[..., tf.newaxis], training=True)[..., 0], labels",
        "",
        "",
        "# Hold out the end of the training set, as validation_split does.",
        "x_fit, y_fit = x_train[: len(x_train) - n_val], y_train[: len(y_train) - n_val]",
        "x_val, y_val = x_train[len(x_train) - n_val :], y_train[len(y_train) - n_val :]",
        "train_ds = (",
        "    tf.data.Dataset.from_tensor_slices((x_fit, y_fit))",
        "    .shuffle(len(x_fit))",
        "    .batch(batch_size)",
        "    .map(augment)",
        "    .prefetch(2)",
        ")",
        "history = model.fit(",
        "    train_ds, epochs=epochs, callbacks=callbacks, shuffle=False,  # shuffled above",
        "    validation_data=(x_val, y_val) if n_val else None,",
        ")",
    ]


def _layer_code(layer) -> str:
    """One Keras layer written as the constructor call that builds it."""
    kind = type(layer).__name__
    c = layer.get_config()
    name = f"name={_q(layer.name)}"
    if kind == "Flatten":
        return f"layers.Flatten({name})"
    if kind == "Reshape":
        return f"layers.Reshape({tuple(c['target_shape'])}, {name})"
    if kind == "Dense":
        return f"layers.Dense({c['units']}, activation={_q(c['activation'])}, {name})"
    if kind == "Conv2D":
        return (f"layers.Conv2D({c['filters']}, {tuple(c['kernel_size'])}, "
                f"activation={_q(c['activation'])}, {name})")
    if kind == "MaxPooling2D":
        return f"layers.MaxPooling2D({tuple(c['pool_size'])}, {name})"
    if kind == "Dropout":
        return f"layers.Dropout({c['rate']}, {name})"
    raise ValueError(f"Received a layer of type {kind}; codegen cannot write it out.")


def _format_array(array: np.ndarray) -> str:
    """Nested list text whose numbers parse back to exactly the same float32 values."""
    if array.ndim == 1:
        return "[" + ", ".join(_format_number(v) for v in array) + "]"
    inner = [_format_array(sub) for sub in array]
    if array.ndim == 2:
        return "[" + ", ".join(inner) + "]"
    return "[\n    " + ",\n    ".join(inner) + ",\n]"


def _format_number(value: np.floating) -> str:
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    # The shortest text that rounds back to the same float32 (numpy's repr of it).
    return np.format_float_positional(np.float32(v), unique=True, trim="-") if abs(v) >= 1e-4 \
        else np.format_float_scientific(np.float32(v), unique=True, trim="-")


def _q(text: str) -> str:
    """A double-quoted Python string literal (JSON's escapes are valid Python)."""
    return json.dumps(text)


def _check_size(size) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"Received resize_to={size!r}; expected (width, height).") from None
    if width < 1 or height < 1 or not math.isfinite(width * height):
        raise ValueError(f"Received resize_to={size!r}; width and height must be >= 1.")
    return width, height


__all__ = ["filter_code", "training_code"]
