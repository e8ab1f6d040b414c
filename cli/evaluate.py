"""``digitlab evaluate``: accuracy of models on the full MNIST test set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitlab.engine import MODEL_KINDS


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="test-set accuracy of the shipped models or of model files",
        description="Evaluate on the MNIST test set (10,000 images). NAME is "
        "multinomial, dnn or cnn (the shipped model); PATH is a .keras file.",
    )
    p.add_argument("--model", nargs="+", metavar="NAME_OR_PATH", default=list(MODEL_KINDS))
    p.add_argument("--data", help="MNIST .npz or folder of IDX files (default: the bundled copy)")
    p.add_argument("--styles", type=int, metavar="N", default=0,
                   help="also measure accuracy on the first N test digits restyled as people "
                   "draw them (canvas, thick, thin, small and off-centre, slanted, ink on "
                   "paper), through the app's own preprocessing")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.models import load_model, shipped_model_path  # noqa: PLC0415
    from digitlab.engine.training import evaluate_accuracy  # noqa: PLC0415

    if args.styles < 0:
        raise ValueError(f"Received --styles {args.styles}; it must be >= 0.")
    data = load_mnist(args.data)
    report = {}
    for name in args.model:
        if name in MODEL_KINDS:
            model, _ = load_model(shipped_model_path(name), expected_kind=name)
            key = name
        else:
            model, kind = load_model(Path(name))
            key = name
        report[key] = {
            "accuracy": round(evaluate_accuracy(model, data.x_test, data.y_test), 6),
            "samples": int(len(data.y_test)),
        }
        if args.styles:
            from digitlab.engine.inference import Predictor  # noqa: PLC0415
            from digitlab.engine.styles import styled_accuracy  # noqa: PLC0415

            kind = name if name in MODEL_KINDS else kind
            n = min(args.styles, len(data.y_test))
            styled = styled_accuracy(
                Predictor.from_keras({kind: model}), data.x_test[:n], data.y_test[:n])
            report[key]["styles"] = {style: round(acc[kind], 4) for style, acc in styled.items()}
            report[key]["styles_samples"] = n
    if args.json:
        print(json.dumps(report))
    else:
        for key, row in report.items():
            print(f"{key:>12}  accuracy {row['accuracy']:.4f}  on {row['samples']} test images")
            for style, acc in row.get("styles", {}).items():
                print(f"{'':>12}  {style:<18} {acc:.4f}  on {row['styles_samples']} restyled")
    return 0
