"""Why this digit: each model's attribution map over its 28x28 input, side by side.

The input is drawn in grey and each pixel's attribution on top of it: red where
the ink there pushed the model's score for the digit up, blue where it pushed it
down (the alpha follows the size of the value). Multinomial: the exact
weight x input contributions; DNN and CNN: integrated gradients (or Grad-CAM for
the CNN). By default each model explains its own answer; a digit button (or a
click on a bar of a probability chart) makes all three explain that digit.

Attributions call TensorFlow, so they run in an :class:`ExplainWorker`, only
once the drawing has been still for :data:`~gui.common.timing.EXPLAIN_IDLE_MS`
(or a stroke ended, see :meth:`WhyPanel.flush`), and only while the panel is
visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QPointF,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.engine import MODEL_KINDS
from digitlab.engine.mosaics import overlay_rgb
from digitlab.gui.common import theme
from digitlab.gui.common.i18n import current, model_name, translate
from digitlab.gui.common.style import no_width_demand
from digitlab.gui.common.timing import EXPLAIN_IDLE_MS
from digitlab.gui.draw.explain_worker import ExplainRequest, ExplainWorker, ModelFailure
from digitlab.gui.draw.logits_table import LogitsTable

if TYPE_CHECKING:
    from digitlab.engine.explain import Attribution
    from digitlab.gui.model_store import ModelStore

_AUTO_ID = 10  # the "its answer" button's id in the button group
#: The CNN's explanation methods: menu text -> ``engine.explain`` method.
CNN_METHODS = {QT_TRANSLATE_NOOP("WhyPanel", "Integrated gradients"): "integrated gradients",
               QT_TRANSLATE_NOOP("WhyPanel", "Grad-CAM (last conv layer)"): "grad-cam"}
_LEGEND = QT_TRANSLATE_NOOP(
    "WhyPanel", "<span style='color:#ff3c28'>■</span> ink here raised the score for the digit · "
                "<span style='color:#288cff'>■</span> lowered it · grey: the input · "
                "each map scaled to its own largest value")


class WhyPanel(QWidget):
    """Three attribution overlays (multinomial, DNN, CNN) for the current drawing.

    Args:
        store: the app's model store; its Keras ``models`` are explained and a
            ``models_changed`` redoes the maps.

    Signals:
        attributions_shown(): every map of the latest request is on screen.
    """

    attributions_shown = Signal()

    def __init__(self, store: ModelStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._image28: np.ndarray | None = None
        self._digit: int | None = None
        self._attributions: dict[str, Attribution] = {}
        self._request: ExplainRequest | None = None  # the latest asked for
        self._dirty = False
        self._status = ""

        self.worker = ExplainWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.result.connect(self._on_request_done)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(EXPLAIN_IDLE_MS)
        self._idle.timeout.connect(self.flush)

        self.digit_buttons: dict[int | None, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(translate("WhyPanel", "Explain")))
        for digit in (None, *range(10)):
            button = QToolButton()
            button.setText(translate("WhyPanel", "its answer") if digit is None else str(digit))
            button.setCheckable(True)
            button.setToolTip(
                translate("WhyPanel", "Each model explains the digit it predicts") if digit is None
                else translate("WhyPanel", "All three models explain the digit {0}").format(digit))
            self._group.addButton(button, _AUTO_ID if digit is None else digit)
            self.digit_buttons[digit] = button
            row.addWidget(button)
        self.digit_buttons[None].setChecked(True)
        # Bound methods, never lambdas over self: a lambda would make a reference cycle
        # that Python's GC may break on a worker thread, deleting Qt objects there.
        self._group.idClicked.connect(self._on_digit_clicked)
        row.addStretch(1)
        # The CNN's method on a row of its own: beside the eleven digit buttons it would
        # set the Draw tab's minimum width beyond a small screen's.
        method_row = QHBoxLayout()
        method_row.addWidget(QLabel(translate("WhyPanel", "CNN:")))
        self.cnn_method_combo = QComboBox()
        for text, method in CNN_METHODS.items():
            self.cnn_method_combo.addItem(translate("WhyPanel", text), method)
        self.cnn_method_combo.currentIndexChanged.connect(self._on_method_changed)
        method_row.addWidget(self.cnn_method_combo)
        method_row.addStretch(1)
        # The raw logits behind the (calibrated) bars, for the current drawing: shown on
        # demand, so that they never take the maps' height on a short screen.
        self.logits = LogitsTable()
        self.logits_area = QScrollArea()
        self.logits_area.setWidget(self.logits)
        self.logits_area.setWidgetResizable(True)
        self.logits_area.setFrameShape(QFrame.Shape.NoFrame)
        self.logits_area.setMinimumHeight(24)
        self.logits_area.hide()
        self.logits_button = QToolButton()
        self.logits_button.setText(translate("WhyPanel", "Raw logits"))
        self.logits_button.setToolTip(translate(
            "WhyPanel", "Show each model's raw logits: the bars are their calibrated softmax"))
        self.logits_button.setCheckable(True)
        self.logits_button.toggled.connect(self.logits_area.setVisible)
        method_row.addWidget(self.logits_button)

        # One small view per model in a grid with equal columns, so a long caption
        # never shrinks a neighbour's map.
        maps = QGridLayout()
        self._titles: dict[str, QLabel] = {}
        self._canvases: dict[str, QWidget] = {}
        self._details: dict[str, QLabel] = {}
        self._views: dict[str, pg.ViewBox] = {}
        self._scenes: dict[object, str] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self._title_texts: dict[str, str] = {}
        for col, kind in enumerate(MODEL_KINDS):
            title, detail = QLabel(), QLabel()
            for label in (title, detail):
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                no_width_demand(label)
            detail.setStyleSheet(f"color: {theme.caption_color()};")  # softer, still 4.5:1
            canvas = pg.GraphicsLayoutWidget()
            canvas.setAccessibleName(translate("WhyPanel", "{0}: why this digit").format(
                model_name(kind)))
            canvas.setBackground(None)
            canvas.ci.setContentsMargins(0, 0, 0, 0)
            canvas.setMinimumSize(64, 64)
            view = canvas.addViewBox(lockAspect=True, enableMouse=False, enableMenu=False,
                                     invertY=True)
            view.setDefaultPadding(0.0)
            item = pg.ImageItem(axisOrder="row-major")
            view.addItem(item)
            canvas.scene().sigMouseMoved.connect(self._on_mouse_moved)
            maps.addWidget(title, 0, col)
            maps.addWidget(canvas, 1, col)
            maps.addWidget(detail, 2, col)
            maps.setColumnStretch(col, 1)
            self._titles[kind], self._details[kind] = title, detail
            self._views[kind], self.images[kind] = view, item
            self._scenes[canvas.scene()] = kind
            self._canvases[kind] = canvas
        maps.setRowStretch(1, 1)
        self.legend = QLabel(translate("WhyPanel", _LEGEND))
        self.legend.setToolTip(translate(
            "WhyPanel", "Integrated gradients (DNN, CNN) add up, pixel by pixel, the "
                        "change of the score from a black image to this drawing; "
                        "weight × input (multinomial) is that change exactly."))
        self.hover_label = QLabel("")
        for label in (self.legend, self.hover_label):
            no_width_demand(label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addLayout(method_row)
        layout.addLayout(maps, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.hover_label)
        layout.addWidget(self.logits_area)
        store.models_changed.connect(self._restart)
        self._show_blank(translate("WhyPanel", "draw a digit"))

    # ----- state ------------------------------------------------------------------------
    @property
    def attributions(self) -> dict[str, Attribution]:
        """kind -> the ``Attribution`` on screen (empty while nothing is shown)."""
        return dict(self._attributions)

    @property
    def selected_digit(self) -> int | None:
        """The digit all models explain, or None for "each its own answer"."""
        return self._digit

    @property
    def status_text(self) -> str:
        """Why nothing is shown, or the last failure ("" when the maps are shown)."""
        return self._status

    def title_text(self, kind: str) -> str:
        """The plain title over a map, e.g. ``"CNN: why 7 (99.9%)"``."""
        return self._title_texts.get(kind, "")

    def detail_text(self, kind: str) -> str:
        """The line under a map (method, and what the map adds up to)."""
        return self._details[kind].text()

    @property
    def input_image(self) -> np.ndarray | None:
        """The ``(28, 28)`` input being explained (None when nothing is drawn)."""
        return None if self._image28 is None else self._image28.copy()

    def shown_image(self, kind: str) -> np.ndarray:
        """The ``(28, 28, 3) uint8`` overlay shown for ``kind``."""
        return np.asarray(self.images[kind].image).copy()

    # ----- inputs -----------------------------------------------------------------------
    def set_input(self, image28: np.ndarray | None) -> None:
        """The drawing's ``(28, 28)`` model input in [0, 1] (ink bright); None = nothing drawn.

        The maps follow once the input has not changed for
        :data:`~gui.common.timing.EXPLAIN_IDLE_MS` (and the panel is visible); an
        unchanged input costs nothing.
        """
        if image28 is None:
            # The drawing is gone: a digit picked by clicking a bar was for that drawing only.
            self._digit = None
            self.digit_buttons[None].setChecked(True)
            self._image28 = None
            self._dirty = False
            self._idle.stop()
            self._request = None  # results still on their way are stale now
            self._show_blank(translate("WhyPanel", "draw a digit"))
            return
        image = np.asarray(image28, dtype=np.float32)
        if self._image28 is not None and np.array_equal(image, self._image28):
            return
        self._image28 = image.copy()
        self._dirty = True
        if self.isVisible():
            self._idle.start()

    @Slot()
    def flush(self) -> None:
        """Explain a changed input now if the panel is visible (e.g. a stroke just ended)."""
        self._idle.stop()
        if self._dirty and self.isVisible():
            self.explain_now()

    @Slot(int)
    def select_digit(self, digit: int | None) -> None:
        """Make every model explain ``digit`` (0..9), or None for each model's own answer."""
        if digit is not None and not (isinstance(digit, int) and 0 <= digit <= 9):
            raise ValueError(f"Received digit={digit!r}; expected None or 0..9.")
        self.digit_buttons[digit].setChecked(True)
        if digit != self._digit:
            self._digit = digit
            self._restart(now=True)

    def forget_digit(self) -> None:
        """Back to "its answer" for a new drawing: a clicked digit lasts one drawing only."""
        self.digit_buttons[None].setChecked(True)
        if self._digit is not None:
            self._digit = None
            self._restart()  # not now: the new drawing's input is on its way

    def explain_now(self) -> bool:
        """Submit the current input to the worker at once, visible or not.

        Returns:
            True if a request was submitted; False if there is nothing to explain
            (no drawing, models still loading, or no Keras models).
        """
        self._idle.stop()
        self._dirty = False
        if self._image28 is None:
            self._show_blank(translate("WhyPanel", "draw a digit"))
            return False
        models = self._store.models if self._store.is_ready else {}
        if not models:
            if not self._store.is_ready:
                self._show_blank(translate("WhyPanel", "loading models…"))
            elif not getattr(self._store, "tensorflow_ready", True):
                # Gradients need the Keras models, which follow TensorFlow (issue 14).
                self._show_blank(translate("WhyPanel", "loading TensorFlow…"))
            else:
                self._show_blank(translate("WhyPanel", "no Keras models to explain"))
            return False
        methods = {"cnn": self.cnn_method_combo.currentData()}
        self._request = ExplainRequest(models, self._image28.copy(), self._digit, methods)
        self.worker.submit(self._request)
        return True

    def shutdown(self) -> None:
        """Stop the worker (waiting for a model in flight); call when the app closes."""
        self._idle.stop()
        self.worker.stop()

    # ----- internals --------------------------------------------------------------------
    @Slot(int)
    def _on_digit_clicked(self, button_id: int) -> None:
        self.select_digit(None if button_id == _AUTO_ID else button_id)

    @Slot(int)
    def _on_method_changed(self, _index: int) -> None:
        self._restart()

    @Slot()
    def _restart(self, now: bool = False) -> None:
        """Models, method or digit changed: the maps on screen are out of date."""
        if self._image28 is None:
            return
        self._dirty = True
        if now:
            self.flush()
        elif self.isVisible():
            self._idle.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            self._idle.start(0)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._idle.stop()
        if not self.window().isVisible():
            # The window is closing: let a map in flight finish so no thread outlives it.
            self.worker.wait()

    def _show_blank(self, message: str) -> None:
        self._attributions = {}
        self._status = message
        for kind in MODEL_KINDS:
            self.images[kind].setImage(np.zeros((28, 28, 3), np.uint8), autoLevels=False,
                                       levels=(0, 255))
            self._set_title(kind, translate("WhyPanel", "{0}: {1}").format(
                model_name(kind), message))
            self._details[kind].setText("")

    def retranslate(self) -> None:
        """Keep the remembered titles and status in the language just installed."""
        self._title_texts = {kind: current(text) for kind, text in self._title_texts.items()}
        self._status = current(self._status)

    def _set_title(self, kind: str, text: str) -> None:
        self._title_texts[kind] = text
        self._titles[kind].setText(text)
        self._canvases[kind].setAccessibleDescription(text)

    @Slot(object)
    def _on_progress(self, reply) -> None:
        if reply.request is not self._request:
            return  # an older drawing's map
        if isinstance(reply.value, ModelFailure):
            self._on_failed(reply.value.kind, reply.value.reason)
        else:
            self._on_explained(reply.value)

    def _on_explained(self, attribution: Attribution) -> None:
        kind = attribution.kind
        image = self._image28 if self._image28 is not None else np.zeros((28, 28), np.float32)
        self.images[kind].setImage(overlay_rgb(image, attribution.map), autoLevels=False,
                                   levels=(0, 255))
        self._attributions[kind] = attribution
        self._status = ""
        self._set_title(kind, translate("WhyPanel", "{0}: why {1} ({2:.1%})").format(
            model_name(kind), attribution.digit, attribution.probability))
        self._details[kind].setText(attribution.describe(translate))

    def _on_failed(self, kind: str, reason: str) -> None:
        self._attributions.pop(kind, None)
        self._status = translate("WhyPanel", "{0}: {1}").format(model_name(kind), reason)
        self._set_title(kind, translate("WhyPanel", "{0}: cannot explain").format(
            model_name(kind)))
        self._details[kind].setText(reason[:80])

    @Slot(object)
    def _on_request_done(self, reply) -> None:
        if reply.request is not self._request:
            return
        for kind in MODEL_KINDS:  # a model missing from the store
            if kind not in self._attributions and not self._title_texts[kind].endswith(
                    translate("WhyPanel", "{0}: cannot explain").format("")):
                self.images[kind].setImage(np.zeros((28, 28, 3), np.uint8), autoLevels=False,
                                           levels=(0, 255))
                self._set_title(kind, translate("WhyPanel", "{0}: no model").format(
                    model_name(kind)))
                self._details[kind].setText("")
        self.attributions_shown.emit()

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        kind = self._scenes.get(self.sender())
        text = ""
        if kind in self._attributions:
            view = self._views[kind]
            if view.sceneBoundingRect().contains(scene_pos):
                point = view.mapSceneToView(scene_pos)
                text = self.value_text(kind, int(np.floor(point.y())), int(np.floor(point.x())))
        self.hover_label.setText(text)

    def value_text(self, kind: str, y: int, x: int) -> str:
        """The hover read-out for pixel ``(y, x)`` of ``kind``'s map ("" outside it)."""
        attribution = self._attributions.get(kind)
        if attribution is None or not (0 <= y < 28 and 0 <= x < 28):
            return ""
        value = float(attribution.map[y, x])
        if self._image28 is None:
            return ""
        return translate(
            "WhyPanel", "{0} (y={1}, x={2}): {3:+.4g} toward {4}   input {5:.2f}").format(
            model_name(kind), y, x, value, attribution.digit, float(self._image28[y, x]))


__all__ = ["CNN_METHODS", "WhyPanel"]
