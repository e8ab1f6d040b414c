"""The knobs of a training run: model, recipe preset, optimiser and data settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QWidget,
)

from digitlab.engine.training import TrainConfig, improved_recipe, lesson_recipe
from digitlab.gui.common.i18n import translate

#: (label, kind, dropout) in the order of the model picker.
MODEL_CHOICES = (
    (QT_TRANSLATE_NOOP("TrainSettingsPanel", "Multinomial (softmax regression)"), "multinomial",
     True),
    (QT_TRANSLATE_NOOP("TrainSettingsPanel", "DNN (64-128-32 hidden units)"), "dnn", True),
    (QT_TRANSLATE_NOOP("TrainSettingsPanel", "CNN with dropout"), "cnn", True),
    (QT_TRANSLATE_NOOP("TrainSettingsPanel", "CNN without dropout"), "cnn", False),
)
RECIPES = {QT_TRANSLATE_NOOP("TrainSettingsPanel", "Lesson recipe"): lesson_recipe,
           QT_TRANSLATE_NOOP("TrainSettingsPanel", "Improved recipe"): improved_recipe}
#: The engine's learning-rate schedules, as the picker shows them.
SCHEDULES = {"constant": QT_TRANSLATE_NOOP("TrainSettingsPanel", "constant"),
             "cosine": QT_TRANSLATE_NOOP("TrainSettingsPanel", "cosine")}
#: MNIST's training set size: the "training samples" knob's maximum ("all").
MNIST_TRAIN_SIZE = 60_000


def _double_spin(decimals: int, low: float, high: float, step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setDecimals(decimals)  # before the range: the range is rounded to the decimals
    spin.setRange(low, high)
    spin.setSingleStep(step)
    return spin


def _int_spin(low: int, high: int, step: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    return spin


class TrainSettingsPanel(QGroupBox):
    """Pick a model and a recipe; every knob of :class:`engine.training.TrainConfig` is editable.

    Choosing a model or a recipe resets the knobs to that recipe (the lesson's
    by default); editing a knob afterwards changes only that knob.

    Signals:
        changed(): any knob changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(translate("TrainSettingsPanel", "Training settings"), parent)
        self.model_combo = QComboBox()
        for label, kind, dropout in MODEL_CHOICES:
            self.model_combo.addItem(translate("TrainSettingsPanel", label), (kind, dropout))
        self.model_combo.setCurrentIndex(2)
        self.recipe_combo = QComboBox()
        for name in RECIPES:
            self.recipe_combo.addItem(translate("TrainSettingsPanel", name), name)
        self.recipe_combo.setToolTip(translate(
            "TrainSettingsPanel", "Lesson: Adam 1e-4, batch 100, validation 20%, patience 3.\n"
                                  "Improved: Adam 1e-3 with cosine decay, augmentation "
                                  "(the shipped models' recipe)."))
        self.learning_rate = _double_spin(5, 0.00001, 1.0, 0.0001)
        # engine.training.MAX_BATCH_SIZE: memory grows with the batch past 1024 (measured).
        self.batch_size = _int_spin(1, 1024, 1)
        self.epochs = _int_spin(1, 500, 1)
        self.epochs.setToolTip(
            translate("TrainSettingsPanel", "The most epochs; early stopping usually ends sooner."))
        self.validation_split = _double_spin(2, 0.0, 0.9, 0.05)
        self.validation_split.setToolTip(translate(
            "TrainSettingsPanel", "Fraction of the training samples held out (from the "
                                  "end) to watch for overfitting. 0 = none."))
        self.patience = _int_spin(0, 100, 1)
        self.patience.setSpecialValueText(translate("TrainSettingsPanel", "off"))
        self.patience.setToolTip(translate(
            "TrainSettingsPanel", "Early stopping: epochs without a better validation loss "
                                  "before stopping. 0 turns it off."))
        self.schedule = QComboBox()
        for schedule, text in SCHEDULES.items():
            self.schedule.addItem(translate("TrainSettingsPanel", text), schedule)
        self.schedule.setToolTip(
            translate("TrainSettingsPanel",
                      "cosine: the learning rate decays to 1% over the epochs."))
        self.augment = QCheckBox(translate("TrainSettingsPanel", "shifts, rotations, strokes"))
        self.augment.setToolTip(translate(
            "TrainSettingsPanel", "Random shifts, rotations, shear, scale and stroke width: "
                                  "models that hold up on digits drawn by people."))
        self.samples = _int_spin(100, MNIST_TRAIN_SIZE, 1000)
        self.samples.setToolTip(translate(
            "TrainSettingsPanel", "Train on the first N of MNIST's 60,000 training images "
                                  "(fewer = faster, less accurate)."))

        form = QFormLayout(self)
        form.addRow(translate("TrainSettingsPanel", "Model"), self.model_combo)
        form.addRow(translate("TrainSettingsPanel", "Preset"), self.recipe_combo)
        form.addRow(translate("TrainSettingsPanel", "Learning rate"), self.learning_rate)
        form.addRow(translate("TrainSettingsPanel", "Batch size"), self.batch_size)
        form.addRow(translate("TrainSettingsPanel", "Max epochs"), self.epochs)
        form.addRow(translate("TrainSettingsPanel", "Validation split"), self.validation_split)
        form.addRow(translate("TrainSettingsPanel", "Early-stopping patience"), self.patience)
        form.addRow(translate("TrainSettingsPanel", "LR schedule"), self.schedule)
        form.addRow(translate("TrainSettingsPanel", "Augmentation"), self.augment)
        form.addRow(translate("TrainSettingsPanel", "Training samples"), self.samples)

        self.apply_recipe()
        self.model_combo.currentIndexChanged.connect(self.apply_recipe)
        self.recipe_combo.currentIndexChanged.connect(self.apply_recipe)
        for spin in (self.learning_rate, self.batch_size, self.epochs, self.validation_split,
                     self.patience, self.samples):
            spin.valueChanged.connect(self.changed)
        self.schedule.currentIndexChanged.connect(self.changed)
        self.augment.toggled.connect(self.changed)

    @property
    def kind(self) -> str:
        return self.model_combo.currentData()[0]

    @property
    def dropout(self) -> bool:
        return self.model_combo.currentData()[1]

    def select_model(self, kind: str, dropout: bool = True) -> None:
        """Select the model picker's entry for ``kind`` (and ``dropout`` for the CNN)."""
        for index, (_, k, d) in enumerate(MODEL_CHOICES):
            if k == kind and (kind != "cnn" or d == dropout):
                self.model_combo.setCurrentIndex(index)
                return
        raise ValueError(f"Received kind={kind!r}; expected multinomial, dnn or cnn.")

    def apply_recipe(self) -> None:
        """Reset every knob to the chosen recipe for the chosen model."""
        recipe = RECIPES[self.recipe_combo.currentData()]
        self.set_config(recipe(self.kind, dropout=self.dropout))

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config``'s values in the knobs (the model picker is not changed)."""
        self.learning_rate.setValue(config.learning_rate)
        self.batch_size.setValue(config.batch_size)
        self.epochs.setValue(config.epochs)
        self.validation_split.setValue(config.validation_split)
        self.patience.setValue(config.patience)
        self.schedule.setCurrentIndex(max(0, self.schedule.findData(config.schedule)))
        self.augment.setChecked(config.augment)
        self.samples.setValue(MNIST_TRAIN_SIZE if config.limit is None else config.limit)
        self.changed.emit()

    def config(self) -> TrainConfig:
        """The :class:`TrainConfig` the knobs describe.

        Raises:
            ValueError: a combination the engine refuses (quoted from TrainConfig).
        """
        recipe = RECIPES[self.recipe_combo.currentData()]
        samples = self.samples.value()
        return replace(
            recipe(self.kind),
            dropout=self.dropout,
            learning_rate=self.learning_rate.value(),
            batch_size=self.batch_size.value(),
            epochs=self.epochs.value(),
            validation_split=round(self.validation_split.value(), 4),
            patience=self.patience.value(),
            schedule=self.schedule.currentData(),
            augment=self.augment.isChecked(),
            limit=None if samples >= MNIST_TRAIN_SIZE else samples,
        )
