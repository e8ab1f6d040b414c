"""Fine-tune a model on MNIST plus the user's own drawings, in the Train tab.

:class:`FinetunePanel` runs :func:`engine.personal.fine_tune` in a
:class:`gui.train.finetune_worker.FineTuneWorker`, shows the accuracy on the MNIST
test set and on the personal set before and after, and hands the result to the
store with "Use this model".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine import MODEL_KINDS
from digitlab.engine.personal import PersonalSet
from digitlab.engine.training import TrainConfig
from digitlab.gui.common.i18n import model_name, translate
from digitlab.gui.train.finetune_worker import FineTuneWorker
from digitlab.gui.common.latest_throttle import LatestThrottle
from digitlab.gui.common.timing import PROGRESS_REDRAW_MS
from digitlab.gui.dialogs.personal_set_dialog import PersonalSetDialog, counts_text
from digitlab.gui.train.train_settings_panel import _double_spin, _int_spin

if TYPE_CHECKING:
    from digitlab.engine.personal import FineTuneResult
    from digitlab.gui.model_store import ModelStore

ROWS = (("mnist_test", QT_TRANSLATE_NOOP("FinetunePanel", "MNIST test set")),
        ("personal", QT_TRANSLATE_NOOP("FinetunePanel", "My drawings")))


def _default_data():
    from digitlab.engine.data import load_mnist  # noqa: PLC0415

    return load_mnist()


class FinetunePanel(QGroupBox):
    """Fine-tune one of the models in use on MNIST + the personal set; compare; adopt.

    Args:
        store: the app's model store (the model to start from; "Use this model").
        personal_set: the drawings; ``None`` = the default folder.
        data_loader: returns the ``MnistData`` to use (tests pass a small slice).

    Signals:
        busy_changed(bool): a fine-tuning run started or ended.
    """

    busy_changed = Signal(bool)

    def __init__(self, store: ModelStore, personal_set: PersonalSet | None = None,
                 data_loader: Callable[[], object] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(translate("FinetunePanel", "Fine-tune on MNIST + my handwriting"), parent)
        self._store = store
        self.personal_set = personal_set if personal_set is not None else PersonalSet()
        self._data_loader = data_loader or _default_data
        self._worker: FineTuneWorker | None = None
        self._result: FineTuneResult | None = None
        self._adopted = False
        self._dialog: PersonalSetDialog | None = None
        self._progress_events = LatestThrottle(PROGRESS_REDRAW_MS, self)
        self._progress_events.ready.connect(self._show_progress)
        self._set_size = 0
        self._result_kind: str | None = None

        self.model_combo = QComboBox()
        self.set_label = QLabel("")
        self.set_label.setWordWrap(True)
        self.manage_button = QPushButton(translate("FinetunePanel", "Manage…"))
        self.manage_button.setToolTip(
            translate("FinetunePanel", "Review and delete your saved drawings"))
        self.manage_button.clicked.connect(self.show_personal_set)
        self.epochs = _int_spin(1, 50, 1)
        self.epochs.setValue(2)
        self.limit = _int_spin(500, 60_000, 500)
        self.limit.setValue(5000)
        self.limit.setToolTip(translate(
            "FinetunePanel", "MNIST training digits mixed with yours (so it keeps what it knew)"))
        self.learning_rate = _double_spin(5, 0.00001, 0.01, 0.0001)
        self.learning_rate.setValue(0.0001)
        self.weight = _int_spin(1, 200, 5)
        self.weight.setValue(20)
        self.weight.setToolTip(translate(
            "FinetunePanel", "Each of your drawings is repeated this many times per epoch"))
        self.start_button = QPushButton(translate("FinetunePanel", "Fine-tune"))
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton(translate("FinetunePanel", "Stop"))
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.table = QTableWidget(len(ROWS), 2)
        self.table.setHorizontalHeaderLabels([translate("FinetunePanel", "before"),
                                              translate("FinetunePanel", "after")])
        self.table.setVerticalHeaderLabels([translate("FinetunePanel", name) for _, name in ROWS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for policy in (self.table.setVerticalScrollBarPolicy,
                       self.table.setHorizontalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setFixedHeight(96)
        self.use_button = QPushButton(translate("FinetunePanel", "Use this model"))
        self.use_button.setToolTip(
            translate("FinetunePanel", "Use the fine-tuned model in the Draw tab and save it"))
        self.use_button.clicked.connect(self.use_result)

        set_row = QHBoxLayout()
        set_row.addWidget(self.set_label, 1)
        set_row.addWidget(self.manage_button)
        form = QFormLayout()
        form.addRow(translate("FinetunePanel", "Model"), self.model_combo)
        form.addRow(translate("FinetunePanel", "Epochs"), self.epochs)
        form.addRow(translate("FinetunePanel", "MNIST digits"), self.limit)
        form.addRow(translate("FinetunePanel", "Learning rate"), self.learning_rate)
        form.addRow(translate("FinetunePanel", "Weight of mine"), self.weight)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(set_row)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table)
        layout.addWidget(self.use_button)
        store.models_changed.connect(self._fill_models)
        self._fill_models()
        self.refresh_set()

    # ----- state ------------------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        return self._worker is not None

    @property
    def result(self) -> FineTuneResult | None:
        """The last finished fine-tuning (None before, or while one runs)."""
        return self._result

    def accuracy_text(self, row: str, column: str) -> str:
        """The cell for ``row`` ("mnist_test"/"personal"), ``column`` ("before"/"after")."""
        item = self.table.item([r for r, _ in ROWS].index(row), ("before", "after").index(column))
        return "" if item is None else item.text()

    def config(self) -> TrainConfig:
        """The run's settings: the knobs shown, no augmentation, no early stopping."""
        return TrainConfig(kind=self.model_combo.currentData(), epochs=self.epochs.value(),
                           learning_rate=self.learning_rate.value(), batch_size=100,
                           validation_split=0.1, patience=0, limit=self.limit.value())

    # ----- commands ---------------------------------------------------------------------
    @Slot()
    def refresh_set(self) -> None:
        """Re-read the personal set's size (drawings are saved from the Draw tab)."""
        _, labels = self.personal_set.arrays()
        self._set_size = len(labels)
        self.set_label.setText(translate("FinetunePanel", "My drawings: {0}").format(
            counts_text(labels, compact=True)))
        self._update_buttons()

    @Slot()
    def show_personal_set(self) -> PersonalSetDialog:
        if self._dialog is None:
            self._dialog = PersonalSetDialog(self.personal_set, self)
            self._dialog.set_changed.connect(self.refresh_set)
        self._dialog.reload()
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog

    @Slot()
    def start(self) -> bool:
        """Start fine-tuning the chosen model (no-op while one runs or with no drawings)."""
        self.refresh_set()
        kind = self.model_combo.currentData()
        model = self._store.models.get(kind) if kind else None
        if self._worker is not None or model is None:
            return False
        x, y = self.personal_set.arrays()
        if len(y) == 0:
            self.status_label.setText(
                translate("FinetunePanel", "Save some drawings first (Draw tab, Ctrl+S)."))
            return False
        self._result, self._adopted = None, False
        self._fill_table(None)
        self.progress.setValue(0)
        self.status_label.setText(translate(
            "FinetunePanel", "Measuring the {0} model before fine-tuning…").format(
            model_name(kind)))
        worker = FineTuneWorker(model, self.config(), x, y, self.weight.value(),
                                self._data_loader)
        worker.progress.connect(self._on_progress)
        worker.result.connect(self._on_result)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self._update_buttons()
        self.busy_changed.emit(True)
        worker.start()
        return True

    @Slot()
    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop_training()
            self.status_label.setText(translate("FinetunePanel", "Stopping after this batch…"))

    def shutdown(self) -> None:
        """Abort and wait for the thread (window closing); nothing more is shown."""
        worker, self._worker = self._worker, None
        self._progress_events.discard()
        if worker is not None:
            worker.requestInterruption()
            worker.wait()
            worker.deleteLater()
            self._update_buttons()

    @Slot()
    def use_result(self) -> None:
        """Hand the fine-tuned model to the store (Draw tab at once, saved to disk)."""
        result = self._result
        if result is None or self._adopted:
            return
        kind = self._result_kind
        self._store.use_model(kind, result.model, result.after.get("mnist_test"))
        self._adopted = True
        self.status_label.setText(
            translate("FinetunePanel", "Using the fine-tuned {0} model.").format(model_name(kind)))
        self._update_buttons()

    # ----- internals --------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh_set()

    def _fill_models(self) -> None:
        current = self.model_combo.currentData() or "cnn"
        models = self._store.models if self._store.is_ready else {}
        self.model_combo.clear()
        for kind in MODEL_KINDS:
            if kind in models:
                self.model_combo.addItem(model_name(kind), kind)
        index = self.model_combo.findData(current)
        self.model_combo.setCurrentIndex(max(index, 0))
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._worker is not None
        ready = self.model_combo.count() > 0 and self._set_size > 0
        self.start_button.setEnabled(not busy and ready)
        self.stop_button.setEnabled(busy)
        for widget in (self.model_combo, self.epochs, self.limit, self.learning_rate,
                       self.weight):
            widget.setEnabled(not busy)
        self.use_button.setEnabled(not busy and self._result is not None and not self._adopted)
        if not busy and self.model_combo.count() == 0:
            self.start_button.setToolTip(
                translate("FinetunePanel", "Waiting for the models to load"))
        elif not busy and not ready:
            self.start_button.setToolTip(
                translate("FinetunePanel", "Save some drawings first (Draw tab, Ctrl+S)"))
        else:
            self.start_button.setToolTip(translate(
                "FinetunePanel",
                "Continue training a copy of the model on MNIST and your drawings"))

    def _fill_table(self, result: FineTuneResult | None) -> None:
        for r, (key, _) in enumerate(ROWS):
            for c, column in enumerate(("before", "after")):
                value = None if result is None else getattr(result, column).get(key)
                text = "" if value is None else f"{value:.2%}"
                self.table.setItem(r, c, QTableWidgetItem(text))

    def _from_current_worker(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot(object)
    def _on_progress(self, event) -> None:
        if self._from_current_worker():
            self._progress_events.submit(event)

    @Slot(object)
    def _show_progress(self, event) -> None:
        self.progress.setValue(round(event.run_fraction * 1000))
        loss = event.logs.get("loss")
        self.status_label.setText(
            translate("FinetunePanel", "Epoch {0} of {1}").format(event.epoch + 1, event.epochs)
            if loss is None else
            translate("FinetunePanel", "Epoch {0} of {1}, loss {2:.4f}").format(
                event.epoch + 1, event.epochs, loss))

    @Slot(object)
    def _on_result(self, result: FineTuneResult) -> None:
        if not self._from_current_worker():
            return
        self._progress_events.discard()
        self._result = result
        self._result_kind = self._worker.config.kind
        self._fill_table(result)
        self.progress.setValue(1000)
        summary = translate(
            "FinetunePanel", "MNIST test {0:.2%} → {1:.2%}; your drawings {2:.2%} → {3:.2%} "
                             "(measured on the drawings it trained on).").format(
            result.before["mnist_test"], result.after["mnist_test"], result.before["personal"],
            result.after["personal"])
        self.status_label.setText(summary if not result.note else translate(
            "FinetunePanel", "{0} {1}").format(summary, result.note))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._from_current_worker():
            self._progress_events.discard()
            self.status_label.setText(message)

    @Slot()
    def _on_finished(self) -> None:
        if not self._from_current_worker():
            return
        self._progress_events.discard()
        self._worker.release()  # after every listener has its finished
        self._worker = None
        self._update_buttons()
        self.busy_changed.emit(False)
