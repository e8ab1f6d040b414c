"""The Filters tab: the lesson's tf.nn.conv2d and tf.nn.max_pool on a photo, live.

Assembles the :class:`PhotoPicker`, :class:`KernelEditor`, :class:`FilterSettingsPanel`
and :class:`FilterView`; the photo loads in a :class:`PhotoLoader` and the filter
runs in a :class:`FilterWorker` (both "latest request wins" jobs), debounced, so
only the latest settings are ever computed. Beyond the lesson: every feature
map at once (:class:`FeatureMapsWindow`) and Copy as code.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine.filter_figure import render_figure
from digitlab.engine.filter_geometry import FilterGeometry
from digitlab.engine.filters import FilterError
from digitlab.engine.images import extract_channel
from digitlab.gui.common.i18n import translate
from digitlab.gui.common.style import PNG_FILTER
from digitlab.gui.common.theme import error_style
from digitlab.gui.common.timing import FILTER_DEBOUNCE_MS
from digitlab.gui.dialogs.code_dialog import CodeDialog, show_code
from digitlab.gui.filters.feature_maps_window import FeatureMapsWindow
from digitlab.gui.filters.filter_settings_panel import FilterSettingsPanel
from digitlab.gui.filters.filter_view import FilterView
from digitlab.gui.filters.filter_worker import FilterRequest, FilterWorker, PhotoLoader
from digitlab.gui.filters.kernel_editor import TRAINED_PRESET, KernelEditor
from digitlab.gui.filters.photo_picker import PhotoPicker
from digitlab.gui.filters.worked_example import WorkedExample

class FiltersTab(QWidget):
    """Convolve a photo channel with editable kernels, then max-pool, side by side.

    Signals:
        result_shown(object): a new ``FilterResult`` is on screen.
        message_changed(str): the error/notice line ("" when cleared).
        photo_changed(object): a new ``Photo`` is shown.
    """

    result_shown = Signal(object)
    message_changed = Signal(str)
    photo_changed = Signal(object)

    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._photo = None
        self._image: np.ndarray | None = None  # the selected channel, (H, W) 0..255
        self._result = None
        self._result_image: np.ndarray | None = None
        self._pending: FilterRequest | None = None
        self._loading_path: str | None = None
        self._dialog: QDialog | None = None
        self.maps_window: FeatureMapsWindow | None = None
        # The user's kernels and names while the CNN's are in the editor.
        self._own_kernels: tuple[list, list[str]] | None = None
        self.code_dialog: CodeDialog | None = None
        self.setAcceptDrops(True)

        self.picker = PhotoPicker()
        self.picker.photo_requested.connect(self.open_photo)
        self.picker.channel_changed.connect(self._on_channel_changed)

        self.kernel_editor = KernelEditor()
        self.settings_panel = FilterSettingsPanel()
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(error_style())
        self.example_button = QPushButton(translate("FiltersTab", "Worked example…"))
        self.example_button.clicked.connect(self.show_worked_example)
        self.export_button = QPushButton(translate("FiltersTab", "Export figure…"))
        self.export_button.clicked.connect(self._choose_export)
        # All feature maps as a grid, Copy as code (issue 6).
        self.maps_button = QPushButton(translate("FiltersTab", "All feature maps…"))
        self.maps_button.setToolTip(translate(
            "FiltersTab", "Every kernel's feature map at once: the trained CNN's "
                          "32 kernels on this photo"))
        self.maps_button.clicked.connect(self.show_all_maps)
        self.code_button = QPushButton(translate("FiltersTab", "Copy as code…"))
        self.code_button.setToolTip(translate(
            "FiltersTab", "Copy the TensorFlow code (tf.nn.conv2d, tf.nn.max_pool) "
                          "for what is on screen"))
        self.code_button.clicked.connect(self.copy_as_code)
        self.code_button.setEnabled(False)
        self.view = FilterView()

        kernel_box = QGroupBox(translate("FiltersTab", "Kernels (one feature map each)"))
        QVBoxLayout(kernel_box).addWidget(self.kernel_editor)
        settings_box = QGroupBox(translate("FiltersTab", "Stride, padding, max pool"))
        QVBoxLayout(settings_box).addWidget(self.settings_panel)
        # Above the maps, where no screen size pushes them below the fold.
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.example_button, self.export_button, self.maps_button,
                       self.code_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        controls = QWidget()
        controls_layout = QVBoxLayout(controls)
        for widget in (self.picker, kernel_box, settings_box, self.message_label):
            controls_layout.addWidget(widget)
        controls_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(320)
        view_side = QWidget()
        view_layout = QVBoxLayout(view_side)
        view_layout.setContentsMargins(0, 0, 0, 0)
        view_layout.addLayout(buttons)
        view_layout.addWidget(self.view, 1)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(view_side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 900])
        QVBoxLayout(self).addWidget(splitter)

        self._export_action = QAction(translate("FiltersTab", "Export figure…"), self)
        self._export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self._export_action.triggered.connect(self._choose_export)
        self._example_action = QAction(translate("FiltersTab", "Worked example…"), self)
        self._example_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self._example_action.triggered.connect(self.show_worked_example)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(FILTER_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._submit)
        self.worker = FilterWorker(self)
        self.worker.result.connect(self._on_filtered)
        self.worker.failed.connect(self._on_filter_failed)
        self.photo_loader = PhotoLoader(self)
        self.photo_loader.result.connect(self._on_photo_loaded)
        self.photo_loader.failed.connect(self._on_photo_failed)
        self.kernel_editor.kernels_changed.connect(self._schedule)
        # The selected kernel and the feature map shown follow each other.
        self.kernel_editor.current_changed.connect(self.view.set_map_index)
        self.view.map_spin.valueChanged.connect(self._select_kernel_of_map)
        self.settings_panel.settings_changed.connect(self._schedule)
        if store is not None and hasattr(store, "models_changed"):
            store.models_changed.connect(self._on_models_changed)
        # Filtering runs TensorFlow, which the store imports in the background after the
        # first live prediction (issue 14): the first filter waits for it instead of
        # importing it at start-up, ahead of the Draw tab's models.
        self._deferred = False
        self._tensorflow_ready = getattr(store, "tensorflow_ready", True)
        if not self._tensorflow_ready:
            store.tensorflow_loaded.connect(self._on_tensorflow_loaded)
        self._on_models_changed()
        self.open_photo(self.picker.default_photo())

    # --- public API --------------------------------------------------------------

    title = QT_TRANSLATE_NOOP("MainWindow", "&Filters")

    def menu_actions(self) -> list[QAction | None]:
        """The Filters menu: Worked example… (Export figure… is in the window's File menu)."""
        return [self._example_action]

    def actions(self) -> list[QAction]:
        """Menu actions for the main window: Export figure…, Worked example…."""
        return [self._export_action, self._example_action]

    def _select_kernel_of_map(self, map_number: int) -> None:
        self.kernel_editor.select(map_number - 1)

    def open_photo(self, path: str) -> None:
        """Load the photo at ``path`` in the worker; on error the current photo stays."""
        self.picker.show_loading(path)
        self._loading_path = str(path)
        self.photo_loader.submit(str(path))

    @property
    def result(self):
        """The ``FilterResult`` on screen (None before the first one)."""
        return self._result

    @property
    def photo(self):
        return self._photo

    @property
    def message(self) -> str:
        return self.message_label.text()

    def export_png(self, path: str) -> bool:
        """Save input | feature map(s) | pooled, labelled with shapes, as a PNG at ``path``.

        Returns:
            True if written; False (with the reason shown) if there is nothing to
            export yet or the file cannot be written.
        """
        if self._result is None:
            self._set_message(
                translate("FiltersTab", "Nothing to export yet: no filter result is on screen."))
            return False
        try:
            render_figure(self._result_image, self._result).save(path, format="PNG")
        except (OSError, ValueError) as exc:
            self._set_message(translate("FiltersTab", "Cannot write {0}: {1}").format(path, exc))
            return False
        return True

    def show_worked_example(self) -> WorkedExample:
        """Show (creating once) the worked-example window; returns its widget."""
        if self._dialog is None:
            self._dialog = QDialog(self)
            self._dialog.setWindowTitle(
                translate("FiltersTab", "Worked example: convolution and max pooling by hand"))
            QVBoxLayout(self._dialog).addWidget(WorkedExample())
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog.findChild(WorkedExample)

    @Slot()
    def copy_as_code(self) -> CodeDialog | None:
        """Copy the script for the result on screen to the clipboard and show it.

        Returns:
            The dialog, or None when no result is on screen yet.
        """
        from digitlab.engine.codegen import filter_code  # noqa: PLC0415

        result, photo = self._result, self._photo
        if result is None or photo is None:
            return None
        # FilterResult.kernels is (kh, kw, C); filter_code reads a 3-D array as (C, kh, kw).
        code = filter_code(np.moveaxis(result.kernels, -1, 0), result.settings,
                           self.picker.channel(), photo.path,
                           resize_to=photo.size if photo.downscaled else None)
        if self.code_dialog is not None:
            self.code_dialog.close()
        self.code_dialog = show_code(
            self, translate("FiltersTab", "The Filters tab as TensorFlow code"), code)
        return self.code_dialog

    @Slot()
    def show_all_maps(self) -> FeatureMapsWindow:
        """Open the grid of every map of the kernels in use; the user's kernels are never
        replaced here (the CNN's 32 are one click away, and one click brings them back)."""
        if self.maps_window is None:
            self.maps_window = FeatureMapsWindow(self)
            self.maps_window.cnn_kernels_requested.connect(self.use_cnn_kernels)
            self.maps_window.own_kernels_requested.connect(self.restore_own_kernels)
            self.maps_window.set_cnn_available(TRAINED_PRESET in self.kernel_editor.presets())
            self.maps_window.set_result(self._result, self.kernel_editor.kernel_names())
        self.maps_window.set_can_go_back(self._own_kernels is not None)
        self.maps_window.show()
        self.maps_window.raise_()
        return self.maps_window

    @Slot()
    def use_cnn_kernels(self) -> bool:
        """Put the trained CNN's first-layer kernels in the editor, keeping the user's for
        :meth:`restore_own_kernels` (False if there is no CNN)."""
        if TRAINED_PRESET not in self.kernel_editor.presets():
            return False
        if self._own_kernels is None:
            self._own_kernels = (self.kernel_editor.kernels(), self.kernel_editor.kernel_names())
        self.kernel_editor.apply_preset(TRAINED_PRESET)
        if self.maps_window is not None:
            self.maps_window.set_can_go_back(True)
        return True

    @Slot()
    def restore_own_kernels(self) -> bool:
        """Put back the kernels set aside by :meth:`use_cnn_kernels` (False: none were)."""
        if self._own_kernels is None:
            return False
        kernels, names = self._own_kernels
        self._own_kernels = None
        self.kernel_editor.set_kernels(kernels, names)
        if self.maps_window is not None:
            self.maps_window.set_can_go_back(False)
        return True

    def shutdown(self) -> None:
        """Stop the photo and filter threads (waiting for a job in flight); on window close."""
        self._debounce.stop()
        self.photo_loader.stop()
        self.worker.stop()
        if self._dialog is not None:
            self._dialog.close()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            self.open_photo(files[0])
            event.acceptProposedAction()

    # --- internals ---------------------------------------------------------------

    def _set_message(self, text: str) -> None:
        if text != self.message_label.text():
            self.message_label.setText(text)
            self.message_changed.emit(text)

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("FiltersTab", "Export figure"), "filter_figure.png",
            translate("FileDialogs", PNG_FILTER)
        )
        if path:
            self.export_png(path if path.lower().endswith(".png") else path + ".png")

    def _on_models_changed(self) -> None:
        predictor = getattr(self.store, "predictor", None)
        kernels = None
        if predictor is not None and "cnn" in predictor.kinds:
            kernels = predictor.cnn_first_layer_kernels()
        self.kernel_editor.set_trained_kernels(kernels)
        if self.maps_window is not None:
            self.maps_window.set_cnn_available(kernels is not None)

    @Slot(object)
    def _on_photo_loaded(self, reply) -> None:
        photo = reply.value
        self._photo = photo
        self.picker.show_photo(photo)
        self._set_message("")
        self._on_channel_changed()
        self.photo_changed.emit(photo)

    @Slot(str)
    def _on_photo_failed(self, reason: str) -> None:
        self.picker.show_failure(self._loading_path or "", self._photo)
        self._set_message(reason)

    def _on_channel_changed(self) -> None:
        if self._photo is None:
            return
        channel = self.picker.channel()
        self._image = extract_channel(self._photo.rgb, channel)
        self.view.set_input(self._image)
        self._schedule()

    def _schedule(self) -> None:
        self._debounce.start()

    @Slot(float)
    def _on_tensorflow_loaded(self, _stamp: float) -> None:
        self._tensorflow_ready = True
        if self._deferred:
            self._deferred = False
            self._set_message("")
            self._submit()

    def _submit(self) -> None:
        if self._image is None:
            return
        if not self._tensorflow_ready:
            self._deferred = True
            self._set_message(translate("FiltersTab", "Loading TensorFlow…"))
            return
        try:
            settings = self.settings_panel.settings()
        except FilterError as exc:
            self._set_message(
                translate("FiltersTab", "{0} Showing the last valid result.").format(exc))
            return
        self._pending = FilterRequest(self._image, self.kernel_editor.kernels(), settings)
        self.worker.submit(self._pending)

    @Slot(object)
    def _on_filtered(self, reply) -> None:
        request, result = reply.request, reply.value
        if request is not self._pending:
            return  # a newer request is on its way; don't flash a stale one
        # The hover's windows come from the same padding rule as the result's shape.
        geometry = FilterGeometry.from_settings(request.image.shape, request.kernels[0].shape,
                                                request.settings)
        self._result, self._result_image = result, request.image
        self.view.set_input(self._result_image)
        self.view.set_result(result, geometry)
        self.view.set_map_index(self.kernel_editor.current_index)
        self._set_message("")
        self.code_button.setEnabled(True)
        if self.maps_window is not None:
            self.maps_window.set_result(result, self.kernel_editor.kernel_names())
        self.result_shown.emit(result)

    @Slot(str)
    def _on_filter_failed(self, reason: str) -> None:
        if self._pending is not None:  # a failure of a replaced request is never sent
            self._set_message(
                translate("FiltersTab", "{0} Showing the last valid result.").format(reason))
