"""``digitlab train {multinomial,dnn,cnn}``: train a model, print its test accuracy."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from digitlab.engine import MODEL_KINDS
from digitlab.engine.paths import user_model_path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a model on MNIST (the lesson's recipe by default)",
        description="Train one of the three models. Defaults are the lesson's recipe "
        "(Adam lr 1e-4, batch 100, validation split 0.2, early stopping patience 3); "
        "--recipe improved is the recipe of the shipped models.",
    )
    p.add_argument("kind", choices=MODEL_KINDS)
    p.add_argument(
        "--recipe",
        choices=("lesson", "improved"),
        default="lesson",
        help="starting point for the knobs below (default: lesson)",
    )
    p.add_argument("--epochs", type=int, help="most epochs (early stopping may end sooner)")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--validation-split", type=float)
    p.add_argument("--patience", type=int, help="early-stopping patience; 0 turns it off")
    p.add_argument("--no-dropout", action="store_true", help="CNN without Dropout(0.25)")
    aug = p.add_mutually_exclusive_group()
    aug.add_argument(
        "--augment",
        dest="augment",
        action="store_true",
        default=None,
        help="random shifts, rotations, scale, stroke width",
    )
    aug.add_argument("--no-augment", dest="augment", action="store_false")
    p.add_argument(
        "--pen-share",
        type=float,
        help="with augmentation, the share of training digits shown redrawn as pen "
        "strokes (default 0: none)",
    )
    p.add_argument(
        "--elastic-share",
        type=float,
        help="with augmentation, the share of training digits also bent by a smooth random "
        "displacement field (default 0: none)",
    )
    p.add_argument(
        "--hand-digits",
        type=int,
        default=0,
        metavar="N",
        help="add N digits from each training group of handwriting and Hershey fonts "
        "(other hands than MNIST's; with the fonts of 'digitlab fetch-hand-fonts' where "
        "installed) to the training split (default 0: MNIST only)",
    )
    p.add_argument(
        "--extra-hands",
        action="store_true",
        help="with --hand-digits, also the 36 more handwriting fonts of 'digitlab "
        "fetch-hand-fonts' that only the models' digits use (four more groups)",
    )
    p.add_argument("--schedule", choices=("constant", "cosine"))
    p.add_argument("--limit", type=int, help="train on the first N training samples only")
    p.add_argument("--seed", type=int)
    p.add_argument("--data", help="MNIST .npz or folder of IDX files (default: the bundled copy)")
    p.add_argument(
        "--output",
        help="where to save the .keras model "
        "(default: the user's data folder, which the app loads)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary at the end")


#: With ``--seed S``, ``--hand-digits`` draws its digits with seed ``HAND_DIGITS_SEED + S``.
HAND_DIGITS_SEED = 4241


def run(args: argparse.Namespace) -> int:
    from digitlab.cli.progress import TerminalProgress  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415 - keep `digitlab --help` fast
    from digitlab.engine.models import check_card_slot  # noqa: PLC0415
    from digitlab.engine.safe_writes import check_writable_folder  # noqa: PLC0415
    from digitlab.engine.strict_json import dumps_json  # noqa: PLC0415
    from digitlab.engine.training import LESSON_ACCURACY, improved_recipe, lesson_recipe, train  # noqa: PLC0415

    overrides = {
        "epochs": args.epochs,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
        "validation_split": args.validation_split,
        "patience": args.patience,
        "limit": args.limit,
        "seed": args.seed,
        "schedule": args.schedule,
        "pen_share": args.pen_share,
        "elastic_share": args.elastic_share,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if args.no_dropout:
        overrides["dropout"] = False
    if args.augment is not None:
        overrides["augment"] = args.augment
    recipe = improved_recipe if args.recipe == "improved" else lesson_recipe
    config = recipe(args.kind, **overrides)
    output = Path(args.output).expanduser() if args.output else user_model_path(args.kind)
    if output.suffix != ".keras":
        raise ValueError(f"Received --output {str(output)!r}; the model file must end in .keras")
    # Before the run, not after it: a read-only folder, a folder named x.keras or a
    # foreign x.json beside it would otherwise throw the trained model away.
    check_writable_folder(output, "model")
    check_card_slot(output)

    if args.hand_digits < 0:
        raise ValueError(f"Received --hand-digits {args.hand_digits}; expected >= 0 (0: none)")
    if args.extra_hands and not args.hand_digits:
        raise ValueError("Received --extra-hands without --hand-digits; expected both")
    data = load_mnist(args.data)
    extra, hand_card = None, None
    if args.hand_digits:
        from digitlab.engine.gate_data import font_digit_samplers, labelled_digits  # noqa: PLC0415

        # Every training group of handwriting and Hershey fonts, the Fontsource hands'
        # where installed; never a held-out "-2" group (those measure other hands).
        samplers = font_digit_samplers(train=True, more_hands=True, extra_hands=args.extra_hands)
        if not samplers:
            raise ValueError("Received --hand-digits, but no handwriting or Hershey font is "
                             "installed (see the README's gate set-up)")
        # The seed follows --seed, so one command gives one set of digits.
        extra = labelled_digits(samplers, args.hand_digits, HAND_DIGITS_SEED + (config.seed or 0))
        groups = sorted(samplers)
        hand_card = {"per_group": args.hand_digits, "digits": len(extra[1]), "groups": groups}
        print(f"Adding {len(extra[1])} digits of {len(groups)} groups of other hands to the "
              "training split", file=sys.stderr)
    from digitlab.engine.devices import describe_training_devices  # noqa: PLC0415

    print(
        f"Training {args.kind} ({args.recipe} recipe) on {describe_training_devices()}: "
        f"lr {config.learning_rate}, batch {config.batch_size}, "
        f"validation split {config.validation_split}, patience {config.patience}, "
        f"augment {config.augment} (pen share {config.pen_share if config.augment else 0}, "
        f"elastic share {config.elastic_share if config.augment else 0}), "
        f"schedule {config.schedule}, "
        f"{len(data.x_train[: config.limit])} training samples",
        file=sys.stderr,
    )
    result = train(config, data, on_event=TerminalProgress(config.batch_size), extra_train=extra)
    lesson_key = "cnn_dropout" if args.kind == "cnn" and config.dropout else args.kind
    summary = {
        "kind": args.kind,
        "recipe": args.recipe,
        "epochs_run": result.epochs_run,
        "best_epoch": None if result.best_epoch is None else result.best_epoch + 1,
        "stop_reason": result.stop_reason,
        "seconds": round(result.seconds, 1),
        "test_accuracy": result.test_accuracy,
        "lesson_accuracy": LESSON_ACCURACY[lesson_key],
        "output": str(output),
    }
    card = {"recipe": args.recipe, "config": dict(vars(config)), "epochs_run": result.epochs_run,
            "best_epoch": summary["best_epoch"], "stop_reason": result.stop_reason,
            "seconds": summary["seconds"]}
    if hand_card:
        card["hand_digits"] = hand_card
    saved = _save_or_fall_back(result.model, output, result.test_accuracy, card)
    if saved != output:
        summary["output"] = str(saved)
        if args.json:
            print(dumps_json(summary))
        return 1
    if args.json:
        print(dumps_json(summary))
    else:
        print(
            f"Test accuracy: {result.test_accuracy:.4f} "
            f"(lesson: {LESSON_ACCURACY[lesson_key]:.4f}); "
            f"{result.epochs_run} epochs in {result.seconds:.0f}s, stopped: {result.stop_reason}; "
            f"saved to {output}"
        )
    return 0


def _save_or_fall_back(model, output: Path, test_accuracy, card: dict) -> Path:
    """Save the model and its card; if that fails now, save them somewhere else.

    The folder was checked before training, but it can still fail at the end (disk
    full, the folder removed or made read-only meanwhile): the trained model is
    then written to the user's data folder or the temporary folder instead, and
    stderr says where.

    Returns:
        Where the model went.

    Raises:
        OSError: no place could take it (the message names the first file).
    """
    from digitlab.engine.models import save_model_with_card  # noqa: PLC0415

    try:
        return save_model_with_card(model, output, test_accuracy, **card)[0]
    except OSError as exc:
        first_error = f"{output}: cannot save the model ({exc.strerror or exc})"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{output.stem}-{stamp}.keras"
    for folder in (user_model_path(card["config"]["kind"]).parent, Path(tempfile.gettempdir())):
        fallback = folder / name
        try:
            save_model_with_card(model, fallback, test_accuracy, **card)
        except OSError:
            continue
        print(f"digitlab train: error: {first_error}; the trained model was saved to "
              f"{fallback} instead", file=sys.stderr)
        return fallback
    raise OSError(f"{first_error}, nor in the data or temporary folder")
