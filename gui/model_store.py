"""The models the app uses right now, shared by the Draw, Filters and Train tabs.

The store owns the :class:`engine.inference.Predictor`. It starts empty (the
window is shown first), fills itself from a
:class:`~gui.workers.model_load_worker.ModelLoadWorker` (the predictor, read
without TensorFlow, then ``tensorflow_loaded`` and the Keras models), and is
updated when the user adopts a model trained in the Train tab. Views subscribe
to ``models_changed`` and read ``predictor`` / ``info``; they never load or
save models themselves.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from digitlab.engine import MODEL_KINDS
from digitlab.engine.model_sources import ModelInfo, describe_models, set_user_models_aside
from digitlab.gui.common.i18n import translate
from digitlab.gui.workers.model_load_worker import (
    AccuracyMeasured,
    KerasModelsLoaded,
    LoadedModels,
    ModelLoadWorker,
    ModelSaveWorker,
    TensorFlowImported,
)

__all__ = ["ModelInfo", "ModelStore"]


class ModelStore(QObject):
    """Holds the predictor and the Keras models; loads, adopts and saves them.

    Signals:
        models_changed(): the predictor was replaced (first load, a user model
            adopted, shipped models restored). Always on the GUI thread.
        loading_failed(str): loading went wrong; the message says why.
        status_changed(str): a line for the status bar.
        info_changed(): ``info`` changed (e.g. a test accuracy was measured).
        tensorflow_loaded(float): ``time.perf_counter()`` when TensorFlow finished importing.
        model_saved(str, str): kind and path of a model written to the user's folder.
        save_failed(str, str): kind and the one-line reason saving it failed; the model
            stays in use for the session (a view can offer another place).
    """

    models_changed = Signal()
    loading_failed = Signal(str)
    status_changed = Signal(str)
    info_changed = Signal()
    tensorflow_loaded = Signal(float)
    model_saved = Signal(str, str)
    save_failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, *, shipped_dir: str | Path | None = None):
        super().__init__(parent)
        self._shipped_dir = shipped_dir
        self._predictor = None
        self._models: dict = {}
        self._info = {kind: ModelInfo("loading") for kind in MODEL_KINDS}
        self._load_worker: ModelLoadWorker | None = None
        self._save_workers: list[ModelSaveWorker] = []
        # Models adopted while the first load was still running win over the loaded ones.
        self._adopted: dict[str, object] = {}
        # Kinds adopted since the running load started: its Keras models and measured
        # accuracies for them belong to files no longer in use, and are dropped.
        self._superseded: set[str] = set()
        # The predictor comes without TensorFlow; TensorFlow (Filters, Train, the Why
        # panel) follows in the background.
        self._tensorflow_ready = False
        self._pending_load: bool | None = None  # prefer_user of a load waiting its turn
        self._shutting_down = False
        self._gate = None  # the not-a-digit gate (engine.gate.Gate), None without one
        self._temperatures: dict[str, float] = {}

    @classmethod
    def from_predictor(cls, predictor, info: dict[str, ModelInfo] | None = None,
                       models: dict | None = None, parent: QObject | None = None,
                       gate=None, temperatures: dict[str, float] | None = None) -> ModelStore:
        """A store that is ready at once (tests, scripts).

        Args:
            predictor: an ``engine.inference.Predictor``.
            info: kind -> :class:`ModelInfo`; by default the predictor's kinds are
                "shipped" and the others "missing".
            models: kind -> Keras model, if the caller has them (``.models``).
            gate: the not-a-digit ``engine.gate.Gate`` (None: every drawing is a digit).
            temperatures: kind -> calibration temperature (missing kinds: uncalibrated).
        """
        store = cls(parent)
        store._predictor = predictor
        store._gate = gate
        store._temperatures = dict(temperatures or {})
        store._models = dict(models or {})
        kinds = tuple(predictor.kinds)
        store._info = {kind: ModelInfo("shipped" if kind in kinds else "missing")
                       for kind in MODEL_KINDS}
        store._info.update(info or {})
        store._tensorflow_ready = True  # nothing will announce it: tabs import it on use
        return store

    @property
    def predictor(self):
        """The ``engine.inference.Predictor`` in use, or None while loading."""
        return self._predictor

    @property
    def reader(self):
        """An ``engine.reading.Reader`` over the predictor, the gate and the temperatures
        (None while loading): it reads numbers and says "not a digit"."""
        if self._predictor is None:
            return None
        from digitlab.engine.reading import Reader  # noqa: PLC0415

        return Reader(self._predictor, self._gate, self._temperatures)

    @property
    def gate(self):
        """The not-a-digit ``engine.gate.Gate`` in use, or None."""
        return self._gate

    @property
    def temperatures(self) -> dict[str, float]:
        """kind -> calibration temperature of the model in use (a kind without one: T = 1)."""
        return dict(self._temperatures)

    @property
    def is_ready(self) -> bool:
        return self._predictor is not None

    @property
    def is_loading(self) -> bool:
        return self._load_worker is not None and self._load_worker.isRunning()

    @property
    def models(self) -> dict:
        """kind -> Keras model in use (a copy of the mapping); empty until TensorFlow is
        loaded (``tensorflow_loaded``), the predictor works before."""
        return dict(self._models)

    @property
    def tensorflow_ready(self) -> bool:
        """TensorFlow is imported (``tensorflow_loaded`` was emitted), or the store was
        made ready-made (:meth:`from_predictor`)."""
        return self._tensorflow_ready

    @property
    def info(self) -> dict[str, ModelInfo]:
        return dict(self._info)

    def summary(self) -> str:
        """The status-bar line describing the models in use."""
        return describe_models(self._info, translate)

    def start_loading(self) -> None:
        """Import TensorFlow and load the models in a worker thread (no-op if under way)."""
        self._start_load(prefer_user=True)

    def restore_shipped(self) -> None:
        """Go back to the shipped models; the user's files are kept as ``<kind>.keras.bak``."""
        for worker in list(self._save_workers):  # a save landing after this would undo it
            worker.wait()
        self._adopted.clear()
        kept, problems = set_user_models_aside()
        for problem in problems:
            self.status_changed.emit(problem)
        if kept:
            self.status_changed.emit(translate(
                "ModelStore", "Restoring the shipped models; yours were kept as {0} in {1}.")
                .format(", ".join(p.name for p in kept), kept[0].parent))
        self._start_load(prefer_user=False, restart=True)

    def use_model(self, kind: str, model, test_accuracy: float | None,
                  temperature: float | None = None) -> None:
        """Put ``model`` into the predictor at once and save it to the user's folder.

        Saving runs in the background; if it fails (read-only folder, disk
        full), the model stays in use for this session and ``status_changed``
        says why. Never raises for I/O problems.

        Args:
            temperature: the model's calibration temperature if one was fitted for it
                (the Train tab's run); kept for this session, else the model has ``T = 1``.

        Raises:
            ValueError: ``kind`` is not one of ``engine.MODEL_KINDS``.
        """
        from digitlab.engine.paths import user_model_path  # noqa: PLC0415

        path = user_model_path(kind)  # validates kind
        try:
            self._predictor = self._with_model(self._predictor, kind, model)
        except Exception as exc:  # a model the predictor cannot read: say so, keep the old one
            self.status_changed.emit(translate("ModelStore", "Could not use the {0} model: {1}")
                                     .format(kind, exc))
            return
        self._models[kind] = model
        self._temperatures.pop(kind, None)  # fitted for the old model, not this one
        if temperature is not None and 0 < temperature < 1e3:
            self._temperatures[kind] = float(temperature)  # fitted for this one (session only)
        self._info[kind] = ModelInfo("user", str(path), test_accuracy)
        if self.is_loading:
            self._adopted[kind] = model
            self._superseded.add(kind)
        self.models_changed.emit()
        self.info_changed.emit()
        self.status_changed.emit(translate("ModelStore", "Using your {0} model; saving it to {1}…")
                                 .format(kind, path))
        worker = ModelSaveWorker(kind, model, path, test_accuracy)
        worker.result.connect(self._on_saved)
        worker.failed.connect(self._on_save_failed)
        # Bound methods, not lambdas holding self: a lambda makes a reference cycle
        # that Python's collector may free on a worker thread, Qt objects and all.
        worker.finished.connect(self._on_save_worker_finished)
        self._save_workers.append(worker)
        worker.start()

    def shutdown(self) -> None:
        """Stop loading and let pending saves finish; call before the app exits."""
        self._shutting_down = True
        self._pending_load = None
        if self._load_worker is not None:
            self._load_worker.requestInterruption()
            self._load_worker.wait()
        for worker in list(self._save_workers):
            worker.wait()

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _with_model(predictor, kind: str, model):
        if predictor is not None:
            return predictor.with_model(kind, model)
        from digitlab.engine.inference import Predictor  # noqa: PLC0415 - TensorFlow is loaded by now

        return Predictor.from_keras({kind: model})

    def _start_load(self, prefer_user: bool, restart: bool = False) -> None:
        if self.is_loading:
            if restart:
                # The running load (perhaps only measuring accuracies) gives way;
                # the new one starts when it has finished (see _forget_load_worker).
                self._load_worker.requestInterruption()
                self._pending_load = prefer_user
            return
        worker = ModelLoadWorker(self._shipped_dir, prefer_user=prefer_user)
        self._superseded = set()
        worker.progress.connect(self._on_load_progress)
        worker.failed.connect(self._on_load_failed)
        worker.finished.connect(self._on_load_worker_finished)
        self._load_worker = worker
        self.status_changed.emit(translate("ModelStore", "Loading models…")
                                 if self._predictor is None
                                 else translate("ModelStore", "Loading the shipped models…"))
        worker.start()

    def _on_load_progress(self, step) -> None:
        if isinstance(step, TensorFlowImported):
            self._tensorflow_ready = True
            self.tensorflow_loaded.emit(step.stamp)
        elif isinstance(step, LoadedModels):
            self._on_loaded(step)
            worker = self.sender()
            if isinstance(worker, ModelLoadWorker):
                # After the events already queued (the Draw tab's repaint), let the worker
                # start TensorFlow's import: it would slow the GUI thread before that.
                QTimer.singleShot(0, worker.continue_loading)
        elif isinstance(step, KerasModelsLoaded):
            self._on_keras_models(step)
        elif isinstance(step, AccuracyMeasured):
            self._on_accuracy(step.kind, step.accuracy)

    def _on_loaded(self, loaded: LoadedModels) -> None:
        models, info, predictor = dict(loaded.models), dict(loaded.info), loaded.predictor
        for kind, model in self._adopted.items():
            predictor = self._with_model(predictor, kind, model)
            models[kind] = model
            info[kind] = self._info[kind]
        # An adopted model replaced the file its temperature was fitted on.
        temperatures = {k: t for k, t in loaded.temperatures.items() if k not in self._adopted}
        self._adopted.clear()
        self._models, self._info = models, info
        self._gate, self._temperatures = loaded.gate, temperatures
        if predictor is None:
            self.info_changed.emit()
            message = (" ".join(loaded.notes)
                       or translate("ModelStore", "No models could be loaded."))
            self.loading_failed.emit(message)
            self.status_changed.emit(message)
            return
        self._predictor = predictor
        self.models_changed.emit()
        self.info_changed.emit()
        self.status_changed.emit(" ".join((self.summary(), *loaded.notes)))

    def _on_keras_models(self, loaded: KerasModelsLoaded) -> None:
        fresh = {kind: model for kind, model in loaded.models.items()
                 if kind not in self._superseded}
        if fresh:
            self._models.update(fresh)
            self.models_changed.emit()  # the Why panel, fine-tuning... can use them now
        for note in loaded.notes:
            self.status_changed.emit(note)

    def _on_accuracy(self, kind: str, accuracy: float) -> None:
        current = self._info.get(kind)
        if current is None or kind in self._superseded:
            return
        if current.test_accuracy is None:
            self._info[kind] = ModelInfo(current.source, current.path, accuracy)
            self.info_changed.emit()

    def _on_load_failed(self, message: str) -> None:
        if self._predictor is None:
            self._info = {kind: ModelInfo("missing") for kind in MODEL_KINDS}
            self.info_changed.emit()
        self.loading_failed.emit(message)
        self.status_changed.emit(message)

    def _on_saved(self, path: str) -> None:
        kind = self.sender().kind
        self.model_saved.emit(kind, path)
        self.status_changed.emit(
            translate("ModelStore", "Saved your {0} model to {1}; it loads at the next start.")
            .format(kind, path))

    def _on_save_failed(self, reason: str) -> None:
        kind = self.sender().kind
        current = self._info.get(kind)
        if current is not None and current.source == "user":
            self._info[kind] = ModelInfo("user", None, current.test_accuracy)
            self.info_changed.emit()
        self.status_changed.emit(translate(
            "ModelStore", "Your {0} model is in use but could not be saved ({1}); "
                          "it will be gone after Digit Lab closes.").format(kind, reason))
        self.save_failed.emit(kind, reason)

    def _on_load_worker_finished(self) -> None:
        self._forget_load_worker(self.sender())

    def _on_save_worker_finished(self) -> None:
        self._forget_save_worker(self.sender())

    def _forget_load_worker(self, worker: ModelLoadWorker) -> None:
        if self._load_worker is worker:
            self._load_worker = None
        worker.release()  # after every listener has its finished
        pending, self._pending_load = self._pending_load, None
        if pending is not None and not self._shutting_down:
            self._start_load(prefer_user=pending)

    def _forget_save_worker(self, worker: ModelSaveWorker) -> None:
        if worker in self._save_workers:
            self._save_workers.remove(worker)
        worker.release()  # after every listener has its finished
