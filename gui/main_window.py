"""The main window: assembles the Draw, Filters and Train tabs, menus and status bar.

The window only assembles: each tab is its own widget taking the shared
:class:`~gui.model_store.ModelStore`. Geometry and the last tab are kept in
``QSettings("DigitLab", "digitlab")`` (tests pass their own QSettings).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QTabWidget, QWidget

from digitlab import resources
from digitlab.gui.draw.draw_tab import DrawTab
from digitlab.gui.filters.filters_tab import FiltersTab
from digitlab.gui.model_store import ModelStore
from digitlab.gui.train.train_tab import TrainTab

MINIMUM_SIZE = (1000, 700)
DEFAULT_SIZE = (1280, 820)
PHOTO_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"
#: How long a transient status message stays (the model summary stays for good).
STATUS_MS = 10_000


class MainWindow(QMainWindow):
    """Digit Lab's window: three tabs, File and View menus, a status bar about the models.

    Args:
        store: the shared model store (may still be loading).
        settings: where geometry and the last tab are remembered; by default
            ``QSettings("DigitLab", "digitlab")``.
    """

    def __init__(self, store: ModelStore, settings: QSettings | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self._settings = settings if settings is not None else QSettings("DigitLab", "digitlab")
        self._closed = False
        self.setWindowTitle("Digit Lab")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*DEFAULT_SIZE)

        self.draw_tab = DrawTab(store)
        self.filters_tab = FiltersTab(store)
        self.train_tab = TrainTab(store)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.draw_tab, "&Draw")
        self.tabs.addTab(self.filters_tab, "&Filters")
        self.tabs.addTab(self.train_tab, "&Train")
        self.setCentralWidget(self.tabs)

        self.models_label = QLabel()
        # Training progress stays visible while the user draws or filters meanwhile.
        self.training_label = QLabel()
        self.training_label.hide()
        self.statusBar().addPermanentWidget(self.training_label)
        self.statusBar().addPermanentWidget(self.models_label)
        self._build_menus()

        self.train_tab.digit_requested.connect(self.show_digit)
        self.train_tab.progress_changed.connect(self._show_training_progress)
        self.train_tab.training_finished.connect(self.training_label.hide)
        store.status_changed.connect(self.show_status)
        store.info_changed.connect(self._update_models_label)
        store.models_changed.connect(self._update_models_label)
        store.loading_failed.connect(self.show_status)
        self._update_models_label()
        if not store.is_ready:
            self.show_status("Loading models… (drawing works; predictions start when they are in)")
        self._restore_settings()

    # ----- construction -----------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        self.open_action = self._action("&Open photo…", "Ctrl+O", self.choose_photo)
        self.export_action = self._action("&Export figure…", "Ctrl+E", self.choose_export)
        self.quit_action = self._action("&Quit", "Ctrl+Q", self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.open_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        self.view_actions = []
        view_menu = self.menuBar().addMenu("&View")
        for index, name in enumerate(("Draw", "Filters", "Train")):
            action = self._action(name, f"Ctrl+{index + 1}",
                                  lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
            self.view_actions.append(action)

        file_texts = {a.text().replace("&", "") for a in (self.open_action, self.export_action)}
        for name, tab in (("Draw", self.draw_tab), ("Filters", self.filters_tab),
                          ("Train", self.train_tab)):
            # File already has "Export figure…": the Filters tab's own copy would be a duplicate.
            extra = [a for a in tab.actions() if a.text().replace("&", "") not in file_texts]
            # The Draw tab's "beyond the lesson" commands (sweep, personal set...).
            lab = getattr(tab, "lab_actions", list)()
            if lab:
                extra += [None, *lab]
            if extra:
                menu = self.menuBar().addMenu(name)
                for action in extra:
                    if action is None:
                        menu.addSeparator()
                    else:
                        menu.addAction(action)

    # ----- commands ---------------------------------------------------------------------
    def choose_photo(self) -> None:
        """File > Open photo…: pick a file, show it in the Filters tab."""
        start = self._settings.value("last_photo_dir", str(resources.path("photos")), type=str)
        path, _ = QFileDialog.getOpenFileName(self, "Open photo", start, PHOTO_FILTER)
        if path:
            self._settings.setValue("last_photo_dir", str(Path(path).parent))
            self.open_photo(path)

    def open_photo(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.filters_tab)
        self.filters_tab.open_photo(path)

    def choose_export(self) -> None:
        """File > Export figure…: save the Filters tab's original | maps | pooled figure."""
        self.tabs.setCurrentWidget(self.filters_tab)
        path, _ = QFileDialog.getSaveFileName(self, "Export figure", "filter_figure.png",
                                              "PNG images (*.png)")
        if path:
            self.export_figure(path if path.lower().endswith(".png") else path + ".png")

    def export_figure(self, path: str) -> bool:
        if self.filters_tab.export_png(path):
            self.show_status(f"Saved the figure to {path}.")
            return True
        self.show_status(self.filters_tab.message or f"Could not save {path}.")
        return False

    def show_digit(self, image) -> None:
        """Show a ``(28, 28) uint8`` digit in the Draw tab and switch to it."""
        self.tabs.setCurrentWidget(self.draw_tab)
        self.draw_tab.show_digit(image)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)

    def _show_training_progress(self, event) -> None:
        self.training_label.setText(f"Training: epoch {event.epoch + 1}, "
                                    f"{event.run_fraction:.0%} of the max epochs  |")
        self.training_label.show()

    def _update_models_label(self) -> None:
        self.models_label.setText(self.store.summary())

    # ----- settings and closing ---------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self._settings.value("geometry")
        if isinstance(geometry, (QByteArray, bytes)) and len(geometry):
            self.restoreGeometry(QByteArray(geometry))
        tab = self._settings.value("last_tab", 0, type=int)
        if 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def save_settings(self) -> None:
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("last_tab", self.tabs.currentIndex())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self._closed:
            self._closed = True
            self.save_settings()
            # Disappear at once; stopping a training batch or a TensorFlow import
            # in flight may take a moment, and nobody should watch it.
            self.hide()
            self.train_tab.stop_and_wait()
            self.draw_tab.shutdown()
            self.filters_tab.shutdown()
            self.store.shutdown()
        event.accept()
