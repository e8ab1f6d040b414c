"""engine.blas.one_blas_thread: one OpenBLAS thread inside, the caller's setting restored after."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from digitlab.engine import blas
from digitlab.engine.blas import one_blas_thread

pytestmark = pytest.mark.skipif(blas._OPENBLAS is None,
                                reason="numpy does not use a bundled OpenBLAS here")


@pytest.fixture
def two_threads():
    """OpenBLAS set to 2 threads for the test, the old setting put back after."""
    get, set_ = blas._OPENBLAS
    before = get()
    set_(2)
    yield get
    set_(before)


def test_nested_uses_keep_one_thread_until_the_outermost_ends(two_threads):
    get = two_threads
    with one_blas_thread():
        assert get() == 1
        with one_blas_thread():
            assert get() == 1
            np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
        assert get() == 1, "an inner use must not restore the setting"
    assert get() == 2 and blas._blas_depth == 0


def test_an_exception_passes_through_and_the_setting_is_restored(two_threads):
    with pytest.raises(KeyError, match="inside"), one_blas_thread():
        with one_blas_thread():
            raise KeyError("inside")
    assert two_threads() == 2 and blas._blas_depth == 0


def test_concurrent_uses_restore_the_first_callers_setting(two_threads):
    inside, release = threading.Barrier(2), threading.Event()
    seen = []

    def worker():
        with one_blas_thread():
            inside.wait()
            release.wait()
            seen.append(two_threads())

    thread = threading.Thread(target=worker)
    thread.start()
    with one_blas_thread():
        inside.wait()
    assert two_threads() == 1, "the worker is still inside"
    release.set()
    thread.join()
    assert seen == [1] and two_threads() == 2 and blas._blas_depth == 0


def test_keep_one_blas_thread_holds_for_the_process_even_from_inside(two_threads):
    from digitlab.engine.blas import keep_one_blas_thread

    with one_blas_thread():
        keep_one_blas_thread()
    assert two_threads() == 1, "the last one out must not bring two threads back"
    blas._OPENBLAS[1](2)
    keep_one_blas_thread()
    assert two_threads() == 1
    with one_blas_thread():
        pass
    assert two_threads() == 1 and blas._blas_depth == 0
