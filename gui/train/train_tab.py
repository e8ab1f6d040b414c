"""The Train tab: train one of the lesson's models, watch it learn, adopt the result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine.train_report import describe_outcome
from digitlab.gui.common.i18n import model_name, translate
from digitlab.gui.dialogs.code_dialog import show_training_code
from digitlab.gui.train.finetune_panel import FinetunePanel
from digitlab.gui.train.model_saver import ModelSaver
from digitlab.gui.train.run_monitor import RunMonitor
from digitlab.gui.train.run_results import RunResults
from digitlab.gui.common.scroll_column import scroll_column
from digitlab.gui.train.train_settings_panel import TrainSettingsPanel
from digitlab.gui.train.train_worker import CalibrationMeasured, TrainWorker

if TYPE_CHECKING:
    from digitlab.engine.train_report import TrainOutcome
    from digitlab.gui.model_store import ModelStore


class TrainTab(QWidget):
    """Pick a model and its knobs, train it in a worker, compare and adopt the result.

    Args:
        store: the app's model store; "Use this model" hands the result to it.

    Signals:
        digit_requested(object): a ``(28, 28) uint8`` test digit clicked in the
            gallery of mistakes (the main window shows it in the Draw tab).
        progress_changed(object): the ``TrainingEvent`` ("begin", "batch",
            "epoch_end") just shown by the progress bars and curves.
        training_finished(): a run's thread has ended (completed, stopped or failed)
            and the results, if any, are on screen.
        training_started(str, bool): a run of this kind (and dropout) has started.
    """

    training_started = Signal(str, bool)
    digit_requested = Signal(object)
    progress_changed = Signal(object)
    training_finished = Signal()

    def __init__(self, store: ModelStore, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self._worker: TrainWorker | None = None
        self._outcome: TrainOutcome | None = None
        self._adopted = False
        self.stopped_prompt: QMessageBox | None = None
        # The running training's views (bars, curves, log); this tab lays them out.
        self.monitor = RunMonitor(self)
        self.monitor.shown.connect(self.progress_changed)

        self.settings = TrainSettingsPanel()
        self.start_button = QPushButton(translate("TrainTab", "Start training"))
        self.stop_button = QPushButton(translate("TrainTab", "Stop"))
        self.progress = self.monitor.progress
        self.curves = self.monitor.curves
        self.log = self.monitor.log
        # The finished run's test-set views; this tab lays them out too.
        self.results = RunResults()
        self.confusion = self.results.confusion
        self.reliability = self.results.reliability
        self.gallery = self.results.gallery
        self._calibration: dict | None = None  # the last run's, from its worker
        self.result_label = QLabel(translate("TrainTab", "No model trained yet."))
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton(translate("TrainTab", "Use this model"))
        self.use_button.setToolTip(translate(
            "TrainTab", "Use it in the Draw tab now and save it to your data folder so that it "
                        "loads next time."))
        # When saving fails (read-only data folder, full disk), the model is kept in
        # memory and the saver offers another place (issue 11 section 6).
        self.saver = ModelSaver(self)
        self.save_as_button = QPushButton(translate("TrainTab", "Save as…"))
        self.save_as_button.setToolTip(translate(
            "TrainTab", "Save the trained model to a file of your choice."))
        self.restore_button = QPushButton(translate("TrainTab", "Restore shipped models"))
        self.restore_button.setToolTip(translate(
            "TrainTab", "Go back to the models that came with Digit Lab (your saved ones are "
                        "kept as .bak files)."))
        # Fine-tune on MNIST + my handwriting, Copy as code (issue 6).
        self.finetune = FinetunePanel(store)
        self.code_button = QPushButton(translate("TrainTab", "Copy as code…"))
        self.code_button.setToolTip(translate("TrainTab", "Copy the Keras code for these settings"))
        self.code_button.clicked.connect(self.copy_as_code)
        self._make_actions()
        self._lay_out()

        self.start_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(self.stop_training)
        self.use_button.clicked.connect(self.use_this_model)
        self.save_as_button.clicked.connect(self.save_model_as)
        self.saver.saved.connect(self._on_saved_as)
        self.saver.failed.connect(self._on_save_failed)
        store.save_failed.connect(self._on_store_save_failed)
        self.restore_button.clicked.connect(self.restore_shipped)
        self.results.digit_requested.connect(self.digit_requested)
        self._update_buttons()

    def _make_actions(self) -> None:
        self.start_action = QAction(translate("TrainTab", "Start training"), self)
        self.start_action.setShortcut(QKeySequence("Ctrl+T"))
        self.start_action.triggered.connect(self.start_training)
        self.stop_action = QAction(translate("TrainTab", "Stop training"), self)
        self.stop_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.stop_action.triggered.connect(self.stop_training)
        for action in (self.start_action, self.stop_action):
            # Only while the Train tab is showing: other tabs have their own keys.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.code_button)
        result = QGroupBox(translate("TrainTab", "Result"))
        result_layout = QVBoxLayout(result)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.use_button)
        result_layout.addWidget(self.save_as_button)
        result_layout.addWidget(self.restore_button)
        scratch = QWidget()
        scratch_layout = QVBoxLayout(scratch)
        scratch_layout.setContentsMargins(0, 0, 0, 0)
        scratch_layout.addWidget(self.settings)
        scratch_layout.addLayout(buttons)
        scratch_layout.addWidget(result)
        self.modes = QTabWidget()
        self.modes.addTab(scratch, translate("TrainTab", "Train"))
        self.modes.addTab(self.finetune, translate("TrainTab", "Fine-tune on my handwriting"))
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        # The settings scroll on a short screen instead of shrinking to unreadable fields.
        left.addWidget(scroll_column(self.modes, 410), 5)
        log_label = QLabel(translate("TrainTab", "Log"))
        log_label.setBuddy(self.log)
        left.addWidget(log_label)
        left.addWidget(self.log, 1)
        left_widget = QWidget()
        left_widget.setLayout(left)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.curves)
        right.addWidget(self.results)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setSizes([400, 600])
        right_layout = QVBoxLayout()
        right_layout.addWidget(self.progress)
        right_layout.addWidget(right, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addLayout(right_layout, 1)

    title = QT_TRANSLATE_NOOP("MainWindow", "&Train")

    def menu_actions(self) -> list[QAction | None]:
        """The Train menu: Start training, Stop training."""
        return self.actions()

    def actions(self) -> list[QAction]:
        """Start training (Ctrl+T), Stop training (Ctrl+Shift+T)."""
        return [self.start_action, self.stop_action]

    # ----- state ------------------------------------------------------------------------
    @property
    def is_training(self) -> bool:
        return (self._worker is not None and self._worker.isRunning()) or self.finetune.is_busy

    @property
    def worker(self) -> TrainWorker | None:
        """The worker of the run under way (None when idle)."""
        return self._worker

    @property
    def outcome(self) -> TrainOutcome | None:
        """The last finished run (None before the first, or while one runs)."""
        return self._outcome

    def _update_buttons(self) -> None:
        busy = self._worker is not None
        self.start_button.setEnabled(not busy)
        self.start_action.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.stop_action.setEnabled(busy)
        self.settings.setEnabled(not busy)
        self.use_button.setEnabled(not busy and _usable(self._outcome) and not self._adopted)
        self.save_as_button.setEnabled(not busy and _usable(self._outcome))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # Lines added while another tab was in front are laid out only now: follow them.
        # Dropped if the tab is deleted first.
        QTimer.singleShot(0, self.monitor, self.monitor.log_to_end)

    # ----- commands ---------------------------------------------------------------------
    @Slot()
    def start_training(self) -> None:
        """Start a run with the settings shown (no-op while one runs)."""
        if self._worker is not None:
            return
        try:
            config = self.settings.config()
        except ValueError as exc:
            self.progress.show_text(translate("TrainTab", "Cannot start: {0}").format(exc))
            return
        self._outcome, self._adopted = None, False
        self.monitor.reset()
        self.results.clear_results()
        self._calibration = None
        self.result_label.setText(translate("TrainTab", "Training…"))
        if not getattr(self._store, "tensorflow_ready", True):
            # The store imports TensorFlow in the background (issue 14); the run waits for it.
            self.progress.show_text(translate(
                "TrainTab", "Loading TensorFlow… training starts as soon as it is ready."))
        samples = translate("TrainTab", "all") if config.limit is None else f"{config.limit:,}"
        self.monitor.append_log(translate(
            "TrainTab", "— {0}, {1}: lr {2:g}, batch {3}, {4} training samples.").format(
            self.settings.model_combo.currentText(), self.settings.recipe_combo.currentText(),
            config.learning_rate, config.batch_size, samples))
        worker = TrainWorker(config)
        worker.progress.connect(self._on_progress)
        worker.result.connect(self._on_outcome)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self._update_buttons()
        worker.start()
        self.training_started.emit(config.kind, bool(config.dropout))

    @Slot()
    def stop_training(self) -> None:
        """End the run after the current batch; the best weights so far are kept."""
        if self._worker is not None:
            self._worker.stop_training()
            self.progress.show_text(translate("TrainTab", "Stopping after this batch…"))

    def shutdown(self) -> None:
        """Abort a run and wait for its thread (window closing); nothing more is shown."""
        self.finetune.shutdown()
        self.saver.shutdown()
        worker, self._worker = self._worker, None
        self.monitor.drop_waiting()
        if worker is None:
            return
        worker.requestInterruption()
        worker.wait()
        worker.deleteLater()
        self._update_buttons()

    @Slot()
    def use_this_model(self) -> None:
        """Hand the last trained model to the store (Draw tab at once, saved to disk)."""
        outcome = self._outcome
        if not _usable(outcome) or self._adopted:
            return
        calibration = self._calibration or {}
        self._store.use_model(outcome.config.kind, outcome.model, outcome.test_accuracy,
                              calibration.get("temperature"))
        self._adopted = True
        self.monitor.append_log(translate(
            "TrainTab", "Using this {0} model in the Draw tab.").format(
            model_name(outcome.config.kind)))
        self._update_buttons()

    @Slot()
    def copy_as_code(self):
        """Copy the settings shown as a Keras script and show it (a bound slot: no lambda)."""
        return show_training_code(self, self.settings.config)

    @Slot()
    def save_model_as(self) -> None:
        """Ask for a file and save the last trained model there (it stays usable here)."""
        outcome = self._outcome
        if _usable(outcome):
            self.saver.save_as(outcome.config.kind, outcome.model, outcome.test_accuracy)

    @Slot(str, str)
    def _on_saved_as(self, kind: str, path: str) -> None:
        self.monitor.append_log(translate("TrainTab", "Saved the {0} model to {1}.").format(
            model_name(kind), path))

    @Slot(str, str)
    def _on_save_failed(self, kind: str, reason: str) -> None:
        self.monitor.append_log(translate("TrainTab", "Could not save the {0} model: {1}").format(
            model_name(kind), reason))

    @Slot(str, str)
    def _on_store_save_failed(self, kind: str, reason: str) -> None:
        """The model this tab handed to the store could not be saved: offer another place."""
        outcome = self._outcome
        if not (self._adopted and _usable(outcome) and outcome.config.kind == kind
                and self._store.models.get(kind) is outcome.model):
            return  # not ours (e.g. a fine-tuned model): the store's status line says it
        self._on_save_failed(kind, reason)
        self.saver.offer_another_place(kind, outcome.model, outcome.test_accuracy, reason)

    @Slot()
    def restore_shipped(self) -> None:
        self._store.restore_shipped()
        self.monitor.append_log(translate("TrainTab", "Restoring the shipped models."))

    # ----- worker signals ---------------------------------------------------------------
    def _from_current_worker(self) -> bool:
        # A stopped-and-abandoned worker's queued signals must not touch a new run.
        return self._worker is not None and self.sender() is self._worker

    @Slot(object)
    def _on_progress(self, event) -> None:
        """Route the worker's ``TrainingEvent`` by its type; batches are throttled."""
        if not self._from_current_worker():
            return
        if isinstance(event, CalibrationMeasured):
            self._show_calibration(event)
            return
        self.monitor.show_event(event)

    def _show_calibration(self, event: CalibrationMeasured) -> None:
        self._calibration = event.entry  # "Use this model" hands its temperature on
        self.results.show_calibration(event.entry, model_name(event.kind))
        if event.entry is None:
            return
        self.monitor.append_log(translate(
            "TrainTab", "Calibration: T = {0:.2f} (fitted on the validation split); test-set "
                        "ECE {1:.2%} before, {2:.2%} after.").format(
            event.entry["temperature"], event.entry["ece_before"], event.entry["ece_after"]))

    @Slot(object)
    def _on_outcome(self, outcome: TrainOutcome) -> None:
        if not self._from_current_worker():
            return
        self._outcome = outcome
        text = describe_outcome(outcome, translate)
        self.result_label.setText(text)
        if outcome.stop_reason == "completed":
            self.progress.finish(text.splitlines()[-1])
        else:
            # Stopped early (by the user, early stopping, NaN): the bars stay where the
            # run stopped instead of claiming 100 %.
            self.progress.show_text(text.splitlines()[-1])
        self.results.show_outcome(outcome)
        if outcome.stop_reason == "user":
            self._ask_use_stopped_model(outcome)

    def retranslate(self) -> None:
        """Say the last result again in the language just installed."""
        if self._outcome is not None and self._worker is None:
            text = describe_outcome(self._outcome, translate)
            self.result_label.setText(text)
            self.progress.show_text(text.splitlines()[-1])

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._from_current_worker():
            return
        self.monitor.drop_waiting()
        self.monitor.append_log(message)
        self.result_label.setText(message)
        self.progress.show_text(message)

    @Slot()
    def _on_finished(self) -> None:
        if not self._from_current_worker():
            return
        self.monitor.drop_waiting()
        self._worker.release()  # after every listener has its finished
        self._worker = None
        self._update_buttons()
        self.training_finished.emit()

    def _ask_use_stopped_model(self, outcome: TrainOutcome) -> None:
        """Ask (without blocking: ``open()``, not ``exec()``) whether to use a stopped run."""
        question = (translate("TrainTab", "Training was stopped; the best weights so far were "
                                          "kept.\n\nUse this model in the Draw tab?")
                    if outcome.test_accuracy is None else
                    translate("TrainTab", "Training was stopped; the best weights so far were "
                                          "kept. Its test accuracy is {0:.2%}.\n\nUse this model "
                                          "in the Draw tab?").format(outcome.test_accuracy))
        box = QMessageBox(QMessageBox.Icon.Question, translate("TrainTab", "Training stopped"),
                          question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        # A bound method, not a lambda over box and self: that would be a reference cycle
        # the GC may break on the training thread (tests/gui/test_freed.py).
        box.finished.connect(self._on_stopped_answer)
        self.stopped_prompt = box
        box.open()

    @Slot(int)
    def _on_stopped_answer(self, _result: int) -> None:
        box = self.sender()
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
            self.use_this_model()
        self.stopped_prompt = None
        box.deleteLater()


def _usable(outcome: TrainOutcome | None) -> bool:
    """A model worth offering: one whose test accuracy could be measured (no NaN outputs)."""
    return outcome is not None and outcome.test_accuracy is not None
