"""Start Digit Lab's window: on screen first, TensorFlow and the models after.

Nothing here imports TensorFlow, Keras or an engine module that does at
import time: the window is shown, then :meth:`ModelStore.start_loading`
imports TensorFlow in a worker thread.

``DIGITLAB_STARTUP_TRACE=1`` prints, to stdout, seconds since this module was
first imported (the start-up benchmark adds Python's own start-up, measured
from outside)::

    window_shown 0.41 160.2
    first_prediction_ready 0.52 179.3
    tensorflow_loaded 3.02 836.0

(the third column is the peak RSS in MB so far).
"""

from __future__ import annotations

import time

#: Taken before anything heavy is imported; the trace times are relative to it.
_T0 = time.perf_counter()

import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

TRACE_ENV = "DIGITLAB_STARTUP_TRACE"


def app_settings():
    """The app's QSettings: ``$DIGITLAB_DATA_DIR/settings.ini`` under that override, else Qt's."""
    from PySide6.QtCore import QSettings  # noqa: PLC0415

    from digitlab.engine.paths import settings_file  # noqa: PLC0415 - Qt-free, cheap

    path = settings_file()
    if path is None:
        return QSettings("DigitLab", "digitlab")
    return QSettings(str(path), QSettings.Format.IniFormat)


class StartupTrace(QObject):
    """Prints the start-up milestones when ``DIGITLAB_STARTUP_TRACE=1``.

    ``window_shown`` is printed when the window is first exposed (actually on
    screen), not merely when ``show()`` returns.
    """

    def __init__(self, window: QWidget, store, enabled: bool, parent: QObject | None = None):
        super().__init__(parent)
        self.enabled = enabled
        self.printed: list[str] = []
        self._window = window
        store.tensorflow_loaded.connect(lambda stamp: self.mark("tensorflow_loaded", stamp))
        store.models_changed.connect(lambda: self.mark("first_prediction_ready"))

    def watch(self) -> None:
        """Call after ``show()``: the native window exists from then on."""
        handle = self._window.windowHandle()
        if handle is None or handle.isExposed():
            self.mark("window_shown")
        else:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Expose and watched.isExposed():
            watched.removeEventFilter(self)
            self.mark("window_shown")
        return False

    def mark(self, milestone: str, stamp: float | None = None) -> None:
        """Print ``milestone seconds peak_rss_mb`` once per milestone.

        The peak resident memory so far (Linux VmHWM, else omitted) is read here, in
        the process, at the milestone: read from outside it would already include
        whatever started next (TensorFlow after the first prediction).
        """
        if milestone in self.printed:
            return
        self.printed.append(milestone)
        if self.enabled:
            seconds = (time.perf_counter() if stamp is None else stamp) - _T0
            print(f"{milestone} {seconds:.3f} {_peak_rss_mb()}".rstrip(), flush=True)


def close_later(window: QWidget):
    """A SIGINT handler that closes ``window`` from the event loop, not from the handler.

    Python runs a signal handler between any two bytecodes of the main thread, e.g.
    while a worker's ``submit`` holds its lock; closing there re-entered the worker's
    ``stop``, which waited for that same lock for ever (seen as an app that ignored
    Ctrl+C while TensorFlow finished loading).
    """
    return lambda *_: QTimer.singleShot(0, window.close)


def _peak_rss_mb() -> str:
    """This process's peak resident memory in MB (``"179.3"``), or ``""`` if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return f"{int(line.split()[1]) / 1024:.1f}"
    except OSError:
        pass
    return ""


def main(argv: list[str] | None = None) -> int:
    """Run the desktop app; returns the exit status."""
    from digitlab.gui.common.pyqtgraph_import import import_pyqtgraph  # noqa: PLC0415

    pg = import_pyqtgraph()  # after _T0, so that its import is measured; first, for speed

    app = QApplication.instance() or QApplication(list(sys.argv if argv is None else argv))
    app.setOrganizationName("DigitLab")
    app.setApplicationName("digitlab")
    app.setApplicationDisplayName("Digit Lab")
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    from digitlab.gui.common import theme  # noqa: PLC0415
    from digitlab.gui.common.wheel_guard import install_wheel_guard  # noqa: PLC0415

    # The system's light or dark palette, kept readable; the wheel never turns a control
    # the user has not focused.
    theme.apply_theme(app)
    install_wheel_guard(app)

    from digitlab.engine.paths import clean_stale_temporaries  # noqa: PLC0415 - Qt-free, cheap
    from digitlab.gui.common.screen_fit import fit_to_screen  # noqa: PLC0415
    from digitlab.gui.main_window import MainWindow  # noqa: PLC0415
    from digitlab.gui.model_store import ModelStore  # noqa: PLC0415

    # Leftovers of saves killed in an earlier session (app-prefixed, > 10 minutes old).
    clean_stale_temporaries()
    from digitlab.engine.blas import keep_one_blas_thread  # noqa: PLC0415

    # The app's numpy products are all small and already run on one thread: keeping
    # OpenBLAS there saves each live read switching it away and back (3-9 %, measured).
    keep_one_blas_thread()
    store = ModelStore()
    window = MainWindow(store, settings=app_settings())
    # Its default or remembered size may be larger than this screen.
    fit_to_screen(window)
    trace = StartupTrace(window, store, enabled=os.environ.get(TRACE_ENV) == "1")
    window.show()
    trace.watch()
    # After the first paint: loading starts once the event loop runs.
    QTimer.singleShot(0, store.start_loading)

    # Ctrl+C in the terminal closes the window cleanly (Qt's loop would ignore it);
    # the idle timer lets Python run the signal handler every 200 ms.
    previous = signal.signal(signal.SIGINT, close_later(window))
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    try:
        return int(app.exec())
    finally:
        wake.stop()
        signal.signal(signal.SIGINT, previous)
        window.close()  # no-op if already closed; stops workers if the loop ended otherwise
        store.shutdown()


if __name__ == "__main__":
    sys.exit(main())
