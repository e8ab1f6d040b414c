"""The mouse wheel scrolls the panel; it changes a spin box, slider or combo only with focus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.gui.common.wheel_guard import WheelGuard, install_wheel_guard


def wheel(widget: QWidget, notches: int = -1) -> None:
    """One wheel turn over the middle of ``widget`` (negative: towards the user)."""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def panel(qtbot):
    """A scrolling panel of controls, like the Filters tab's."""
    install_wheel_guard()
    inner = QWidget()
    layout = QVBoxLayout(inner)
    spin, double = QSpinBox(), QDoubleSpinBox()
    spin.setRange(0, 100)
    spin.setValue(50)
    double.setValue(0.5)
    combo = QComboBox()
    combo.addItems(["Red", "Green", "Blue", "Grey", "Luminance"])
    combo.setCurrentIndex(2)
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(50)
    search = QLineEdit()  # where the focus is: none of the controls below has it
    for widget in (search, spin, double, combo, slider):
        layout.addWidget(widget)
    for _ in range(40):
        layout.addWidget(QSpinBox())
    area = QScrollArea()
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.resize(220, 160)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    return area, spin, double, combo, slider


def test_wheel_over_unfocused_controls_scrolls_the_panel_instead(panel):
    area, spin, double, combo, slider = panel
    bar = area.verticalScrollBar()
    assert bar.value() == 0
    for widget in (spin, double, combo, slider):
        wheel(widget)
    assert (spin.value(), double.value(), combo.currentIndex(), slider.value()) == (
        50, 0.5, 2, 50)
    assert bar.value() > 0  # the page scrolled


def test_a_focused_control_still_takes_the_wheel(qtbot, panel):
    _, spin, _, combo, _ = panel
    for widget in (spin, combo):
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus  # no focus by wheel
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin)
    assert spin.value() == 49


def test_installing_twice_keeps_one_guard():
    app = QApplication.instance()
    assert install_wheel_guard(app) is install_wheel_guard(app)
    assert len(app.findChildren(WheelGuard)) == 1
