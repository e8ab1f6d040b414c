"""The main window: assembles the Draw, Filters and Train tabs, menus and status bar.

The window only assembles: each tab is its own widget taking the shared
:class:`~gui.model_store.ModelStore` and offering what :class:`~gui.common.tab.Tab`
says (a title, menu actions, one shutdown). Tabs never call each other: traffic
between them (a misclassified digit to draw, a photo to open) goes through the
window. Geometry and the last tab are kept in ``QSettings("DigitLab", "digitlab")``
(tests pass their own QSettings).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from digitlab import resources
from digitlab.gui.common import theme
from digitlab.gui.common.i18n import translate
from digitlab.gui.common.language import Language, install_fonts
from digitlab.gui.common.style import IMAGE_FILTER, PNG_FILTER
from digitlab.gui.common.tab import Tab
from digitlab.gui.common.timing import STATUS_MS
from digitlab.gui.common.wheel_guard import install_wheel_guard
from digitlab.gui.draw.draw_tab import DrawTab
from digitlab.gui.filters.filters_tab import FiltersTab
from digitlab.gui.model_store import ModelStore
from digitlab.gui.train.train_tab import TrainTab

#: Every tab stays fully usable down to this size: a 1024x640 screen less a taskbar
#: and a title bar (tests/gui/test_small_screens.py opens each tab at it).
MINIMUM_SIZE = (960, 560)
#: Fits a 1366x768 laptop screen with a taskbar and a title bar.
DEFAULT_SIZE = (1280, 690)


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
        self.quit_prompt: QMessageBox | None = None
        # App-wide, idempotent: the palette kept readable before any chart is made, and
        # the mouse wheel turning only the control the user has focused.
        theme.apply_theme()
        install_wheel_guard()
        # Before any widget is made, so that every text starts in the chosen language.
        install_fonts()
        self.language = Language(self._settings, self)
        self.language.apply(self.language.preferred(), remember=False)
        self.setWindowTitle(translate("MainWindow", "Digit Lab"))
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*DEFAULT_SIZE)

        self.draw_tab = DrawTab(store)
        self.filters_tab = FiltersTab(store)
        self.train_tab = TrainTab(store)
        self.pages: tuple[Tab, ...] = (self.draw_tab, self.filters_tab, self.train_tab)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for page in self.pages:
            self.tabs.addTab(page, translate("MainWindow", page.title))
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
        self.train_tab.training_started.connect(self._remember_trained_model)
        store.status_changed.connect(self.show_status)
        store.info_changed.connect(self._update_models_label)
        store.models_changed.connect(self._update_models_label)
        store.loading_failed.connect(self.show_status)
        self._update_models_label()
        self._restyling = False  # from now on, a palette change restyles the charts
        if not store.is_ready:
            self.show_status(translate(
                "MainWindow",
                "Loading models… (drawing works; predictions start when they are in)"))
        self._restore_settings()

    # ----- construction -----------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        self.open_action = self._action(translate("MainWindow", "&Open photo…"), "Ctrl+O",
                                        self.choose_photo)
        self.export_action = self._action(translate("MainWindow", "&Export figure…"), "Ctrl+E",
                                          self.choose_export)
        self.quit_action = self._action(translate("MainWindow", "&Quit"), "Ctrl+Q",
                                        self.request_quit)
        file_menu = self.menuBar().addMenu(translate("MainWindow", "&File"))
        file_menu.addActions([self.open_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        self.view_actions = []
        view_menu = self.menuBar().addMenu(translate("MainWindow", "&View"))
        for index, page in enumerate(self.pages):
            action = self._action(_page_name(page), f"Ctrl+{index + 1}", self._show_page)
            action.setData(index)
            view_menu.addAction(action)
            self.view_actions.append(action)
        view_menu.addSeparator()
        view_menu.addMenu(self.language.menu(view_menu))

        self._page_menus = []
        for page in self.pages:
            actions = page.menu_actions()
            if actions:
                menu = self.menuBar().addMenu(_page_name(page))
                self._page_menus.append((page, menu))
                for action in actions:
                    if action is None:
                        menu.addSeparator()
                    else:
                        menu.addAction(action)

    def retranslate(self) -> None:
        """Menu names made from the tab titles (without their mnemonic) in the new language."""
        if not hasattr(self, "_page_menus"):  # the language was set while this window was built
            return
        for page, action in zip(self.pages, self.view_actions, strict=True):
            action.setText(_page_name(page))
        for page, menu in self._page_menus:
            menu.setTitle(_page_name(page))
        self._update_models_label()

    # ----- commands ---------------------------------------------------------------------
    def choose_photo(self) -> None:
        """File > Open photo…: pick a file, show it in the Filters tab."""
        start = self._settings.value("last_photo_dir", str(resources.path("photos")), type=str)
        path, _ = QFileDialog.getOpenFileName(
            self, translate("MainWindow", "Open photo"), start,
            translate("FileDialogs", IMAGE_FILTER))
        if path:
            self._settings.setValue("last_photo_dir", str(Path(path).parent))
            self.open_photo(path)

    def open_photo(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.filters_tab)
        self.filters_tab.open_photo(path)

    def choose_export(self) -> None:
        """File > Export figure…: save the Filters tab's original | maps | pooled figure."""
        self.tabs.setCurrentWidget(self.filters_tab)
        path, _ = QFileDialog.getSaveFileName(
            self, translate("MainWindow", "Export figure"), "filter_figure.png",
            translate("FileDialogs", PNG_FILTER))
        if path:
            self.export_figure(path if path.lower().endswith(".png") else path + ".png")

    def export_figure(self, path: str) -> bool:
        if self.filters_tab.export_png(path):
            self.show_status(translate("MainWindow", "Saved the figure to {0}.").format(path))
            return True
        self.show_status(self.filters_tab.message
                         or translate("MainWindow", "Could not save {0}.").format(path))
        return False

    def show_digit(self, image) -> None:
        """Show a ``(28, 28) uint8`` digit in the Draw tab and switch to it."""
        self.tabs.setCurrentWidget(self.draw_tab)
        self.draw_tab.show_digit(image)

    def _show_page(self) -> None:
        """View > Draw / Filters / Train: the page whose index the action carries."""
        self.tabs.setCurrentIndex(self.sender().data())

    def show_status(self, text: str) -> None:
        """A transient status line; what the models line beside it says is not repeated."""
        summary = self.models_label.text()
        if summary and text.startswith(summary):
            text = text[len(summary):].strip()
        if text:
            self.statusBar().showMessage(text, STATUS_MS)
        else:
            self.statusBar().clearMessage()

    def _show_training_progress(self, event) -> None:
        self.training_label.setText(
            translate("MainWindow", "Training: epoch {0}, {1:.0%} of the max epochs  |")
            .format(event.epoch + 1, event.run_fraction))
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
        # The Train tab opens on the model trained last (the quickest, multinomial, at first).
        kind = self._settings.value("train/model", "multinomial", type=str)
        dropout = self._settings.value("train/dropout", True, type=bool)
        try:
            self.train_tab.settings.select_model(kind, dropout=dropout)
        except ValueError:
            self.train_tab.settings.select_model("multinomial")

    def _remember_trained_model(self, kind: str, dropout: bool) -> None:
        self._settings.setValue("train/model", kind)
        self._settings.setValue("train/dropout", bool(dropout))

    def save_settings(self) -> None:
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("last_tab", self.tabs.currentIndex())
        self._settings.sync()

    def request_quit(self) -> bool:
        """File > Quit: ask first while a model trains; returns True if the window closed."""
        if not self._closed and self.train_tab.is_training and not self._confirm_quit():
            return False
        return self.close()

    def _confirm_quit(self) -> bool:
        """Ask before a close throws a training run away (True: quit anyway)."""
        box = QMessageBox(
            QMessageBox.Icon.Question, translate("MainWindow", "Quit during training?"),
            translate("MainWindow", "A model is still training. Quitting stops it and its "
                      "progress is lost.\n\nQuit anyway?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.quit_prompt = box
        try:
            return box.exec() == QMessageBox.StandardButton.Yes
        finally:
            self.quit_prompt = None
            box.deleteLater()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        # The system switched between light and dark: charts and maps follow at once.
        if event.type() == QEvent.Type.PaletteChange and not getattr(self, "_restyling", True):
            # After the event: every widget has its new palette by then.
            QTimer.singleShot(0, self, self._follow_palette)

    def _follow_palette(self) -> None:
        self._restyling = True
        try:
            theme.apply_theme()
            theme.restyle_plots(self)
        finally:
            self._restyling = False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        # Closing the window with its close button asks like File > Quit; a close from
        # code (Ctrl+C in the terminal, the app ending, tests) does not.
        if (event.spontaneous() and not self._closed and self.train_tab.is_training
                and not self._confirm_quit()):
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self.save_settings()
            # Disappear at once; stopping a training batch or a TensorFlow import
            # in flight may take a moment, and nobody should watch it.
            self.hide()
            for page in reversed(self.pages):  # training first: it holds the CPU
                page.shutdown()
            self.store.shutdown()
        event.accept()


def _page_name(page: Tab) -> str:
    """A tab's translated title without its mnemonic: "&Draw" -> "Draw", "그리기(&D)" -> "그리기"."""
    return re.sub(r"\s*\(&\w\)|&", "", translate("MainWindow", page.title))
