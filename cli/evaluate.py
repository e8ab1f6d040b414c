"""``digitlab evaluate``: accuracy of models on the full MNIST test set.

Runs on the numpy network read straight from the model files
(:mod:`engine.keras_reader`), without TensorFlow, through the same chunked
evaluation as the Train tab (:func:`engine.evaluation.evaluate`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from digitlab.engine import MODEL_KINDS
from digitlab.engine.strict_json import dumps_json

#: Most-confused pairs listed per model.
TOP_PAIRS = 5


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
    p.add_argument("--confusion", action="store_true",
                   help="also print the confusion matrix (rows: true digit, columns: "
                   "predicted) and the most-confused pairs; with --json, a 10x10 matrix "
                   "and the pairs per model")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.evaluation import evaluate, predictor_predict_proba  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.keras_reader import read_model_network  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415

    if args.styles < 0:
        raise ValueError(f"Received --styles {args.styles}; it must be >= 0.")
    # Model files first: a bad path fails at once, before MNIST is read.
    networks = {}
    for name in args.model:
        if name in MODEL_KINDS:
            networks[name] = read_model_network(shipped_model_path(name), expected_kind=name)
        else:
            networks[name] = read_model_network(Path(name))
    data = load_mnist(args.data)
    report = {}
    for key, (network, kind) in networks.items():
        # The numpy forward pass of the file's weights: no TensorFlow (see engine.keras_reader).
        predictor = Predictor({kind: network})
        result = evaluate(predictor_predict_proba(predictor, kind), data.x_test, data.y_test)
        row = report[key] = {"accuracy": round(result.accuracy, 6), "samples": result.samples}
        if args.confusion:
            row["confusion"] = result.confusion.tolist()
            row["most_confused"] = [
                {"true": pair.true, "predicted": pair.predicted, "count": pair.count}
                for pair in result.most_confused[:TOP_PAIRS]]
        if args.styles:
            from digitlab.engine.styles import styled_accuracy  # noqa: PLC0415

            n = min(args.styles, len(data.y_test))
            styled = styled_accuracy(predictor, data.x_test[:n], data.y_test[:n])
            row["styles"] = {style: round(acc[kind], 4) for style, acc in styled.items()}
            row["styles_samples"] = n
    if args.json:
        print(dumps_json(report))  # NaN/inf become null: valid JSON
    else:
        for key, row in report.items():
            print(f"{key:>12}  accuracy {row['accuracy']:.4f}  on {row['samples']} test images")
            for style, acc in row.get("styles", {}).items():
                print(f"{'':>12}  {style:<18} {acc:.4f}  on {row['styles_samples']} restyled")
            if "confusion" in row:
                print(format_confusion(row["confusion"], row["most_confused"]))
    return 0


def format_confusion(confusion: list[list[int]], pairs: list[dict]) -> str:
    """The confusion matrix as text (rows: true digit, columns: predicted), then the pairs.

    Args:
        confusion: 10 rows of 10 counts.
        pairs: ``{"true", "predicted", "count"}`` dicts, most frequent first.

    Returns:
        Lines like ``"  true 4 |    0    0 ... 962 ..."`` and
        ``"  most confused: 4 taken for 9 (12x), ..."``.
    """
    width = max(4, len(str(max(max(r) for r in confusion))) + 1)
    lines = ["  predicted ->" + "".join(f"{d:>{width}}" for d in range(10))]
    for digit, counts in enumerate(confusion):
        lines.append(f"  true {digit}     |" + "".join(f"{c:>{width}}" for c in counts))
    said = ", ".join(f"{p['true']} taken for {p['predicted']} ({p['count']}x)" for p in pairs)
    lines.append(f"  most confused: {said or 'none'}")
    return "\n".join(lines)
