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


def user_model_path(kind: str) -> Path:
    """Where a user-trained model of ``kind`` is saved and loaded from."""
    if kind not in MODEL_KINDS:
        raise ValueError(f"Received model kind {kind!r}; expected one of {', '.join(MODEL_KINDS)}.")
    return user_data_dir() / "models" / f"{kind}.keras"
