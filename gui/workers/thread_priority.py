"""Let the window have the CPU first while TensorFlow trains.

On a two-core machine TensorFlow's compute threads keep both cores busy during
training, and the GUI thread, waking every few milliseconds, queues behind them:
the event loop stalled for 60-100 ms at a time (tests/benchmarks/bench_training.py).
Raising the *nice* value of the training thread and of TensorFlow's own threads
(named ``tf_*`` on Linux) fixes that without slowing training, because the GUI
thread is idle most of the time and the CPU goes back to TensorFlow at once.

Only ever raises nice values (which needs no privilege); does nothing where the
OS offers no per-thread priorities (``/proc/self/task`` is Linux's).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: How much lower than the GUI the training threads run (nice 0 -> 10).
BACKGROUND_NICE = 10
_TASKS = Path("/proc/self/task")


def _thread_name(tid: str) -> str:
    try:
        return (_TASKS / tid / "comm").read_text().strip()
    except OSError:
        return ""


def lower_training_priority() -> int:
    """Raise the nice value of the calling thread and of TensorFlow's threads.

    Call from the training thread. Threads TensorFlow starts later from this
    thread inherit its priority. Returns how many threads were changed.
    """
    if not hasattr(os, "setpriority") or not _TASKS.is_dir():
        return 0
    own = str(threading.get_native_id())
    changed = 0
    for tid in os.listdir(_TASKS):
        if tid != own and not _thread_name(tid).startswith("tf_"):
            continue
        try:
            current = os.getpriority(os.PRIO_PROCESS, int(tid))
            if current < BACKGROUND_NICE:
                os.setpriority(os.PRIO_PROCESS, int(tid), BACKGROUND_NICE)
                changed += 1
        except OSError:  # the thread ended meanwhile, or the OS refuses: harmless
            continue
    return changed
