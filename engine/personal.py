"""Teach it my handwriting: a personal set of labelled drawings, and fine-tuning on it.

The set is a folder of 28x28 grayscale PNGs (the preprocessed model input, ink
bright), one per sample, named ``<label>_<timestamp>_<n>.png``: the file name
*is* the index, so there is no second file to get out of step, and a sample can
be inspected or removed by hand. Writes go to a hidden temporary file that is
renamed into place, so a crash never leaves a half-written PNG. Files that are
not samples, unreadable or of the wrong size are skipped and listed in
:attr:`PersonalSet.warnings`.

:func:`fine_tune` continues training a copy of a model on MNIST plus the personal
set (repeated, so a few dozen drawings weigh against thousands of MNIST digits)
and reports accuracy on both before and after.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digitlab.engine.data import MnistData
from digitlab.engine.models import infer_kind
from digitlab.engine.paths import user_data_dir
from digitlab.engine.safe_files import UnsafeFileError, open_regular
from digitlab.engine.safe_writes import write_atomic
from digitlab.engine.training import (
    TrainConfig,
    TrainingEvent,
    TrainResult,
    evaluate_accuracy,
    train,
)

_NAME = re.compile(r"^(?P<label>[0-9])_(?P<stamp>\d{8}T\d{6}\d{6})_(?P<n>\d+)$")
#: Fewer personal samples than this: their accuracy is reported with a caveat.
MIN_SAMPLES_FOR_ACCURACY = 5
#: Most samples read from the folder (a folder of a million files must not be read whole).
MAX_SAMPLES = 10_000
#: Most personal images one fine-tuning epoch adds (samples x personal_weight): as many
#: as MNIST's training set, so repeating cannot multiply memory without end.
MAX_REPEATED_SAMPLES = 60_000


@dataclass(frozen=True)
class Sample:
    """One saved drawing.

    Attributes:
        id: the file's stem, e.g. ``"7_20250101T120000123456_0"`` (label, time, counter).
        label: the digit, 0..9.
        image: uint8 ``(28, 28)``, 0 = background, 255 = ink.
        path: the PNG file.
    """

    id: str
    label: int
    image: np.ndarray
    path: Path


class PersonalSet:
    """A folder of labelled 28x28 drawings.

    Args:
        folder: where the PNGs live; ``None`` = ``user_data_dir() / "personal"``. The
            folder is created on the first :meth:`add`.
    """

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder).expanduser() if folder is not None else (
            user_data_dir() / "personal")
        self._warnings: list[str] = []

    @property
    def warnings(self) -> list[str]:
        """One line per file skipped by the last :meth:`samples` (or :meth:`arrays`) call."""
        return list(self._warnings)

    def add(self, image28: np.ndarray, label: int) -> Sample:
        """Save one drawing.

        Args:
            image28: ``(28, 28)`` uint8 0..255, or float in [0, 1]; ink bright.
            label: the digit drawn, 0..9.

        Returns:
            The saved :class:`Sample`.

        Raises:
            ValueError: a label outside 0..9, a wrong shape, or values outside the range.
            OSError: the folder cannot be written.
        """
        label = _check_label(label)
        pixels = _to_uint8(image28)
        self.folder.mkdir(parents=True, exist_ok=True)
        now = time.time_ns()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 10**9))
        stamp += f"{now // 1000 % 10**6:06d}"  # microseconds: names sort by time
        n = 0
        while (self.folder / f"{label}_{stamp}_{n}.png").exists():
            n += 1
        path = self.folder / f"{label}_{stamp}_{n}.png"
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="PNG")  # uint8 (28, 28): mode "L"
        _write_atomic(path, buffer.getvalue())
        return Sample(path.stem, label, pixels, path)

    def samples(self) -> list[Sample]:
        """Every readable sample, oldest first; unreadable files go to :attr:`warnings`."""
        self._warnings = []
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.iterdir()):
            if len(found) >= MAX_SAMPLES:
                self._warnings.append(
                    f"{path.name} and the rest: not read, the set holds at most "
                    f"{MAX_SAMPLES:,} samples")
                break
            if path.name.startswith(".") or path.is_dir():
                continue  # temporary files of a write in progress, folders
            match = _NAME.match(path.stem)
            if path.suffix.lower() != ".png" or match is None:
                self._warnings.append(
                    f"{path.name}: not a sample (expected <label>_<time>_<n>.png)"
                )
                continue
            try:
                image = _read_png(path)
            except ValueError as exc:
                self._warnings.append(f"{path.name}: {exc}")
                continue
            found.append(Sample(path.stem, int(match["label"]), image, path))
        found.sort(key=lambda s: (_NAME.match(s.id)["stamp"], int(_NAME.match(s.id)["n"])))
        return found

    def delete(self, sample_id: str) -> None:
        """Remove one sample.

        Raises:
            ValueError: ``sample_id`` is not a sample id (e.g. holds a path).
            KeyError: no such sample in the set.
        """
        if not isinstance(sample_id, str) or _NAME.match(sample_id) is None:
            raise ValueError(
                f"Received sample_id={sample_id!r}; "
                "expected an id like '7_20250101T120000123456_0'."
            )
        path = self.folder / f"{sample_id}.png"
        try:
            path.unlink()
        except FileNotFoundError:
            raise KeyError(f"no sample {sample_id!r} in {self.folder}") from None

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All samples as training arrays: ``x`` uint8 ``(N, 28, 28)``, ``y`` uint8 ``(N,)``."""
        samples = self.samples()
        if not samples:
            return np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8)
        return (np.stack([s.image for s in samples]),
                np.array([s.label for s in samples], np.uint8))

    def label_counts(self) -> np.ndarray:
        """int ``(10,)``: how many samples of each digit."""
        _, y = self.arrays()
        return np.bincount(y, minlength=10)

    def __len__(self) -> int:
        return len(self.samples())

    def __repr__(self) -> str:
        return f"PersonalSet({str(self.folder)!r})"


@dataclass(frozen=True)
class FineTuneResult:
    """A fine-tuned model and its accuracy before and after.

    Attributes:
        model: the fine-tuned Keras model (a copy; the original is untouched).
        before: ``{"mnist_test": accuracy, "personal": accuracy}`` of the original model.
        after: the same for the fine-tuned model. The personal accuracy is measured on
            the personal set itself, which was trained on: it shows that the model now
            follows the user's handwriting, not how it does on new drawings.
        note: a caveat to show next to the numbers (e.g. too few personal samples), or "".
        train_result: the :class:`engine.training.TrainResult` of the run.
    """

    model: object
    before: dict
    after: dict
    note: str = ""
    train_result: TrainResult | None = None


def fine_tune(
    model,
    kind: str,
    data: MnistData,
    personal_x: np.ndarray,
    personal_y: np.ndarray,
    config: TrainConfig,
    on_event: Callable[[TrainingEvent], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    personal_weight: int = 20,
) -> FineTuneResult:
    """Continue training a copy of ``model`` on MNIST plus the personal set.

    Args:
        model: the Keras model to start from, of ``kind``.
        kind: ``"multinomial"``, ``"dnn"`` or ``"cnn"``; must equal ``config.kind``.
        data: MNIST; ``config.limit`` slices its training set, the whole test set is
            used for the before/after accuracy.
        personal_x: ``(N, 28, 28)`` uint8 (or float in [0, 1]) drawings, N >= 1.
        personal_y: ``(N,)`` labels 0..9.
        config: epochs, learning rate etc. (a learning rate lower than training from
            scratch keeps what the model knows).
        on_event: progress events, as :func:`engine.training.train`.
        should_stop: polled after every batch, as :func:`engine.training.train`.
        personal_weight: each personal sample appears this many times per epoch (fewer
            when samples x weight would pass ``MAX_REPEATED_SAMPLES``).

    Returns:
        A :class:`FineTuneResult`.

    Raises:
        ValueError: an empty personal set, mismatched shapes, labels outside 0..9,
            ``kind != config.kind`` or ``personal_weight < 1``.
    """
    if kind != config.kind:
        raise ValueError(
            f"Received kind={kind!r} with config.kind={config.kind!r}; they must match."
        )
    if isinstance(personal_weight, bool) or not isinstance(personal_weight, (int, np.integer)) \
            or personal_weight < 1:
        raise ValueError(f"Received personal_weight={personal_weight!r}; it must be >= 1.")
    px, py = np.asarray(personal_x), np.asarray(personal_y)
    if px.ndim != 3 or px.shape[1:] != (28, 28):
        raise ValueError(f"Received personal_x of shape {px.shape}; expected (N, 28, 28).")
    if len(px) == 0:
        raise ValueError("Received an empty personal set; save some drawings first.")
    if py.shape != (len(px),):
        raise ValueError(f"Received personal_y of shape {py.shape}; expected ({len(px)},).")
    for value in np.unique(py):
        _check_label(value)
    found = infer_kind(model)
    if found != kind:
        raise ValueError(f"Received a {found} model to fine-tune as kind={kind!r}.")

    def accuracies(m) -> dict:
        return {
            "mnist_test": evaluate_accuracy(m, data.x_test, data.y_test),
            "personal": evaluate_accuracy(m, px, py),
        }

    before = accuracies(model)
    if len(px) > MAX_SAMPLES:
        raise ValueError(
            f"Received {len(px):,} personal samples; at most {MAX_SAMPLES:,} can be used.")
    # Repeating multiplies memory: keep samples x weight within MAX_REPEATED_SAMPLES.
    weight = max(1, min(int(personal_weight), MAX_REPEATED_SAMPLES // len(px)))
    extra = (np.repeat(px, weight, axis=0), np.repeat(py, weight, axis=0))
    result = train(config, data, on_event=on_event, should_stop=should_stop,
                   evaluate_test=False, initial_model=model, extra_train=extra)
    after = accuracies(result.model)
    note = ""
    if len(px) < MIN_SAMPLES_FOR_ACCURACY:
        note = (f"Only {len(px)} personal sample(s): their accuracy says little; "
                f"save at least {MIN_SAMPLES_FOR_ACCURACY}.")
    return FineTuneResult(result.model, before, after, note, result)


# --- files -----------------------------------------------------------------------------------


def _check_label(label) -> int:
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
        raise ValueError(f"Received label={_quote(label)}; a label must be a digit 0..9.")
    return int(label)


def _to_uint8(image28) -> np.ndarray:
    arr = np.asarray(image28)
    if arr.shape != (28, 28):
        raise ValueError(f"Received an image of shape {arr.shape}; expected (28, 28).")
    if arr.dtype == np.uint8:
        return arr.copy()
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"Received an image of dtype {arr.dtype}; expected uint8 or float.")
    if not np.all(np.isfinite(arr)) or arr.min() < -1e-3 or arr.max() > 1 + 1e-3:
        raise ValueError(
            f"Received float image values in [{np.nanmin(arr):.3g}, {np.nanmax(arr):.3g}]; "
            "expected finite values in [0, 1]."
        )
    return np.round(np.clip(arr, 0.0, 1.0) * 255).astype(np.uint8)


#: A 28x28 sample PNG is under 1 KB; anything much larger is not one of ours.
_MAX_SAMPLE_BYTES = 64 * 1024


def _read_png(path: Path) -> np.ndarray:
    try:
        fh = open_regular(path, "sample", max_bytes=_MAX_SAMPLE_BYTES)
    except UnsafeFileError as exc:
        raise ValueError(str(exc).removeprefix(f"{path}: ")) from None
    try:
        with fh, Image.open(fh) as img:
            if img.size != (28, 28):  # checked from the header, before decoding
                raise ValueError(f"is {img.size[0]}x{img.size[1]}, not 28x28")
            img.load()
            return np.asarray(img.convert("L"), dtype=np.uint8).copy()
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad files
        raise ValueError(f"unreadable image ({type(exc).__name__})") from None


def _write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to a hidden temporary file, flush it to disk, rename it to ``path``."""
    write_atomic(path, payload)


def _quote(value) -> str:
    """``12`` for a numpy integer too (numpy 2's repr would say ``np.int64(12)``)."""
    return str(int(value)) if isinstance(value, np.integer) else repr(value)


__all__ = ["FineTuneResult", "PersonalSet", "Sample", "fine_tune"]
