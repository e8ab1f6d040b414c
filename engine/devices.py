"""Which devices training runs on: all GPUs when present (MirroredStrategy), else the CPU."""

from __future__ import annotations

from engine.tf_runtime import import_tensorflow


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
