"""The GUI's language: English or Korean, from the system locale or the View > Language menu.

The choice is installed as a ``QTranslator`` (ours from ``resources/i18n`` and Qt's
own for standard buttons and dialogs), applied at once to every open window by
:func:`digitlab.gui.common.i18n.retranslate`, and kept in ``QSettings`` under
``language``. The bundled Korean font (``resources/fonts``) is added to the
application font's families, so Hangul renders where no Korean font is installed.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, QTranslator, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from digitlab import resources
from digitlab.gui.common.i18n import retranslate, translate

#: (code, name in its own language): names are never translated, so a learner who
#: switched by mistake can find their way back.
LANGUAGES = (("en", "English"), ("ko", "한국어"))
SETTINGS_KEY = "language"
CATALOGUE = "digitlab"
#: Qt's own catalogue, for QMessageBox / QFileDialog / QDialogButtonBox texts.
QT_CATALOGUE = "qtbase"
FONT_FILES = ("DigitLabHangul-Regular.ttf", "DigitLabHangul-Bold.ttf")


def system_language() -> str:
    """``"ko"`` when the system locale is Korean, else ``"en"``."""
    return "ko" if QLocale.system().language() == QLocale.Language.Korean else "en"


def catalogue_path(code: str):
    """The compiled catalogue of ``code``, e.g. ``resources/i18n/digitlab_ko.qm``."""
    return resources.path("i18n", f"{CATALOGUE}_{code}.qm")


def install_fonts() -> list[str]:
    """Register the bundled Korean font and append it to the application font's families.

    Returns:
        The families registered (empty if the font files are missing or unreadable).
    """
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resources.path("fonts", name)))
        if font_id >= 0:
            families += [f for f in QFontDatabase.applicationFontFamilies(font_id)
                         if f not in families]
    app = QApplication.instance()
    if families and app is not None:
        font = QFont(app.font())
        # Qt tries the families in order per glyph, so Latin keeps the system font: named
        # as resolved ("DejaVu Sans"), since an alias such as "Sans Serif" would be skipped.
        system = [QFontInfo(font).family(), *font.families()]
        font.setFamilies([*dict.fromkeys(f for f in system if f not in families), *families])
        app.setFont(font)
    return families


class Language(QObject):
    """Installs the chosen language's translators and re-translates every window.

    Args:
        settings: where the choice is remembered.
        parent: owner; the translators live as long as the application either way.

    Signals:
        changed(str): the language code just installed.
    """

    changed = Signal(str)
    _translators: list[QTranslator] = []  # one set for the whole application
    _code = "en"

    def __init__(self, settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self._settings = settings
        self.actions: dict[str, QAction] = {}

    @property
    def code(self) -> str:
        """The language installed now (``"en"`` or ``"ko"``)."""
        return Language._code

    def preferred(self) -> str:
        """The remembered choice, else the system's language."""
        code = self._settings.value(SETTINGS_KEY, "", type=str)
        return code if code in dict(LANGUAGES) else system_language()

    def apply(self, code: str, remember: bool = True) -> None:
        """Install ``code``'s translators (none for English) and re-translate every window.

        Raises:
            ValueError: for a code that is not one of :data:`LANGUAGES`.
        """
        if code not in dict(LANGUAGES):
            raise ValueError(f"Received language={code!r}; expected one of "
                             f"{[c for c, _ in LANGUAGES]}.")
        if remember:
            self._settings.setValue(SETTINGS_KEY, code)
        for action_code, action in self.actions.items():
            action.setChecked(action_code == code)
        if code == Language._code:
            return
        app = QApplication.instance()
        if app is None:
            raise RuntimeError("Language.apply needs a running QApplication.")
        for translator in Language._translators:
            app.removeTranslator(translator)
        Language._translators = []
        if code != "en":
            ours = QTranslator(app)
            if ours.load(str(catalogue_path(code))):
                Language._translators.append(ours)
            qt = QTranslator(app)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt.load(f"{QT_CATALOGUE}_{code}", qt_dir):
                Language._translators.append(qt)
            for translator in Language._translators:
                app.installTranslator(translator)
        Language._code = code
        retranslate()
        self.changed.emit(code)

    def menu(self, parent: QWidget) -> QMenu:
        """View > Language: one checkable entry per language, switching at once."""
        menu = QMenu(translate("Language", "&Language"), parent)
        group = QActionGroup(menu)
        group.setExclusive(True)
        for code, name in LANGUAGES:
            action = QAction(name, menu)
            action.setCheckable(True)
            action.setChecked(code == Language._code)
            action.setObjectName(f"language_{code}")
            action.setData(code)
            group.addAction(action)
            menu.addAction(action)
            self.actions[code] = action
        group.triggered.connect(self._chosen)
        return menu

    def _chosen(self, action: QAction) -> None:
        self.apply(action.data())

