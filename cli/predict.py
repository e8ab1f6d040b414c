"""``digitlab predict IMAGE...``: what the three models say about digit images."""

from __future__ import annotations

import argparse
import json
import sys

from digitlab.engine import MODEL_KINDS

#: The order the readable output lists models in: the best first.
_DISPLAY_ORDER = ("cnn", "dnn", "multinomial")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "predict", help="predict the digit in image files with all three models",
        description="Predict the digit in each image (a drawing or a photo of one digit, "
        "dark on light or light on dark) with the shipped models. The image is cropped, "
        "fitted and centred the way MNIST digits were before the models see it.")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per image")
    p.add_argument("--model", action="append", default=[], metavar="KIND=PATH",
                   type=_model_override,
                   help="use this .keras file for KIND (multinomial, dnn or cnn) instead of "
                   "the shipped model; repeatable")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.images import ImageLoadError, load_digit_image  # noqa: PLC0415
    from digitlab.engine.inference import load_predictor  # noqa: PLC0415

    # Read straight into the numpy network: no TensorFlow import (engine.keras_reader).
    predictor = load_predictor(_model_paths(dict(args.model)))
    rows = []
    for path in args.images:
        try:
            drawing = load_digit_image(path)
        except ImageLoadError as exc:
            rows.append({"path": path, "error": _one_line(exc)})
            continue
        prediction = predictor.predict(drawing)
        rows.append({
            "path": path,
            "digit": prediction.digit,
            "models": {
                kind: {"digit": prediction.digits[kind],
                       "probabilities": [round(float(p), 6) for p in probs]}
                for kind, probs in prediction.probabilities.items()
            },
        })
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            # Results on stdout, errors on stderr (``digitlab predict *.png > out.txt``).
            print(_describe(row), file=sys.stderr if "error" in row else sys.stdout)
    return 1 if any("error" in row for row in rows) else 0


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
    if row["digit"] is None:
        return f"{row['path']}: no digit"
    parts = []
    for kind in _DISPLAY_ORDER:
        if kind in row["models"]:
            result = row["models"][kind]
            confidence = 100.0 * result["probabilities"][result["digit"]]
            # A model that disagrees says which digit it saw.
            said = "" if result["digit"] == row["digit"] else f" says {result['digit']}"
            parts.append(f"{kind}{said} {confidence:.1f}%")
    return f"{row['path']}: {row['digit']} ({', '.join(parts)})"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
