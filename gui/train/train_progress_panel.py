"""Progress of a training run: the epoch, the whole run, throughput and time left."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QProgressBar, QWidget

from digitlab.engine.train_report import format_duration
from digitlab.gui.common.i18n import translate

#: Progress bars count in thousandths so that a 60-batch epoch still moves smoothly.
_STEPS = 1000


class TrainProgressPanel(QWidget):
    """Two progress bars (this epoch, the run) and a line of numbers under them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.epoch_bar = QProgressBar()
        self.run_bar = QProgressBar()
        for bar in (self.epoch_bar, self.run_bar):
            bar.setRange(0, _STEPS)
            bar.setValue(0)
        self.epoch_bar.setFormat(translate("TrainProgressPanel", "epoch: %p%"))
        self.run_bar.setFormat(translate("TrainProgressPanel", "run: %p% of the max epochs"))
        self.details = QLabel(translate("TrainProgressPanel", "Not started."))
        self.details.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(translate("TrainProgressPanel", "Epoch"), self.epoch_bar)
        form.addRow(translate("TrainProgressPanel", "Run"), self.run_bar)
        form.addRow("", self.details)

    def reset(self, text: str | None = None) -> None:
        if text is None:
            text = translate("TrainProgressPanel", "Starting… (loading TensorFlow and MNIST)")
        self.epoch_bar.setValue(0)
        self.run_bar.setValue(0)
        self.details.setText(text)

    def update_from_event(self, event) -> None:
        """Update from a ``"batch"`` or ``"epoch_end"`` :class:`engine.training.TrainingEvent`."""
        if event.batches_per_epoch:
            self.epoch_bar.setValue(round(_STEPS * event.batch / event.batches_per_epoch))
        fraction = event.run_fraction
        self.run_bar.setValue(round(_STEPS * fraction))
        text = translate("TrainProgressPanel", "epoch {0} of at most {1} · batch {2}/{3}").format(
            event.epoch + 1, event.epochs, event.batch, event.batches_per_epoch)
        if event.samples_per_second > 0:
            text = translate("TrainProgressPanel", "{0} · {1:,.0f} samples/s").format(
                text, event.samples_per_second)
        if fraction > 0:
            left = event.elapsed * (1.0 - fraction) / fraction
            text = translate("TrainProgressPanel", "{0} · at most {1} left").format(
                text, format_duration(left, translate))
        self.details.setText(text)

    def show_text(self, text: str) -> None:
        self.details.setText(text)

    def finish(self, text: str) -> None:
        """The run is over: full bars, a closing line."""
        self.epoch_bar.setValue(_STEPS)
        self.run_bar.setValue(_STEPS)
        self.details.setText(text)
