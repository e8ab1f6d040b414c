"""Qt translation for the GUI, re-translated at once when the language changes.

Every user-visible string goes through :func:`translate`, which ``pyside6-lupdate``
finds by name like ``QCoreApplication.translate``; the context is the class (or
module) the text belongs to::

    clear = QPushButton(translate("DrawTab", "Clear"))
    label.setText(translate("TrainTab", "Epoch {0} of {1}").format(epoch, epochs))

The result is a ``str`` that remembers where it came from: its text and, after
``format``, the arguments are recorded under the text produced. When the language
changes, :func:`retranslate` walks the widget tree (labels, buttons, group boxes,
tabs, combo items, menus, actions, tooltips, window titles, placeholders, spin box
affixes, table headers, pyqtgraph titles and axes), looks each text up in that
record and sets it again in the new language, arguments included (arguments that
are themselves translated texts are translated again). So a widget needs no
``changeEvent`` of its own; one that paints text itself calls :func:`translate` in
``paintEvent`` and is repainted, and one with a ``retranslate()`` method has it
called. Text not made by :func:`translate` stays as it is, which is how the tests
find strings that were not wrapped.
"""

from __future__ import annotations

import html
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)

from digitlab.engine import MODEL_NAMES

#: Formatted texts remembered (oldest forgotten first): a training run formats a few
#: texts per second, and only the ones still on screen matter.
FORMATTED_MEMORY = 20_000
#: Nested formats followed when translating again (guards a text that is its own argument).
MAX_DEPTH = 4

#: ``digitlab.engine.MODEL_NAMES`` (the display names of the lesson's three models),
#: marked here so that lupdate offers them for translation.
_MODEL_NAME_SOURCES = (QT_TRANSLATE_NOOP("Models", "Multinomial"),
                       QT_TRANSLATE_NOOP("Models", "DNN"), QT_TRANSLATE_NOOP("Models", "CNN"))

#: Texts pyqtgraph shows through ``QCoreApplication.translate`` (its plots' context menu):
#: marked for lupdate, and remembered below so that a language switch reaches them too.
_PYQTGRAPH_TEXTS = (("GraphicsScene", QT_TRANSLATE_NOOP("GraphicsScene", "Export...")),)

_Origin = tuple  # (context, source, disambiguation, n, args, kwargs)
_plain: dict[str, _Origin] = {}
_formatted: OrderedDict[str, _Origin] = OrderedDict()


class Translated(str):
    """A translated text that remembers its context and source; ``format`` records its arguments."""

    origin: _Origin

    def format(self, *args: Any, **kwargs: Any) -> str:  # noqa: A003 - str's own name
        text = str.format(self, *args, **kwargs)
        context, source, disambiguation, n, done_args, done_kwargs = self.origin
        if done_args or done_kwargs:  # formatting a formatted text: nothing to remember
            return text
        # Translated arguments keep their own origin: two sources may share a translation
        # (다항 로지스틱 회귀: "Multinomial", "multinomial"), and each must come back as itself.
        origin = (context, source, disambiguation, n,
                  tuple(_Arg(a.origin) if isinstance(a, Translated) else a for a in args),
                  {k: _Arg(v.origin) if isinstance(v, Translated) else v
                   for k, v in kwargs.items()})
        _formatted[text] = origin
        _formatted.move_to_end(text)
        while len(_formatted) > FORMATTED_MEMORY:
            _formatted.popitem(last=False)
        result = Translated(text)
        result.origin = origin
        return result


class _Arg:
    """A translated argument of a format, by its origin."""

    __slots__ = ("origin",)

    def __init__(self, origin: _Origin):
        self.origin = origin


def translate(context: str, source: str, disambiguation: str | None = None,
              n: int = -1) -> Translated:
    """Translate ``source`` in ``context`` into the installed language, remembering the origin.

    Args:
        context: the class (or module) the text belongs to, as in the ``.ts`` file.
        source: the English text; ``{0}`` placeholders are filled by ``.format``.
        disambiguation: tells apart two identical sources with different meanings.
        n: for ``%n`` plural forms; -1 when there is none.

    Returns:
        The translated text (the source itself when no translation is installed).
    """
    text = Translated(QCoreApplication.translate(context, source, disambiguation, n))
    text.origin = (context, source, disambiguation, n, (), {})
    _plain.setdefault(str(text), text.origin)
    return text


def model_name(kind: str) -> Translated:
    """The display name of a model kind (``"cnn"`` -> ``"CNN"``) in the installed language."""
    return translate("Models", MODEL_NAMES[kind])


def _origin_of(text: str) -> _Origin | None:
    return _plain.get(text) or _formatted.get(text)


def _render(origin: _Origin, depth: int = 0) -> str:
    """The text of ``origin`` in the language installed now (arguments translated again)."""
    context, source, disambiguation, n, args, kwargs = origin
    again = translate(context, source, disambiguation, n)
    if not args and not kwargs:
        return again  # still a Translated: used as an argument, it keeps its origin

    def redo(value: Any) -> Any:
        if isinstance(value, _Arg):
            return _render(value.origin, depth + 1) if depth < MAX_DEPTH else value.origin[1]
        if isinstance(value, str) and depth < MAX_DEPTH:
            origin = _origin_of(value)
            return value if origin is None else _render(origin, depth + 1)
        return value

    return again.format(*(redo(a) for a in args), **{k: redo(v) for k, v in kwargs.items()})


def translated_again(text: str) -> str | None:
    """``text`` in the language installed now, or None if :func:`translate` did not make it."""
    origin = _origin_of(text)
    return None if origin is None else _render(origin)


def current(text: str) -> str:
    """``text`` in the language installed now: for translated texts kept for later use."""
    again = translated_again(text)
    return text if again is None else again


#: (id of the object, property) -> (the text a pass set there, its origin). Several sources
#: may share one translation (에포크: "Epoch", "Epochs", "epoch"); what a pass set goes
#: back to its own source. A text set since then by the program is looked up afresh.
_set_by_pass: dict[tuple, tuple[str, _Origin]] = {}


def _swap(getter: Callable[[], str], setter: Callable[[str], object],
          key: tuple | None = None) -> None:
    text = getter()
    if not text:
        return
    if key is None:  # a bound Qt setter: its object and name say where the text lives
        key = (id(setter.__self__), setter.__name__)
    record = _set_by_pass.get(key)
    origin = record[1] if record is not None and record[0] == text else _origin_of(text)
    if origin is None:
        return
    new = _render(origin)
    if new != text:
        setter(new)
    _set_by_pass[key] = (new, origin)


def _widget_texts(w: QWidget) -> None:
    _swap(w.windowTitle, w.setWindowTitle)
    _swap(w.toolTip, w.setToolTip)
    _swap(w.statusTip, w.setStatusTip)
    _swap(w.whatsThis, w.setWhatsThis)
    _swap(w.accessibleName, w.setAccessibleName)
    _swap(w.accessibleDescription, w.setAccessibleDescription)
    if isinstance(w, (QLabel, QAbstractButton)):
        _swap(w.text, w.setText)
    if isinstance(w, QGroupBox):
        _swap(w.title, w.setTitle)
    if isinstance(w, QMenu):
        _swap(w.title, w.setTitle)
    if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
        _swap(w.placeholderText, w.setPlaceholderText)
    if isinstance(w, (QSpinBox, QDoubleSpinBox)):
        _swap(w.prefix, w.setPrefix)
        _swap(w.suffix, w.setSuffix)
    if isinstance(w, QAbstractSpinBox):
        _swap(w.specialValueText, w.setSpecialValueText)
    if isinstance(w, QProgressBar):
        _swap(w.format, w.setFormat)
    if isinstance(w, QTabBar):
        # Qt names its scroll arrows once, at creation; its own catalogue translates them.
        for button, name in (("ScrollLeftButton", "Scroll Left"),
                             ("ScrollRightButton", "Scroll Right")):
            arrow = w.findChild(QWidget, button)
            if arrow is not None:
                arrow.setAccessibleName(QCoreApplication.translate("QTabBar", name))
        for i in range(w.count()):
            _swap(lambda i=i: w.tabText(i), lambda t, i=i: w.setTabText(i, t), (id(w), "tab", i))
            _swap(lambda i=i: w.tabToolTip(i), lambda t, i=i: w.setTabToolTip(i, t),
                  (id(w), "tabTip", i))
    if isinstance(w, QComboBox):
        tip = Qt.ItemDataRole.ToolTipRole
        for i in range(w.count()):
            _swap(lambda i=i: w.itemText(i), lambda t, i=i: w.setItemText(i, t),
                  (id(w), "item", i))
            _swap(lambda i=i: w.itemData(i, tip) or "",
                  lambda t, i=i: w.setItemData(i, t, tip), (id(w), "itemTip", i))
    if isinstance(w, QTableWidget):
        items = [w.horizontalHeaderItem(c) for c in range(w.columnCount())]
        items += [w.verticalHeaderItem(r) for r in range(w.rowCount())]
        items += [w.item(r, c) for r in range(w.rowCount()) for c in range(w.columnCount())]
        _items(items)
    if isinstance(w, QListWidget):
        _items(w.item(i) for i in range(w.count()))
    if isinstance(w, QTreeWidget):
        header = w.headerItem()
        for c in range(header.columnCount()):
            _swap(lambda c=c: header.text(c), lambda t, c=c: header.setText(c, t),
                  (id(w), "header", c))
    if isinstance(w, QMainWindow) and w.statusBar().currentMessage():
        bar = w.statusBar()
        _swap(bar.currentMessage, lambda t: bar.showMessage(t, 10_000), (id(bar), "message"))
    if isinstance(w, QGraphicsView) and w.scene() is not None:
        _graphics_texts(w.scene().items())


def _items(items: Iterable[Any]) -> None:
    for item in items:
        if item is not None:
            _swap(item.text, item.setText)
            _swap(item.toolTip, item.setToolTip)


def _action_texts(a: QAction) -> None:
    _swap(a.text, a.setText)
    _swap(a.toolTip, a.setToolTip)
    _swap(a.statusTip, a.setStatusTip)
    _swap(a.whatsThis, a.setWhatsThis)


def _graphics_texts(items: Iterable[Any]) -> None:
    """Titles, axis labels and text items of pyqtgraph plots (only if pyqtgraph is loaded)."""
    pg = sys.modules.get("pyqtgraph")
    if pg is None:
        return
    for item in items:
        if isinstance(item, pg.LabelItem):
            _label_item_text(item)
        elif isinstance(item, pg.AxisItem):
            _swap(lambda item=item: item.labelText or "",
                  lambda t, item=item: item.setLabel(
                      t, item.labelUnits or None, item.labelUnitPrefix or None,
                      **(getattr(item, "labelStyle", None) or {})), (id(item), "axis"))
        elif isinstance(item, pg.TextItem):
            _swap(item.toPlainText, item.setText)


def _label_item_text(item: Any) -> None:
    """A pyqtgraph LabelItem, whose text may have been set HTML-escaped (plot titles)."""
    text = item.text or ""
    if html.unescape(text) == text:
        _swap(lambda: text, item.setText, (id(item), "label"))
    else:
        _swap(lambda: html.unescape(text), lambda new: item.setText(html.escape(new)),
              (id(item), "label"))


def retranslate(roots: Iterable[QWidget] | None = None) -> None:
    """Set every remembered text under ``roots`` (all windows by default) in the installed language.

    Calls ``retranslate()`` on objects that have one and repaints every widget.
    """
    app = QApplication.instance()
    if app is None:
        return
    roots = list(app.topLevelWidgets() if roots is None else roots)
    seen: set[int] = set()
    for root in roots:
        for obj in (root, *root.findChildren(QObject)):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, QWidget):
                _widget_texts(obj)
                obj.update()
            elif isinstance(obj, QAction):
                _action_texts(obj)
            hook = getattr(obj, "retranslate", None)
            if callable(hook):
                hook()


for _context, _source in _PYQTGRAPH_TEXTS:
    _plain.setdefault(_source, (_context, _source, None, -1, (), {}))
