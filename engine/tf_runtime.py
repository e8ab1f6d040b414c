"""Import TensorFlow quietly, once.

TensorFlow prints start-up chatter (oneDNN notices, absl warnings, CUDA probing)
to the process's stderr file descriptor from C++, so setting
``TF_CPP_MIN_LOG_LEVEL`` alone does not silence all of it. Unless ``verbose`` is
asked for, the import runs with fd 2 pointed at /dev/null, and the Python-side
loggers are turned down.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_verbose = False


def set_verbose(verbose: bool) -> None:
    """Let TensorFlow's own messages through (``digitlab --verbose``)."""
    global _verbose
    _verbose = verbose


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration (C++ logging included)."""
    if _verbose:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (e.g. some embedded consoles)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow():
    """Return the ``tensorflow`` module, imported without start-up chatter."""
    if "tensorflow" in sys.modules and hasattr(sys.modules["tensorflow"], "nn"):
        return sys.modules["tensorflow"]
    with _lock:
        if not _verbose:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with silenced_stderr():
            import tensorflow as tf  # noqa: PLC0415 - deliberately lazy

            if not _verbose:
                tf.get_logger().setLevel(logging.ERROR)
                logging.getLogger("absl").setLevel(logging.ERROR)
                try:
                    import absl.logging  # noqa: PLC0415

                    absl.logging.set_verbosity(absl.logging.ERROR)
                except ImportError:
                    pass
            # Keras's first use also prints; import it while stderr is closed.
            import keras  # noqa: F401, PLC0415
    return tf


def import_keras():
    """Return the ``keras`` module (Keras 3), imported quietly."""
    import_tensorflow()
    import keras  # noqa: PLC0415

    return keras
