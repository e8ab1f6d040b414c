"""Which devices training runs on: all GPUs when present (MirroredStrategy), else the CPU.

Keras places a model on the single GPU by itself when there is one, so the only
case that needs code is several GPUs: :func:`training_strategy` returns a
``tf.distribute.MirroredStrategy`` over all of them, and
:func:`engine.training.train` builds and compiles the model inside its scope.
The user changes nothing.
"""

from __future__ import annotations

from digitlab.engine.tf_runtime import import_tensorflow


def training_devices() -> list[str]:
    """Names of the GPUs TensorFlow sees, or ``["CPU"]``."""
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    return [g.name for g in gpus] or ["CPU"]


def describe_training_devices() -> str:
    """A short phrase for the terminal: ``"the CPU"``, ``"1 GPU"``, ``"4 GPUs (mirrored)"``."""
    devices = training_devices()
    if devices == ["CPU"]:
        return "the CPU"
    if len(devices) == 1:
        return "1 GPU"
    return f"{len(devices)} GPUs (mirrored)"


def training_strategy():
    """The distribution strategy to train under, or ``None`` for the default device.

    Returns:
        A ``tf.distribute.MirroredStrategy`` over every GPU when TensorFlow sees
        more than one (each batch is split between them and the gradients are
        summed, so results match one device up to float rounding); ``None`` with
        one GPU or none, where Keras's default placement already uses the GPU.
    """
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) <= 1:
        return None
    # Default device list = all visible GPUs; NCCL all-reduce where available.
    return tf.distribute.MirroredStrategy()


__all__ = ["describe_training_devices", "training_devices", "training_strategy"]
