"""Copy as code: show a generated TensorFlow/Keras script, read-only, with a Copy button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.gui.common.i18n import translate


class CodeDialog(QDialog):
    """A script in a monospace, read-only editor; Copy puts it on the clipboard.

    Args:
        title: the window title, e.g. ``"The Filters tab as TensorFlow code"``.
        code: the Python source to show.
        copy_now: copy it to the clipboard at once (the tabs' "Copy as code" buttons
            promise a copy; the dialog shows what was copied).
    """

    def __init__(self, title: str, code: str, copy_now: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.status_label = QLabel("")
        self.copy_button = QPushButton(translate("CodeDialog", "Copy"))
        self.copy_button.setToolTip(
            translate("CodeDialog", "Put the whole script on the clipboard"))
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton(translate("CodeDialog", "Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)
        self.resize(820, 600)
        self.set_code(code)
        if copy_now:
            self.copy()

    @property
    def code(self) -> str:
        return self.editor.toPlainText()

    def set_code(self, code: str) -> None:
        """Show ``code`` (replacing what was there)."""
        self.editor.setPlainText(code)
        lines = code.count("\n") + (0 if code.endswith("\n") else 1)
        self.status_label.setText(translate("CodeDialog", "{0} lines of Python").format(lines))

    @Slot()
    def copy(self) -> None:
        """Put the script on the system clipboard."""
        QGuiApplication.clipboard().setText(self.code)
        self.status_label.setText(translate(
            "CodeDialog", "Copied to the clipboard: paste it into a notebook or a .py file and "
                          "run it."))


def show_code(parent: QWidget, title: str, code: str) -> CodeDialog:
    """Open a non-modal :class:`CodeDialog` over ``parent`` (copied already) and return it."""
    dialog = CodeDialog(title, code, copy_now=True, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setModal(False)
    dialog.show()
    dialog.raise_()
    return dialog


def show_training_code(parent: QWidget, config: Callable[[], object]) -> CodeDialog:
    """Show (and copy) the Keras script for the Train tab's settings.

    Args:
        parent: the Train tab.
        config: returns the ``engine.training.TrainConfig`` on screen; a ``ValueError``
            (an invalid knob) is shown in the dialog instead of code, and nothing is copied.
    """
    from digitlab.engine.codegen import training_code  # noqa: PLC0415 - imports Keras

    try:
        code = training_code(config())
    except ValueError as exc:
        dialog = CodeDialog(translate("CodeDialog", "Training as Keras code"),
                            f"# Cannot write the code: {exc}\n",
                            copy_now=False, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
    return show_code(parent, translate("CodeDialog", "Training as Keras code"), code)
