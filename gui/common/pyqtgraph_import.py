"""Import pyqtgraph without making every Qt class at once (about half its import time).

pyqtgraph's ``Qt`` module copies every name of ``PySide6.QtCore``, ``QtGui`` and
``QtWidgets`` into its own stand-in modules (``for o in dir(src): setattr(dst, o,
getattr(src, o))``). PySide6 makes its classes and their enums lazily, on first
access, so that loop builds all ~700 classes and ~600 Python enums the app never
uses: 0.15-0.25 s of a 0.3-0.5 s import on the lab machine. :func:`import_pyqtgraph`
imports pyqtgraph with stand-ins that resolve a name when pyqtgraph first asks for
it (and keep it), so only the classes in use are made. Everything else about
pyqtgraph is unchanged; if its import ever changes so that this fails, pyqtgraph
is imported the ordinary way.
"""

from __future__ import annotations

import sys
import types

#: The PySide6 modules that pyqtgraph copies whole.
_COPIED = ("QtCore", "QtGui", "QtWidgets")


class _Forward(types.ModuleType):
    """A module standing in for ``target``: a name is looked up there on first use, then kept.

    Args:
        name: the module's ``__name__``.
        target: the PySide6 module whose names it gives.
        listed: whether ``dir()`` lists the target's names (pyqtgraph's stand-ins)
            or only those already used (the brief stand-in for ``PySide6.QtX`` that
            pyqtgraph's copy loop walks).
    """

    def __init__(self, name: str, target: types.ModuleType, listed: bool):
        super().__init__(name, target.__doc__)
        self._target = target
        self._listed = listed

    def __dir__(self) -> list[str]:
        names = set(self.__dict__)
        if self._listed:
            names |= set(dir(self._target))
        return sorted(names)

    def __getattr__(self, name: str):
        if name.startswith("_") and name not in ("__version__", "__version_info__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(self._target, name)
        setattr(self, name, value)
        return value


def import_pyqtgraph() -> types.ModuleType:
    """``import pyqtgraph``, making only the Qt classes pyqtgraph and the app use.

    Returns:
        the ``pyqtgraph`` module (the one already imported, if it was).
    """
    if "pyqtgraph" in sys.modules:
        return sys.modules["pyqtgraph"]
    import PySide6  # noqa: PLC0415
    from PySide6 import QtCore, QtGui, QtWidgets  # noqa: PLC0415

    real = {"QtCore": QtCore, "QtGui": QtGui, "QtWidgets": QtWidgets}
    stand_ins = {f"pyqtgraph.Qt.{name}": _Forward(f"pyqtgraph.Qt.{name}", module, listed=True)
                 for name, module in real.items()}
    sys.modules.update(stand_ins)
    # Only while pyqtgraph.Qt runs its copy loop: PySide6.QtX lists no names to copy.
    for name, module in real.items():
        setattr(PySide6, name, _Forward(f"PySide6.{name}", module, listed=False))
    try:
        import pyqtgraph  # noqa: PLC0415
    except Exception:  # noqa: BLE001 - a pyqtgraph this does not fit: the ordinary import
        for name in [n for n in sys.modules if n == "pyqtgraph" or n.startswith("pyqtgraph.")]:
            del sys.modules[name]
        for name, module in real.items():
            setattr(PySide6, name, module)
        import pyqtgraph  # noqa: PLC0415
    finally:
        for name, module in real.items():
            setattr(PySide6, name, module)
    return pyqtgraph
