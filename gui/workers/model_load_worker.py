"""Workers that read and write model files off the GUI thread.

Importing TensorFlow takes seconds and loading three ``.keras`` files and
measuring their test accuracy a few more: :class:`ModelLoadWorker` does all of
it in a ``QThread`` so that the window is on screen (and drawable) at once.
:class:`ModelSaveWorker` writes a user-trained model atomically in the
background for the same reason.

Test accuracy of a model comes from the card next to it (``cnn.keras`` ->
``cnn.json``, see :func:`engine.models.write_model_card`) when the card's
SHA-256 matches the model file; otherwise the worker measures it on the bundled
MNIST test set (10,000 images) after the models are already usable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QThread, Signal

from digitlab.engine import MODEL_KINDS
from digitlab.engine.models import read_test_accuracy, write_model_card

#: Test images evaluated between two checks for an interruption request.
_EVAL_CHUNK = 2000


@dataclass(frozen=True)
class ModelInfo:
    """Where a model in use came from.

    Attributes:
        source: ``"shipped"``, ``"user"``, ``"loading"`` or ``"missing"``.
        path: the file it was loaded from or saved to; None while loading, when
            missing, or when a user model could not be saved (memory only).
        test_accuracy: accuracy on the MNIST test set, None until known.
    """

    source: str
    path: str | None = None
    test_accuracy: float | None = None


@dataclass(frozen=True)
class LoadedModels:
    """What :class:`ModelLoadWorker` hands to the GUI thread.

    Attributes:
        predictor: an ``engine.inference.Predictor`` over ``models`` (None if no model loaded).
        models: kind -> Keras model.
        info: kind -> :class:`ModelInfo` for every kind of ``engine.MODEL_KINDS``.
        notes: one-line messages for the status bar (fallbacks, missing files).
    """

    predictor: object
    models: dict
    info: dict
    notes: tuple[str, ...]


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (OSErrors name the file), or its type."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# The accuracy cards beside model files are the engine's (digitlab train writes them too).
read_accuracy_sidecar = read_test_accuracy
write_accuracy_sidecar = write_model_card


def _load_usable(path: Path, kind: str):
    """Load a model file and check that the numpy predictor can run it.

    Raises:
        engine.models.ModelFileError: the file is bad, or holds layers the
            predictor does not implement (so that one odd file cannot stop all
            models from loading).
    """
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import ModelFileError, load_model  # noqa: PLC0415

    model, _ = load_model(path, expected_kind=kind)
    try:
        Predictor.from_keras({kind: model})
    except ValueError as exc:
        raise ModelFileError(f"{path}: {one_line(exc)}") from exc
    return model


class ModelLoadWorker(QThread):
    """Import TensorFlow, load the three models, build the predictor, measure accuracies.

    For each kind the user's model (``engine.paths.user_model_path``) is used
    when ``prefer_user`` and the file exists and loads; a bad user file falls
    back to the shipped model with a note. ``models_loaded`` is emitted as soon
    as the predictor is usable; accuracies that were not stored next to the
    files follow one by one through ``accuracy_measured``.
    """

    tensorflow_loaded = Signal(float)  # time.perf_counter() when the import finished
    models_loaded = Signal(object)  # LoadedModels
    accuracy_measured = Signal(str, float)  # kind, test accuracy
    failed = Signal(str)

    def __init__(self, shipped_dir: str | Path | None = None, prefer_user: bool = True,
                 parent=None):
        super().__init__(parent)
        self._shipped_dir = None if shipped_dir is None else Path(shipped_dir)
        self._prefer_user = prefer_user

    def run(self) -> None:
        try:
            self._load()
        except Exception as exc:  # the GUI shows the reason; the thread must not die silently
            self.failed.emit(f"Could not load the models: {one_line(exc)}")

    def _load(self) -> None:
        from digitlab.engine.tf_runtime import import_tensorflow  # noqa: PLC0415 - seconds; off the GUI

        import_tensorflow()
        self.tensorflow_loaded.emit(time.perf_counter())
        models, info, notes = {}, {}, []
        for kind in MODEL_KINDS:
            if self.isInterruptionRequested():
                return
            model, info[kind], note = self._load_kind(kind)
            if model is not None:
                models[kind] = model
            if note:
                notes.append(note)
        predictor = None
        if models:
            from digitlab.engine.inference import Predictor  # noqa: PLC0415

            predictor = Predictor.from_keras(models)
            # The first forward pass allocates buffers; do it here, not on the first stroke.
            predictor.predict_image28(np.zeros((28, 28), np.float32))
        self.models_loaded.emit(LoadedModels(predictor, models, info, tuple(notes)))
        self._measure_accuracies(models, info)

    def _load_kind(self, kind: str):
        from digitlab.engine.models import SHIPPED_MODELS_DIR, ModelFileError  # noqa: PLC0415
        from digitlab.engine.paths import user_model_path  # noqa: PLC0415

        note = ""
        user_path = user_model_path(kind)
        if self._prefer_user and user_path.exists():
            try:
                model = _load_usable(user_path, kind)
                return model, ModelInfo("user", str(user_path),
                                        read_accuracy_sidecar(user_path)), ""
            except ModelFileError as exc:
                note = f"Your {kind} model could not be loaded ({exc}); using the shipped one."
            except Exception as exc:  # noqa: BLE001 - one odd user file must not stop all models
                note = (f"Your {kind} model could not be loaded ({user_path}: {one_line(exc)}); "
                        "using the shipped one.")
        shipped = (self._shipped_dir or SHIPPED_MODELS_DIR) / f"{kind}.keras"
        if not shipped.exists():
            missing = f"No {kind} model: {shipped} is missing (train one in the Train tab)."
            return None, ModelInfo("missing"), " ".join(filter(None, (note, missing)))
        try:
            model = _load_usable(shipped, kind)
        except ModelFileError as exc:
            return None, ModelInfo("missing"), " ".join(filter(None, (note, str(exc))))
        return model, ModelInfo("shipped", str(shipped), read_accuracy_sidecar(shipped)), note

    def _measure_accuracies(self, models: dict, info: dict) -> None:
        todo = [kind for kind in models if info[kind].test_accuracy is None]
        if not todo:
            return
        from digitlab.engine.data import load_mnist  # noqa: PLC0415
        from digitlab.engine.training import predict_probabilities  # noqa: PLC0415

        data = load_mnist()
        for kind in todo:
            # engine.training.evaluate_accuracy, in chunks so that closing the
            # window right after start-up does not wait for a whole test set.
            correct = 0
            for start in range(0, len(data.y_test), _EVAL_CHUNK):
                if self.isInterruptionRequested():
                    return
                chunk = slice(start, start + _EVAL_CHUNK)
                probs = predict_probabilities(models[kind], data.x_test[chunk])
                correct += int(np.sum(probs.argmax(axis=1) == data.y_test[chunk]))
            self.accuracy_measured.emit(kind, correct / len(data.y_test))


class ModelSaveWorker(QThread):
    """Save one model atomically (``engine.models.save_model_atomic``) plus its accuracy file."""

    saved = Signal(str, str)  # kind, path
    failed = Signal(str, str)  # kind, one-line reason

    def __init__(self, kind: str, model, path: str | Path, test_accuracy: float | None,
                 parent=None):
        super().__init__(parent)
        self.kind = kind
        self._model = model
        self._path = Path(path)
        self._test_accuracy = test_accuracy

    def run(self) -> None:
        from digitlab.engine.models import save_model_atomic  # noqa: PLC0415

        try:
            path = save_model_atomic(self._model, self._path)
            write_accuracy_sidecar(path, self._test_accuracy)
        except Exception as exc:  # OSError mostly (read-only, disk full); never crash the app
            self.failed.emit(self.kind, one_line(exc))
            return
        self.saved.emit(self.kind, str(path))
