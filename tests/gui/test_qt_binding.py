"""The Qt binding must survive a long drawing session.

PySide6 6.12.0 under CPython 3.11 released a reference to ``True`` on every
``Signal.emit()`` and to ``None`` on every C++ call into a Python override
(``paintEvent``...): the counts reached zero within a minute of drawing and
CPython aborted the app. pyproject.toml excludes that release; this test runs
the same pattern for longer than a drawing session in a child process, so a
binding with that bug fails here instead of in a user's hands.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = r"""
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([])

class Emitter(QObject):
    changed = Signal(int)

class Canvas(QWidget):
    def paintEvent(self, event):
        pass

emitter = Emitter()
emitter.changed.connect(lambda value: None)
canvas = Canvas()
canvas.show()
before_true, before_none = sys.getrefcount(True), sys.getrefcount(None)
for i in range(20000):
    emitter.changed.emit(i)
for _ in range(3000):
    canvas.repaint()
print(sys.getrefcount(True) - before_true, sys.getrefcount(None) - before_none)
"""


def test_signals_and_repaints_do_not_leak_references_to_singletons():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    true_delta, none_delta = map(int, done.stdout.split())
    # A few references may come and go; thousands lost means the binding is broken.
    assert abs(true_delta) < 100 and abs(none_delta) < 100
