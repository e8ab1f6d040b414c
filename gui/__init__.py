"""Digit Lab's desktop app: Qt widgets, the main window and the workers that run engine work.

Only Qt code lives here; every computation is a call into :mod:`engine`. Long
work (loading TensorFlow, training, filtering a large photo) runs in ``QThread``
workers so that the window never freezes.
"""
