"""The three attribution maps of Why this digit, side by side, with a hover read-out.

Each map shows the 28x28 input in grey with the attribution on top: red where the
ink raised the model's score for the digit, blue where it lowered it (see
:func:`engine.mosaics.overlay_rgb`). This widget only shows what it is given; the
requests live in :class:`gui.draw.why_panel.WhyPanel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, Qt, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from digitlab.engine import MODEL_KINDS
from digitlab.engine.mosaics import overlay_rgb
from digitlab.gui.common import theme
from digitlab.gui.common.i18n import current, model_name, translate
from digitlab.gui.common.style import no_width_demand

if TYPE_CHECKING:
    from digitlab.engine.explain import Attribution

_LEGEND = QT_TRANSLATE_NOOP(
    "WhyPanel", "<span style='color:#ff3c28'>■</span> ink here raised the score for the digit · "
                "<span style='color:#288cff'>■</span> lowered it · grey: the input · "
                "each map scaled to its own largest value")


class AttributionMaps(QWidget):
    """One overlay per model (multinomial, DNN, CNN): title, map, detail line; legend, hover.

    Args:
        parent: the owner (the Why panel).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image28: np.ndarray | None = None  # the input under the maps shown
        self._attributions: dict[str, Attribution] = {}
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
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(maps, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.hover_label)

    # ----- what is shown ------------------------------------------------------------------
    @property
    def attributions(self) -> dict[str, Attribution]:
        """kind -> the ``Attribution`` on screen (empty while nothing is shown)."""
        return dict(self._attributions)

    def title_text(self, kind: str) -> str:
        """The plain title over a map, e.g. ``"CNN: why 7 (99.9%)"``."""
        return self._title_texts.get(kind, "")

    def detail_text(self, kind: str) -> str:
        """The line under a map (method, and what the map adds up to)."""
        return self._details[kind].text()

    def shown_image(self, kind: str) -> np.ndarray:
        """The ``(28, 28, 3) uint8`` overlay shown for ``kind``."""
        return np.asarray(self.images[kind].image).copy()

    # ----- setters ------------------------------------------------------------------------
    def show_blank(self, message: str) -> None:
        """Empty maps, each titled with ``message`` ("draw a digit", "loading models…")."""
        self._attributions = {}
        self._image28 = None
        for kind in MODEL_KINDS:
            self._clear(kind, translate("WhyPanel", "{0}: {1}").format(model_name(kind), message))

    def show_attribution(self, attribution: Attribution, image28: np.ndarray | None,
                         probability: float | None = None) -> None:
        """Show one model's map over the ``(28, 28)`` input it explains.

        Args:
            probability: the digit's probability for the title (the calibrated one the
                bars show); None: the model's own, ``attribution.probability``.
        """
        kind = attribution.kind
        image = image28 if image28 is not None else np.zeros((28, 28), np.float32)
        self._image28 = image28
        self.images[kind].setImage(overlay_rgb(image, attribution.map), autoLevels=False,
                                   levels=(0, 255))
        self._attributions[kind] = attribution
        self._set_title(kind, translate("WhyPanel", "{0}: why {1} ({2:.1%})").format(
            model_name(kind), attribution.digit,
            attribution.probability if probability is None else probability))
        self._details[kind].setText(attribution.describe(translate))

    def show_failure(self, kind: str, reason: str) -> None:
        """Say that ``kind`` could not be explained (``reason`` shortened under the map)."""
        self._attributions.pop(kind, None)
        self._set_title(kind, translate("WhyPanel", "{0}: cannot explain").format(
            model_name(kind)))
        self._details[kind].setText(reason[:80])

    def show_missing(self) -> None:
        """A request is done: models neither shown nor failed are missing from the store."""
        failed = translate("WhyPanel", "{0}: cannot explain").format("")
        for kind in MODEL_KINDS:
            if kind not in self._attributions and not self._title_texts[kind].endswith(failed):
                self._clear(kind, translate("WhyPanel", "{0}: no model").format(model_name(kind)))

    def retranslate(self) -> None:
        """Keep the remembered titles in the language just installed."""
        self._title_texts = {kind: current(text) for kind, text in self._title_texts.items()}

    def _clear(self, kind: str, title: str) -> None:
        self.images[kind].setImage(np.zeros((28, 28, 3), np.uint8), autoLevels=False,
                                   levels=(0, 255))
        self._set_title(kind, title)
        self._details[kind].setText("")

    def _set_title(self, kind: str, text: str) -> None:
        self._title_texts[kind] = text
        self._titles[kind].setText(text)
        self._canvases[kind].setAccessibleDescription(text)

    # ----- hover --------------------------------------------------------------------------
    @Slot(object)
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
