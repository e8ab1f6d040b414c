"""Benchmark: the not-a-digit gate against sources it never trained on.

The issue's targets are measured on hidden sets of real pen-drawn non-digits and of
digits from about 250 writers who are not in MNIST. The nearest stand-ins here:

- ``gate: held-out non-digits flagged, <source>``: fresh samples of the families held
  out of training (engine.gate_data / engine.hershey): system fonts, handwriting fonts
  (other hands' letters and symbols), Hershey stroke fonts (letters and symbols as pen
  paths), generators (spirals, scratch-outs, hearts, smileys, suns, houses, hooks).
  Each source is the mean of its families. Budget >= 90 %.
- ``gate: held-out hands' digits flagged``: digits of the held-out handwriting and
  Hershey fonts (writers the gate never saw); budget <= 1 %. Plus MNIST test digits.
- ``cnn accuracy: held-out hands' digits, all`` vs ``accepted``: the gate must not cost
  accuracy on what it lets through.

A gate trained with ``train-gate --all-families`` has seen the held-out families: its
rows say so, and the rows ``twin (card): ...`` give the figures its twin (trained without
them, in the same command) measured; those are the honest estimate.

- ``... handwriting fonts it never trained on (Fontsource)``: letters, symbols and digits
  of the 63 handwriting fonts ``digitlab fetch-hand-fonts`` installs, which the shipped
  gate never saw (none of them trains unless ``train-gate --more-hands``): a source of
  other hands as honest as the held-out families, and larger.

- ``gate + stage: ...``: the same drawings as the app decides them when the gate's card
  holds a second stage (engine.gate_stage: where the gate is unsure, the shipped models'
  doubt decides), and ``twin + stage (card): ...``, the twin's honest figures for it.

Without the handwriting or Hershey fonts (e.g. on CI) those rows are left out.
Run alone with ``python -m tests.benchmarks.run --only gate``; to measure another gate
file than the shipped one, set ``DIGITLAB_BENCH_GATE=path/to/gate.keras``.
"""

from __future__ import annotations

import numpy as np

from digitlab.engine.gate_data import labelled_digits
from tests.benchmarks.bench_reading import quality_row

PER_FAMILY = 120
SEED = 900  # no training or card measurement uses seeds 900-999


def run() -> list[dict]:
    """Measure the rows described in the module docstring."""
    from digitlab.engine import gate_data  # noqa: PLC0415
    from digitlab.engine.data import load_mnist  # noqa: PLC0415
    from digitlab.engine.gate import Gate  # noqa: PLC0415
    from digitlab.engine.gate_training import by_source, digits_through_app  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415

    import json  # noqa: PLC0415

    from digitlab.engine.gate import SHIPPED_GATE  # noqa: PLC0415

    import os  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    path = Path(os.environ.get("DIGITLAB_BENCH_GATE", SHIPPED_GATE))  # a candidate gate
    gate = Gate.load(path)
    card = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    report, stage_report = card["report"], card.get("second_stage", {}).get("report", {})
    rows = []
    with_stage = stage_flagger(gate)
    for name, pair in stage_report.get("split_twin", {}).get("non_digits_flagged", {}).items():
        rows.append(quality_row(f"twin + stage (card): non-digits flagged, {name}",
                                pair["gate + stage"], ">= 90%", pair["gate + stage"] >= 0.9,
                                twin_alone=pair["gate"]))
    twin = report.get("split_twin")
    if twin:
        flagged = twin["non_digits_flagged"]
        rows.append(quality_row("twin (card): non-digits flagged, held-out families",
                             flagged["held_out_families"], ">= 90%",
                             flagged["held_out_families"] >= 0.9))
        for source, share in flagged["held_out_by_source"].items():
            rows.append(quality_row(f"twin (card): held-out non-digits flagged, {source}", share,
                                 ">= 90%", share >= 0.9))
    seen = " (the shipped gate trained on them)" if twin else ""
    for train in (False, True):
        families = gate_data.negative_families(train=train)
        x, fam = gate_data.sample_set(families, PER_FAMILY, seed=SEED + train)
        hits = gate.scores(x) < gate.threshold
        rates = {name: float(np.mean(hits[fam == k])) for k, name in enumerate(families)
                 if (fam == k).any()}
        split = ("training families (fresh samples)" if train
                 else f"held-out families{seen}")
        rows.append(quality_row(f"gate: non-digits flagged, {split}", float(np.mean(hits)),
                             ">= 90%", bool(np.mean(hits) >= 0.9), samples=len(x),
                             families=len(families)))
        if with_stage is not None:
            share = float(np.mean(with_stage(x)))
            rows.append(quality_row(f"gate + stage: non-digits flagged, {split}", share,
                                    ">= 90%", share >= 0.9, samples=len(x)))
        if not train:
            for source, share in by_source(rates, train=False).items():
                rows.append(quality_row(f"gate: held-out non-digits flagged{seen}, {source}",
                                     share, ">= 90%", share >= 0.9))
            worst = sorted(rates.items(), key=lambda kv: kv[1])[:5]
            rows.append({"name": "gate: worst held-out families "
                         + ", ".join(f"{k} {100 * v:.0f}%" for k, v in worst),
                         "budget": None, "within_budget": None})

    data = load_mnist()
    plain = digits_through_app(data.x_test[-5000:])
    share = float(np.mean(gate.scores(plain) < gate.threshold))
    rows.append(quality_row("gate: MNIST test digits flagged (last 5000)", share, "<= 1%",
                         share <= 0.01, samples=len(plain)))
    if with_stage is not None:
        share = float(np.mean(with_stage(plain)))
        rows.append(quality_row("gate + stage: MNIST test digits flagged (last 5000)", share,
                                "<= 1%", share <= 0.01, samples=len(plain)))

    hands = gate_data.font_digit_samplers(train=False)
    if hands:
        x, y = labelled_digits(hands, PER_FAMILY, SEED + 2)
        accepted = gate.scores(x) >= gate.threshold
        share = float(1 - accepted.mean())
        rows.append(quality_row("gate: held-out hands' digits flagged (fonts)", share, "<= 1%",
                             share <= 0.01, samples=len(x), groups=len(hands)))
        if with_stage is not None:
            share = float(np.mean(with_stage(x)))
            rows.append(quality_row("gate + stage: held-out hands' digits flagged (fonts)",
                                    share, "<= 1%", share <= 0.01, samples=len(x)))
        cnn = Predictor.load_shipped().predict_batch(x)["cnn"].argmax(axis=1)
        acc_all = float(np.mean(cnn == y))
        acc_ok = float(np.mean(cnn[accepted] == y[accepted]))
        rows.append(quality_row("cnn accuracy: held-out hands' digits, all", acc_all, None, None))
        rows.append(quality_row("cnn accuracy: held-out hands' digits, accepted", acc_ok,
                             ">= all", acc_ok >= acc_all))
    rows.extend(unseen_hands_rows(gate, report, with_stage))
    return rows


def stage_flagger(gate):
    """``images -> bool flags`` as the app decides with the gate's second stage and the
    shipped models (None when the card has no stage, or it does not fit those models)."""
    from digitlab.engine.calibration import load_temperatures  # noqa: PLC0415
    from digitlab.engine.gate_stage import STAGE_KINDS  # noqa: PLC0415
    from digitlab.engine.gate_stage_fit import calibrated_models  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415
    from digitlab.engine.models import shipped_model_path  # noqa: PLC0415

    temperatures = load_temperatures(model_files={k: shipped_model_path(k) for k in STAGE_KINDS})
    if gate.stage is None or not gate.stage.applies_to(temperatures):
        return None
    models = calibrated_models(Predictor.load_shipped(STAGE_KINDS), temperatures)
    return lambda x: gate.stage.flags(gate.scores(x), models(x))


def unseen_hands_rows(gate, report: dict, with_stage=None) -> list[dict]:
    """The Fontsource handwriting fonts (``digitlab fetch-hand-fonts``) the gate never
    trained on: all 63 unless its card says it trained with ``--more-hands`` (then the 21
    held out). Their letters and symbols flagged, their digits flagged, and the CNN's
    accuracy on those digits, all and accepted. No rows where none is installed."""
    from digitlab.engine import gate_data, gate_fonts  # noqa: PLC0415
    from digitlab.engine.inference import Predictor  # noqa: PLC0415

    fonts = gate_fonts.find_fonts()
    families = [f for group, fams in gate_fonts.FONTSOURCE_GROUPS.items()
                if group.endswith("-2") or not report.get("more_hands")
                for f in fams if f in fonts]
    if not families:
        return []
    letters = {f: gate_fonts.glyph_sampler((f,), gate_data._HAND_CHARS) for f in families}
    x, _ = gate_data.sample_set(letters, PER_FAMILY // 4, SEED + 3)
    share = float(np.mean(gate.scores(x) < gate.threshold))
    what = f"{len(families)} handwriting fonts it never trained on (Fontsource)"
    rows = [quality_row(f"gate: letters and symbols of {what}, flagged", share, ">= 90%",
                        share >= 0.9, samples=len(x))]
    if with_stage is not None:
        share = float(np.mean(with_stage(x)))
        rows.append(quality_row(f"gate + stage: letters and symbols of {what}, flagged", share,
                                ">= 90%", share >= 0.9, samples=len(x)))
    # Sampled font by font, so that each digit's font is known.
    sets = [labelled_digits({f: gate_fonts.hand_digit_sampler((f,))}, PER_FAMILY // 4,
                            SEED + 4 + k) for k, f in enumerate(families)]
    x, y = np.concatenate([s[0] for s in sets]), np.concatenate([s[1] for s in sets])
    font = np.concatenate([[f] * len(s[1]) for f, s in zip(families, sets, strict=True)])
    accepted = gate.scores(x) >= gate.threshold
    share = float(1 - accepted.mean())
    rows.append(quality_row(f"gate: digits of {what}, flagged", share, "<= 1%", share <= 0.01,
                            samples=len(x)))
    if with_stage is not None:
        share = float(np.mean(with_stage(x)))
        rows.append(quality_row(f"gate + stage: digits of {what}, flagged", share, "<= 1%",
                                share <= 0.01, samples=len(x)))
    # The CNN is judged on the fonts it did not train on either (its card's hand_digits).
    from tests.benchmarks.bench_hands import trained_groups  # noqa: PLC0415

    seen = trained_groups()
    unseen = {f for group, fams in gate_fonts.FONTSOURCE_GROUPS.items() if group not in seen
              for f in fams}
    keep = np.isin(font, sorted(unseen))
    x, y, accepted = x[keep], y[keep], accepted[keep]
    cnn = Predictor.load_shipped().predict_batch(x)["cnn"].argmax(axis=1)
    acc_all, acc_ok = float(np.mean(cnn == y)), float(np.mean(cnn[accepted] == y[accepted]))
    what = f"{len(unseen & set(families))} handwriting fonts neither the CNN nor the gate saw"
    rows.append(quality_row(f"cnn accuracy: digits of {what}, all", acc_all, None, None,
                            samples=len(y)))
    rows.append(quality_row(f"cnn accuracy: digits of {what}, accepted", acc_ok, ">= all",
                            acc_ok >= acc_all))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
