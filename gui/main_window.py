"""The main window: assembles the Draw, Filters and Train tabs, menus and status bar.

The window only assembles: each tab is its own widget taking the shared
:class:`~gui.model_store.ModelStore` and offering what :class:`~gui.common.tab.Tab`
says (a title, menu actions, one shutdown). Tabs never call each other: traffic
between them (a misclassified digit to draw, a photo to open) goes through the
window. Geometry and the last tab are kept in ``QSettings("DigitLab", "digitlab")``
(tests pass their own QSettings).

Only the Draw tab is built before the window shows: Filters and Train (their
imports and widgets took about 0.3 s of the start-up) are built when first shown
or asked for, else one by one once the first prediction is on screen, so that
their menus and shortcuts work a moment after start.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QEvent, QSettings, Qt, QTimer
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
from digitlab.gui.model_store import ModelStore

if TYPE_CHECKING:
    from digitlab.gui.filters.filters_tab import FiltersTab
    from digitlab.gui.train.train_tab import TrainTab

#: Every tab stays fully usable down to this size: a 1024x640 screen less a taskbar
#: and a title bar (tests/gui/test_small_screens.py opens each tab at it).
MINIMUM_SIZE = (960, 560)
#: Fits a 1366x768 laptop screen with a taskbar and a title bar.
DEFAULT_SIZE = (1280, 690)
#: The tab titles, in tab order (each page's own ``title``; the later pages' are
#: repeated here so that the tab bar and the menus exist before those pages are built).
PAGE_TITLES = (DrawTab.title, QT_TRANSLATE_NOOP("MainWindow", "&Filters"),
               QT_TRANSLATE_NOOP("MainWindow", "&Train"))
#: After the first prediction, the pages not built yet follow this much later...
LATER_PAGES_DELAY_MS = 100
#: ...or this long after the window was made, if no model ever arrives.
LATER_PAGES_FALLBACK_MS = 3000


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
        # Filters and Train start as empty placeholders; _page(index) builds them.
        self._built: dict[int, Tab] = {0: self.draw_tab}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.draw_tab, translate("MainWindow", self.draw_tab.title))
        for title in PAGE_TITLES[1:]:
            self.tabs.addTab(QWidget(), translate("MainWindow", title))
        self.tabs.currentChanged.connect(self._page)
        self.setCentralWidget(self.tabs)

        self.models_label = QLabel()
        # Training progress stays visible while the user draws or filters meanwhile.
        self.training_label = QLabel()
        self.training_label.hide()
        self.statusBar().addPermanentWidget(self.training_label)
        self.statusBar().addPermanentWidget(self.models_label)
        self._build_menus()

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
        # The other pages once the first prediction is on screen (or, without models, later).
        store.models_changed.connect(self._build_later_pages_soon)
        store.loading_failed.connect(self._build_later_pages_soon)
        QTimer.singleShot(LATER_PAGES_FALLBACK_MS, self, self._build_later_pages_soon)

    # ----- pages built when needed --------------------------------------------------------
    @property
    def filters_tab(self) -> FiltersTab:
        """The Filters tab (built now if it was not yet)."""
        return self._page(1)

    @property
    def train_tab(self) -> TrainTab:
        """The Train tab (built now if it was not yet)."""
        return self._page(2)

    @property
    def pages(self) -> tuple[Tab, ...]:
        """Every tab, in tab order (building those not built yet)."""
        return tuple(self._page(index) for index in range(len(PAGE_TITLES)))

    def _page(self, index: int) -> Tab | None:
        """The page at tab ``index``, built and put in its placeholder's place if need be."""
        if index in self._built or not 0 <= index < len(PAGE_TITLES):
            return self._built.get(index)
        if index == 1:
            from digitlab.gui.filters.filters_tab import FiltersTab  # noqa: PLC0415

            page = FiltersTab(self.store)
        else:
            from digitlab.gui.train.train_tab import TrainTab  # noqa: PLC0415

            page = TrainTab(self.store)
            page.digit_requested.connect(self.show_digit)
            page.progress_changed.connect(self._show_training_progress)
            page.training_finished.connect(self.training_label.hide)
            page.training_started.connect(self._remember_trained_model)
            self._select_remembered_model(page)
        self._built[index] = page
        # Swapped in silently: a listener of currentChanged sees the built page only.
        current = self.tabs.currentIndex()
        blocked = self.tabs.blockSignals(True)
        try:
            placeholder = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, translate("MainWindow", page.title))
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(blocked)
        placeholder.setParent(None)  # freed now: nothing else holds it
        for menu_index, menu in self._page_menus:
            if menu_index == index:
                _fill_menu(menu, page.menu_actions())
        if self._closed:  # asked for after closing: stopped as the others were
            page.shutdown()
        return page

    def _build_later_pages_soon(self, *_args) -> None:
        if not self._closed and len(self._built) < len(PAGE_TITLES):
            QTimer.singleShot(LATER_PAGES_DELAY_MS, self, self._build_next_page)

    def _build_next_page(self) -> None:
        """Build one page not built yet; the next one follows on a later turn of the loop."""
        missing = [i for i in range(len(PAGE_TITLES)) if i not in self._built]
        if missing and not self._closed:
            self._page(missing[0])
            if len(missing) > 1:
                QTimer.singleShot(0, self, self._build_next_page)

    def _build_page_of_menu(self) -> None:
        """A page's menu is about to open before the page was built: build it (fills the menu)."""
        self._page(self.sender().menuAction().data())

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
        for index, title in enumerate(PAGE_TITLES):
            action = self._action(_page_name(title), f"Ctrl+{index + 1}", self._show_page)
            action.setData(index)
            view_menu.addAction(action)
            self.view_actions.append(action)
        view_menu.addSeparator()
        view_menu.addMenu(self.language.menu(view_menu))

        self._page_menus = []  # (tab index, menu); every page has commands
        for index, title in enumerate(PAGE_TITLES):
            menu = self.menuBar().addMenu(_page_name(title))
            menu.menuAction().setData(index)
            self._page_menus.append((index, menu))
            if index in self._built:
                _fill_menu(menu, self._built[index].menu_actions())
            else:
                menu.aboutToShow.connect(self._build_page_of_menu)

    def retranslate(self) -> None:
        """Menu names made from the tab titles (without their mnemonic) in the new language."""
        if not hasattr(self, "_page_menus"):  # the language was set while this window was built
            return
        for title, action in zip(PAGE_TITLES, self.view_actions, strict=True):
            action.setText(_page_name(title))
        for index, menu in self._page_menus:
            menu.setTitle(_page_name(PAGE_TITLES[index]))
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

    def _select_remembered_model(self, train_tab: TrainTab) -> None:
        """The Train tab opens on the model trained last (the quickest, multinomial, at first)."""
        kind = self._settings.value("train/model", "multinomial", type=str)
        dropout = self._settings.value("train/dropout", True, type=bool)
        try:
            train_tab.settings.select_model(kind, dropout=dropout)
        except ValueError:
            train_tab.settings.select_model("multinomial")

    def _remember_trained_model(self, kind: str, dropout: bool) -> None:
        self._settings.setValue("train/model", kind)
        self._settings.setValue("train/dropout", bool(dropout))

    def save_settings(self) -> None:
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("last_tab", self.tabs.currentIndex())
        self._settings.sync()

    def request_quit(self) -> bool:
        """File > Quit: ask first while a model trains; returns True if the window closed."""
        if not self._closed and self._is_training() and not self._confirm_quit():
            return False
        return self.close()

    def _is_training(self) -> bool:
        train_tab = self._built.get(2)  # a Train tab never built trains nothing
        return train_tab is not None and train_tab.is_training

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
        if (event.spontaneous() and not self._closed and self._is_training()
                and not self._confirm_quit()):
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self.save_settings()
            # Disappear at once; stopping a training batch or a TensorFlow import
            # in flight may take a moment, and nobody should watch it.
            self.hide()
            for index in sorted(self._built, reverse=True):  # training first: it holds the CPU
                self._built[index].shutdown()
            self.store.shutdown()
        event.accept()


def _page_name(title: str) -> str:
    """A tab's translated title without its mnemonic: "&Draw" -> "Draw",
    "그리기(&D)" -> "그리기"."""
    return re.sub(r"\s*\(&\w\)|&", "", translate("MainWindow", title))


def _fill_menu(menu, actions: list[QAction | None]) -> None:
    """Add a page's commands to its menu; ``None`` is a separator."""
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)
