"""Train tab, forgiving: steady curves, a readable confusion matrix on a narrow window."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from digitlab.gui.train.confusion_matrix_view import ConfusionMatrixView
from digitlab.gui.train.training_curves import TrainingCurves

pg.setConfigOptions(imageAxisOrder="row-major")


def test_curves_keep_whole_epochs_on_the_x_axis(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.set_running(0, 1, 600, {"loss": 2.3, "accuracy": 0.1})
    low, high = curves.x_range()
    assert low <= 0.0 and high >= 1.0  # the first epoch, not 0.0017 and a hair
    curves.add_epoch(0, {"loss": 0.5, "accuracy": 0.9, "val_loss": 0.4, "val_accuracy": 0.91})
    curves.set_running(1, 1, 600, {"loss": 0.45, "accuracy": 0.9})  # start of epoch 2
    low, high = curves.x_range()
    assert low <= 0.0 and high >= 2.0  # not 1.0000…1.0020
    assert "After epoch 1: loss 0.5, accuracy 0.9, val_loss 0.4" in curves.accessibleDescription()


def test_the_confusion_matrix_scrolls_rather_than_cut_a_count(qtbot):
    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(200, 260)  # far narrower than ten 4-digit columns
    view.show()
    qtbot.waitExposed(view)
    view.set_matrix(np.full((10, 10), 1135))
    needed = view.fontMetrics().horizontalAdvance("1135")
    assert all(view.columnWidth(c) >= needed for c in range(10))
    assert view.horizontalScrollBar().maximum() > 0
    assert view.accessibleName()


def test_the_log_follows_new_lines(qtbot, tiny_models):
    from PySide6.QtWidgets import QTabWidget, QWidget

    from digitlab.engine.inference import Predictor
    from digitlab.gui.model_store import ModelStore
    from digitlab.gui.train.train_tab import TrainTab

    tab = TrainTab(ModelStore.from_predictor(Predictor.from_keras(tiny_models)))
    tabs = QTabWidget()  # as in the window: lines also arrive while another tab is shown
    tabs.addTab(QWidget(), "Draw")
    tabs.addTab(tab, "Train")
    qtbot.addWidget(tabs)
    tabs.resize(1000, 600)
    tabs.show()
    qtbot.waitExposed(tabs)
    tabs.setCurrentIndex(1)
    bar = tab.log.verticalScrollBar()
    for i in range(100):
        tab.monitor.append_log(f"Epoch {i + 1}: loss 0.1")
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    tabs.setCurrentIndex(0)
    for i in range(100, 200):
        tab.monitor.append_log(f"Epoch {i + 1}: loss 0.1")
    tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    last = tab.log.cursorForPosition(tab.log.viewport().rect().bottomLeft()).block().text()
    assert last.startswith("Epoch 200")


def test_gallery_digits_are_made_at_the_screens_resolution(qapp):
    from digitlab.gui.widgets.misclassified_gallery import digit_pixmap

    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 13:15] = 255
    sharp = digit_pixmap(digit, zoom=3, ratio=2.0)  # a 200 % screen
    assert (sharp.width(), sharp.height()) == (168, 168)  # device pixels
    assert sharp.devicePixelRatio() == 2.0
    assert sharp.deviceIndependentSize().width() == 84  # the same size on screen
    image = sharp.toImage()
    # Nearest neighbour: every device pixel is ink or paper, no blurred edge.
    values = {image.pixelColor(x, 60).red() for x in range(image.width())}
    assert values == {0, 255}
    assert digit_pixmap(digit, zoom=3, ratio=1.0).width() == 84


def test_a_mistake_opens_from_the_keyboard_too(qtbot):
    from PySide6.QtCore import Qt

    from digitlab.gui.widgets.misclassified_gallery import MisclassifiedGallery

    gallery = MisclassifiedGallery()
    qtbot.addWidget(gallery)
    images = np.stack([np.full((28, 28), v, np.uint8) for v in (10, 200)])
    gallery.set_samples(images, np.array([3, 4]), np.array([5, 9]))
    gallery.show()
    qtbot.waitExposed(gallery)
    gallery.setFocus()
    gallery.setCurrentRow(0)
    qtbot.keyClick(gallery, Qt.Key.Key_Right)  # arrows move between the digits
    with qtbot.waitSignal(gallery.digit_requested) as blocker:
        qtbot.keyClick(gallery, Qt.Key.Key_Return)
    assert np.array_equal(blocker.args[0], images[1])
