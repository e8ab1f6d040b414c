"""The Filters tab's background jobs: loading a photo and running conv/pool on it.

Both are :class:`~gui.workers.jobs.LatestJob`\\ s: while one filter runs, newer
requests replace the one waiting, so dragging a spin box computes only the
settings the user ends on, never a backlog. Each thread runs only while there
is work; the tab still calls ``stop()`` on close to wait for a job in flight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.gui.workers.jobs import LatestJob

from digitlab.gui.common.i18n import translate


@dataclass(frozen=True)
class FilterRequest:
    """One filter job: ``image`` (H, W) float32, ``kernels`` list of (kh, kw), settings."""

    image: np.ndarray
    kernels: list[np.ndarray]
    settings: object  # engine.filters.FilterSettings


class FilterWorker(LatestJob):
    """``engine.filters.apply_filter`` of the latest :class:`FilterRequest`.

    Signals: ``result`` a :class:`~gui.workers.jobs.Reply` (the request, its
    ``FilterResult``); ``failed(str)`` the ``FilterError`` line.
    """

    def work(self, request: FilterRequest):
        from digitlab.engine.filters import apply_filter  # noqa: PLC0415

        return apply_filter(request.image, request.kernels, request.settings)


class PhotoLoader(LatestJob):
    """``engine.images.load_photo`` of the latest path asked for.

    Signals: ``result`` a :class:`~gui.workers.jobs.Reply` (the path, its
    ``Photo``); ``failed(str)`` the ``ImageLoadError`` line, which names the file.
    """

    def work(self, path: str):
        from digitlab.engine.images import load_photo  # noqa: PLC0415

        return load_photo(path)

    def describe_failure(self, path: str, exc: Exception) -> str:
        from digitlab.engine.images import ImageLoadError  # noqa: PLC0415

        if isinstance(exc, ImageLoadError):
            return str(exc)
        # Anything else from a decoder: still one line, naming the file.
        return translate("FilterWorker", "{0}: cannot open ({1}: {2})").format(
            path, type(exc).__name__, super().describe_failure(path, exc))
