"""Training progress as plain events, and the Keras callback that produces them.

:class:`TrainingEvent` is what :func:`engine.training.train` reports to its
caller; :func:`make_progress_callback` builds the Keras ``Callback`` (Keras is
imported lazily, so the class is made on first use) that emits them, throttled
at batch level, polls the stop request after every batch, stops on a NaN loss
and keeps the best weights seen.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

__all__ = ["TrainingEvent", "make_progress_callback"]


@dataclass(frozen=True)
class TrainingEvent:
    """One progress report from a training run.

    Attributes:
        type: ``"begin"``, ``"batch"``, ``"epoch_end"``, ``"message"`` or ``"end"``.
        epoch: 0-based epoch index.
        epochs: the most epochs the run may take.
        batch: batches done in this epoch.
        batches_per_epoch: batches in one epoch.
        samples_per_second: training throughput since the epoch began.
        logs: metrics: ``loss``, ``accuracy`` and, at epoch end, ``val_loss``,
            ``val_accuracy``.
        message: a human-readable line (early stopping, best epoch, NaN...).
        elapsed: seconds since training began.
    """

    type: str
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches_per_epoch: int = 0
    samples_per_second: float = 0.0
    logs: dict = field(default_factory=dict)
    message: str = ""
    elapsed: float = 0.0

    @property
    def run_fraction(self) -> float:
        """Fraction of the whole run (at most ``epochs``) done, 0..1."""
        if not self.epochs or not self.batches_per_epoch:
            return 0.0
        done = self.epoch + self.batch / self.batches_per_epoch
        return min(1.0, done / self.epochs)


def make_progress_callback(keras):
    """The ``ProgressCallback`` class, built on ``keras.callbacks.Callback``."""

    class ProgressCallback(keras.callbacks.Callback):
        """Reports progress through plain callables and handles stop requests.

        Also keeps the best weights by ``val_loss`` (or ``loss`` with no
        validation) so that a run stopped by the user or by a NaN still ends
        with the best model seen, not the last one.
        """

        def __init__(
            self, epochs, batches_per_epoch, batch_size, on_event, should_stop, min_interval=0.05
        ):
            super().__init__()
            self.epochs = epochs
            self.batches_per_epoch = batches_per_epoch
            self.batch_size = batch_size
            self.on_event = on_event or (lambda event: None)
            self.should_stop = should_stop or (lambda: False)
            self.min_interval = min_interval
            self.stop_reason = None
            self.best = math.inf
            self.best_epoch = None
            self.best_weights = None
            self.history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
            self._t0 = self._epoch_t0 = self._last_emit = 0.0
            self._epoch = 0

        def _emit(self, type_, **kw):
            kw.setdefault("epoch", self._epoch)
            self.on_event(
                TrainingEvent(
                    type=type_,
                    epochs=self.epochs,
                    batches_per_epoch=self.batches_per_epoch,
                    elapsed=time.perf_counter() - self._t0,
                    **kw,
                )
            )

        def on_train_begin(self, logs=None):
            self._t0 = time.perf_counter()
            self._emit("begin")

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch
            self._epoch_t0 = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            logs = {k: float(v) for k, v in (logs or {}).items()}
            if not math.isfinite(logs.get("loss", 0.0)):
                self.stop_reason = "nan"
                self.model.stop_training = True
                self._emit(
                    "message",
                    batch=batch + 1,
                    message=(
                        f"Epoch {self._epoch + 1}: the loss became {logs.get('loss')} at batch "
                        f"{batch + 1}; training stopped (try a lower learning rate)."
                    ),
                )
                return
            if self.should_stop():
                self.stop_reason = "user"
                self.model.stop_training = True
            now = time.perf_counter()
            last = batch + 1 == self.batches_per_epoch
            if now - self._last_emit >= self.min_interval or last or self.stop_reason:
                self._last_emit = now
                rate = (batch + 1) * self.batch_size / max(now - self._epoch_t0, 1e-9)
                self._emit("batch", batch=batch + 1, samples_per_second=rate, logs=logs)

        def on_epoch_end(self, epoch, logs=None):
            logs = {k: float(v) for k, v in (logs or {}).items() if not k.startswith("learning")}
            for key in self.history:
                self.history[key].append(logs.get(key, math.nan))
            monitor = logs.get("val_loss", logs.get("loss", math.nan))
            if math.isfinite(monitor) and monitor < self.best:
                self.best, self.best_epoch = monitor, epoch
                self.best_weights = self.model.get_weights()
            seconds = time.perf_counter() - self._epoch_t0
            rate = self.batches_per_epoch * self.batch_size / max(seconds, 1e-9)
            self._emit(
                "epoch_end", batch=self.batches_per_epoch, logs=logs, samples_per_second=rate
            )

        def restore_best(self):
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return ProgressCallback
