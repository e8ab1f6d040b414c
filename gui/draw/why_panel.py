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
from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.gui.common.i18n import current, model_name, translate
from digitlab.gui.common.timing import EXPLAIN_IDLE_MS
from digitlab.gui.draw.attribution_maps import AttributionMaps
from digitlab.gui.draw.explain_worker import ExplainRequest, ExplainWorker, ModelFailure
from digitlab.gui.draw.logits_table import LogitsTable

if TYPE_CHECKING:
    from digitlab.engine.explain import Attribution
    from digitlab.gui.model_store import ModelStore

_AUTO_ID = 10  # the "its answer" button's id in the button group
#: The CNN's explanation methods: menu text -> ``engine.explain`` method.
CNN_METHODS = {QT_TRANSLATE_NOOP("WhyPanel", "Integrated gradients"): "integrated gradients",
               QT_TRANSLATE_NOOP("WhyPanel", "Grad-CAM (last conv layer)"): "grad-cam"}


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

        # The three maps with their hover read-out; this panel asks for what they show.
        self.maps = AttributionMaps()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addLayout(method_row)
        layout.addWidget(self.maps, 1)
        layout.addWidget(self.logits_area)
        store.models_changed.connect(self._restart)
        self._show_blank(translate("WhyPanel", "draw a digit"))

    # ----- state ------------------------------------------------------------------------
    @property
    def attributions(self) -> dict[str, Attribution]:
        """kind -> the ``Attribution`` on screen (empty while nothing is shown)."""
        return self.maps.attributions

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
        return self.maps.title_text(kind)

    def detail_text(self, kind: str) -> str:
        """The line under a map (method, and what the map adds up to)."""
        return self.maps.detail_text(kind)

    @property
    def input_image(self) -> np.ndarray | None:
        """The ``(28, 28)`` input being explained (None when nothing is drawn)."""
        return None if self._image28 is None else self._image28.copy()

    def shown_image(self, kind: str) -> np.ndarray:
        """The ``(28, 28, 3) uint8`` overlay shown for ``kind``."""
        return self.maps.shown_image(kind)

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
        self._request = ExplainRequest(models, self._image28.copy(), self._digit, methods,
                                       temperatures=self._store.temperatures)
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
        self._status = message
        self.maps.show_blank(message)

    def retranslate(self) -> None:
        """Keep the remembered titles and status in the language just installed."""
        self.maps.retranslate()
        self._status = current(self._status)

    @Slot(object)
    def _on_progress(self, reply) -> None:
        if reply.request is not self._request:
            return  # an older drawing's map
        if isinstance(reply.value, ModelFailure):
            self._on_failed(reply.value.kind, reply.value.reason)
        else:
            self._on_explained(reply.value, reply.request)

    def _on_explained(self, attribution: Attribution, request: ExplainRequest) -> None:
        # Calibrated with the temperature the store had when it was asked: the bars' value.
        temperature = request.temperatures.get(attribution.kind, 1.0)
        self.maps.show_attribution(attribution, self._image28,
                                   attribution.probability_at(temperature))
        self._status = ""

    def _on_failed(self, kind: str, reason: str) -> None:
        self._status = translate("WhyPanel", "{0}: {1}").format(model_name(kind), reason)
        self.maps.show_failure(kind, reason)

    @Slot(object)
    def _on_request_done(self, reply) -> None:
        if reply.request is not self._request:
            return
        self.maps.show_missing()  # a model missing from the store
        self.attributions_shown.emit()

    def value_text(self, kind: str, y: int, x: int) -> str:
        """The hover read-out for pixel ``(y, x)`` of ``kind``'s map ("" outside it)."""
        return self.maps.value_text(kind, y, x)


__all__ = ["CNN_METHODS", "WhyPanel"]
