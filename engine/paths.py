"""Where Digit Lab keeps the user's files (trained models, settings, drawings)."""

from __future__ import annotations

import os
from pathlib import Path

from digitlab.engine import MODEL_KINDS


def user_data_dir() -> Path:
    """The user's Digit Lab data folder; ``DIGITLAB_DATA_DIR`` overrides it (tests use this)."""
    override = os.environ.get("DIGITLAB_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path  # noqa: PLC0415

    return user_data_path("digitlab", appauthor=False)


def settings_file() -> Path | None:
    """Where the app's settings go when ``DIGITLAB_DATA_DIR`` is set, else None.

    With the override, settings live beside the user's data
    (``$DIGITLAB_DATA_DIR/settings.ini``), so tests and trial runs never write the
    real user's configuration. Without it, Qt's own place is used, which already
    follows ``XDG_CONFIG_HOME`` on Linux.
    """
    override = os.environ.get("DIGITLAB_DATA_DIR")
    return Path(override).expanduser() / "settings.ini" if override else None


def user_model_path(kind: str) -> Path:
    """Where a user-trained model of ``kind`` is saved and loaded from."""
    if kind not in MODEL_KINDS:
        raise ValueError(f"Received model kind {kind!r}; expected one of {', '.join(MODEL_KINDS)}.")
    return user_data_dir() / "models" / f"{kind}.keras"


def clean_stale_temporaries() -> list[Path]:
    """Remove temporaries of killed writes from the user's models and personal folders.

    Meant for the app's start: only files (and folders) named with Digit Lab's own
    prefix and older than ten minutes are touched (see
    :func:`engine.safe_writes.remove_stale_temporaries`).

    Returns:
        What was removed.
    """
    from digitlab.engine.safe_writes import remove_stale_temporaries  # noqa: PLC0415

    root = user_data_dir()
    return [p for sub in ("models", "personal") for p in remove_stale_temporaries(root / sub)]
