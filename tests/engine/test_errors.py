"""engine.errors.one_line: the one-line message the command line and the app both show."""

from __future__ import annotations

import errno

import pytest

from digitlab.engine.errors import one_line


@pytest.mark.parametrize(("exc", "line"), [
    (ValueError("Received stride=0; stride must be >= 1.\nMore detail"),
     "Received stride=0; stride must be >= 1."),
    (RuntimeError(""), "RuntimeError"),
    (RuntimeError("  \n "), "RuntimeError"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "a.png"),
     "a.png: no such file or folder"),
    (PermissionError(errno.EACCES, "Permission denied", "/x/cnn.keras"),
     "/x/cnn.keras: permission denied"),
    (OSError(errno.EROFS, "Read-only file system", "/ro/cnn.keras"),
     "/ro/cnn.keras: Read-only file system"),
    (FileNotFoundError("no filename given"), "no filename given"),
])
def test_one_line_names_the_file_and_keeps_only_the_first_line(exc, line):
    assert one_line(exc) == line


@pytest.mark.parametrize(("exc", "line"), [
    (OSError(errno.EIO, "Input/output error", "/d/mnist.npz"),
     "[Errno 5] Input/output error: '/d/mnist.npz'"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "a.png"),
     "[Errno 2] No such file or directory: 'a.png'"),
    (ValueError("bad header\nstack"), "bad header"),
])
def test_one_line_without_the_file_rule_is_the_first_line_of_the_text(exc, line):
    """Inside a message that already starts with the path, the file is not named twice."""
    assert one_line(exc, name_file=False) == line
