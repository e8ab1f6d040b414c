"""The Draw tab: draw a digit and watch the three models, the preprocessing and the CNN.

Beyond the lesson it shows "Why this digit" (:class:`WhyPanel`, next to the
CNN's feature maps) and offers :class:`LabCommands` (personal set, sweep,
learned weights); both get the drawing through setters, never by reading the
tab's widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine import MODEL_KINDS
from digitlab.gui.common.actions import action_buttons, make_action
from digitlab.gui.common.i18n import model_name, translate
from digitlab.gui.common.scroll_column import scroll_column
from digitlab.gui.common.style import IMAGE_FILTER
from digitlab.gui.common.theme import error_style
from digitlab.gui.common.timing import PREDICT_THROTTLE_MS
from digitlab.gui.draw import verdict as words
from digitlab.gui.draw.draw_canvas import (
    CANVAS_SIZE,
    DEFAULT_BRUSH,
    MAX_BRUSH,
    MIN_BRUSH,
    NUMBER_WIDTH,
    DrawCanvas,
)
from digitlab.gui.draw.draw_sources import digit_image_to_ink, mnist_test_set
from digitlab.gui.draw.feature_map_grid import FeatureMapGrid
from digitlab.gui.draw.preprocess_strip import PreprocessStrip
from digitlab.gui.draw.lab_commands import LabCommands
from digitlab.gui.draw.live_reading import framed_piece, read_drawing, shown_piece
from digitlab.gui.draw.probability_chart import ProbabilityChart
from digitlab.gui.draw.why_panel import WhyPanel

if TYPE_CHECKING:
    from digitlab.engine.inference import Prediction
    from digitlab.engine.reading import Reading
    from digitlab.gui.model_store import ModelStore

#: Width of the column under the canvas: a digit's square, or a number's wide canvas.
DIGIT_COLUMN, NUMBER_COLUMN = 340, 620
#: What the charts and maps keep beside a number's canvas (what the smallest window leaves them).
RIGHT_MIN = 620


class DrawTab(QWidget):
    """Draw a digit; see each model's probabilities, the preprocessing and the CNN's maps.

    Args:
        store: the app's :class:`gui.model_store.ModelStore`; predictions use
            ``store.predictor`` and are redone when ``store.models_changed`` fires.
    """

    def __init__(self, store: ModelStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._load_error: str | None = None
        self._last_prediction: Prediction | None = None
        self._last_reading: Reading | None = None
        self._rng = np.random.default_rng()

        self.canvas = DrawCanvas()
        self.charts = {kind: ProbabilityChart(model_name(kind)) for kind in MODEL_KINDS}
        ProbabilityChart.share_title_size(list(self.charts.values()))
        self.strip = PreprocessStrip()
        self.feature_grid = FeatureMapGrid()
        self.verdict_label = QLabel()
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # "Not a digit" turned into a lesson (score and threshold), or what a number's bars show.
        self.lesson_label = QLabel()
        self.lesson_label.setWordWrap(True)
        self.lesson_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # No height-for-width: a wrapped label's would squeeze the charts (see no_width_demand);
        # three lines hold the lesson at the narrowest right column.
        policy = self.lesson_label.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        policy.setHeightForWidth(False)
        self.lesson_label.setSizePolicy(policy)
        self.lesson_label.setFixedHeight(3 * self.lesson_label.fontMetrics().lineSpacing() + 4)
        self.lesson_label.hide()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.brush_slider = QSlider(Qt.Orientation.Horizontal)
        self.brush_slider.setRange(MIN_BRUSH, MAX_BRUSH)
        self.brush_slider.setValue(DEFAULT_BRUSH)
        self.brush_slider.setToolTip(
            translate("DrawTab", "Brush width in canvas pixels (the canvas is 280 wide)"))
        self._brush_value = QLabel()
        # Why this digit, robustness sweep, learned weights, personal set (issue 6).
        self.why_panel = WhyPanel(store)
        self.lab = LabCommands(self, store)
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setDocumentMode(True)
        self.lower_tabs.addTab(self.feature_grid, translate("DrawTab", "Inside the CNN"))
        self.lower_tabs.addTab(self.why_panel, translate("DrawTab", "Why this digit"))

        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(PREDICT_THROTTLE_MS)
        self._throttle.timeout.connect(self.refresh)

        self._make_actions()
        self._lay_out()
        self.canvas.changed.connect(self._schedule_refresh)
        self.canvas.stroke_finished.connect(self.refresh)
        self.canvas.stroke_finished.connect(self._forget_clear_hint)
        self.canvas.file_dropped.connect(self.open_digit_image)
        # Explain as soon as a stroke ends (after the prediction of refresh above).
        self.canvas.stroke_finished.connect(self.why_panel.flush)
        for chart in self.charts.values():
            chart.digit_clicked.connect(self.explain_digit)
        self.lab.message.connect(self._show_message)
        self.brush_slider.valueChanged.connect(self._set_brush)
        store.models_changed.connect(self._on_models_changed)
        store.loading_failed.connect(self._on_loading_failed)
        self._set_brush(DEFAULT_BRUSH)
        self.refresh()

    # ----- construction -----------------------------------------------------------------
    def _make_actions(self) -> None:
        self.clear_action = make_action(
            self, translate("DrawTab", "Clear"), [Qt.Key.Key_Delete, "Ctrl+L"],
            translate("DrawTab", "Clear the canvas"), self.clear)
        self.undo_action = make_action(
            self, translate("DrawTab", "Undo stroke"), [QKeySequence.StandardKey.Undo],
            translate("DrawTab", "Undo the last stroke"),
            self.undo)
        self.random_action = make_action(
            self, translate("DrawTab", "Random test digit"), ["Ctrl+R"],
            translate("DrawTab", "Put a random MNIST test digit on the canvas"),
            self.show_random_test_digit)
        self.open_action = make_action(
            self, translate("DrawTab", "Open digit image…"), ["Ctrl+Shift+O"],
            translate("DrawTab", "Open an image of a digit (or drop one onto the canvas)"),
            self._choose_file)
        self.invert_action = make_action(
            self, translate("DrawTab", "Black ink on white"), ["Ctrl+I"],
            translate("DrawTab", "Draw black on white instead of MNIST's white on black"),
            self._set_dark_ink,
            checkable=True)
        self.number_action = make_action(
            self, translate("DrawTab", "Number"), ["Ctrl+N"],
            translate("DrawTab", "Widen the canvas to write a number (up to four digits)"),
            self.set_number_mode,
            checkable=True)

    def _lay_out(self) -> None:
        brush = QHBoxLayout()
        brush.addWidget(QLabel(translate("DrawTab", "Brush")))
        brush.addWidget(self.brush_slider, 1)
        brush.addWidget(self._brush_value)

        left = QVBoxLayout()
        left.addWidget(self.canvas)
        left.addLayout(brush)
        left.addWidget(action_buttons(self.actions()))
        left.addWidget(action_buttons(self.lab.actions()))
        left.addWidget(self.message_label)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        # On a short screen the controls under the canvas scroll instead of being cut.
        left_scroll = scroll_column(left_widget, DIGIT_COLUMN)
        self._left_widget, self._left_scroll = left_widget, left_scroll

        charts = QHBoxLayout()
        for kind in MODEL_KINDS:
            charts.addWidget(self.charts[kind])
        right = QVBoxLayout()
        right.addWidget(self.verdict_label)
        right.addWidget(self.lesson_label)
        right.addLayout(charts, 3)
        right.addWidget(self.strip, 2)
        right.addWidget(self.lower_tabs, 3)

        layout = QHBoxLayout(self)
        layout.addWidget(left_scroll, 0)
        layout.addLayout(right, 1)

    title = QT_TRANSLATE_NOOP("MainWindow", "&Draw")

    def menu_actions(self) -> list[QAction | None]:
        """The Draw menu: the drawing commands, then the lab commands."""
        return [*self.actions(), None, *self.lab.actions()]

    def actions(self) -> list[QAction]:
        """Clear, Undo, Random test digit, Open digit image…, Black ink on white, Number."""
        return [self.clear_action, self.undo_action, self.random_action, self.open_action,
                self.invert_action, self.number_action]

    def shutdown(self) -> None:
        """Stop the attribution worker; call when the window closes."""
        self.lab.shutdown()
        self.why_panel.shutdown()

    # ----- state ------------------------------------------------------------------------
    @property
    def last_prediction(self) -> Prediction | None:
        """The prediction now shown (None while models load or after an error)."""
        return self._last_prediction

    @property
    def last_reading(self) -> Reading | None:
        """The reading now shown: its digits (one, several, or none) with boxes and gate."""
        return self._last_reading

    @property
    def message_text(self) -> str:
        """The line under the buttons: errors and what was loaded."""
        return self.message_label.text()

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet(error_style() if error else "")
        self.message_label.setText(text)

    @Slot()
    def _forget_clear_hint(self) -> None:
        # "Undo brings the drawing back" is wrong once a new drawing has begun.
        if self.message_text == self._clear_hint():
            self._show_message("")

    @staticmethod
    def _clear_hint() -> str:
        return translate("DrawTab", "Cleared. Undo (Ctrl+Z) brings the drawing back.")

    # ----- slots ------------------------------------------------------------------------
    @Slot(int)
    def explain_digit(self, digit: int) -> None:
        """A bar was clicked: show "Why this digit" for ``digit``."""
        self.lower_tabs.setCurrentWidget(self.why_panel)
        self.why_panel.select_digit(digit)

    @Slot(int)
    def _set_brush(self, width: int) -> None:
        self.canvas.set_brush_width(width)
        self._brush_value.setText(translate("DrawTab", "{0} px").format(width))

    @Slot(bool)
    def _set_dark_ink(self, dark: bool) -> None:
        self.canvas.set_ink("dark" if dark else "bright")
        self.refresh()

    @Slot(bool)
    def set_number_mode(self, on: bool) -> None:
        """Widen the canvas to hold a number (``on``) or make it a digit's square again."""
        self.number_action.setChecked(on)
        self._fit_left_column()
        self.canvas.set_canvas_width(NUMBER_WIDTH if on else CANVAS_SIZE)
        self.refresh()

    def _fit_left_column(self) -> None:
        # A number's canvas takes what the tab can spare (the canvas scales its image):
        # on a 1024 px screen the charts would otherwise be pushed over it.
        bar = self._left_scroll.verticalScrollBar().sizeHint().width()
        column = DIGIT_COLUMN
        if self.number_action.isChecked():
            column = max(DIGIT_COLUMN, min(NUMBER_COLUMN, self.width() - RIGHT_MIN - bar))
        if self._left_widget.minimumWidth() != column:
            self._left_widget.setFixedWidth(column)
            self._left_scroll.setFixedWidth(column + bar)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_left_column()

    @Slot()
    def clear(self) -> None:
        """Empty the canvas (Undo brings the drawing back); the charts say "draw a digit"."""
        had_drawing = not self.canvas.is_blank
        self.canvas.clear()
        self.why_panel.forget_digit()
        self._show_message(self._clear_hint() if had_drawing else "")
        self.refresh()

    @Slot()
    def undo(self) -> None:
        """Remove the last stroke (or a loaded digit) and predict again."""
        self.canvas.undo()
        self.refresh()

    @Slot()
    def _schedule_refresh(self) -> None:
        self.undo_action.setEnabled(self.canvas.can_undo)
        if not self._throttle.isActive():
            self._throttle.start()

    @Slot()
    def _on_models_changed(self) -> None:
        self._load_error = None
        self.refresh()

    @Slot(str)
    def _on_loading_failed(self, message: str) -> None:
        self._load_error = message
        self._show_message(translate("DrawTab", "Models could not be loaded: {0}").format(message),
                           error=True)
        self.refresh()

    @Slot(object)
    def show_digit(self, image: np.ndarray) -> None:
        """Put a ``(28, 28) uint8`` MNIST-style digit (ink bright) on the canvas, scaled up."""
        self.canvas.set_ink_image(np.asarray(image))
        self.why_panel.forget_digit()  # a digit picked for the last drawing was for it only
        self.refresh()

    @Slot()
    def show_random_test_digit(self) -> None:
        """Put a random MNIST test digit on the canvas and say which one it is."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            x_test, y_test = mnist_test_set()
        except (OSError, ValueError) as exc:
            self._show_message(
                translate("DrawTab", "Cannot load the MNIST test set: {0}").format(exc), error=True)
            return
        finally:
            QApplication.restoreOverrideCursor()
        index = int(self._rng.integers(len(x_test)))
        self.show_digit(x_test[index])
        self._show_message(translate("DrawTab", "MNIST test digit #{0} (labelled {1})")
                           .format(index, int(y_test[index])))

    @Slot()
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, translate("DrawTab", "Open a digit image"), "",
            translate("FileDialogs", IMAGE_FILTER))
        if path:
            self.open_digit_image(path)

    @Slot(str)
    def open_digit_image(self, path: str) -> bool:
        """Load an image file of a digit onto the canvas.

        On failure the canvas is kept and the reason is shown under the buttons.

        Returns:
            True if the image was loaded.
        """
        from digitlab.engine.images import ImageLoadError, load_digit_image  # noqa: PLC0415

        try:
            ink = digit_image_to_ink(load_digit_image(path))
        except (ImageLoadError, ValueError) as exc:
            self._show_message(str(exc), error=True)
            return False
        if ink is None:
            self._show_message(
                translate("DrawTab", "{0}: no digit found (the image is blank)")
                .format(Path(path).name), error=True)
            return False
        self.canvas.set_ink_image(ink)
        self.why_panel.forget_digit()
        self._show_message(translate("DrawTab", "Loaded {0}").format(Path(path).name))
        self.refresh()
        return True

    @Slot()
    def refresh(self) -> None:
        """Read the canvas now and update the charts, boxes, strip and feature maps."""
        self._throttle.stop()
        self.undo_action.setEnabled(self.canvas.can_undo)
        array = self.canvas.to_array()
        reader = self._store.reader if self._store.is_ready else None
        if reader is None:
            self._forget_reading()
            self._show_waiting(array)
            return
        try:
            number = self.number_action.isChecked()
            reading, prediction = read_drawing(reader, array, self.canvas.ink, number,
                                               self.canvas.stroke_layers() if number else None)
        except Exception as exc:  # a broken user model must not take the tab down
            self._forget_reading()
            self._show_message(translate("DrawTab", "Prediction failed: {0}").format(exc),
                               error=True)
            return
        self._last_reading, self._last_prediction = reading, prediction
        self._follow(prediction)
        self.strip.set_result(prediction.preprocess, framed_piece(reading))
        self.feature_grid.set_feature_maps(prediction.feature_maps)
        self._show_reading(reading)

    def _forget_reading(self) -> None:
        self._last_reading = self._last_prediction = None
        self._follow(None)
        self.canvas.set_boxes([])
        self.lesson_label.hide()

    def _follow(self, prediction: Prediction | None) -> None:
        """Hand the newest prediction (None: none) to the why panel and the lab commands."""
        image28 = None if prediction is None or prediction.is_empty else (
            prediction.preprocess.image28)
        self.why_panel.set_input(image28)
        self.lab.set_prediction(prediction)
        reading = self._last_reading
        piece = (None if prediction is None or reading is None or reading.is_empty
                 else reading.digits[shown_piece(reading)])
        self.why_panel.logits.set_logits({} if piece is None else piece.logits,
                                         {} if piece is None else piece.temperatures)

    def _show_waiting(self, array: np.ndarray) -> None:
        from digitlab.engine.preprocess import preprocess_drawing  # noqa: PLC0415

        # Preprocessing needs no model, so the strip works while TensorFlow loads.
        self.strip.set_result(preprocess_drawing(array, ink=self.canvas.ink))
        self.feature_grid.clear_maps()
        text = (translate("DrawTab", "models failed to load") if self._load_error
                else translate("DrawTab", "loading models…"))
        for chart in self.charts.values():
            chart.show_message(text)
        self.verdict_label.setText(
            translate("DrawTab", "The models could not be loaded") if self._load_error
            else translate("DrawTab", "Loading the models…"))

    def _show_reading(self, reading: Reading) -> None:
        """Bars (dimmed when not a digit), verdict, lesson line and digit boxes."""
        if reading.is_empty:
            for chart in self.charts.values():
                chart.show_message(translate("DrawTab", "draw a digit"))
            self.verdict_label.setText(
                translate("DrawTab", "Draw a number on the canvas")
                if self.number_action.isChecked()
                else translate("DrawTab", "Draw a digit on the canvas"))
            self.canvas.set_boxes([])
            self.lesson_label.hide()
            return
        piece = reading.digits[shown_piece(reading)]
        votes = list(piece.digits.values())
        majority = max(set(votes), key=votes.count)
        unanimous = len(set(votes)) <= 1
        for kind, chart in self.charts.items():
            if kind in piece.probabilities:
                chart.set_probabilities(
                    piece.probabilities[kind], dimmed=not piece.is_digit,
                    disagrees=not unanimous and piece.digits[kind] != majority)
            else:
                chart.show_message(translate("DrawTab", "no model"))
        self.verdict_label.setText(words.verdict(reading, self.number_action.isChecked()))
        line = words.lesson(reading)
        self.lesson_label.setText(line)
        self.lesson_label.setVisible(bool(line))
        several = len(reading.digits) > 1 or self.number_action.isChecked()
        self.canvas.set_boxes([(d.box, words.box_caption(d), d.is_digit)
                               for d in reading.digits] if several else [])
