"""The Draw tab's live read: the drawing -> an ``engine.reading.Reading`` and the ``Prediction``
(bars, CNN feature maps) of the piece the bars show, in one pass on one BLAS thread.

Without Number mode the canvas holds one digit: it is read whole, exactly as
:meth:`engine.inference.Predictor.predict` reads it (one CNN pass gives the
probabilities and the feature maps), plus the gate and the temperatures. A digit
that comes apart (a 5's loose bar) is never read as two, and "42" is simply not a
digit. In Number mode :meth:`engine.reading.Reader.read` finds the digits.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from digitlab.engine.blas import one_blas_thread

if TYPE_CHECKING:  # imported on first use: the window shows before the models load
    from digitlab.engine.inference import Prediction
    from digitlab.engine.reading import DigitReading, Reader, Reading
    from digitlab.gui.draw.draw_strokes import StrokeLayers


def shown_piece(reading: Reading) -> int:
    """Which piece the bars show: the first that is not a digit (it decided), else the first."""
    for i, piece in enumerate(reading.digits):
        if not piece.is_digit:
            return i
    return 0


def framed_piece(reading: Reading) -> tuple[tuple[int, int, int, int], bool] | None:
    """For a reading of several pieces, the shown piece's box in the ink crop's pixels
    (``PreprocessResult.cropped``) and whether it is a digit; None for one piece or none."""
    if len(reading.digits) < 2:
        return None
    piece = reading.digits[shown_piece(reading)]
    top, left = reading.preprocess.bbox[:2]
    y0, x0, y1, x1 = piece.box
    return (y0 - top, x0 - left, y1 - top, x1 - left), piece.is_digit


def read_drawing(reader: Reader, drawing: np.ndarray, ink: str, number: bool,
                 strokes: StrokeLayers | None = None) -> tuple[Reading, Prediction]:
    """Read a canvas for the Draw tab.

    Args:
        reader: the store's reader (predictor, gate, temperatures).
        drawing: ``(H, W) uint8`` canvas. ink: ``"bright"`` or ``"dark"``.
        number: Number mode (find several digits) or one digit.
        strokes: the canvas's strokes; in Number mode, digits whose ink runs together
            are told apart by them where the ink alone does not read as a number
            (:func:`digitlab.engine.stroke_reading.read_by_strokes`).

    Returns:
        ``(reading, prediction)``; the prediction holds the calibrated probabilities,
        digits and feature maps of :func:`shown_piece` (empty for an empty drawing); with
        several pieces its ``preprocess`` holds the whole drawing's crop and bounding box
        but that piece's fitted image and ``image28``.
    """
    from digitlab.engine.inference import Prediction  # noqa: PLC0415

    with one_blas_thread():  # once: switching OpenBLAS threads back and forth costs ~0.3 ms
        if not number:
            return _read_one_digit(reader, drawing, ink)
        # The pieces' CNN maps come from the reader's own batch: the shown piece's CNN
        # is not run a second time for the feature grid.
        with_maps = "cnn" in reader.predictor.kinds
        reading = reader.read(drawing, ink=ink, feature_maps=with_maps)
        if strokes is not None:  # read_by_strokes returns reading as is for < 2
            from digitlab.engine.stroke_reading import read_by_strokes  # noqa: PLC0415

            reading = read_by_strokes(reader, reading, strokes.strokes, strokes.render,
                                      with_maps)
        if reading.is_empty:
            return reading, Prediction(True, {}, {}, reading.preprocess)
        piece = reading.digits[shown_piece(reading)]
        maps = piece.feature_maps
        preprocess = reading.preprocess
        if len(reading.digits) > 1:
            # The strip and the Why panel get this piece's stages: its own ink fitted to
            # 20 px and centred (the whole drawing's fit is no stage of a number's digit);
            # the crop stays the whole drawing's, where the strip frames the piece.
            stages = {"image28": piece.image28}
            if piece.fitted is not None:
                stages.update(fitted=piece.fitted, widened=piece.widened)
            preprocess = dataclasses.replace(preprocess, **stages)
        return reading, _prediction(piece, preprocess, maps)


def _read_one_digit(reader: Reader, drawing: np.ndarray, ink: str) -> tuple[Reading, Prediction]:
    predictor = reader.predictor
    raw = predictor.predict(drawing, ink=ink, feature_maps="cnn" in predictor.kinds)
    reading = reader.read_prediction(raw)
    if reading.is_empty:
        return reading, raw
    return reading, _prediction(reading.whole, raw.preprocess, raw.feature_maps)


def _prediction(piece: DigitReading, preprocess, maps) -> Prediction:
    from digitlab.engine.inference import Prediction  # noqa: PLC0415

    probabilities = {k: p.astype(np.float32) for k, p in piece.probabilities.items()}
    return Prediction(False, probabilities, piece.digits, preprocess, tuple(maps))
