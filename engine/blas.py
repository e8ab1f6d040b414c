"""Keep numpy's OpenBLAS on one thread around tiny matrix products.

On a busy two-core machine OpenBLAS wakes its worker threads for every product;
they then wait for a core, and a 40 us product takes 10 ms. The live path
(:mod:`engine.preprocess`, :mod:`engine.inference`) runs its products inside
:func:`one_blas_thread`.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Callable

import numpy as np

__all__ = ["keep_one_blas_thread", "one_blas_thread"]


_blas_lock = threading.Lock()
_blas_depth = 0
_blas_saved = 0


def _find_openblas() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """numpy's bundled OpenBLAS thread getter and setter, or None (other BLAS, or not found)."""
    here = os.path.dirname(np.__file__)
    # Where numpy's wheels put it: numpy.libs (Linux), numpy/.libs (Windows), .dylibs (macOS).
    patterns = [os.path.join(folder, "*openblas*")
                for folder in (here + ".libs", os.path.join(here, ".libs"),
                               os.path.join(here, ".dylibs"))]
    for path in sorted(p for pattern in patterns for p in glob.glob(pattern)):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""),
                               ("openblas_", "64_"), ("openblas_", "")):
            get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
            set_ = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_.restype, set_.argtypes = None, [ctypes.c_int]
                return get, set_
    return None


_OPENBLAS = _find_openblas()


class _OneBlasThread:
    """The context manager :func:`one_blas_thread` returns (a class: a generator-based
    ``@contextmanager`` costs ~8 us per use, and the live path enters it several times)."""

    __slots__ = ()

    def __enter__(self) -> None:
        global _blas_depth, _blas_saved
        if _OPENBLAS is None:
            return
        with _blas_lock:
            if _blas_depth == 0:
                _blas_saved = _OPENBLAS[0]()
                _OPENBLAS[1](1)
            _blas_depth += 1

    def __exit__(self, *exc_info) -> bool:
        global _blas_depth
        if _OPENBLAS is not None:
            with _blas_lock:
                _blas_depth -= 1
                if _blas_depth == 0:
                    _OPENBLAS[1](_blas_saved)
        return False


_ONE_BLAS_THREAD = _OneBlasThread()


def one_blas_thread() -> _OneBlasThread:
    """Run numpy's matrix products on one thread for the duration: ``with one_blas_thread():``.

    OpenBLAS splits products of this size (a 121x288 by 288x64 im2col, say) over
    all cores. Alone that saves microseconds; on a busy machine (training in the
    background) the woken threads wait for a core and a 40 us product takes 10 ms.
    The setting is process-wide in OpenBLAS, so nested and concurrent uses are
    counted and the first caller's value is restored by the last one out (the
    context manager holds no state of its own: one shared instance serves all).
    """
    return _ONE_BLAS_THREAD


def keep_one_blas_thread() -> None:
    """Put numpy's OpenBLAS on one thread for the rest of the process.

    For a process whose numpy products are all small (the app: its live reads, filters and
    evaluation batches): :func:`one_blas_thread` then has nothing to switch, and a live read
    saves what switching OpenBLAS's threads away and back costs (3-9 % of a Draw-tab read,
    measured on a loaded 2-core machine). Inside :func:`one_blas_thread` the setting holds
    after the last one out. Does nothing without a bundled OpenBLAS.
    """
    global _blas_saved
    if _OPENBLAS is None:
        return
    with _blas_lock:
        if _blas_depth == 0:
            _OPENBLAS[1](1)
        else:
            _blas_saved = 1  # what the last one out restores
