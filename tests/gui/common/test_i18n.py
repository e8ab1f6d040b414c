"""Korean: a complete .ts, the shipped .qm, a live language switch, a remembered choice, a font.

The switch test walks every text a user can see in the main window with every tab
and the non-modal dialogs open (labels, buttons, group boxes, tabs, combo items,
menus, actions, tooltips, window titles, placeholders, spin box affixes, table
headers, pyqtgraph titles and axes) and fails on any English word left in Korean
mode, except code, file names, numbers, units and the names below.
"""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtGui import QAction, QFont, QFontDatabase, QFontInfo, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QTabBar,
    QTableWidget,
    QWidget,
)

from digitlab.gui.common import i18n_tools
from digitlab.gui.common.language import Language, install_fonts, system_language
from digitlab.gui.main_window import MainWindow
from digitlab.gui.model_store import ModelStore

KO_TS = i18n_tools.ts_path("ko")
#: English that may stay in Korean mode: product and library names, Keras layer and
#: optimizer names, key names, the language menu's own "English".
ALLOWED = {"Digit", "Lab", "English", "Keras", "TensorFlow", "Adam", "Grad", "ReLU", "Dense",
           "NaN", "Del", "ksize", "px"}
#: Code spans: calls such as ``tf.nn.conv2d(input, kernel, ...)`` and indexing ``image[:, :, 0]``.
_CODE_SPAN = re.compile(r"[\w.]+\([^)]*\)|\w+\[[^\]]*\]")
#: Characters that make a token code, a file name, a formula or a shortcut, not prose.
_CODE = re.compile(r"[._=()\[\]{}/\\+#<>|*%@0-9]")


def english_words(text: str) -> list[str]:
    """The English prose words in ``text`` (HTML tags and code-like tokens ignored)."""
    words = []
    plain = _CODE_SPAN.sub(" ", re.sub(r"<[^>]*>", " ", html.unescape(text)))
    for token in plain.split():
        token = token.strip("\"'“”«»").rstrip(",;:!?…").lstrip("(").rstrip(")").rstrip(",;:.!?")
        if not token or _CODE.search(token):
            continue
        words += [w for w in re.findall(r"[A-Za-z]{2,}", token)
                  if w not in ALLOWED and not w.isupper()]
    return words


def _add(found: list, where: str, text) -> None:
    if text:
        found.append((where, str(text)))


def shown_texts(roots: list[QWidget]) -> list[tuple[str, str]]:
    """Every user-visible text under ``roots``: (where, text)."""
    found: list[tuple[str, str]] = []
    for root in roots:
        widgets = [root, *root.findChildren(QWidget)]
        for w in widgets:
            name = f"{type(w).__name__}({w.objectName()})"
            if w.isWindow():
                _add(found, f"{name}.windowTitle", w.windowTitle())
            _add(found, f"{name}.toolTip", w.toolTip())
            _add(found, f"{name}.accessibleName", w.accessibleName())
            if isinstance(w, (QLabel, QAbstractButton)):
                _add(found, f"{name}.text", w.text())
            if isinstance(w, QGroupBox):
                _add(found, f"{name}.title", w.title())
            if isinstance(w, QMenu):
                _add(found, f"{name}.title", w.title())
            if isinstance(w, (QLineEdit, QPlainTextEdit)):
                _add(found, f"{name}.placeholder", w.placeholderText())
            if isinstance(w, (QSpinBox, QDoubleSpinBox)):
                for part in (w.prefix(), w.suffix(), w.specialValueText()):
                    _add(found, f"{name}.affix", part)
            if isinstance(w, QProgressBar):
                _add(found, f"{name}.format", w.format())
            if isinstance(w, QTabBar):
                for i in range(w.count()):
                    _add(found, f"{name}.tab", w.tabText(i))
                    _add(found, f"{name}.tabToolTip", w.tabToolTip(i))
            if isinstance(w, QComboBox):
                for i in range(w.count()):
                    _add(found, f"{name}.item", w.itemText(i))
            if isinstance(w, QTableWidget):
                for c in range(w.columnCount()):
                    item = w.horizontalHeaderItem(c)
                    _add(found, f"{name}.header", item.text() if item else "")
                for r in range(w.rowCount()):
                    item = w.verticalHeaderItem(r)
                    _add(found, f"{name}.header", item.text() if item else "")
            if isinstance(w, QListWidget):
                for i in range(w.count()):
                    _add(found, f"{name}.item", w.item(i).text())
                    _add(found, f"{name}.itemToolTip", w.item(i).toolTip())
            if isinstance(w, QGraphicsView) and w.scene() is not None:
                for item in w.scene().items():
                    if isinstance(item, pg.LabelItem):
                        _add(found, f"{name}.plotLabel", item.text)
                    elif isinstance(item, pg.AxisItem):
                        _add(found, f"{name}.axisLabel", item.labelText)
                    elif isinstance(item, pg.TextItem):
                        _add(found, f"{name}.textItem", item.toPlainText())
        for action in root.findChildren(QAction):
            name = f"QAction({action.text()})"
            for text in (action.text(), action.toolTip(), action.statusTip()):
                _add(found, name, text)
    return found


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "digitlab.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ready_store(tiny_models):
    from digitlab.engine.inference import Predictor

    return ModelStore.from_predictor(Predictor.from_keras(tiny_models), models=tiny_models)


@pytest.fixture(autouse=True)
def _english_afterwards(tmp_path):
    """The translators are application-wide: leave the next test in English."""
    yield
    Language(QSettings(str(tmp_path / "reset.ini"), QSettings.Format.IniFormat)).apply(
        "en", remember=False)


@pytest.fixture
def window(qtbot, ready_store, settings):
    made = MainWindow(ready_store, settings=settings)
    qtbot.addWidget(made)
    yield made
    made.close()


def _open_everything(qtbot, monkeypatch, window) -> list[QWidget]:
    """Show every tab and every dialog its menus open; return the windows to walk."""
    for name in ("getOpenFileName", "getSaveFileName"):  # modal: answer "cancelled"
        monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *args, **kwargs: ("", "")))
    window.show()
    qtbot.waitExposed(window)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
    window.tabs.setCurrentIndex(0)
    window.draw_tab.show_digit(_seven())
    qtbot.wait(100)
    for page in window.pages:
        for action in page.menu_actions():
            if action is not None and action.text().endswith("…"):
                action.trigger()
    qtbot.wait(300)
    return [window, *(w for w in QApplication.topLevelWidgets()
                      if w.isVisible() and w is not window)]


def _seven():
    import numpy as np

    image = np.zeros((28, 28), np.uint8)
    image[6:8, 8:21] = 255
    for row in range(8, 23):
        col = 20 - (row - 8) // 2
        image[row, col - 1:col + 1] = 255
    return image


def test_the_ts_file_has_every_wrapped_string_translated_and_nothing_stale(tmp_path):
    fresh = tmp_path / "fresh.ts"
    shutil.copy(KO_TS, fresh)
    i18n_tools.update(fresh)
    shipped, current = i18n_tools.messages(KO_TS), i18n_tools.messages(fresh)
    missing, vanished = set(current) - set(shipped), set(shipped) - set(current)
    assert not missing and not vanished, (
        f"{KO_TS.name} is out of date (run python -m digitlab.gui.common.i18n_tools update): "
        f"missing {sorted(missing)[:10]}, vanished {sorted(vanished)[:10]}")
    unfinished = [key for key, message in shipped.items()
                  if message.find("translation").get("type")
                  or not (message.findtext("translation") or "").strip()]
    assert not unfinished, f"unfinished translations: {unfinished[:10]}"


def test_translations_keep_every_placeholder():
    for (context, source), message in i18n_tools.messages(KO_TS).items():
        translation = message.findtext("translation") or ""
        for pattern in (r"\{[^}]*\}", r"%[pn]", r"&\w"):
            want = Counter(re.findall(pattern, source))
            if pattern == r"&\w":  # a mnemonic may move (그리기(&D)); it must stay one
                assert len(want) == len(Counter(re.findall(pattern, translation))), source
                continue
            assert Counter(re.findall(pattern, translation)) == want, (context, source)


def test_one_english_text_has_one_korean_text_in_every_context():
    # The live switch finds a widget's text by what it says; two translations of one
    # English text would leave a widget in the other one's words.
    seen: dict[str, set[str]] = {}
    for (_, source), message in i18n_tools.messages(KO_TS).items():
        seen.setdefault(source, set()).add(message.findtext("translation"))
    assert not {source: texts for source, texts in seen.items() if len(texts) > 1}


def test_the_shipped_qm_is_compiled_from_the_ts(tmp_path):
    qm = tmp_path / "digitlab_ko.qm"
    i18n_tools.release(KO_TS, qm)
    assert qm.read_bytes() == i18n_tools.qm_path("ko").read_bytes(), (
        "run python -m digitlab.gui.common.i18n_tools release")


def test_korean_translates_every_visible_text_and_english_comes_back(qtbot, monkeypatch, window,
                                                                     settings):
    roots = _open_everything(qtbot, monkeypatch, window)
    english = Counter(text for _, text in shown_texts(roots))
    assert any(english_words(text) for text in english), "the walk saw no English at all"

    window.language.actions["ko"].trigger()
    qtbot.wait(100)  # Qt's own widgets (dialog buttons) follow the posted LanguageChange
    korean = shown_texts(roots)
    left = [(where, text, english_words(text)) for where, text in korean if english_words(text)]
    assert not left, f"{len(left)} texts still English in Korean mode: {left[:15]}"
    assert window.tabs.tabText(0) == "그리기(&D)"
    assert settings.value("language") == "ko"

    window.language.actions["en"].trigger()
    qtbot.wait(100)
    back = Counter(text for _, text in shown_texts(roots))
    assert back == english, (
        f"not restored: {sorted((back - english).elements())[:10]} instead of "
        f"{sorted((english - back).elements())[:10]}")


def test_the_choice_is_remembered_and_the_next_window_starts_in_it(qtbot, ready_store, settings):
    first = MainWindow(ready_store, settings=settings)
    qtbot.addWidget(first)
    first.language.actions["ko"].trigger()
    first.close()
    Language(settings).apply("en", remember=False)  # as if the app had restarted

    second = MainWindow(ready_store, settings=settings)
    qtbot.addWidget(second)
    assert second.tabs.tabText(2) == "학습(&T)"
    assert second.language.actions["ko"].isChecked()
    second.close()


def test_without_a_choice_the_language_follows_the_system_locale(monkeypatch, settings):
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.Korean)))
    assert system_language() == "ko"
    assert Language(settings).preferred() == "ko"
    settings.setValue("language", "en")
    assert Language(settings).preferred() == "en"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.German)))
    settings.remove("language")
    assert Language(settings).preferred() == "en"


def test_the_bundled_font_renders_every_korean_text(qapp):
    families = install_fonts()
    assert families == ["DigitLab Hangul"]
    assert "DigitLab Hangul" in QFontDatabase.families(QFontDatabase.WritingSystem.Korean)
    assert "DigitLab Hangul" in QApplication.font().families()
    # Latin keeps the system's font: the bundled one only fills in Hangul.
    assert QFontInfo(QApplication.font()).family() != "DigitLab Hangul"
    metrics = QFontMetrics(QFont("DigitLab Hangul"))
    hangul = {ch for ch in i18n_tools.translated_text(KO_TS) if "\uac00" <= ch <= "\ud7a3"}
    assert len(hangul) > 300
    assert not [ch for ch in sorted(hangul) if not metrics.inFontUcs4(ord(ch))]


def test_english_words_finds_prose_but_not_code_names_or_numbers():
    assert english_words("Clear the canvas (Del, Ctrl+L)") == ["Clear", "the", "canvas"]
    assert english_words("지우기 (Del, Ctrl+L)") == []
    assert english_words("tf.nn.conv2d → (1, 425, 638, 1) rocket.jpg 20 px") == []
    assert english_words("합성곱 신경망: 3 (98.7%) <b>MNIST</b> Digit Lab을") == []
    assert english_words("수업: image[:, :, 0] (빨강), tf.nn.conv2d(input, kernel, strides=1) "
                         ".bak 파일") == []
