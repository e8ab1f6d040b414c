"""Attribution maps (``engine.explain``) computed in a ``QThread``.

Integrated gradients call TensorFlow (tens of milliseconds per model, more on
the first call), so they never run on the GUI thread. Requests are "latest
wins": a request waiting is replaced by a newer one, and a request being worked
on is abandoned between two models as soon as a newer one arrives, so a fast
drawer never builds a backlog. Each model's map is reported (``progress``) as
soon as it is ready (the multinomial one is instant), so the panel fills in
left to right; ``result`` says the request is done. A
:class:`~gui.workers.jobs.LatestJob`: the thread ends when idle, ``stop()``
waits for a job in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from digitlab.engine import MODEL_KINDS
from digitlab.engine.errors import one_line
from digitlab.gui.workers.jobs import LatestJob


@dataclass(frozen=True)
class ExplainRequest:
    """One attribution job.

    Attributes:
        models: kind -> Keras model (the store's ``models``).
        image28: ``(28, 28)`` float32 model input in [0, 1], ink bright.
        digit: the class every model explains; ``None`` = each model's own prediction.
        methods: kind -> ``engine.explain.METHODS`` entry; a kind not listed uses its
            default (weight x input for multinomial, integrated gradients otherwise).
        steps: integrated-gradients steps.
        temperatures: kind -> the calibration temperature of the model explained, as the
            store had it (a kind without one: T = 1): the titles give the calibrated
            probability, as the bars do.
    """

    models: dict
    image28: np.ndarray
    digit: int | None = None
    methods: dict = field(default_factory=dict)
    steps: int = 32
    temperatures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ModelFailure:
    """One model could not explain the request (the others still do).

    Attributes:
        kind: the model kind.
        reason: the one-line reason.
    """

    kind: str
    reason: str


class ExplainWorker(LatestJob):
    """Runs :func:`engine.explain.explain` for each model of the latest request.

    Signals (the :class:`~gui.workers.jobs.LatestJob` vocabulary):
        progress(object): a :class:`~gui.workers.jobs.Reply` whose value is one
            model's ``Attribution`` or a :class:`ModelFailure`.
        result(object): a :class:`~gui.workers.jobs.Reply`: every model of that
            request was handled (value None).
        failed(str): the request could not be handled at all.
    """

    def work(self, request: ExplainRequest) -> None:
        from digitlab.engine.explain import explain  # noqa: PLC0415 - imports TensorFlow

        for kind in MODEL_KINDS:
            if kind not in request.models:
                continue
            if self.isInterruptionRequested() or self.newer_waiting():
                return  # stale: the drawing changed; the newer request starts at once
            try:
                attribution = explain(request.models[kind], kind, request.image28,
                                      digit=request.digit, steps=request.steps,
                                      method=request.methods.get(kind))
            except Exception as exc:  # noqa: BLE001 - a broken model must not stop the others
                self.report(ModelFailure(kind, one_line(exc)))
            else:
                self.report(attribution)
