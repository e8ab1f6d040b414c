"""``digitlab fit-gate-stage``: fit the not-a-digit gate's second stage for the shipped models."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "fit-gate-stage", help="fit the gate's second stage (the models' doubt where the "
        "gate is unsure) and write it onto the gate's card",
        description="Fit a logistic regression over the gate's logit and the three shipped "
        "models' calibrated outputs (largest probability, entropy, agreement) that decides "
        "where the gate is unsure (score under 0.15, or see --band-share), on fresh samples "
        "of the gate's training families and on validation digits, and measure it against "
        "the gate alone "
        "on data neither saw. Run it again after retraining a model or refitting the "
        "temperatures (`digitlab calibrate`): the stage applies only to the models it was "
        "fitted on.")
    p.add_argument("--gate", help="the gate model (default: the shipped gate.keras); its card "
                   "gets the stage")
    p.add_argument("--twin", help="also fit and measure a stage for this twin gate (trained "
                   "without the held-out families: `digitlab train-gate --output ...`); its "
                   "figures go into the report as the honest estimate")
    p.add_argument("--seed", type=int, default=80, help="samples for the fit (default 80); "
                   "the measurement uses seed + 10")
    p.add_argument("--flag-rate", type=float, default=None,
                   help="share of the fit's digits the gate and the stage together may flag "
                   "(default: the flag rate the gate was trained with, on its card; 0.006 "
                   "for a card without one)")
    p.add_argument("--data", help="MNIST .npz or folder of IDX files (default: the bundled copy)")
    p.add_argument("--band-share", type=float, default=None, metavar="SHARE",
                   help="let the stage decide below the gate score under which this SHARE "
                   "of the fit's digits lie, for each gate (and twin) its own, instead of "
                   "below 0.15 (for gates trained with --mix-outliers, whose digit scores "
                   "are lower; the shipped stage: 0.0244; default: off)")
    p.add_argument("--views", type=float, default=None, metavar="DEGREES",
                   help="first give the gate (and the twin) a second look: a drawing it "
                   "scores under 0.9 is scored again turned by +DEGREES and -DEGREES, the "
                   "mean of the three logits deciding; its threshold is chosen again at the "
                   "same flag rate and both go onto its card (and the twin's) before the "
                   "stage is fitted (tried and not shipped: resources/models/README.md; "
                   "default: the card's views, none on the shipped gate)")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.gate import SHIPPED_GATE, Gate  # noqa: PLC0415
    from digitlab.engine.gate_stage import FLAG_RATE, STAGE_KINDS  # noqa: PLC0415
    from digitlab.engine.gate_stage_fit import fit_for_gate, measure_stage  # noqa: PLC0415
    from digitlab.engine.gate_views import VIEW_BELOW, GateViews  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import file_sha256, shipped_model_path  # noqa: PLC0415

    gate_path = Path(args.gate) if args.gate else SHIPPED_GATE
    card_path = gate_path.with_suffix(".json")
    card = _read_card(card_path)
    flag_rate, source = args.flag_rate, f"--flag-rate {args.flag_rate}"
    if flag_rate is None:
        flag_rate = card.get("report", {}).get("flag_rate", FLAG_RATE)
        source = f"the flag rate {flag_rate!r} on {card_path.name}"
    if type(flag_rate) not in (int, float) or not 0.0 < flag_rate < 1.0:
        raise ValueError(f"Received {source}; expected a share in (0, 1)")
    if args.band_share is not None and not 0.0 < args.band_share < 1.0:
        raise ValueError(f"Received --band-share {args.band_share}; expected a share in (0, 1)")
    views = None
    if args.views is not None:
        if not 0.0 < args.views <= 45.0:
            raise ValueError(f"Received --views {args.views}; expected a turn of more than 0 "
                             "and at most 45 degrees")
        views = GateViews((args.views, -args.views), VIEW_BELOW)
    files = {k: shipped_model_path(k) for k in STAGE_KINDS}
    temperatures = load_temperatures(model_files=files)
    missing = [k for k in STAGE_KINDS if k not in temperatures]
    if missing:
        raise ValueError(f"no temperature for the shipped {', '.join(missing)} model; run "
                         "`digitlab calibrate` first (the stage reads calibrated outputs)")
    data = load_mnist(args.data)
    predictor = Predictor.load_shipped(STAGE_KINDS)
    all_families = bool(card.get("report", {}).get("trained_on_held_out_families"))
    gate = Gate.load(gate_path).with_stage(None)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if views is not None:
        log(f"giving {gate_path} a second look (turned +-{args.views:g} degrees) and choosing "
            "its threshold again...")
        gate, card = _with_views(gate, card, views, data, flag_rate)

    log(f"fitting the stage for {gate_path} (its training families: "
        f"{'all' if all_families else 'without the held-out ones'})...")
    stage = fit_for_gate(gate, predictor, temperatures, data, all_families=all_families,
                         seed=args.seed, flag_rate=flag_rate, band_share=args.band_share)
    log(f"measuring it against the gate alone (the stage decides below gate score "
        f"{stage.gate_sure:.4f})...")
    report = measure_stage(gate, stage, predictor, temperatures, data,
                           held_out_families=not all_families, seed=args.seed + 10)
    if args.twin:
        twin = Gate.load(args.twin).with_stage(None)
        if views is not None:
            twin_card_path = Path(args.twin).with_suffix(".json")
            twin, twin_card = _with_views(twin, _read_card(twin_card_path), views, data,
                                          flag_rate)
            _write_card(twin_card_path, twin_card)
        log(f"the twin {args.twin}: fitting and measuring its own stage...")
        twin_stage = fit_for_gate(twin, predictor, temperatures, data, all_families=False,
                                  seed=args.seed, flag_rate=flag_rate,
                                  band_share=args.band_share)
        report["split_twin"] = measure_stage(twin, twin_stage, predictor, temperatures, data,
                                             held_out_families=True, seed=args.seed + 10)
    report["flag_rate"] = flag_rate
    report["band"] = stage.gate_sure
    report["band_share"] = args.band_share  # None: the fixed band; benchmarks fit twins alike
    if args.twin:
        report["split_twin"]["band"] = twin_stage.gate_sure
    report["command"] = "digitlab " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""
    report["models_sha256"] = {k: file_sha256(files[k]) for k in STAGE_KINDS}
    stage = replace(stage, report=report)
    card["second_stage"] = stage.to_json()
    _write_card(card_path, card)
    _print_report(report)
    print(f"saved the stage to {card_path}")
    return 0


def _read_card(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: the gate's card cannot be read ({exc})") from None


def _write_card(path: Path, card: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _with_views(gate, card: dict, views, data, flag_rate: float) -> tuple:
    """``gate`` with ``views`` and its threshold chosen again as ``train-gate`` chooses it
    (seed 2), and its card with both (the threshold without views kept beside them)."""
    from digitlab.engine.gate_training import choose_threshold  # noqa: PLC0415

    seen = gate.with_views(views)
    seen = seen.with_threshold(choose_threshold(seen, data, flag_rate, 2))
    before = card.get("views", {}).get("threshold_without_views", card.get("threshold"))
    card = {**card, "threshold": seen.threshold,
            "views": {**views.to_json(), "threshold_without_views": before}}
    return seen, card


def _print_report(report: dict) -> None:
    for title, part in (("", report), ("twin: ", report.get("split_twin"))):
        if not part:
            continue
        for group in ("non_digits_flagged", "digits_flagged"):
            for name, pair in part[group].items():
                print(f"{title}{group.replace('_', ' ')}, {name}: gate {100 * pair['gate']:.2f}%"
                      f" -> gate + stage {100 * pair['gate + stage']:.2f}%")
