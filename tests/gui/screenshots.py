"""Screenshots of every Digit Lab tab at one screen size, from the real app (a script).

Run under Xvfb (a screen at least as large as the size asked), e.g.::

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 .venv/bin/python tests/gui/screenshots.py 1366x768 light OUTDIR
    DISPLAY=:99 .venv/bin/python tests/gui/screenshots.py 1366x768 dark OUTDIR
    DISPLAY=:99 .venv/bin/python tests/gui/screenshots.py 1366x768 light \\
        resources/screenshots readme

``reading`` saves ``number.png`` (Number mode, 4 0 7 from the MNIST test set) and
``not_a_digit.png`` (a circle with a cross). ``readme`` also runs a short multinomial
training and saves draw, why, filters and train (``-dark`` for the dark palette) as the
README uses them; without it each tab
is saved as ``TAB-WxH-THEME.png``. For 200 % scaling, a 3840x2160 Xvfb screen and
``QT_SCALE_FACTOR=2`` with the logical size (``1920x1080``).

The window is given the whole screen (as a maximised window on a laptop would
be, minus a 40 px taskbar), the models are loaded, a test digit is drawn, and
each tab is grabbed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

size, theme, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
extra = sys.argv[4:]  # e.g. "scale2"
width, height = (int(v) for v in size.split("x"))
out.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DIGITLAB_DATA_DIR", tempfile.mkdtemp())

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

app = QApplication(sys.argv[:1])
app.setStyle("Fusion")
if theme == "dark":
    try:
        app.styleHints().setColorScheme(Qt.ColorScheme.Dark)
    except AttributeError:
        pass
    p = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#f0f0f0"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.AlternateBase, "#2f2f2f"),
                         (QPalette.ColorRole.Text, "#f0f0f0"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#f0f0f0"),
                         (QPalette.ColorRole.ToolTipBase, "#353535"),
                         (QPalette.ColorRole.ToolTipText, "#f0f0f0"),
                         (QPalette.ColorRole.Highlight, "#3d7fd6"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, "#a0a0a0"),
                         (QPalette.ColorRole.Link, "#8ab4f8")):
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    app.setPalette(p)

import pyqtgraph as pg  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
from digitlab.gui import app as gui_app  # noqa: E402,F401 - same set-up as the real start
from digitlab.gui.main_window import MainWindow  # noqa: E402
from digitlab.gui.model_store import ModelStore  # noqa: E402

settings = QSettings(str(out / "settings.ini"), QSettings.Format.IniFormat)
store = ModelStore()
window = MainWindow(store, settings=settings)
window.resize(width, height - 40)
window.move(0, 0)
window.show()
store.start_loading()


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


deadline = time.monotonic() + 180
while not store.is_ready and time.monotonic() < deadline:
    pump(0.2)
pump(1.0)
import numpy as np  # noqa: E402

from digitlab.engine.data import load_mnist  # noqa: E402

data = load_mnist()
x_test = data.x_test
window.draw_tab.show_digit(np.asarray(x_test[0]))
deadline = time.monotonic() + 120
while window.filters_tab.result is None and time.monotonic() < deadline:
    pump(0.3)  # the first filter waits for TensorFlow
pump(2.0)
if "reading" in extra:
    # Issue 12's pair: a number read in Number mode, and a drawing that is not a digit.
    from PIL import Image, ImageDraw  # noqa: E402

    draw = window.draw_tab
    window.tabs.setCurrentIndex(0)
    scribble = Image.new("L", (280, 280))
    pen = ImageDraw.Draw(scribble)
    pen.ellipse((60, 60, 220, 220), outline=255, width=20)  # a circle with a cross
    pen.line((80, 80, 200, 200), fill=255, width=20)
    pen.line((80, 200, 200, 80), fill=255, width=20)
    draw.show_digit(np.asarray(scribble))
    pump(2.5)
    window.grab().save(str(out / "not_a_digit.png"))
    draw.set_number_mode(True)
    picks = [int(np.flatnonzero(data.y_test == d)[0]) for d in (4, 0, 7)]
    number = np.zeros((28, 3 * 28 + 2 * 10), np.uint8)
    for i, index in enumerate(picks):
        number[:, i * 38:i * 38 + 28] = x_test[index]
    draw.show_digit(number)
    pump(2.5)
    window.grab().save(str(out / "number.png"))
    print(out / "number.png", draw.verdict_label.text(), flush=True)
    window.close()
    store.shutdown()
    sys.exit(0)
if "readme" in extra:
    # The README's set: a short multinomial run on the Train tab, the Why panel too.
    train = window.train_tab
    train.settings.select_model("multinomial")
    train.settings.samples.setValue(12000)
    train.settings.epochs.setValue(4)
    train.settings.patience.setValue(0)
    window.tabs.setCurrentIndex(2)
    pump(0.5)
    train.start_training()
    deadline = time.monotonic() + 300
    while train.worker is not None and time.monotonic() < deadline:
        pump(0.3)
    pump(2.0)
    box = train.stopped_prompt
    if box is not None:
        box.close()
    shots = (("draw", 0, 0), ("why", 0, 1), ("filters", 1, None), ("train", 2, None))
    for name, tab, lower in shots:
        window.tabs.setCurrentIndex(tab)
        if lower is not None:
            window.draw_tab.lower_tabs.setCurrentIndex(lower)
        pump(6.0 if name == "why" else 2.5)
        window.grab().save(str(out / f"{name}{'-dark' if theme == 'dark' else ''}.png"))
        print(out / name, flush=True)
    window.close()
    store.shutdown()
    sys.exit(0)
for index, name in enumerate(("draw", "filters", "train")):
    window.tabs.setCurrentIndex(index)
    pump(2.5)
    path = out / f"{name}-{width}x{height}-{theme}{'-' + '-'.join(extra) if extra else ''}.png"
    window.grab().save(str(path))
    print(path, window.size().width(), window.size().height(), flush=True)
window.close()
store.shutdown()
