"""Training devices: the CPU or one GPU as is, a MirroredStrategy over several GPUs."""

from __future__ import annotations

import pytest

from digitlab.engine import devices, training
from digitlab.engine.tf_runtime import import_tensorflow


def _fake_gpus(tf, count):
    gpus = [
        tf.config.PhysicalDevice(name=f"/physical_device:GPU:{i}", device_type="GPU")
        for i in range(count)
    ]
    real = tf.config.list_physical_devices

    def list_physical_devices(device_type=None):
        return list(gpus) if device_type == "GPU" else real(device_type)

    return list_physical_devices


@pytest.mark.parametrize("count, phrase", [(0, "the CPU"), (1, "1 GPU")])
def test_zero_or_one_gpu_trains_without_a_strategy(monkeypatch, count, phrase):
    tf = import_tensorflow()
    monkeypatch.setattr(tf.config, "list_physical_devices", _fake_gpus(tf, count))
    assert devices.training_strategy() is None
    assert devices.describe_training_devices() == phrase


def test_several_gpus_select_a_mirrored_strategy(monkeypatch):
    tf = import_tensorflow()
    created = []

    class RecordingStrategy:
        def __init__(self, *args, **kwargs):
            created.append((args, kwargs))

    monkeypatch.setattr(tf.config, "list_physical_devices", _fake_gpus(tf, 4))
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", RecordingStrategy)
    strategy = devices.training_strategy()
    assert isinstance(strategy, RecordingStrategy) and len(created) == 1
    # No device list: MirroredStrategy then spans every visible GPU.
    assert created[0] == ((), {})
    assert devices.describe_training_devices() == "4 GPUs (mirrored)"


def test_this_machine_trains_on_its_default_device(mnist):
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    strategy = devices.training_strategy()
    assert (strategy is None) == (len(gpus) <= 1)
    config = training.lesson_recipe("multinomial", epochs=1, limit=300, learning_rate=1e-2, seed=0)
    result = training.train(config, mnist.limit(n_test=500))
    # Keras's default strategy, not a mirrored one, when there is at most one GPU.
    if strategy is None:
        assert not isinstance(result.model.distribute_strategy, tf.distribute.MirroredStrategy)
    assert result.test_accuracy > 0.5


def test_training_builds_and_trains_the_model_inside_the_strategy(monkeypatch, mnist):
    tf = import_tensorflow()
    # A one-device MirroredStrategy on the CPU runs the same code path as several GPUs.
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    monkeypatch.setattr(training, "training_strategy", lambda: strategy)
    config = training.lesson_recipe("multinomial", epochs=1, limit=300, learning_rate=1e-2, seed=0)
    result = training.train(config, mnist.limit(n_test=500))
    assert result.model.distribute_strategy is strategy
    assert all(
        isinstance(w.value, tf.distribute.DistributedValues) for w in result.model.weights
    ), "the weights must be mirrored variables, created inside strategy.scope()"
    assert result.epochs_run == 1 and result.test_accuracy > 0.5
