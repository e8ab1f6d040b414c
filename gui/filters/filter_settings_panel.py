"""Stride, padding and max-pool controls that produce an ``engine.filters.FilterSettings``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QSpinBox, QWidget

from digitlab.engine.filters import FilterSettings
from digitlab.gui.common.i18n import translate

PADDINGS = ("VALID", "SAME")
#: Generous limits: large values are legal for big photos and give a clear
#: FilterError (quoting the value) on small ones, rather than being unreachable.
MAX_STRIDE = 64
MAX_POOL = 64


class FilterSettingsPanel(QWidget):
    """Spin boxes and combos for tf.nn.conv2d's stride/padding and tf.nn.max_pool's window.

    Signals:
        settings_changed(): any control changed (call :meth:`settings` to validate).
    """

    settings_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stride_spin = self._spin(1, MAX_STRIDE, 1, translate(
            "FilterSettingsPanel", "Step of the kernel window (strides)."))
        self.padding_combo = self._combo(translate(
            "FilterSettingsPanel", "VALID: no padding; SAME: zero-pad, H' = ceil(H/stride)."))
        self.pool_spin = self._spin(1, MAX_POOL, 3, translate(
            "FilterSettingsPanel", "Max-pool window size (ksize), e.g. 3 -> 3x3."))
        # 0 shows as "= window": the lesson's pool stride equals the window (3x3 / 3).
        self.pool_stride_spin = self._spin(0, MAX_POOL, 0, translate(
            "FilterSettingsPanel", "Max-pool stride."))
        self.pool_stride_spin.setSpecialValueText(translate("FilterSettingsPanel", "= window"))
        self.pool_padding_combo = self._combo(translate("FilterSettingsPanel", "Max-pool padding."))

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(translate("FilterSettingsPanel", "Conv stride"), self.stride_spin)
        form.addRow(translate("FilterSettingsPanel", "Conv padding"), self.padding_combo)
        form.addRow(translate("FilterSettingsPanel", "Pool window"), self.pool_spin)
        form.addRow(translate("FilterSettingsPanel", "Pool stride"), self.pool_stride_spin)
        form.addRow(translate("FilterSettingsPanel", "Pool padding"), self.pool_padding_combo)

    def _spin(self, low: int, high: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.valueChanged.connect(self.settings_changed)
        return spin

    def _combo(self, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.addItems(PADDINGS)
        combo.setToolTip(tip)
        combo.currentIndexChanged.connect(self.settings_changed)
        return combo

    def settings(self) -> FilterSettings:
        """The settings shown.

        Raises:
            FilterError: the combination is invalid (the message quotes the value).
        """
        pool_stride = self.pool_stride_spin.value() or None
        return FilterSettings(
            stride=self.stride_spin.value(),
            padding=self.padding_combo.currentText(),
            pool=self.pool_spin.value(),
            pool_stride=pool_stride,
            pool_padding=self.pool_padding_combo.currentText(),
        )
