"""Child process of bench_training: train the CNN through the real Train tab.

Prints one JSON line: the GUI worker's samples/s (epochs after the first) and
the Qt event loop's stalls, measured by a 10 ms timer while training runs.
Not a test and not a bench module: bench_training.py runs it in its own process
so that Qt and TensorFlow state do not leak into the other measurements.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    limit, epochs = int(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3:
        sys.setswitchinterval(float(sys.argv[3]))
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    pg.setConfigOptions(imageAxisOrder="row-major")
    from digitlab.engine.inference import Predictor
    from digitlab.engine.training import lesson_recipe
    from digitlab.gui.main_window import MainWindow
    from digitlab.gui.model_store import ModelStore

    store = ModelStore.from_predictor(Predictor.load_shipped())
    window = MainWindow(store)
    window.show()
    tab = window.train_tab
    tab.settings.select_model("cnn", dropout=True)
    tab.settings.set_config(lesson_recipe("cnn", epochs=epochs, limit=limit, validation_split=0.0,
                                          patience=0, seed=0))
    rates, gaps = [], []
    # CPU the GUI thread spends while the model trains: on two cores every
    # millisecond of it is taken from TensorFlow's two compute threads.
    gui_cpu, wall = [0.0], [0.0]
    last = [time.perf_counter()]
    training = [False]

    def tick():
        now = time.perf_counter()
        if training[0]:
            gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()

    def on_progress(event):
        if event.type == "epoch_end" and event.epoch > 0:
            rates.append(event.samples_per_second)
        elif event.type == "evaluating":
            end_training()

    def start():
        tab.start_training()
        # The stall budget is about training; the test-set evaluation afterwards
        # runs in the worker too but is measured by nothing here.
        tab.worker.progress.connect(on_progress)
        training[0] = True
        gui_cpu[0], wall[0] = time.thread_time(), time.perf_counter()

    def end_training():
        if training[0]:
            training[0] = False
            gui_cpu[0] = time.thread_time() - gui_cpu[0]
            wall[0] = time.perf_counter() - wall[0]

    def finished():
        end_training()
        app.quit()

    tab.training_finished.connect(finished)
    QTimer.singleShot(200, start)
    app.exec()
    window.close()
    stalls = np.maximum(np.asarray(gaps) - 0.010, 0.0) * 1000.0
    print(json.dumps({
        "samples_per_second": statistics.median(rates) if rates else None,
        "epoch_rates": rates,
        "stall_max_ms": float(stalls.max()) if len(stalls) else None,
        "stall_p95_ms": float(np.percentile(stalls, 95)) if len(stalls) else None,
        "ticks": len(gaps),
        "gui_cpu_seconds": gui_cpu[0],
        "gui_cpu_share": gui_cpu[0] / wall[0] if wall[0] > 0 else None,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
