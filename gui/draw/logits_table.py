"""The raw logits behind the bars: what each model said before its softmax and temperature."""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from digitlab.gui.common.i18n import model_name, translate


class LogitsTable(QLabel):
    """One row per model: its ten raw logits, its temperature ``T``, the top one in bold.

    The lesson's models end in a softmax, so the logits are read back as
    log-probabilities (``log p``: the logits up to one constant per image, which
    softmax ignores). The bars show ``softmax(logits / T)``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(True)
        self._logits: dict[str, np.ndarray] = {}
        self._temperatures: dict[str, float] = {}
        self.set_logits({}, {})

    @property
    def logits(self) -> dict[str, np.ndarray]:
        """kind -> the ``(10,)`` logits shown (empty when none)."""
        return {kind: z.copy() for kind, z in self._logits.items()}

    def set_logits(self, logits: Mapping[str, np.ndarray],
                   temperatures: Mapping[str, float]) -> None:
        """Show kind -> ``(10,)`` raw logits and kind -> ``T``; empty mappings clear the table."""
        self._logits = {kind: np.asarray(z, np.float64) for kind, z in logits.items()}
        self._temperatures = dict(temperatures)
        self.retranslate()

    def retranslate(self) -> None:
        """Compose the table again in the current language."""
        if not self._logits:
            self.setText(translate("LogitsTable", "Raw logits: draw a digit."))
            return
        head = "".join(f"<th>{d}</th>" for d in range(10))
        rows = []
        for kind, z in self._logits.items():
            top = int(np.argmax(z))
            cells = "".join(
                f"<td align='right'>{'<b>' if d == top else ''}{v:.2f}{'</b>' if d == top else ''}"
                "</td>" for d, v in enumerate(z))
            label = translate("LogitsTable", "{0} (T = {1:.2f})").format(
                model_name(kind), self._temperatures.get(kind, 1.0))
            rows.append(f"<tr><td>{html.escape(label)}</td>{cells}</tr>")
        caption = translate(
            "LogitsTable", "Raw logits (log-probabilities before the softmax). The bars show "
                           "softmax(logits / T), calibrated with each model's temperature T.")
        self.setText(f"<p>{html.escape(caption)}</p><table cellspacing='4'>"
                     f"<tr><th></th>{head}</tr>{''.join(rows)}</table>")
