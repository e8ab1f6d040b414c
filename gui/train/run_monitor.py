"""The view of a running training: progress bars, learning curves and the run's log."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QPlainTextEdit

from digitlab.gui.common.i18n import translate
from digitlab.gui.common.latest_throttle import LatestThrottle
from digitlab.gui.common.timing import CURVES_REDRAW_MS, PROGRESS_REDRAW_MS
from digitlab.gui.train.train_progress_panel import TrainProgressPanel
from digitlab.gui.train.training_curves import TrainingCurves


class RunMonitor(QObject):
    """Show a run's ``TrainingEvent``\\ s in three views, redrawing at most as often as useful.

    Batch events arrive hundreds of times a second; drawing each took a third of the
    CPU from training on two cores (tests/benchmarks/bench_training.py). So batches
    go through two latest-wins throttles: the progress bars every
    ``PROGRESS_REDRAW_MS``, the curves' running point every ``CURVES_REDRAW_MS``.
    An epoch's end, the evaluation line and the run's end are shown at once and
    drop any batch still waiting, which is older.

    The views (``progress``, ``curves``, ``log``) are laid out by the owner.

    Args:
        parent: the owner (the Train tab).

    Signals:
        shown(object): the ``TrainingEvent`` ("begin", "batch", "epoch_end") just
            drawn by the progress bars.
    """

    shown = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.progress = TrainProgressPanel()
        self.curves = TrainingCurves()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setPlaceholderText(
            translate("TrainTab", "Early stopping, best epochs and problems are noted here."))
        self._batches = LatestThrottle(PROGRESS_REDRAW_MS, self)
        self._batches.ready.connect(self._show_batch)
        self._running_points = LatestThrottle(CURVES_REDRAW_MS, self)
        self._running_points.ready.connect(self._show_running_point)

    def reset(self) -> None:
        """Empty bars and curves for a new run (the log keeps earlier runs' lines)."""
        self.drop_waiting()
        self.curves.clear_curves()
        self.progress.reset()

    def show_event(self, event) -> None:
        """Show one ``TrainingEvent``; batches are throttled, the rest shown at once."""
        if event.type in ("begin", "batch"):
            # Shown now, or the newest one at the next redraw tick.
            self._batches.submit(event)
        elif event.type == "epoch_end":
            self._show_epoch(event)
        elif event.type == "message" and event.message:
            self.append_log(event.message)
        elif event.type == "evaluating":
            self.drop_waiting()  # a waiting batch must not cover this line
            self.progress.show_text(
                translate("TrainTab", "Training done; evaluating on the 10,000 test images…"))

    def show_text(self, text: str) -> None:
        """Say ``text`` under the bars (a batch still waiting would cover it: dropped)."""
        self.drop_waiting()
        self.progress.show_text(text)

    def append_log(self, text: str) -> None:
        """Add a line to the log and scroll to it: the log follows the run."""
        self.log.appendPlainText(text)
        self.log_to_end()

    @Slot()
    def log_to_end(self) -> None:
        """Scroll the log to its last line."""
        bar = self.log.verticalScrollBar()
        bar.setValue(bar.maximum())

    def drop_waiting(self) -> None:
        """Something newer was shown (an epoch's end, the run's end): drop held batch events."""
        self._batches.discard()
        self._running_points.discard()

    @Slot(object)
    def _show_batch(self, event) -> None:
        self.progress.update_from_event(event)
        if event.type == "batch":
            self._running_points.submit(event)
        self.shown.emit(event)

    @Slot(object)
    def _show_running_point(self, event) -> None:
        self.curves.set_running(event.epoch, event.batch, event.batches_per_epoch, event.logs)

    def _show_epoch(self, event) -> None:
        self.drop_waiting()  # older than this epoch's end
        self.progress.update_from_event(event)
        self.curves.add_epoch(event.epoch, event.logs)
        logs = event.logs
        parts = [f"loss {logs.get('loss', float('nan')):.4f}",
                 f"accuracy {logs.get('accuracy', float('nan')):.2%}"]
        if "val_loss" in logs:
            parts += [f"val_loss {logs['val_loss']:.4f}",
                      f"val_accuracy {logs.get('val_accuracy', float('nan')):.2%}"]
        # Keras's own metric names, as model.fit prints them.
        self.append_log(translate("TrainTab", "Epoch {0}: {1}").format(
            event.epoch + 1, ", ".join(parts)))
        self.shown.emit(event)
