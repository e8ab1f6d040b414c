"""Every feature map of the Filters tab's result at once, as a grid (beyond the lesson)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from digitlab.gui.common.i18n import translate
from digitlab.gui.widgets.learned_maps_grid import LearnedMapsGrid


class FeatureMapsWindow(QDialog):
    """Every feature map of a ``FilterResult`` at once, as a grid.

    Made for the trained CNN's 32 first-layer kernels applied to a photo (the
    "Use the trained CNN's 32 kernels" button asks for them through
    ``cnn_kernels_requested``), but it shows whatever result it is given.
    It reads nothing of the tab: the tab calls :meth:`set_result` and
    :meth:`set_cnn_available`.

    Signals:
        cnn_kernels_requested(): the user asked for the trained CNN's kernels.
        own_kernels_requested(): the user asked for their own kernels back.
    """

    cnn_kernels_requested = Signal()
    own_kernels_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("FeatureMapsWindow", "All feature maps"))
        self._result = None
        self._names: list[str] = []
        self.grid = LearnedMapsGrid("")
        self.stage_combo = QComboBox()
        self.stage_combo.addItems([translate("FeatureMapsWindow", "tf.nn.conv2d output"),
                                   translate("FeatureMapsWindow", "after tf.nn.max_pool")])
        self.stage_combo.currentIndexChanged.connect(self._on_stage_changed)
        self.cnn_button = QPushButton(
            translate("FeatureMapsWindow", "Use the trained CNN's 32 kernels"))
        self.cnn_button.setToolTip(
            translate("FeatureMapsWindow",
                      "Put the CNN's first-layer kernels in the kernel editor"))
        self.cnn_button.setEnabled(False)
        self.cnn_button.clicked.connect(self.cnn_kernels_requested)
        self.back_button = QPushButton(translate("FeatureMapsWindow", "Back to my kernels"))
        self.back_button.setToolTip(translate(
            "FeatureMapsWindow", "Put back the kernels you had before the CNN's"))
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.own_kernels_requested)
        self.hover_label = QLabel(translate(
            "FeatureMapsWindow", "Hover a map for its value · scroll to zoom · drag to pan"))
        self.grid.hovered.connect(self._on_hovered)
        top = QHBoxLayout()
        top.addWidget(self.stage_combo)
        top.addWidget(self.cnn_button)
        top.addWidget(self.back_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addWidget(QLabel(translate(
            "FeatureMapsWindow", "Each map has its own colour scale (99th percentile of |value|):"
                                 " red = positive, blue = negative response of that kernel.")))
        layout.addWidget(self.hover_label)
        self.resize(1100, 560)
        self.grid.clear_maps(translate("FeatureMapsWindow", "no filter result yet"))

    @Slot(int)
    def _on_stage_changed(self, _index: int) -> None:
        self.set_result(self._result, self._names)

    @Slot(str)
    def _on_hovered(self, text: str) -> None:
        if text:
            self.hover_label.setText(text)

    def set_can_go_back(self, possible: bool) -> None:
        """Whether the user's own kernels are set aside (the CNN's are in the editor)."""
        self.back_button.setEnabled(possible)

    def set_cnn_available(self, available: bool) -> None:
        """Whether a trained CNN is loaded (its kernels can be asked for)."""
        self.cnn_button.setEnabled(available)
        if not available and self._result is None:
            self.grid.clear_maps(translate("FeatureMapsWindow", "no trained CNN loaded"))

    def set_result(self, result, names: list[str] | None = None) -> None:
        """Show a ``FilterResult``'s maps (None: nothing yet).

        Args:
            result: the ``FilterResult`` on screen; ``conv`` and ``pooled`` are ``(H, W, C)``.
            names: one label per kernel; numbered ``map 1..C`` when missing or mismatched.
        """
        self._result, self._names = result, list(names or [])
        if result is None:
            self.grid.clear_maps(translate("FeatureMapsWindow", "no filter result yet"))
            return
        pooled = self.stage_combo.currentIndex() == 1
        maps = result.pooled if pooled else result.conv  # (H, W, C)
        labels = [translate("KernelEditor", name) for name in self._names]
        if len(labels) != maps.shape[-1]:
            labels = [translate("FeatureMapsWindow", "map {0}").format(i + 1)
                      for i in range(maps.shape[-1])]
        shape = result.pool_shape if pooled else result.conv_shape
        self.grid.set_title(
            translate("FeatureMapsWindow", "{0} feature map(s), pooled shape {1}")
            .format(maps.shape[-1], shape) if pooled else
            translate("FeatureMapsWindow", "{0} feature map(s), conv shape {1}")
            .format(maps.shape[-1], shape))
        self.grid.set_maps(np.moveaxis(maps, -1, 0), columns=8, labels=labels, max_tile=160)
