"""Saving models and their cards: atomic, never clobbering, consistent across processes.

A model ``cnn.keras`` may have a card ``cnn.json`` beside it recording its test
accuracy and how it was trained, with the model file's SHA-256: a card is shown
only while it describes the file beside it. Writes go to uniquely named
temporaries with the app's own prefix (:data:`engine.safe_writes.APP_TEMP_PREFIX`)
that are renamed into place, and get the user's normal permissions (umask).
A ``.json`` file that is not a Digit Lab card is never overwritten or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from digitlab.engine.safe_files import UnsafeFileError, open_regular, read_bounded
from digitlab.engine.safe_writes import (
    folder_lock,
    private_tempdir,
    temp_path_beside,
    user_permissions,
    write_atomic,
)
from digitlab.engine.strict_json import dumps_json

__all__ = ["NotACardError", "file_sha256", "is_model_card", "model_card_path",
           "read_test_accuracy", "save_model_atomic", "save_model_with_card", "write_model_card"]

#: A card is a few hundred bytes; a larger .json is not one.
_MAX_CARD_BYTES = 1 << 20


class NotACardError(FileExistsError):
    """The card's path holds a file Digit Lab did not write; it is left untouched."""


def model_card_path(model_path: str | Path) -> Path:
    """The JSON card beside a model file (``cnn.keras`` -> ``cnn.json``)."""
    return Path(model_path).with_suffix(".json")


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a regular file's bytes.

    Raises:
        UnsafeFileError: not a regular file (a FIFO would never end).
    """
    digest = hashlib.sha256()
    with open_regular(path, "model file", allow_empty=True) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_model_card(path: str | Path) -> bool:
    """True if ``path`` is a card Digit Lab wrote (a JSON object with ``model_sha256``)."""
    try:
        data = json.loads(read_bounded(path, _MAX_CARD_BYTES, "model card"))
    except (UnsafeFileError, OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("model_sha256"), str)


def _check_card_slot(card: Path) -> None:
    if (card.exists() or card.is_symlink()) and not is_model_card(card):
        raise NotACardError(
            f"{card}: exists and is not a Digit Lab model card; refusing to overwrite it "
            "with the model's card (choose another model name, or move that file)")


def save_model_atomic(model, path: str | Path) -> Path:
    """Save ``model`` to ``path`` so that a crash never leaves a corrupt file there.

    The model is written to a uniquely named temporary file in the same folder,
    flushed to disk, then renamed over ``path`` (``os.replace`` is atomic on POSIX
    and Windows). On failure the temporary file is removed and ``path`` is untouched.

    Raises:
        ValueError: ``path`` does not end in ``.keras``.
        OSError: the folder cannot be created or written (read-only, disk full).
    """
    path = _model_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(path.parent):
        tmp = _write_model_temp(model, path)
        try:
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return path


def save_model_with_card(model, path: str | Path, test_accuracy: float | None,
                         **details) -> tuple[Path, Path | None]:
    """Save a model and its card together, so both always come from the same save.

    Both are written to temporaries first; only when both are complete are they
    renamed into place, under a lock on the folder, so two processes saving the
    same output leave a model and a card of one and the same run.

    Args:
        model: the Keras model.
        path: the ``.keras`` file.
        test_accuracy: the card's accuracy; None removes an old card of ours.
        details: more JSON-able facts for the card (recipe, epochs...).

    Returns:
        ``(model_path, card_path)``; card_path is None when no card was written.

    Raises:
        NotACardError: ``path``'s ``.json`` is a file Digit Lab did not write (the
            model is not saved either: check this first with :func:`check_card_slot`).
        OSError: the folder cannot be written; nothing is changed then.
    """
    path = _model_path(path)
    card = model_card_path(path)
    _check_card_slot(card)
    path.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(path.parent):
        tmp_model = _write_model_temp(model, path)
        tmp_card = None
        try:
            if test_accuracy is not None:
                content = _card_content(test_accuracy, details, file_sha256(tmp_model))
                tmp_card = temp_path_beside(card)
                _write_file(tmp_card, content)
            _check_card_slot(card)  # another program may have written it meanwhile
            os.replace(tmp_model, path)
            if tmp_card is not None:
                os.replace(tmp_card, card)
            elif is_model_card(card):
                card.unlink(missing_ok=True)  # an old card would describe another model
        except BaseException:
            tmp_model.unlink(missing_ok=True)
            if tmp_card is not None:
                tmp_card.unlink(missing_ok=True)
            raise
    return path, (card if tmp_card is not None else None)


def check_card_slot(model_path: str | Path) -> None:
    """Refuse early when the card beside ``model_path`` would clobber a foreign file.

    Raises:
        NotACardError: the ``.json`` beside it exists and is not a Digit Lab card.
    """
    _check_card_slot(model_card_path(model_path))


def write_model_card(model_path: str | Path, test_accuracy: float | None, **details) -> Path | None:
    """Record a model file's test accuracy (and how it was trained) beside it.

    The card holds the model file's SHA-256, so a card left over from an older
    model is recognised as stale. ``test_accuracy=None`` removes the card (only
    if it is one of ours).

    Raises:
        NotACardError: the ``.json`` path holds a file Digit Lab did not write.
        OSError: the folder is not writable.
    """
    card = model_card_path(model_path)
    _check_card_slot(card)
    if test_accuracy is None:
        if card.exists():
            card.unlink(missing_ok=True)
        return None
    with folder_lock(card.parent):
        content = _card_content(test_accuracy, details, file_sha256(model_path))
        write_atomic(card, content)
    return card


def read_test_accuracy(model_path: str | Path) -> float | None:
    """The test accuracy on the card beside ``model_path``; None if absent, stale or unreadable."""
    try:
        card = json.loads(read_bounded(model_card_path(model_path), _MAX_CARD_BYTES,
                                       "model card"))
        if card.get("model_sha256") != file_sha256(model_path):
            return None  # the card belongs to another version of the file
        value = card.get("test_accuracy")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(value, (int, float)) and 0.0 <= value <= 1.0:
        return float(value)
    return None


def _model_path(path) -> Path:
    path = Path(path).expanduser()
    if path.suffix != ".keras":
        raise ValueError(f"Received path {str(path)!r}; a model file must end in .keras")
    return path


def _write_model_temp(model, path: Path) -> Path:
    """Save ``model`` to a new app temporary beside ``path``; returns the temporary."""
    tmp = temp_path_beside(path, suffix=".keras")  # Keras insists on the suffix
    try:
        with private_tempdir(path.parent):  # Keras's own scratch folder, ours to clean
            model.save(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, user_permissions())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _card_content(test_accuracy, details: dict, sha256: str) -> bytes:
    content = {"test_accuracy": float(test_accuracy), **details, "model_sha256": sha256}
    return (dumps_json(content, indent=1, default=str) + "\n").encode("utf-8")


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, user_permissions())
