"""``digitlab predict IMAGE...``: what the three models say about digit images."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from digitlab.engine import MODEL_KINDS
from digitlab.engine.errors import one_line
from digitlab.engine.strict_json import dumps_json

#: The order the readable output lists models in: the best first.
_DISPLAY_ORDER = ("cnn", "dnn", "multinomial")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "predict", help="predict the digit in image files with all three models",
        description="Predict the digit in each image (a drawing or a photo of a digit or "
        "a number, dark on light or light on dark) with the shipped models. Each digit is "
        "cropped, fitted and centred the way MNIST digits were before the models see it; "
        "a drawing that is not a digit is reported as such (the not-a-digit gate), and "
        "probabilities are calibrated.")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per image")
    p.add_argument("--model", action="append", default=[], metavar="KIND=PATH",
                   type=_model_override,
                   help="use this .keras file for KIND (multinomial, dnn or cnn) instead of "
                   "the shipped model; repeatable")
    p.add_argument("--gate", metavar="PATH",
                   help="use this not-a-digit gate (.keras) instead of the shipped one")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.images import ImageLoadError, load_digit_image  # noqa: PLC0415

    reader = _load_reader(dict(args.model), args.gate)
    rows = []
    for path in args.images:
        try:
            drawing = load_digit_image(path)
        except ImageLoadError as exc:
            rows.append({"path": path, "error": one_line(exc)})
            continue
        # No time budget here: every image is segmented (quick=False).
        rows.append({"path": path,
                     **reading_json(reader.read(drawing, whole=True, quick=False))})
    if args.json:
        print(dumps_json(rows))  # NaN/inf become null: valid JSON
    else:
        for row in rows:
            # Results on stdout, errors on stderr (``digitlab predict *.png > out.txt``).
            print(_describe(row), file=sys.stderr if "error" in row else sys.stdout)
    return 1 if any("error" in row for row in rows) else 0


def reading_json(reading) -> dict:
    """A :class:`engine.reading.Reading` as ``predict --json`` prints it (without ``path``).

    ``digit``, ``models`` and ``digit_score`` read the whole drawing as one digit, as
    before numbers were read; ``digit`` is ``null`` with a ``reason`` (``"empty"``,
    ``"not a digit"``, ``"several digits"``). ``number`` and ``digits`` give the
    pieces, left to right. Probabilities are calibrated (see ``digitlab calibrate``).
    """
    whole = reading.whole
    row = {
        "digit": reading.digit,
        "models": {} if whole is None else _models_json(whole),
        "digit_score": None if whole is None or whole.gate is None
        else round(whole.gate.digit_score, 6),
        "number": reading.number,
        "digits": [{"box": list(d.box), "digit": d.digit,
                    "digit_score": None if d.gate is None else round(d.gate.digit_score, 6),
                    "models": _models_json(d)} for d in reading.digits],
    }
    if reading.reason is not None:
        row["reason"] = reading.reason
    if whole is not None and whole.gate is not None:
        row["threshold"] = round(whole.gate.threshold, 6)
    return row


def _models_json(piece) -> dict:
    return {kind: {"digit": int(np.argmax(probs)),
                   "probabilities": [round(float(p), 6) for p in probs]}
            for kind, probs in piece.probabilities.items()}


def _load_reader(overrides: dict[str, str], gate_path: str | None):
    """The models (shipped or overridden), the gate and the temperatures of the shipped models.

    A model given with ``--model`` keeps ``T = 1`` unless the calibration file was
    fitted for that very file (its SHA-256 is recorded).
    """
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.gate import SHIPPED_GATE, Gate  # noqa: PLC0415
    from digitlab.engine.inference import load_predictor  # noqa: PLC0415
    from digitlab.engine.reading import Reader  # noqa: PLC0415

    # Read straight into the numpy network: no TensorFlow import (engine.keras_reader).
    paths = _model_paths(overrides)
    predictor = load_predictor(paths)
    if gate_path is not None:
        gate = Gate.load(gate_path)
    else:
        gate = Gate.load(SHIPPED_GATE) if SHIPPED_GATE.exists() else None
    temperatures = load_temperatures(model_files={k: Path(v) for k, v in paths.items()})
    return Reader(predictor, gate, temperatures)


def _model_override(text: str) -> tuple[str, str]:
    """``"cnn=path.keras"`` -> ``("cnn", "path.keras")``; argparse turns errors into usage."""
    kind, sep, path = text.partition("=")
    if not sep or kind not in MODEL_KINDS or not path:
        raise argparse.ArgumentTypeError(
            f"Received {text!r}; expected KIND=PATH with KIND one of {', '.join(MODEL_KINDS)}")
    return kind, path


def _model_paths(overrides: dict[str, str]) -> dict:
    """The overriding model files, and the shipped models for the other kinds that exist.

    Raises:
        engine.models.ModelFileError: no model at all is available.
    """
    from digitlab.engine.models import ModelFileError, shipped_model_path  # noqa: PLC0415

    models = {}
    for kind in MODEL_KINDS:
        if kind in overrides:
            models[kind] = overrides[kind]
        elif shipped_model_path(kind).exists():
            models[kind] = shipped_model_path(kind)
    if not models:
        raise ModelFileError(
            f"no models: {shipped_model_path('cnn').parent} holds no pretrained models; "
            "pass --model KIND=PATH (see digitlab train)")
    return models


def _describe(row: dict) -> str:
    """One readable line: "digit.png: 3 (cnn 99.2%, dnn 97.0%, multinomial 88.1%)"."""
    if "error" in row:
        # The loader's message names the file already; the line starts with it anyway.
        reason = row["error"].removeprefix(f"{row['path']}: ")
        return f"{row['path']}: error: {reason}"
    reason = row.get("reason")
    if reason == "empty":
        return f"{row['path']}: no digit"
    if len(row["digits"]) > 1:
        pieces = "; ".join(_describe_piece(d) for d in row["digits"])
        number = row["number"] if row["number"] is not None else "not a number"
        return f"{row['path']}: {number} ({len(row['digits'])} parts: {pieces})"
    if reason == "not a digit":
        # Three significant digits: the threshold is small (0.0057), and 0.00 < 0.01 says nothing.
        return (f"{row['path']}: not a digit (digit score {row['digit_score']:.3g} < "
                f"threshold {row['threshold']:.3g}; {_describe_models(row['models'], None)})")
    return f"{row['path']}: {row['digit']} ({_describe_models(row['models'], row['digit'])})"


def _describe_piece(piece: dict) -> str:
    if piece["digit"] is None:
        return f"not a digit (score {piece['digit_score']:.3g})"
    return f"{piece['digit']} ({_describe_models(piece['models'], piece['digit'])})"


def _describe_models(models: dict, digit: int | None) -> str:
    """"cnn 99.2%, dnn says 7 61.0%, ..." - a model that disagrees says which digit it saw."""
    parts = []
    for kind in _DISPLAY_ORDER:
        if kind in models:
            result = models[kind]
            confidence = 100.0 * result["probabilities"][result["digit"]]
            said = "" if result["digit"] == digit else f" says {result['digit']}"
            parts.append(f"{kind}{said} {confidence:.1f}%")
    return ", ".join(parts)
