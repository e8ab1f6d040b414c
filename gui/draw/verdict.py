"""What the Draw tab says about a reading: the verdict line, the lesson line, the box captions.

The words only; :class:`gui.draw.draw_tab.DrawTab` puts them on screen. A
reading is an :class:`engine.reading.Reading` (one digit, a number, or not a digit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from digitlab.engine import MODEL_KINDS
from digitlab.gui.common.i18n import model_name, translate
from digitlab.gui.draw.live_reading import shown_piece

if TYPE_CHECKING:
    from digitlab.engine.reading import DigitReading, Reading


def digit_verdict(piece: DigitReading) -> str:
    """"All models say 7", "CNN says 7" or "The models disagree: ..." for one digit."""
    digits = piece.digits
    votes = list(digits.values())
    majority = max(set(votes), key=votes.count)
    if len(votes) == 1:
        return translate("DrawTab", "{0} says {1}").format(model_name(next(iter(digits))),
                                                          majority)
    if len(set(votes)) <= 1:
        return translate("DrawTab", "All models say {0}").format(majority)
    said = translate("DrawTab", ", ").join(
        translate("DrawTab", "{0} {1}").format(model_name(k), d) for k, d in digits.items())
    return translate("DrawTab", "The models disagree: {0}").format(said)


def verdict(reading: Reading, number_mode: bool = False) -> str:
    """The line above the bars for a drawing with ink (``number_mode``: the canvas asks for
    a number, so a drawing judged whole is neither a digit nor a number)."""
    pieces = reading.digits
    if len(pieces) == 1:
        if not pieces[0].is_digit:
            if number_mode:
                return translate("DrawTab", "This doesn't look like a digit or a number")
            return translate("DrawTab", "This doesn't look like a digit")
        return digit_verdict(pieces[0])
    if reading.number is None:
        return translate("DrawTab", "This doesn't look like a number: digit {0} of {1} "
                                    "is not a digit").format(shown_piece(reading) + 1, len(pieces))
    return translate("DrawTab", "Number: {0}").format(reading.number)


def lesson(reading: Reading) -> str:
    """The line under the verdict: why "not a digit" (score and threshold), or what the bars
    show."""
    pieces = reading.digits
    if not pieces:
        return ""
    piece = pieces[shown_piece(reading)]
    if not piece.is_digit and len(pieces) > 1:
        # The score is that piece's (the bars show it), not the whole drawing's.
        return translate(
            "DrawTab", "Softmax always spreads 100% over the ten digits, so a tall bar is "
                       "confidence, not certainty. The not-a-digit check gave digit {2} a "
                       "digit score of {0:.3g}; a digit needs {1:.3g}.").format(
            piece.gate.digit_score, piece.gate.threshold, shown_piece(reading) + 1)
    if not piece.is_digit:
        return translate(
            "DrawTab", "Softmax always spreads 100% over the ten digits, so a tall bar is "
                       "confidence, not certainty. The not-a-digit check gave this drawing a "
                       "digit score of {0:.3g}; a digit needs {1:.3g}.").format(
            piece.gate.digit_score, piece.gate.threshold)
    if len(pieces) > 1 and reading.by_strokes:
        # The canvas's strokes told the digits apart; the models still saw only pixels.
        return translate("DrawTab", "{0} digits found, told apart by the strokes that drew "
                                    "them (the models see only pixels); the bars show the "
                                    "first (leftmost), each box shows the three models' "
                                    "digits (Multinomial · DNN · CNN).").format(len(pieces))
    if len(pieces) > 1:
        # Every piece is a digit here, so the bars show the first (shown_piece). Not "digit 1":
        # under 2026's bars, which say 2, that reads as the digit one.
        return translate("DrawTab", "{0} digits found; the bars show the first (leftmost), each "
                                    "box shows the three models' digits (Multinomial · DNN · "
                                    "CNN).").format(len(pieces))
    return ""


def box_caption(piece: DigitReading) -> str:
    """The three models' digits over a piece's box, e.g. "4 · 4 · 4"; "?" first when not a digit."""
    digits = piece.digits
    text = " · ".join(str(digits[k]) for k in MODEL_KINDS if k in digits)
    return text if piece.is_digit else "? " + text
