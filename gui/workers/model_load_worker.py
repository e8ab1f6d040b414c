"""Jobs that read and write model files off the GUI thread.

Reading three ``.keras`` files, importing TensorFlow (seconds) and measuring
test accuracies: :class:`ModelLoadWorker` does all of it in a ``LongJob``
(:mod:`gui.workers.jobs`) so that the window is on screen (and drawable) at
once, and predicts before TensorFlow is imported. :class:`ModelSaveWorker`
writes a user-trained model atomically in the background for the same reason.
Which file wins (the user's or the shipped one) is :mod:`engine.model_sources`'
rule.

Test accuracy of a model comes from the card next to it (``cnn.keras`` ->
``cnn.json``, see :func:`engine.models.write_model_card`) when the card's
SHA-256 matches the model file; otherwise the worker measures it on the bundled
MNIST test set (10,000 images) after the models are already usable.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitlab.engine.model_sources import ModelInfo
from digitlab.engine.models import read_test_accuracy, write_model_card
from digitlab.gui.common.i18n import translate
from digitlab.gui.workers.jobs import LongJob

__all__ = ["AccuracyMeasured", "KerasModelsLoaded", "LoadedModels", "ModelInfo",
           "ModelLoadWorker", "ModelSaveWorker", "TensorFlowImported"]

# The accuracy cards beside model files are the engine's (digitlab train writes them too).
read_accuracy_sidecar = read_test_accuracy
write_accuracy_sidecar = write_model_card


@dataclass(frozen=True)
class TensorFlowImported:
    """Progress: TensorFlow is imported; ``stamp`` is ``time.perf_counter()`` then."""

    stamp: float


@dataclass(frozen=True)
class LoadedModels:
    """Progress: the models are usable (read without TensorFlow).

    Attributes:
        predictor: an ``engine.inference.Predictor`` read from the files (None if no
            model loaded).
        models: kind -> Keras model; empty (they follow in :class:`KerasModelsLoaded`).
        info: kind -> :class:`~engine.model_sources.ModelInfo` for every kind.
        notes: one-line messages for the status bar (fallbacks, missing files).
        gate: the not-a-digit ``engine.gate.Gate`` (None when its file is missing or unsafe).
        temperatures: kind -> calibration temperature, for model files it was fitted for.
    """

    predictor: object
    models: dict
    info: dict
    notes: tuple[str, ...]
    gate: object = None
    temperatures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AccuracyMeasured:
    """Progress: the test accuracy of ``kind``'s model, measured because no card had it."""

    kind: str
    accuracy: float


@dataclass(frozen=True)
class KerasModelsLoaded:
    """Progress: the same files loaded into Keras, after TensorFlow.

    Attributes:
        models: kind -> Keras model (for training, fine-tuning and gradients).
        notes: one line per file Keras could not load.
    """

    models: dict
    notes: tuple[str, ...] = ()


class ModelLoadWorker(LongJob):
    """Read the three models, then import TensorFlow and load them into Keras.

    The Draw tab needs only the numpy predictor, and reading the files into it
    takes no TensorFlow (``engine.keras_reader``): the window predicts as soon as
    it is up, and TensorFlow, which takes seconds and hundreds of MB, follows in
    the background for Filters, Train and the Why panel.

    Signals (the :class:`~gui.workers.jobs.LongJob` vocabulary):
        progress(object): :class:`LoadedModels` as soon as the predictor is usable
            (``models`` empty), then :class:`TensorFlowImported`, then
            :class:`KerasModelsLoaded`, then one :class:`AccuracyMeasured` per model
            whose accuracy was not stored next to its file.
        failed(str): "Could not load the models: " and why.
    """

    failure_prefix = "Could not load the models: "
    #: Longest wait for :meth:`continue_loading` before TensorFlow is imported anyway.
    MAX_HANDOVER_WAIT_S = 2.0

    def __init__(self, shipped_dir: str | Path | None = None, prefer_user: bool = True,
                 parent=None):
        super().__init__(parent)
        self._shipped_dir = None if shipped_dir is None else Path(shipped_dir)
        self._prefer_user = prefer_user
        self._handed_over = threading.Event()

    def continue_loading(self) -> None:
        """The GUI has put the predictor to use: go on with TensorFlow (any thread)."""
        self._handed_over.set()

    def _wait_for_handover(self) -> bool:
        """Wait until the GUI thread took the predictor (or a timeout); False if stopped.

        TensorFlow's import holds the GIL for seconds: started at once, it would delay
        the GUI thread's handling of the predictor, i.e. the first live prediction.
        """
        deadline = time.monotonic() + self.MAX_HANDOVER_WAIT_S
        while not self._handed_over.wait(0.05):
            if self.isInterruptionRequested():
                return False
            if time.monotonic() > deadline:
                break
        return not self.isInterruptionRequested()

    def work(self) -> None:
        from digitlab.engine.model_sources import load_keras_models, load_models  # noqa: PLC0415

        loaded = load_models(self._shipped_dir, self._prefer_user,
                             should_stop=self.isInterruptionRequested, translate=translate)
        if loaded is None:
            return
        networks, info, notes = loaded
        predictor = None
        if networks:
            from digitlab.engine.inference import Predictor  # noqa: PLC0415

            predictor = Predictor(networks)
            # The first forward pass allocates buffers; do it here, not on the first stroke.
            predictor.predict_image28(np.zeros((28, 28), np.float32))
        gate, temperatures, more_notes = load_gate_and_temperatures(self._shipped_dir, info)
        self.report(LoadedModels(predictor, {}, info, (*notes, *more_notes), gate, temperatures))
        if not self._wait_for_handover():
            return
        from digitlab.engine.tf_runtime import import_tensorflow  # noqa: PLC0415 - seconds

        import_tensorflow()
        self.report(TensorFlowImported(time.perf_counter()))
        keras_models = load_keras_models(info, should_stop=self.isInterruptionRequested)
        if keras_models is None:
            return
        self.report(KerasModelsLoaded(*keras_models))
        if predictor is not None:
            self._measure_accuracies(predictor, info)

    def _measure_accuracies(self, predictor, info: dict) -> None:
        from digitlab.engine.data import load_mnist  # noqa: PLC0415
        from digitlab.engine.model_sources import measure_accuracy  # noqa: PLC0415

        todo = [kind for kind in predictor.kinds if info[kind].test_accuracy is None]
        if not todo:
            return
        data = load_mnist()
        for kind in todo:
            accuracy = measure_accuracy(predictor, kind, data,
                                        should_stop=self.isInterruptionRequested)
            if accuracy is None:
                return
            self.report(AccuracyMeasured(kind, accuracy))


def load_gate_and_temperatures(shipped_dir: Path | None, info: dict
                                ) -> tuple[object, dict[str, float], tuple[str, ...]]:
    """The not-a-digit gate and the models' temperatures, read without TensorFlow.

    Both live beside the shipped models (``gate.keras`` + ``gate.json``,
    ``calibration.json``); a temperature is used only for the very file it was
    fitted on (SHA-256), so a user's model is shown uncalibrated (``T = 1``).

    Args:
        shipped_dir: the shipped models' folder (None: the package's).
        info: kind -> :class:`ModelInfo` of the models in use (their paths).

    Returns:
        ``(gate or None, {kind: T}, notes)``; an unsafe gate is a note, not an error.
    """
    from digitlab.engine import calibration, gate  # noqa: PLC0415
    from digitlab.engine.models import ModelFileError  # noqa: PLC0415

    folder = None if shipped_dir is None else Path(shipped_dir)
    gate_path = gate.SHIPPED_GATE if folder is None else folder / "gate.keras"
    calibration_path = (calibration.SHIPPED_CALIBRATION if folder is None
                        else folder / "calibration.json")
    notes: tuple[str, ...] = ()
    the_gate = None
    if Path(gate_path).exists():  # without one, every drawing counts as a digit (as before)
        try:
            the_gate = gate.Gate.load(gate_path)
        except (ModelFileError, OSError, ValueError) as exc:
            notes = (translate("ModelStore", "No not-a-digit check ({0}).").format(exc),)
    files = {kind: Path(i.path) for kind, i in info.items() if i.path}
    return the_gate, calibration.load_temperatures(calibration_path, files), notes


class ModelSaveWorker(LongJob):
    """Save one model and its accuracy card together (``engine.models.save_model_with_card``).

    Both are written to temporaries and renamed under a lock on the folder, so the
    card always describes the model beside it, even with another save running.

    Signals (the :class:`~gui.workers.jobs.LongJob` vocabulary):
        result(object): the ``str`` path written.
        failed(str): the one-line reason (read-only folder, disk full...).
    """

    def __init__(self, kind: str, model, path: str | Path, test_accuracy: float | None,
                 parent=None):
        super().__init__(parent)
        self.kind = kind
        self._model = model
        self._path = Path(path)
        self._test_accuracy = test_accuracy

    def work(self) -> str:
        from digitlab.engine.models import save_model_with_card  # noqa: PLC0415

        path, _ = save_model_with_card(self._model, self._path, self._test_accuracy)
        return str(path)
