"""Read what was drawn: one digit, a number, or "that is not a digit".

:class:`Reader` puts together the three models (:class:`engine.inference.Predictor`),
their temperatures (:mod:`engine.calibration`), the not-a-digit gate
(:mod:`engine.gate`) and the segmentation (:mod:`engine.segment`):

    (H, W) drawing -> preprocess_drawing -> ink crop -> segments, left to right
        -> per segment: (28, 28) -> 3 models (log-probabilities -> / T -> softmax) + gate
        -> Reading: digits, number ("407", or None when a part is not a digit)

A drawing with one segment is read from the whole drawing's preprocessing, exactly
as :meth:`Predictor.predict` reads it, so a single digit gets today's answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from digitlab.engine.blas import one_blas_thread
from digitlab.engine.calibration import logits_from_probabilities, softmax_at
from digitlab.engine.gate import Gate, GateDecision
from digitlab.engine.preprocess import PreprocessResult, preprocess_drawing
from digitlab.engine.segment import CUT_SCORE, segment_pieces

#: A piece of a number that is a separate piece of ink is judged as a lone drawing is (the
#: gate's threshold); a piece cut out of connected ink needs this digit score: cutting
#: inside a stroke turns a letter or a shape into "digits" far more easily than a pen
#: lifted between two digits does.
NUMBER_PIECE_SCORE = CUT_SCORE
#: An accepted drawing narrower than this times its height is read as one digit.
SINGLE_ASPECT = 0.85
#: Every piece of a number is at least this share of the tallest piece's height...
ROW_HEIGHT = 0.5
#: ...shares at least this share of the shorter one's height with its neighbours' rows...
ROW_OVERLAP = 0.5
#: ...and the pieces' vertical centres lie on a straight line, none further from it than
#: this share of their median height: a number written on a rising or falling line is a
#: row, a zig-zag is not.
ROW_DRIFT = 0.3


def looks_like_a_row(boxes: list[tuple[int, int, int, int]]) -> bool:
    """Whether pieces ``(y0, x0, y1, x1)`` sit side by side like the digits of a number.

    Side by side: of similar height, each sharing rows with the pieces next to it, along
    a straight line (level or not: a number written without a ruled line drifts up or
    down), and one after the other: no piece's middle column lies within another piece's
    columns (a circle inside a circle, a dot under a hook are one drawing, not two digits).
    """
    heights = [y1 - y0 for y0, _, y1, _ in boxes]
    tallest = max(heights)
    for (y0, x0, y1, x1), h in zip(boxes, heights, strict=True):
        if h < ROW_HEIGHT * tallest:
            return False
        middle = (x0 + x1) / 2
        if any(b[1] <= middle < b[3] for b in boxes if b != (y0, x0, y1, x1)):
            return False
    row = sorted(boxes, key=lambda b: b[1] + b[3])
    for (ay0, _, ay1, _), (by0, _, by1, _) in zip(row, row[1:], strict=False):
        if min(ay1, by1) - max(ay0, by0) < ROW_OVERLAP * min(ay1 - ay0, by1 - by0):
            return False
    if len(row) < 3:
        return True
    # The least-squares line through the centres, in plain Python (a few pieces: numpy's
    # calls would cost ten times as much on the live path).
    x = [(b[1] + b[3]) / 2 for b in row]
    y = [(b[0] + b[2]) / 2 for b in row]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)  # > 0: no two middles are equal (checked above)
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sxx
    off = max(abs(b - my - slope * (a - mx)) for a, b in zip(x, y, strict=True))
    return off <= ROW_DRIFT * statistics.median(heights)


#: A narrow drawing the gate accepts but its second stage rejects is segmented, not judged
#: whole at once: two digits the gate barely takes for one ("11": 14 more of 400 pairs
#: of MNIST test 1s read, 1 of 3,932 non-digit drawings more read as a number, a "‖").
RETRY_REJECTED = True

#: A narrow drawing the gate accepts is still segmented when an empty column parts its ink
#: into two sides, each at least this share of its height tall (:func:`parted_by_a_gap`):
#: two digits written apart but narrow together, as two 1s, that the gate and its stage
#: take for one digit ("1"). Ink here is a fifth of the ink level (PARTED_INK).
APART_HEIGHT = 0.75
PARTED_INK = 0.2


def parted_by_a_gap(cropped: np.ndarray) -> bool:
    """Whether an empty column between 12 % and 88 % of an ink crop's width parts its ink
    into a left and a right side that each span :data:`APART_HEIGHT` of its height
    (``cropped``: ``PreprocessResult.cropped``; a few tens of microseconds)."""
    h, w = cropped.shape
    if w < 8:
        return False
    inked = cropped.max(axis=0) > PARTED_INK
    lo = max(1, int(0.12 * w))  # a gap in the first column would leave no left side
    gaps = np.flatnonzero(~inked[lo:int(0.88 * w)])
    if not len(gaps):
        return False
    col = lo + int(gaps[len(gaps) // 2])
    for side in (cropped[:, :col], cropped[:, col:]):
        rows = np.flatnonzero(side.max(axis=1) > PARTED_INK)
        if not len(rows) or rows[-1] - rows[0] + 1 < APART_HEIGHT * h:
            return False
    return True


#: Reasons a reading has no digit.
EMPTY, NOT_A_DIGIT, SEVERAL_DIGITS = "empty", "not a digit", "several digits"


@dataclass(frozen=True)
class DigitReading:
    """What the models and the gate say about one digit-sized piece of the drawing.

    Attributes:
        box: ``(y0, x0, y1, x1)`` in the drawing's pixels (``y1``, ``x1`` exclusive).
        image28: float32 ``(28, 28)``, what the models received.
        probabilities: kind -> float64 ``(10,)`` calibrated probabilities (``softmax(logits / T)``).
        logits: kind -> float64 ``(10,)`` raw logits (log-probabilities of the model's softmax).
        temperatures: kind -> the ``T`` used (1.0 when the model has no fitted temperature).
        gate: the not-a-digit decision, or ``None`` without a gate.
        feature_maps: the CNN's ``FeatureMap`` s of ``image28`` from the pass that gave
            its probabilities, when :meth:`Reader.read` was asked for them; else ``()``.
        fitted: float32 ``(h', w')``, the piece's own ink fitted to 20 px before it was
            centred into ``image28``, for a digit segmentation found in a number; ``None``
            for a drawing read whole (its ``PreprocessResult.fitted`` is that stage).
        widened: ``fitted``'s strokes were thickened first (too fine for the 20 px box).
    """

    box: tuple[int, int, int, int]
    image28: np.ndarray
    probabilities: dict[str, np.ndarray]
    logits: dict[str, np.ndarray]
    temperatures: dict[str, float]
    gate: GateDecision | None
    feature_maps: tuple = field(default=(), repr=False, compare=False)
    fitted: np.ndarray | None = field(default=None, repr=False, compare=False)
    widened: bool = field(default=False, repr=False, compare=False)

    @property
    def digits(self) -> dict[str, int]:
        """kind -> that model's most probable digit (temperature does not change it)."""
        return {kind: int(p.argmax()) for kind, p in self.probabilities.items()}

    @property
    def model_digit(self) -> int | None:
        """The CNN's digit (the best model), else the first model's, even if the gate says no."""
        digits = self.digits
        return digits.get("cnn", next(iter(digits.values()), None))

    @property
    def is_digit(self) -> bool:
        """The gate accepts it (always, without a gate)."""
        return self.gate is None or self.gate.is_digit

    @property
    def digit(self) -> int | None:
        """:attr:`model_digit` when the gate accepts the piece, else ``None``."""
        return self.model_digit if self.is_digit else None


@dataclass(frozen=True)
class Reading:
    """Everything read from one drawing.

    Attributes:
        preprocess: the whole drawing's preprocessing (its ``bbox`` frames all the ink).
        digits: the pieces, left to right; one for a single digit, none when empty.
        whole: the whole drawing read as one digit (== ``digits[0]`` for one piece);
            ``None`` when empty, or when not asked for and there are several pieces.
        by_strokes: the pieces were told apart by the strokes that drew them, not by the
            ink (:func:`engine.stroke_reading.read_by_strokes`).
    """

    preprocess: PreprocessResult
    digits: tuple[DigitReading, ...]
    whole: DigitReading | None = field(default=None)
    by_strokes: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.digits

    @property
    def number(self) -> str | None:
        """The digits read, e.g. ``"407"``; ``None`` when empty or when any piece is not a digit."""
        if not self.digits or not all(d.is_digit for d in self.digits):
            return None
        return "".join(str(d.model_digit) for d in self.digits)

    @property
    def digit(self) -> int | None:
        """The one digit drawn; ``None`` when empty, not a digit, or several digits."""
        return self.digits[0].digit if len(self.digits) == 1 else None

    @property
    def reason(self) -> str | None:
        """Why :attr:`digit` is ``None``: ``"empty"``, ``"not a digit"``, ``"several digits"``."""
        if not self.digits:
            return EMPTY
        if len(self.digits) > 1:
            return SEVERAL_DIGITS if self.number is not None else NOT_A_DIGIT
        return None if self.digits[0].is_digit else NOT_A_DIGIT


class Reader:
    """Reads drawings with the three models, their temperatures and the gate.

    Args:
        predictor: an :class:`engine.inference.Predictor` with any of the three models.
        gate: the not-a-digit gate, or ``None`` (then everything counts as a digit and
            touching digits are not split).
        temperatures: kind -> ``T`` (missing kinds: 1.0, uncalibrated).
    """

    def __init__(self, predictor, gate: Gate | None = None,
                 temperatures: Mapping[str, float] | None = None):
        self.predictor = predictor
        self.gate = gate
        self.temperatures = {kind: float((temperatures or {}).get(kind, 1.0))
                             for kind in predictor.kinds}
        for kind, t in self.temperatures.items():
            if not (t > 0 and np.isfinite(t)):
                raise ValueError(f"Received temperature {t!r} for {kind!r}; expected a finite "
                                 "value > 0.")
        #: kinds -> their temperatures as a ``(K, 1, 1)`` array (checked above, made once).
        self._t_arrays: dict[tuple[str, ...], np.ndarray] = {}
        stage = None if gate is None else gate.stage
        #: The gate's second stage (``engine.gate_stage``) where the models in use are the
        #: ones it was fitted on (their temperatures say so), else None: the gate alone.
        self.stage = stage if stage is not None and stage.applies_to(self.temperatures) else None

    def read(self, drawing: np.ndarray, ink: str = "auto", whole: bool = False,
             quick: bool = True, feature_maps: bool = False) -> Reading:
        """Find the digits in a drawing and read each.

        Args:
            drawing: 2-D grayscale ``(H, W)``, ``uint8`` 0..255 or float 0..1.
            ink: ``"auto"``, ``"bright"`` or ``"dark"`` (see ``preprocess_drawing``).
            whole: also read the whole drawing as one digit when it has several pieces.
            quick: a drawing the gate accepts whose ink is at most ``SINGLE_ASPECT`` times
                as wide as tall is one digit, without segmentation (the live path's budget),
                unless the gate's second stage rejects it (:data:`RETRY_REJECTED`) or a gap
                parts it into two tall sides (:func:`parted_by_a_gap`);
                ``False`` segments every drawing (two narrow digits the gate accepts as
                one, such as some "11", are then still read as a number).
            feature_maps: every piece also gets the CNN's feature maps, from the same
                pass as its probabilities (see :meth:`Predictor.predict_batch_with_maps`;
                without a CNN they stay ``()``).

        Returns:
            A :class:`Reading`.
        """
        with one_blas_thread():
            pre = preprocess_drawing(drawing, ink=ink)
            if pre.is_empty:
                return Reading(pre, ())
            y0, x0, y1, x1 = pre.bbox
            narrow = x1 - x0 <= SINGLE_ASPECT * (y1 - y0)
            # A narrow drawing's gate score first: it decides the live path's common case
            # (one digit, no segmentation) and spares segmentation a second look at a lone
            # piece. A wider one is gated piece by piece in segmentation's batch.
            whole_score = (None if self.gate is None or (quick and not narrow)
                           else float(self.gate.scores(pre.image28[None])[0]))
            single = None
            if quick and narrow and whole_score is not None and (
                    whole_score >= self.gate.threshold) and not parted_by_a_gap(pre.cropped):
                # The gate accepts it and it is too narrow for two digits side by side:
                # one digit, without the cost of segmentation (the live path's common case),
                single = self._single(pre, whole_score, feature_maps)
                if single.whole.is_digit or not RETRY_REJECTED:
                    return single
            # ...unless a gap parts it into two tall sides (checked before the models read
            # it whole), or the gate's second stage rejects it: then it is segmented as any
            # drawing the gate doubts (two 1s side by side, the gate taking them for one).
            scorer = None if self.gate is None else self.gate.scores
            # A group passes at the gate's threshold; a cut needs CUT_SCORE on both pieces.
            threshold = 0.5 if self.gate is None else self.gate.threshold
            # Segmentation hands back each piece's image and, where it had one, its gate
            # score: the pieces are not fitted or gated a second time.
            pieces = segment_pieces(pre.cropped, scorer, threshold, whole_score)
            piece_boxes = [piece.box for piece in pieces]
            if len(pieces) <= 1 or not looks_like_a_row(piece_boxes):
                # One piece, or pieces of very different heights or rows (a Hangul
                # syllable, a smiley's eyes): not a number. The gate judges the whole.
                return single or self._single(pre, whole_score, feature_maps)
            boxes = [(b[0] + y0, b[1] + x0, b[2] + y0, b[3] + x0) for b in piece_boxes]
            images = [piece.image28 for piece in pieces]
            fitted: list[np.ndarray | None] = [piece.fitted for piece in pieces]
            widened = [piece.widened for piece in pieces]
            needs: list[float | None] = [NUMBER_PIECE_SCORE if p.cut else None for p in pieces]
            known = [piece.score for piece in pieces]
            if whole:
                # The three models read the whole (exactly as Predictor.predict reads it)
                # in the same batch as the pieces: one batch per model.
                boxes, images = [pre.bbox] + boxes, [pre.image28] + images
                fitted, widened = [None] + fitted, [pre.widened] + widened
                needs, known = [None] + needs, [whole_score] + known
            read = self._read_images(np.stack(images), boxes, needs, known, feature_maps,
                                     fitted, widened)
            one = read.pop(0) if whole else None
            if not any(piece.is_digit for piece in read):
                # No piece is a digit (a star cut in two, a wide 7 cut at its bend): the
                # drawing is read whole, one digit or one non-digit as the gate judges it.
                one = one or (single or self._single(pre, whole_score, feature_maps)).whole
                return Reading(pre, (one,), one)
        return Reading(pre, tuple(read), one)

    def _gate_scores(self, images: np.ndarray, known: list[float | None] | None) -> np.ndarray:
        """The gate's scores of ``images``, reusing the ``known`` ones (float ``(N,)``)."""
        if known is None:
            return self.gate.scores(images)
        scores = np.array([np.nan if s is None else s for s in known], np.float64)
        missing = np.isnan(scores)
        if missing.any():
            scores[missing] = self.gate.scores(images[missing])
        return scores

    def read_image28(self, image28: np.ndarray) -> DigitReading:
        """Read one already preprocessed ``(28, 28)`` image (box: the whole image)."""
        with one_blas_thread():
            return self._read_images(np.asarray(image28, np.float32)[None], [(0, 0, 28, 28)])[0]

    def _single(self, pre: PreprocessResult, whole_score: float | None,
                feature_maps: bool = False) -> Reading:
        """The whole drawing read as one digit."""
        one = self._read_images(pre.image28[None], [pre.bbox], None, [whole_score],
                                feature_maps)[0]
        return Reading(pre, (one,), one)

    def _read_images(self, images: np.ndarray, boxes,
                     threshold: float | list[float | None] | None = None,
                     known: list[float | None] | None = None,
                     feature_maps: bool = False,
                     fitted: list[np.ndarray | None] | None = None,
                     widened: list[bool] | None = None) -> list[DigitReading]:
        """``(N, 28, 28)`` images -> N readings (one batch per model and one for the gate).

        ``threshold``: the score a digit needs (at least the gate's), one for all or one per
        image. ``known``: gate scores already computed for some images (``None`` where not);
        the gate runs only on the others. ``feature_maps``: each reading gets its CNN maps.
        ``fitted``: each image's fitted stage (:attr:`DigitReading.fitted`), where known,
        and ``widened`` whether its strokes were thickened (:attr:`DigitReading.widened`).
        """
        if feature_maps:
            probs, maps = self.predictor.predict_batch_with_maps(images)
        else:
            probs, maps = self.predictor.predict_batch(images), None
        if self.gate is None:
            decisions, scores = [None] * len(images), None
        else:
            scores = self._gate_scores(images, known)
            each = threshold if isinstance(threshold, list) else [threshold] * len(images)
            # One decide_scores per distinct threshold (a number has one or two), not per piece.
            by_t = {t: self.gate.decide_scores(scores, t) for t in set(each)}
            decisions = [by_t[t][i] for i, t in enumerate(each)]
        return self._pieces(images, boxes, probs, decisions, maps, scores, fitted, widened)

    def _pieces(self, images: np.ndarray, boxes, probs: Mapping[str, np.ndarray],
                decisions: list[GateDecision | None], maps=None,
                scores: np.ndarray | None = None,
                fitted: list[np.ndarray | None] | None = None,
                widened: list[bool] | None = None) -> list[DigitReading]:
        """The models' ``(N, 10)`` probabilities per kind -> N readings with raw logits and
        calibrated probabilities (one array per model for all images at once). With the
        gate's ``scores`` and a second stage, the stage revises the gate's ``decisions``
        where the gate is unsure (:meth:`engine.gate_stage.SecondStage.revise`)."""
        kinds = tuple(probs)
        # All kinds in one (K, N, 10) array: a few numpy calls instead of a dozen per kind.
        n = len(images)
        z = logits_from_probabilities(
            np.concatenate([probs[kind] for kind in kinds]).reshape(len(kinds), n, -1))
        t = self._t_arrays.get(kinds)
        if t is None:
            t = np.array([self.temperatures.get(kind, 1.0) for kind in kinds])[:, None, None]
            t.flags.writeable = False
            self._t_arrays[kinds] = t
        calibrated = softmax_at(z, t)  # apply_temperature; T was checked in __init__
        if self.stage is not None and scores is not None:
            decisions = self.stage.revise(decisions, scores,
                                          dict(zip(kinds, calibrated, strict=True)),
                                          self.gate.threshold)
        # Piece-major views: each piece's rows come from iterating (K, 10), not K indexings.
        calibrated_at, z_at = calibrated.swapaxes(0, 1), z.swapaxes(0, 1)
        return [DigitReading(tuple(map(int, box)), images[i],
                             dict(zip(kinds, calibrated_at[i], strict=True)),
                             dict(zip(kinds, z_at[i], strict=True)), dict(self.temperatures),
                             decisions[i], () if maps is None else maps[i],
                             None if fitted is None else fitted[i],
                             False if widened is None else widened[i])
                for i, box in enumerate(boxes)]

    def read_prediction(self, prediction) -> Reading:
        """A drawing the predictor has already read (one CNN pass gives the bars and the
        feature maps: the Draw tab's live path) read as one digit: the gate's decision and
        the temperatures are added, nothing is predicted again.

        Args:
            prediction: an :class:`~digitlab.engine.inference.Prediction` of the drawing.
        """
        pre = prediction.preprocess
        if prediction.is_empty:
            return Reading(pre, ())
        image28 = pre.image28
        scores = None if self.gate is None else self.gate.scores(image28[None])
        decisions = [None] if scores is None else self.gate.decide_scores(scores)
        probs = {kind: np.asarray(p)[None] for kind, p in prediction.probabilities.items()}
        one = self._pieces(image28[None], [pre.bbox], probs, decisions, scores=scores)[0]
        return Reading(pre, (one,), one)
