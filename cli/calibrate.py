"""``digitlab calibrate``: fit each model's temperature, report ECE before and after."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from digitlab.engine import MODEL_KINDS


def add_parser(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="fit a temperature per model so its probabilities are honest",
        description="Fit one temperature per model on the validation split (the last "
        "fraction of the MNIST training set, as Keras's validation_split takes it), then "
        "report the expected calibration error (ECE) on the test set before and after. "
        "Temperature scaling keeps every predicted digit; only the probabilities change.")
    p.add_argument("--validation-split", type=float, default=0.1,
                   help="the held-out fraction the models did not train on (default 0.1, "
                   "the improved recipe's, which trained the shipped models)")
    p.add_argument("--output", help="where to write the temperatures (default: "
                   "resources/models/calibration.json, beside the shipped models)")
    p.add_argument("--data", help="MNIST .npz or folder of IDX files (default: the bundled copy)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.calibration import SHIPPED_CALIBRATION, calibrate_kind  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import file_sha256, shipped_model_path  # noqa: PLC0415

    if not 0.0 < args.validation_split < 1.0:
        raise ValueError(f"Received --validation-split {args.validation_split}; "
                         "expected a fraction in (0, 1)")
    data = load_mnist(args.data)
    kinds = tuple(k for k in MODEL_KINDS if shipped_model_path(k).exists())
    predictor = Predictor.load_shipped(kinds)
    n_val = int(round(len(data.x_train) * args.validation_split))
    x_val, y_val = data.x_train[-n_val:], data.y_train[-n_val:]
    print(f"fitting temperatures on the last {n_val} training images; "
          f"measuring on {len(data.x_test)} test images", file=sys.stderr)
    val = predictor.predict_batch(x_val)
    test = predictor.predict_batch(data.x_test)
    report = {}
    for kind in kinds:
        entry = calibrate_kind(val[kind], y_val, test[kind], data.y_test)
        entry["model_sha256"] = file_sha256(shipped_model_path(kind))
        entry["validation"] = f"last {n_val} of the MNIST training set"
        report[kind] = entry
    output = Path(args.output) if args.output else SHIPPED_CALIBRATION
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, output)
    if args.json:
        print(json.dumps({k: {key: v[key] for key in ("temperature", "ece_before", "ece_after")}
                          for k, v in report.items()}))
    else:
        for kind, entry in report.items():
            print(f"{kind}: T = {entry['temperature']:.3f}, test ECE "
                  f"{100 * entry['ece_before']:.2f}% -> {100 * entry['ece_after']:.2f}%")
        print(f"saved to {output}")
    if output.resolve() == SHIPPED_CALIBRATION.resolve():
        note = stage_note({k: v["temperature"] for k, v in report.items()})
        if note:
            print(note, file=sys.stderr)
    return 0


def stage_note(temperatures: dict[str, float]) -> str | None:
    """What to say when new temperatures switch the gate's second stage off, else None.

    The stage (``engine.gate_stage``) applies only with the temperatures it was fitted
    for, so after a recalibration the app quietly falls back to the gate alone until
    ``digitlab fit-gate-stage`` runs again.
    """
    from digitlab.engine.gate import SHIPPED_GATE, read_stage  # noqa: PLC0415
    from digitlab.engine.models import ModelFileError  # noqa: PLC0415

    try:
        stage = read_stage(SHIPPED_GATE)
    except ModelFileError:
        return None
    if stage is None or stage.applies_to(temperatures):
        return None
    return ("note: the gate's second stage was fitted for other temperatures, so the app "
            "now uses the gate alone; run `digitlab fit-gate-stage` to fit "
            "it for these (README: \"The gate's second stage\")")
