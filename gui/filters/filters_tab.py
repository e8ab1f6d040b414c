"""The Filters tab: the lesson's tf.nn.conv2d and tf.nn.max_pool on a photo, live.

Assembles the photo picker, :class:`KernelEditor`, :class:`FilterSettingsPanel`
and :class:`FilterView`; the filter itself runs in a :class:`FilterWorker`
thread, debounced, so only the latest settings are ever computed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
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

from digitlab import resources
from digitlab.engine.filter_figure import render_figure
from digitlab.engine.filters import FilterError
from digitlab.engine.images import extract_channel
from digitlab.engine.filter_geometry import FilterGeometry
from digitlab.gui.filters.filter_settings_panel import FilterSettingsPanel
from digitlab.gui.filters.filter_view import FilterView
from digitlab.gui.filters.filter_worker import FilterRequest, FilterWorker
from digitlab.gui.filters.filters_extras import FiltersExtras
from digitlab.gui.filters.kernel_editor import KernelEditor
from digitlab.gui.filters.worked_example import WorkedExample

PHOTOS_DIR = resources.path("photos")
DEFAULT_PHOTO = "rocket.jpg"
#: Channel names as shown -> engine.images.CHANNELS; R first, as the lesson slices R.
CHANNEL_CHOICES = {"Red": "red", "Green": "green", "Blue": "blue", "Luminance": "gray"}
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"
DEBOUNCE_MS = 30


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
        self._request_id = 0
        self._pending: dict | None = None
        self._dialog: QDialog | None = None
        self.setAcceptDrops(True)

        self.photo_combo = QComboBox()
        self.photo_combo.addItems(sorted(
            p.name for p in PHOTOS_DIR.iterdir()
            if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif")))
        self.photo_combo.setCurrentText(DEFAULT_PHOTO)
        self.photo_combo.activated.connect(self._open_sample_photo)
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Open a photo (or drop one on this tab).")
        self.open_button.clicked.connect(self._choose_photo)
        self.channel_combo = QComboBox()
        self.channel_combo.addItems(list(CHANNEL_CHOICES))
        self.channel_combo.setToolTip("The lesson filters one channel: image[:, :, 0] (red).")
        self.channel_combo.currentIndexChanged.connect(self._on_channel_changed)
        self.photo_label = QLabel("Loading photo…")
        self.photo_label.setWordWrap(True)

        self.kernel_editor = KernelEditor()
        self.settings_panel = FilterSettingsPanel()
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b00020;")
        self.example_button = QPushButton("Worked example…")
        self.example_button.clicked.connect(self.show_worked_example)
        self.export_button = QPushButton("Export figure…")
        self.export_button.clicked.connect(self._choose_export)
        # All feature maps as a grid, Copy as code (issue 6).
        self.extras = FiltersExtras(self)
        self.view = FilterView()

        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo_combo, 1)
        photo_row.addWidget(self.open_button)
        channel_row = QHBoxLayout()
        channel_row.addWidget(QLabel("Channel"))
        channel_row.addWidget(self.channel_combo, 1)
        photo_box = QGroupBox("Photo")
        photo_layout = QVBoxLayout(photo_box)
        photo_layout.addLayout(photo_row)
        photo_layout.addLayout(channel_row)
        photo_layout.addWidget(self.photo_label)
        kernel_box = QGroupBox("Kernels (one feature map each)")
        QVBoxLayout(kernel_box).addWidget(self.kernel_editor)
        settings_box = QGroupBox("Stride, padding, max pool")
        QVBoxLayout(settings_box).addWidget(self.settings_panel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.example_button)
        buttons.addWidget(self.export_button)
        controls = QWidget()
        controls_layout = QVBoxLayout(controls)
        for widget in (photo_box, kernel_box, settings_box, self.message_label):
            controls_layout.addWidget(widget)
        controls_layout.addLayout(buttons)
        controls_layout.addWidget(self.extras)
        controls_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(320)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 900])
        QVBoxLayout(self).addWidget(splitter)

        self._export_action = QAction("Export figure…", self)
        self._export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self._export_action.triggered.connect(self._choose_export)
        self._example_action = QAction("Worked example…", self)
        self._example_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self._example_action.triggered.connect(self.show_worked_example)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._submit)
        self.worker = FilterWorker(self)
        self.worker.filtered.connect(self._on_filtered)
        self.worker.filter_failed.connect(self._on_filter_failed)
        self.worker.photo_loaded.connect(self._on_photo_loaded)
        self.worker.photo_failed.connect(self._on_photo_failed)
        self.kernel_editor.kernels_changed.connect(self._schedule)
        # The selected kernel and the feature map shown follow each other.
        self.kernel_editor.current_changed.connect(self.view.set_map_index)
        self.view.map_spin.valueChanged.connect(self._select_kernel_of_map)
        self.settings_panel.settings_changed.connect(self._schedule)
        if store is not None and hasattr(store, "models_changed"):
            store.models_changed.connect(self._on_models_changed)
        self._on_models_changed()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.open_photo(str(PHOTOS_DIR / DEFAULT_PHOTO))

    # --- public API --------------------------------------------------------------

    def actions(self) -> list[QAction]:
        """Menu actions for the main window: Export figure…, Worked example…."""
        return [self._export_action, self._example_action]

    def _open_sample_photo(self, _index: int = 0) -> None:
        self.open_photo(str(PHOTOS_DIR / self.photo_combo.currentText()))

    def _select_kernel_of_map(self, map_number: int) -> None:
        self.kernel_editor.select(map_number - 1)

    def open_photo(self, path: str) -> None:
        """Load the photo at ``path`` in the worker; on error the current photo stays."""
        self.photo_label.setText(f"Loading {Path(path).name}…")
        self.worker.submit_load(str(path))

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
            self._set_message("Nothing to export yet: no filter result is on screen.")
            return False
        try:
            render_figure(self._result_image, self._result).save(path, format="PNG")
        except (OSError, ValueError) as exc:
            self._set_message(f"Cannot write {path}: {exc}")
            return False
        return True

    def show_worked_example(self) -> WorkedExample:
        """Show (creating once) the worked-example window; returns its widget."""
        if self._dialog is None:
            self._dialog = QDialog(self)
            self._dialog.setWindowTitle("Worked example: convolution and max pooling by hand")
            QVBoxLayout(self._dialog).addWidget(WorkedExample())
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog.findChild(WorkedExample)

    def shutdown(self) -> None:
        """Stop the filter thread (waiting for a job in flight); call on window close."""
        self._debounce.stop()
        self.worker.stop()
        if self._dialog is not None:
            self._dialog.close()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

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

    def _choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open photo", str(PHOTOS_DIR), IMAGE_FILTER)
        if path:
            self.open_photo(path)

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export figure", "filter_figure.png", "PNG images (*.png)"
        )
        if path:
            self.export_png(path if path.lower().endswith(".png") else path + ".png")

    def _on_models_changed(self) -> None:
        predictor = getattr(self.store, "predictor", None)
        kernels = None
        if predictor is not None and "cnn" in predictor.kinds:
            kernels = predictor.cnn_first_layer_kernels()
        self.kernel_editor.set_trained_kernels(kernels)

    @staticmethod
    def _describe_photo(photo) -> str:
        """The photo line: "rocket.jpg: 640×427", or the working and original sizes."""
        name = Path(photo.path).name
        width, height = photo.size
        if photo.downscaled:
            ow, oh = photo.original_size
            return f"{name}: working size {width}×{height} (original {ow}×{oh})"
        return f"{name}: {width}×{height}"

    def _on_photo_loaded(self, path: str, photo) -> None:
        self._photo = photo
        self.photo_label.setText(self._describe_photo(photo))
        self._set_message("")
        self._on_channel_changed()
        self.photo_changed.emit(photo)

    def _on_photo_failed(self, path: str, reason: str) -> None:
        # The previous photo stays on screen: the label must name it again, not "Loading…".
        self.photo_label.setText(self._describe_photo(self._photo) if self._photo is not None
                                 else f"No photo: {Path(path).name} could not be opened.")
        self._set_message(reason)

    def _on_channel_changed(self) -> None:
        if self._photo is None:
            return
        channel = CHANNEL_CHOICES[self.channel_combo.currentText()]
        self._image = extract_channel(self._photo.rgb, channel)
        self.view.set_input(self._image)
        self._schedule()

    def _schedule(self) -> None:
        self._debounce.start()

    def _submit(self) -> None:
        if self._image is None:
            return
        try:
            settings = self.settings_panel.settings()
        except FilterError as exc:
            self._set_message(f"{exc} Showing the last valid result.")
            return
        kernels = self.kernel_editor.kernels()
        self._request_id += 1
        self._pending = {"id": self._request_id, "settings": settings, "image": self._image,
                         "kernel_hw": kernels[0].shape}
        self.worker.submit_filter(FilterRequest(self._request_id, self._image, kernels, settings))

    def _on_filtered(self, request_id: int, result) -> None:
        pending = self._pending
        if pending is None or request_id != pending["id"]:
            return  # a newer request is on its way; don't flash a stale one
        settings = pending["settings"]
        geometry = FilterGeometry(
            input_hw=pending["image"].shape,
            kernel_hw=pending["kernel_hw"],
            stride=settings.stride,
            padding=settings.padding,
            conv_hw=result.conv.shape[:2],
            pool=settings.pool,
            pool_stride=settings.pool_stride or settings.pool,
            pool_padding=settings.pool_padding,
        )
        self._result, self._result_image = result, pending["image"]
        self.view.set_input(self._result_image)
        self.view.set_result(result, geometry)
        self.view.set_map_index(self.kernel_editor.current_index)
        self._set_message("")
        self.result_shown.emit(result)

    def _on_filter_failed(self, request_id: int, reason: str) -> None:
        if self._pending is not None and request_id == self._pending["id"]:
            self._set_message(f"{reason} Showing the last valid result.")
