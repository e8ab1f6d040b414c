"""Training threads yield the CPU to the window; the GUI thread keeps its priority."""

from __future__ import annotations

import os
import threading

import pytest

from digitlab.gui.workers.thread_priority import BACKGROUND_NICE, lower_training_priority

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux only")


def test_training_thread_is_lowered_and_the_gui_thread_is_not():
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = {}

    def training_thread():
        seen["changed"] = lower_training_priority()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = threading.Thread(target=training_thread)
    thread.start()
    thread.join()
    assert seen["nice"] >= BACKGROUND_NICE and seen["changed"] >= 1
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
