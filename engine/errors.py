"""How an error is told to the user: one line, the same in the command line and the app."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """The one-line message for ``exc``: the first line of its text, or its type.

    An ``OSError`` that carries a filename (missing, forbidden, a folder, disk full)
    names the file and what went wrong, as the command line prints it.

    Args:
        exc: any exception.

    Returns:
        A single line without a trailing newline, never empty.
    """
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"{exc.filename}: no such file or folder"
    if isinstance(exc, PermissionError) and exc.filename:
        return f"{exc.filename}: permission denied"
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        # IsADirectoryError, disk full, read-only file system...: name the file, once.
        return f"{exc.filename}: {exc.strerror}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
