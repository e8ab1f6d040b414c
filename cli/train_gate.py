"""``digitlab train-gate``: train the not-a-digit gate and measure it on held-out drawings."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train-gate", help="train the not-a-digit gate (a small CNN beside the three models)",
        description="Train the gate that tells digits from everything else: MNIST digits "
        "(plain, restyled, redrawn as pen strokes) and digits of handwriting-style and "
        "Hershey stroke fonts, against letters and symbols rendered from this machine's "
        "fonts (system, handwriting-style and Hershey stroke fonts, where installed), "
        "scribbles, shapes, doodles, invented characters, partial strokes and pairs of "
        "digits, all through the app's preprocessing. Some font families and generators "
        "are held out of training to measure how the gate does on drawings it never saw "
        "(with --all-families, a twin measures them and the shipped gate trains on them "
        "too). Writes the model and its card (with the threshold and the figures) beside "
        "each other.")
    p.add_argument("--output", default=None,
                   help="the .keras file to write (default: resources/models/gate.keras)")
    p.add_argument("--per-family", type=int, default=500,
                   help="training samples per non-digit family (default 500)")
    p.add_argument("--digits", type=int, default=20000,
                   help="MNIST training digits (default 20000)")
    p.add_argument("--font-digits", type=int, default=200,
                   help="digits per training group of handwriting and Hershey fonts, where "
                   "installed (default 200; the shipped gate: 600; 0: MNIST digits only)")
    p.add_argument("--filters", type=int, nargs=2, default=(32, 64), metavar=("C1", "C2"),
                   help="channels of the two convolutions (default 32 64)")
    p.add_argument("--dense", type=int, default=128, help="hidden units (default 128)")
    p.add_argument("--all-families", action="store_true",
                   help="train the gate on the held-out non-digit families too; a twin "
                   "trained without them is measured first and its held-out figures go on "
                   "the card (takes twice as long)")
    p.add_argument("--mix-outliers", type=float, default=0.0, metavar="SHARE",
                   help="the SHARE of each batch's non-digits replaced by the non-digit with "
                   "a box of a digit pasted in, labelled by the digit's share of the ink "
                   "(MixOE; the shipped gate: 0.1; default 0: off)")
    p.add_argument("--more-hands", action="store_true",
                   help="train (and measure) with the handwriting fonts that "
                   "'digitlab fetch-hand-fonts' installs, 42 in training groups and 21 held "
                   "out (the shipped gate: on; without them installed: no change)")
    tried = p.add_argument_group(
        "tried and not shipped", "recipe changes measured against the shipped gate's twin; "
        "each is off by default (resources/models/README.md has the figures)")
    tried.add_argument("--hard-negatives", type=float, default=0.0, metavar="SHARE",
                   help="hard-negative mining: after 3/4 of the epochs, the SHARE of training "
                   "non-digits the gate scores most digit-like weighs 3x for the rest "
                   "(default 0: off)")
    tried.add_argument("--drop-digits", type=float, default=0.0, metavar="SHARE",
                   help="after a quarter of the epochs, the SHARE of training digits the gate "
                   "finds least digit-like weighs 0 for the rest (default 0: off)")
    tried.add_argument("--distort", type=float, default=0.0, metavar="SHARE",
                   help="bend this SHARE of the training non-digits with a smooth random "
                   "distortion, as a hand bends the shapes fonts draw exactly (default 0: off)")
    tried.add_argument("--distort-digits", action="store_true",
                   help="with --distort, bend the same share of the training digits too")
    tried.add_argument("--generator-samples", type=int, default=0, metavar="N",
                   help="training samples per random-stroke family (scribbles, partial strokes, "
                   "invented characters), which vary without end where a font has a few "
                   "dozen glyphs (default 0: --per-family)")
    tried.add_argument("--shifted-digits", type=int, default=0, metavar="N",
                   help="N training non-digits per shift: MNIST digits turned a quarter or "
                   "half turn, mirrored or flipped where that makes them no digit "
                   "(default 0: none)")
    tried.add_argument("--outlines", type=int, default=0, metavar="N",
                   help="N training non-digits per kind of closed outline that is no oval "
                   "(blobs with dents, polygons with corners going in; default 0: none)")
    tried.add_argument("--convex-outlines", type=int, default=0, metavar="N",
                   help="N training non-digits that are closed outlines, convex or nearly, "
                   "but no oval: polygons, drops and lenses, arcs closed by a chord, "
                   "scallops (default 0: none)")
    tried.add_argument("--scrawls", type=int, default=0, metavar="N",
                   help="N training non-digits that are quick scribbles: random walks of "
                   "9-28 straight strokes with sharp corners (default 0: none)")
    tried.add_argument("--mix-power", type=float, default=1.0, metavar="P",
                   help="with --mix-outliers, label a mixture by the digit's share of its ink "
                   "to the power P (default 1)")
    p.add_argument("--epochs", type=int, default=16, help="passes over the data (default 16)")
    p.add_argument("--flag-rate", type=float, default=None,
                   help="share of unseen validation digits the threshold may flag, in (0, 1) "
                   "(default 0.006; the card records it for fit-gate-stage)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", help="MNIST .npz or folder of IDX files (default: the bundled copy)")
    p.add_argument("--json", action="store_true", help="print the measurements as JSON")


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.data import load_mnist  # noqa: PLC0415 - keep `digitlab --help` fast
    from digitlab.engine.gate import SHIPPED_GATE  # noqa: PLC0415
    from digitlab.engine.gate_stage import FLAG_RATE  # noqa: PLC0415
    from digitlab.engine.gate_training import train_gate  # noqa: PLC0415
    from digitlab.engine.models import save_model_atomic, write_model_card  # noqa: PLC0415

    output = Path(args.output) if args.output else SHIPPED_GATE
    if output.suffix != ".keras":
        raise ValueError(f"Received --output {str(output)!r}; the model file must end in .keras")
    if args.font_digits < 0 or min(args.filters) < 1 or args.dense < 1:
        raise ValueError(f"Received --font-digits {args.font_digits}, --filters "
                         f"{' '.join(map(str, args.filters))}, --dense {args.dense}; "
                         "expected --font-digits >= 0 and sizes >= 1")
    for name in ("hard_negatives", "distort", "mix_outliers"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            raise ValueError(f"Received --{name.replace('_', '-')} {getattr(args, name)}; "
                             "expected a share in [0, 1] (0: off)")
    if not 0.0 <= args.drop_digits < 1.0:
        raise ValueError(f"Received --drop-digits {args.drop_digits}; expected a share in "
                         "[0, 1) (0: off; some digits must stay)")
    for name in ("shifted_digits", "generator_samples", "outlines", "convex_outlines",
                 "scrawls"):
        if getattr(args, name) < 0:
            raise ValueError(f"Received --{name.replace('_', '-')} {getattr(args, name)}; "
                             "expected >= 0 (0: off)")
    if not args.mix_power > 0:
        raise ValueError(f"Received --mix-power {args.mix_power}; expected > 0")
    flag_rate = FLAG_RATE if args.flag_rate is None else args.flag_rate
    if not 0.0 < flag_rate < 1.0:  # else it fails after the whole training, at the threshold
        raise ValueError(f"Received --flag-rate {flag_rate}; expected a share in (0, 1)")
    for name in ("per_family", "digits", "epochs"):
        if getattr(args, name) < 1:
            raise ValueError(f"Received --{name.replace('_', '-')} {getattr(args, name)}; "
                             "it must be >= 1")
    result = train_gate(load_mnist(args.data), per_family=args.per_family,
                        n_digits=args.digits, epochs=args.epochs, flag_rate=flag_rate,
                        seed=args.seed, filters=tuple(args.filters), dense=args.dense,
                        font_digits=args.font_digits, all_families=args.all_families,
                        hard_negatives=args.hard_negatives, distort=args.distort,
                        distort_digits=args.distort_digits, shifted=args.shifted_digits,
                        generator_samples=args.generator_samples,
                        drop_digits=args.drop_digits, outlines=args.outlines,
                        more_hands=args.more_hands, mix_outliers=args.mix_outliers,
                        mix_power=args.mix_power, convex_outlines=args.convex_outlines,
                        scrawls=args.scrawls,
                        log=lambda line: print(line, file=sys.stderr))
    save_model_atomic(result.model, output)
    report = result.report
    flagged = report["non_digits_flagged"]
    twin = report.get("split_twin", {}).get("non_digits_flagged")
    # The card's "test_accuracy" is the share of MNIST test digits the gate accepts.
    write_model_card(
        output, 1.0 - report["digits_flagged"]["mnist test"], kind="gate",
        threshold=result.threshold, seconds=round(result.seconds, 1),
        command="digitlab train-gate " + " ".join(sys.argv[2:]).strip(), report=report)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"threshold {result.threshold:.4f}; non-digits flagged: "
              f"{flagged['train_families']:.1%} (training families, fresh samples), "
              + (f"{twin['held_out_families']:.1%} (held-out families, by the twin trained "
                 "without them); " if twin else
                 f"{flagged['held_out_families']:.1%} (held-out families); ")
              + "digits flagged: "
              + ", ".join(f"{k} {v:.2%}" for k, v in report["digits_flagged"].items())
              + f"; {result.seconds:.0f}s; saved to {output}")
    return 0
