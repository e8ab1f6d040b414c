"""import_pyqtgraph: pyqtgraph imported without making every Qt class, and unchanged."""

from __future__ import annotations

import subprocess
import sys

#: Renders a chart with the parts the app uses (bars, an image, axes, a title) to PNG
#: bytes on stdout, after importing pyqtgraph the way argv[1] says.
_RENDER = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import numpy as np
import PySide6
from PySide6 import QtCore, QtGui, QtWidgets
app = QtWidgets.QApplication([])
if sys.argv[1] == "fast":
    from digitlab.gui.common.pyqtgraph_import import import_pyqtgraph
    pg = import_pyqtgraph()
    # PySide6 is left as it was; pyqtgraph's stand-ins give the real classes.
    assert (PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets) == (QtCore, QtGui, QtWidgets)
    assert pg.QtCore.QPointF is QtCore.QPointF and pg.QtWidgets.QGraphicsView is \
        QtWidgets.QGraphicsView and pg.QtGui.QFileSystemModel is QtWidgets.QFileSystemModel
else:
    import pyqtgraph as pg
pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
plot = pg.PlotWidget(title="Probabilities")
plot.resize(240, 160)
plot.addItem(pg.BarGraphItem(x=np.arange(10), height=np.linspace(0.1, 1, 10), width=0.7,
                             brushes=[pg.mkBrush(110, 140, 190)] * 10))
image = pg.ImageItem(np.add.outer(np.arange(8), np.arange(8)).astype(np.float32))
image.setRect(QtCore.QRectF(0, 0, 3, 0.5))
plot.addItem(image)
plot.setLabel("bottom", "digit")
view = pg.GraphicsLayoutWidget()
view.addLabel("mosaic")
view.addViewBox().addItem(pg.ImageItem(np.eye(5, dtype=np.float32)))
view.resize(120, 120)
buffer = QtCore.QBuffer()
buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
picture = QtGui.QImage(360, 160, QtGui.QImage.Format.Format_ARGB32)
picture.fill(0)
painter = QtGui.QPainter(picture)
painter.drawPixmap(0, 0, plot.grab())
painter.drawPixmap(240, 0, view.grab())
painter.end()
picture.save(buffer, "PNG")
sys.stdout.buffer.write(bytes(buffer.data()))
"""


def _render(how: str) -> bytes:
    return subprocess.run([sys.executable, "-c", _RENDER, how], capture_output=True,
                          check=True, timeout=120).stdout


def test_charts_look_the_same_as_with_the_ordinary_import():
    fast, ordinary = _render("fast"), _render("ordinary")
    assert fast[:4] == b"\x89PNG" and len(fast) > 1000
    assert fast == ordinary


def test_only_the_qt_classes_in_use_are_made():
    code = ("import sys\n"
            "from PySide6 import QtWidgets, QtGui\n"
            "from digitlab.gui.common.pyqtgraph_import import import_pyqtgraph\n"
            "import_pyqtgraph()\n"
            "print(sum(name in vars(m) for m in (QtWidgets, QtGui) for name in dir(m)),"
            " len(dir(QtWidgets)) + len(dir(QtGui)))")
    made, listed = map(int, subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        timeout=120).stdout.split())
    assert made < listed / 2, (made, listed)
