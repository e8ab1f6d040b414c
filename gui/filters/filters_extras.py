"""Beyond the lesson, in the Filters tab: every feature map as a grid, and Copy as code.

Kept out of :mod:`gui.filters.filters_tab` so the tab stays short: the tab creates one
:class:`FiltersExtras` (a row of two buttons) and places it under its controls.
"""

from __future__ import annotations

import weakref

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.gui.dialogs.code_dialog import CodeDialog, show_code
from digitlab.gui.filters.kernel_editor import TRAINED_PRESET
from digitlab.gui.widgets.learned_maps_grid import LearnedMapsGrid


class FiltersExtras(QWidget):
    """"All feature maps…" and "Copy as code…" for a :class:`gui.filters.filters_tab.FiltersTab`.

    Args:
        tab: the Filters tab (its ``result``, ``photo``, channel and kernel editor).
    """

    def __init__(self, tab) -> None:
        super().__init__(tab)
        # A weak reference: tab -> extras -> tab would be a cycle, and Python's GC may
        # break cycles on a worker thread, deleting Qt objects there.
        self._tab_ref = weakref.ref(tab)
        self.maps_window: FeatureMapsWindow | None = None
        self.code_dialog: CodeDialog | None = None
        self.maps_button = QPushButton("All feature maps…")
        self.maps_button.setToolTip("Every kernel's feature map at once: the trained CNN's "
                                    "32 kernels on this photo")
        self.maps_button.clicked.connect(self.show_all_maps)
        self.code_button = QPushButton("Copy as code…")
        self.code_button.setToolTip("Copy the TensorFlow code (tf.nn.conv2d, tf.nn.max_pool) "
                                    "for what is on screen")
        self.code_button.clicked.connect(self.copy_as_code)
        self.code_button.setEnabled(False)
        tab.result_shown.connect(self._on_result_shown)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.maps_button)
        layout.addWidget(self.code_button)


    @property
    def _tab(self):
        return self._tab_ref()

    @Slot(object)
    def _on_result_shown(self, _result) -> None:
        self.code_button.setEnabled(True)

    @Slot()
    def copy_as_code(self) -> CodeDialog | None:
        """Copy the script for the result on screen to the clipboard and show it.

        Returns:
            The dialog, or None when no result is on screen yet.
        """
        from digitlab.engine.codegen import filter_code  # noqa: PLC0415
        from digitlab.gui.filters.filters_tab import CHANNEL_CHOICES  # noqa: PLC0415 - the tab imports us

        result, photo = self._tab.result, self._tab.photo
        if result is None or photo is None:
            return None
        # FilterResult.kernels is (kh, kw, C); filter_code reads a 3-D array as (C, kh, kw).
        code = filter_code(np.moveaxis(result.kernels, -1, 0), result.settings,
                           CHANNEL_CHOICES[self._tab.channel_combo.currentText()], photo.path,
                           resize_to=photo.size if photo.downscaled else None)
        if self.code_dialog is not None:
            self.code_dialog.close()
        self.code_dialog = show_code(self._tab, "The Filters tab as TensorFlow code", code)
        return self.code_dialog

    @Slot()
    def show_all_maps(self) -> FeatureMapsWindow:
        """Open the grid; the first time, a lone kernel is replaced by the CNN's 32."""
        if self.maps_window is None:
            self.maps_window = FeatureMapsWindow(self._tab)
            if len(self._tab.kernel_editor.kernels()) == 1:
                self.maps_window.use_cnn_kernels()
        self.maps_window.show()
        self.maps_window.raise_()
        return self.maps_window


class FeatureMapsWindow(QDialog):
    """Every feature map of the Filters tab's result at once, as a grid.

    Made for the trained CNN's 32 first-layer kernels applied to a photo (the
    "Use the CNN's 32 kernels" button loads them into the kernel editor), but it
    shows whatever kernels are set. Follows the tab's ``result_shown``.

    Args:
        filters_tab: the :class:`gui.filters.filters_tab.FiltersTab` to follow.
    """

    def __init__(self, filters_tab, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else filters_tab)
        self.setWindowTitle("All feature maps")
        self._tab_ref = weakref.ref(filters_tab)  # no cycle tab -> window -> tab
        self._result = None
        self.grid = LearnedMapsGrid("")
        self.stage_combo = QComboBox()
        self.stage_combo.addItems(["tf.nn.conv2d output", "after tf.nn.max_pool"])
        self.stage_combo.currentIndexChanged.connect(self._on_stage_changed)
        self.cnn_button = QPushButton("Use the trained CNN's 32 kernels")
        self.cnn_button.setToolTip("Put the CNN's first-layer kernels in the kernel editor")
        self.cnn_button.clicked.connect(self.use_cnn_kernels)
        self.hover_label = QLabel("Hover a map for its value · scroll to zoom · drag to pan")
        self.grid.hovered.connect(self._on_hovered)
        top = QHBoxLayout()
        top.addWidget(self.stage_combo)
        top.addWidget(self.cnn_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addWidget(QLabel("Each map has its own colour scale (99th percentile of |value|):"
                                " red = positive, blue = negative response of that kernel."))
        layout.addWidget(self.hover_label)
        self.resize(1100, 560)
        filters_tab.result_shown.connect(self.set_result)
        self.set_result(filters_tab.result)


    @property
    def _tab(self):
        return self._tab_ref()

    @Slot(int)
    def _on_stage_changed(self, _index: int) -> None:
        self.set_result(self._result)

    @Slot(str)
    def _on_hovered(self, text: str) -> None:
        if text:
            self.hover_label.setText(text)

    def use_cnn_kernels(self) -> bool:
        """Load the trained CNN's kernels into the tab's editor (False if there is no CNN)."""
        editor = self._tab.kernel_editor
        if TRAINED_PRESET not in editor.presets():
            self.grid.clear_maps("no trained CNN loaded")
            return False
        editor.apply_preset(TRAINED_PRESET)
        return True

    def set_result(self, result) -> None:
        """Show a ``FilterResult``'s maps (None: nothing yet)."""
        self._result = result
        self.cnn_button.setEnabled(TRAINED_PRESET in self._tab.kernel_editor.presets())
        if result is None:
            self.grid.clear_maps("no filter result yet")
            return
        pooled = self.stage_combo.currentIndex() == 1
        maps = result.pooled if pooled else result.conv  # (H, W, C)
        names = self._tab.kernel_editor.kernel_names()
        if len(names) != maps.shape[-1]:
            names = [f"map {i + 1}" for i in range(maps.shape[-1])]
        shape = result.pool_shape if pooled else result.conv_shape
        self.grid.set_title(f"{maps.shape[-1]} feature map(s), "
                            f"{'pooled' if pooled else 'conv'} shape {shape}")
        self.grid.set_maps(np.moveaxis(maps, -1, 0), columns=8, labels=names, max_tile=160)
