"""A terminal progress bar for ``digitlab train`` (stderr, no dependencies)."""

from __future__ import annotations

import sys

from digitlab.engine.training import TrainingEvent


class TerminalProgress:
    """Draws one updating bar line per epoch on a terminal; plain lines otherwise."""

    def __init__(self, batch_size: int, stream=None, width: int = 30):
        self.batch_size = batch_size
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, event: TrainingEvent) -> None:
        if event.type == "batch" and self.tty:
            frac = event.batch / max(event.batches_per_epoch, 1)
            filled = int(frac * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            remaining = (event.batches_per_epoch - event.batch) * self.batch_size
            eta = remaining / event.samples_per_second if event.samples_per_second else 0.0
            loss = event.logs.get("loss", float("nan"))
            acc = event.logs.get("accuracy", float("nan"))
            line = (
                f"\rEpoch {event.epoch + 1}/{event.epochs} [{bar}] {event.batch}/"
                f"{event.batches_per_epoch}  loss {loss:.4f}  acc {acc:.4f}  "
                f"{event.samples_per_second:,.0f} samples/s  {eta:.0f}s left "
            )
            self.stream.write(line)
            self.stream.flush()
        elif event.type == "epoch_end":
            logs = event.logs
            parts = [
                f"loss {logs.get('loss', float('nan')):.4f}",
                f"acc {logs.get('accuracy', float('nan')):.4f}",
            ]
            if "val_loss" in logs:
                parts += [f"val_loss {logs['val_loss']:.4f}", f"val_acc {logs['val_accuracy']:.4f}"]
            prefix = "\r\033[K" if self.tty else ""
            self.stream.write(
                f"{prefix}Epoch {event.epoch + 1}/{event.epochs}  {'  '.join(parts)}  "
                f"{event.samples_per_second:,.0f} samples/s  {event.elapsed:.0f}s\n"
            )
            self.stream.flush()
        elif event.type == "message" and event.message:
            prefix = "\r\033[K" if self.tty else ""
            self.stream.write(f"{prefix}{event.message}\n")
            self.stream.flush()
