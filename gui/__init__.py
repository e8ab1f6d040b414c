"""Digit Lab's desktop app: Qt widgets, the main window and the workers that run engine work.

Only Qt code lives here; every computation is a call into :mod:`engine`, whose
results (small frozen dataclasses, numpy arrays) the widgets draw. Grouped by
feature, then by role:

- ``app.py``, ``main_window.py``, ``model_store.py`` - start-up, the window that
  assembles the tabs (and carries traffic between them), the shared models.
- ``draw/``, ``filters/``, ``train/`` - one folder per tab; they never import
  each other (import-linter checks it).
- ``dialogs/``, ``widgets/`` - what more than one feature uses.
- ``workers/`` - the worker family (:mod:`gui.workers.jobs`) and the model loader.
- ``common/`` - small Qt helpers: actions, the throttle, timing, style, the tab protocol.

Long work (loading TensorFlow, training, filtering a large photo) runs in
workers so that the window never freezes.
"""
