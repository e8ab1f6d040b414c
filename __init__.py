"""Digit Lab: draw digits, filter photos and train the lesson's three MNIST classifiers.

One import root. The repository's top-level folders are its subpackages
(``pyproject.toml`` maps them with ``package-dir``):

- :mod:`digitlab.engine` - no Qt: data, models, training, fast inference, filters;
- :mod:`digitlab.gui` - the desktop app (PySide6, pyqtgraph);
- :mod:`digitlab.cli` - the front door: ``digitlab`` with no command opens the
  app, ``digitlab train|evaluate|predict|filter`` runs the engine;
- :mod:`digitlab.resources` - what ships: MNIST, the pretrained models, photos.
"""

__version__ = "0.2.0"
